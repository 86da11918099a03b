/**
 * Refund requests (DESIGN 6.9): a patient asks (`POST /api/v1/orders/:id/refund-requests`, patient token, rate
 * limit, Idempotency-Key honoured when sent, as the other patient writes); a cashier lists, approves or rejects
 * (`/api/v1/console/refund-requests…`). Thin: parse with a schema from shared/, call one service, shape the answer.
 */
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import { patientRefundRequest, refundRequestsQuery, rejectRefundRequest, uuidParam } from '../../shared/api';
import {
  approveRefundRequest,
  createRefundRequest,
  listRefundRequests,
  rejectRefundRequest as reject,
} from '../services/refund/requests';
import { consoleActorOf, requireConsole } from './consoleRoutes';
import { idempotent } from './idempotency';
import { openidOf, requirePatient } from './routes';
import { pathId } from './params';
import type { Deps } from '../services/deps';

/** Approving takes no options: an empty object (or no body). */
const approveRequest = z.object({}).strict();

export function refundRequestRoutes(deps: Deps, rateLimit: Koa.Middleware): Router {
  const r = new Router({ prefix: '/api/v1' });
  const patient = requirePatient(deps);
  const idemIfSent = idempotent(deps, openidOf, false);
  const cashier = requireConsole(deps)('cashier');

  r.post('/orders/:id/refund-requests', patient, rateLimit, idemIfSent, async (ctx) => {
    const orderId = pathId(ctx, 'id', uuidParam);
    const req = patientRefundRequest.parse(ctx.request.body ?? {});
    ctx.status = 201;
    ctx.body = await createRefundRequest(deps, openidOf(ctx), orderId, req);
  });

  r.get('/console/refund-requests', cashier, rateLimit, async (ctx) => {
    const { status } = refundRequestsQuery.parse(ctx.query);
    ctx.body = await listRefundRequests(deps, status);
  });
  r.post('/console/refund-requests/:id/approve', cashier, rateLimit, async (ctx) => {
    const id = pathId(ctx, 'id', uuidParam);
    approveRequest.parse(ctx.request.body ?? {});
    ctx.body = await approveRefundRequest(deps, id, consoleActorOf(ctx));
  });
  r.post('/console/refund-requests/:id/reject', cashier, rateLimit, async (ctx) => {
    const id = pathId(ctx, 'id', uuidParam);
    const { reason } = rejectRefundRequest.parse(ctx.request.body ?? {});
    ctx.body = await reject(deps, id, reason, consoleActorOf(ctx));
  });
  return r;
}
