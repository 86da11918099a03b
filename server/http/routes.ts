/** Routers are thin: parse with a schema from shared/, call one service, shape the answer. */
import Router from '@koa/router';
import type Koa from 'koa';
import {
  bindPatientRequest,
  verifyCodeRequest,
  type ClientConfigView,
  createOrderRequest,
  insuranceAuthorizationRequest,
  ordersQuery,
  sessionRequest,
  uuidParam,
} from '../../shared/api';
import { authenticate, login } from '../services/patient/sessions';
import { getPatient, listPatients } from '../services/patient/cards';
import { startBinding, unbind, verifyBinding } from '../services/patient/binding';
import { authorizeInsurance } from '../services/patient/insuranceAuthorizations';
import { listUnpaidBills } from '../services/patient/bills';
import { createOrder } from '../services/payment/checkout';
import { startPayment } from '../services/payment/start';
import { riskContextOf } from './riskRoutes';
import { cancelOrder } from '../services/payment/close';
import { startStepUp, verifyStepUp } from '../services/risk/stepUp';
import { getOrder, listOrders } from '../services/order/views';
import { handleWeChatPayCallback } from '../services/payment/callback';
import { AppError } from '../services/errors';
import { idempotent } from './idempotency';
import { pathId } from './params';
import type { Deps } from '../services/deps';
import type { Metrics } from './metrics';

interface PatientState {
  openid: string;
}

export function openidOf(ctx: Koa.Context): string {
  return (ctx.state as PatientState).openid;
}

/** The patient's bearer token → `ctx.state.openid` (the key the rate limit counts under). */
export function requirePatient(deps: Deps): Koa.Middleware {
  return async (ctx, next) => {
    const header = ctx.get('Authorization');
    const match = /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(header);
    if (!match) throw new AppError('UNAUTHENTICATED', '请先登录。');
    const session = await authenticate(deps, match[1]);
    (ctx.state as PatientState).openid = session.openid;
    await next();
  };
}

/** Seconds a client (or a proxy) may reuse the client configuration. */
const CLIENT_CONFIG_MAX_AGE_S = 60;

/** What the mini-program reads before login; the same for everyone, so no auth and cacheable. */
export function clientConfigRouter(config: ClientConfigView): Router {
  const r = new Router({ prefix: '/api/v1' });
  r.get('/client-config', (ctx) => {
    ctx.set('Cache-Control', `public, max-age=${CLIENT_CONFIG_MAX_AGE_S}`);
    ctx.body = config;
  });
  return r;
}

export function patientRouter(deps: Deps, rateLimit: Koa.Middleware): Router {
  const r = new Router({ prefix: '/api/v1' });
  const auth = requirePatient(deps);
  const idem = idempotent(deps, openidOf);
  const idemIfSent = idempotent(deps, openidOf, false);

  r.post('/session', rateLimit, async (ctx) => {
    const { code } = sessionRequest.parse(ctx.request.body);
    ctx.body = await login(deps, code);
  });
  r.get('/patients', auth, rateLimit, async (ctx) => {
    ctx.body = await listPatients(deps, openidOf(ctx));
  });
  // card ownership (DESIGN flow 11): 202 and a code texted to the HIS's phone; the card exists once it comes back
  r.post('/patients', auth, rateLimit, idemIfSent, async (ctx) => {
    const req = bindPatientRequest.parse(ctx.request.body);
    ctx.status = 202;
    ctx.body = await startBinding(deps, openidOf(ctx), req, riskContextOf(ctx));
  });
  r.post('/patients/verifications/:verificationId', auth, rateLimit, idemIfSent, async (ctx) => {
    const verificationId = pathId(ctx, 'verificationId', uuidParam);
    const { code } = verifyCodeRequest.parse(ctx.request.body);
    ctx.status = 201;
    ctx.body = await verifyBinding(deps, openidOf(ctx), verificationId, code);
  });
  r.delete('/patients/:id', auth, rateLimit, async (ctx) => {
    await unbind(deps, openidOf(ctx), pathId(ctx, 'id', uuidParam));
    ctx.status = 204;
  });
  r.get('/patients/:id', auth, rateLimit, async (ctx) => {
    ctx.body = await getPatient(deps, openidOf(ctx), pathId(ctx, 'id', uuidParam));
  });
  r.post('/patients/:id/insurance-authorizations', auth, rateLimit, idemIfSent, async (ctx) => {
    const patientId = pathId(ctx, 'id', uuidParam);
    const { authCode } = insuranceAuthorizationRequest.parse(ctx.request.body);
    ctx.status = 201;
    ctx.body = await authorizeInsurance(deps, openidOf(ctx), patientId, authCode);
  });
  r.get('/patients/:id/bills', auth, rateLimit, async (ctx) => {
    ctx.body = await listUnpaidBills(deps, openidOf(ctx), pathId(ctx, 'id', uuidParam));
  });
  r.post('/orders', auth, rateLimit, idem, async (ctx) => {
    const req = createOrderRequest.parse(ctx.request.body);
    ctx.status = 201;
    ctx.body = await createOrder(deps, openidOf(ctx), req, riskContextOf(ctx));
  });
  r.get('/orders', auth, rateLimit, async (ctx) => {
    ctx.body = await listOrders(deps, openidOf(ctx), ordersQuery.parse(ctx.query));
  });
  r.get('/orders/:id', auth, rateLimit, async (ctx) => {
    ctx.body = await getOrder(deps, openidOf(ctx), pathId(ctx, 'id', uuidParam));
  });
  r.post('/orders/:id/payments', auth, rateLimit, idemIfSent, async (ctx) => {
    ctx.body = await startPayment(deps, openidOf(ctx), pathId(ctx, 'id', uuidParam), riskContextOf(ctx));
  });
  // step-up (issue 13): a code texted to the card's phone at the HIS, then the code → the order can be paid
  r.post('/orders/:id/step-up', auth, rateLimit, async (ctx) => {
    ctx.status = 202;
    ctx.body = await startStepUp(deps, openidOf(ctx), pathId(ctx, 'id', uuidParam));
  });
  r.post('/orders/:id/step-up/:stepUpId', auth, rateLimit, async (ctx) => {
    const orderId = pathId(ctx, 'id', uuidParam);
    const stepUpId = pathId(ctx, 'stepUpId', uuidParam);
    const { code } = verifyCodeRequest.parse(ctx.request.body);
    ctx.body = await verifyStepUp(deps, openidOf(ctx), orderId, stepUpId, code);
  });
  r.post('/orders/:id/cancel', auth, rateLimit, idemIfSent, async (ctx) => {
    ctx.body = await cancelOrder(deps, openidOf(ctx), pathId(ctx, 'id', uuidParam));
  });
  return r;
}

export function callbackRouter(deps: Deps, metrics: Metrics): Router {
  const r = new Router({ prefix: '/api/v1/notify' });
  r.post('/wechatpay', async (ctx) => {
    const raw = ctx.request.rawBody;
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(ctx.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v[0] : v;
    const answer = await handleWeChatPayCallback(deps, headers, typeof raw === 'string' ? raw : '', {
      rejected: (reason) => metrics.callbackRejected.inc({ reason }),
    });
    ctx.status = answer.status;
    if (answer.body) ctx.body = answer.body;
  });
  return r;
}
