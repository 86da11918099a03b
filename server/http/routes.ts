/** Routers are thin: parse with a schema from shared/, call one service, shape the answer. */
import Router from '@koa/router';
import type Koa from 'koa';
import {
  bindPatientRequest,
  type ClientConfigView,
  createOrderRequest,
  insuranceAuthorizationRequest,
  sessionRequest,
  uuidParam,
} from '../../shared/api';
import { authenticate, login } from '../services/sessions';
import { bindPatient, getPatient, listPatients } from '../services/patients';
import { authorizeInsurance } from '../services/insuranceAuthorizations';
import { listUnpaidBills } from '../services/bills';
import { createOrder } from '../services/checkout';
import { startPayment } from '../services/payments';
import { cancelOrder } from '../services/release';
import { getOrder, listOrders } from '../services/orderViews';
import { handleWeChatPayCallback } from '../services/notifications';
import { AppError } from '../services/errors';
import { idempotent } from './idempotency';
import type { Deps } from '../services/deps';
import type { Metrics } from './metrics';

interface PatientState {
  openid: string;
}

function openidOf(ctx: Koa.Context): string {
  return (ctx.state as PatientState).openid;
}

function requirePatient(deps: Deps): Koa.Middleware {
  return async (ctx, next) => {
    const header = ctx.get('Authorization');
    const match = /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(header);
    if (!match) throw new AppError('UNAUTHENTICATED', 'log in first (Authorization: Bearer <token>)');
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
  r.post('/patients', auth, rateLimit, idemIfSent, async (ctx) => {
    const req = bindPatientRequest.parse(ctx.request.body);
    ctx.status = 201;
    ctx.body = await bindPatient(deps, openidOf(ctx), req);
  });
  r.get('/patients/:id', auth, rateLimit, async (ctx) => {
    ctx.body = await getPatient(deps, openidOf(ctx), parseId(ctx.params.id, 'PATIENT_NOT_FOUND'));
  });
  r.post('/patients/:id/insurance-authorizations', auth, rateLimit, idemIfSent, async (ctx) => {
    const { authCode } = insuranceAuthorizationRequest.parse(ctx.request.body);
    ctx.status = 201;
    ctx.body = await authorizeInsurance(
      deps,
      openidOf(ctx),
      parseId(ctx.params.id, 'PATIENT_NOT_FOUND'),
      authCode,
    );
  });
  r.get('/patients/:id/bills', auth, rateLimit, async (ctx) => {
    ctx.body = await listUnpaidBills(deps, openidOf(ctx), parseId(ctx.params.id, 'PATIENT_NOT_FOUND'));
  });
  r.post('/orders', auth, rateLimit, idem, async (ctx) => {
    const req = createOrderRequest.parse(ctx.request.body);
    ctx.status = 201;
    ctx.body = await createOrder(deps, openidOf(ctx), req);
  });
  r.get('/orders', auth, rateLimit, async (ctx) => {
    ctx.body = await listOrders(deps, openidOf(ctx));
  });
  r.get('/orders/:id', auth, rateLimit, async (ctx) => {
    ctx.body = await getOrder(deps, openidOf(ctx), parseId(ctx.params.id, 'ORDER_NOT_FOUND'));
  });
  r.post('/orders/:id/payments', auth, rateLimit, idemIfSent, async (ctx) => {
    ctx.body = await startPayment(deps, openidOf(ctx), parseId(ctx.params.id, 'ORDER_NOT_FOUND'));
  });
  r.post('/orders/:id/cancel', auth, rateLimit, idemIfSent, async (ctx) => {
    ctx.body = await cancelOrder(deps, openidOf(ctx), parseId(ctx.params.id, 'ORDER_NOT_FOUND'));
  });
  return r;
}

/** A malformed id names nothing that exists: 404, like another user's id. */
function parseId(raw: string | undefined, code: 'PATIENT_NOT_FOUND' | 'ORDER_NOT_FOUND'): string {
  const parsed = uuidParam.safeParse(raw);
  if (!parsed.success) throw new AppError(code, 'no such resource');
  return parsed.data;
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
