/**
 * The risk console (issue 13), under /api/v1/console/risk: events and rule hit counts (cashier), the review
 * queue with approve / reject (cashier), blocks (supervisor). Also `riskContextOf`, the patient routes' reading
 * of the optional X-Device-Id header. Thin: parse with a schema from shared/, call one service, shape the answer.
 */
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import {
  deviceIdSchema,
  openidSchema,
  riskBlockRequest,
  riskEventsQuery,
  riskRejectRequest,
  uuidParam,
} from '../../shared/api';
import {
  approveReview,
  blockUser,
  listBlocks,
  listEvents,
  listReviews,
  rejectReview,
  ruleStats,
  unblockUser,
} from '../services/risk/console';
import type { RiskContext } from '../services/risk/checks';
import { AppError } from '../services/errors';
import { consoleActorOf, type RequireConsole } from './consoleRoutes';
import { pathId } from './params';
import type { Deps } from '../services/deps';

/** Approving takes no options: an empty object (or no body). */
const approveRequest = z.object({}).strict();

/** The X-Device-Id header (optional): ≤ 64 printable characters, else 400 VALIDATION_FAILED. */
export function riskContextOf(ctx: Koa.Context): RiskContext {
  const raw = ctx.get('X-Device-Id');
  if (raw === '') return {};
  const parsed = deviceIdSchema.safeParse(raw);
  if (!parsed.success)
    throw new AppError('VALIDATION_FAILED', '设备标识格式不正确，请重新打开小程序。', undefined, {
      cause: 'X-Device-Id: not 1–64 printable characters',
    });
  return { deviceId: parsed.data };
}

export function riskRoutes(deps: Deps, requireConsole: RequireConsole, rateLimit: Koa.Middleware): Router {
  const r = new Router({ prefix: '/api/v1/console/risk' });
  const cashier = requireConsole(deps)('cashier');
  const supervisor = requireConsole(deps)('supervisor');

  r.get('/events', cashier, rateLimit, async (ctx) => {
    const page = await listEvents(deps, riskEventsQuery.parse(ctx.query));
    if (page.nextCursor) ctx.set('X-Next-Cursor', page.nextCursor);
    ctx.body = page.events;
  });
  r.get('/rules', cashier, rateLimit, async (ctx) => {
    ctx.body = await ruleStats(deps);
  });
  r.get('/reviews', cashier, rateLimit, async (ctx) => {
    ctx.body = await listReviews(deps);
  });
  r.post('/reviews/:orderId/approve', cashier, rateLimit, async (ctx) => {
    const orderId = pathId(ctx, 'orderId', uuidParam);
    approveRequest.parse(ctx.request.body ?? {});
    ctx.body = await approveReview(deps, orderId, consoleActorOf(ctx));
  });
  r.post('/reviews/:orderId/reject', cashier, rateLimit, async (ctx) => {
    const orderId = pathId(ctx, 'orderId', uuidParam);
    const { reason } = riskRejectRequest.parse(ctx.request.body ?? {});
    ctx.body = await rejectReview(deps, orderId, reason, consoleActorOf(ctx));
  });
  r.get('/blocks', supervisor, rateLimit, async (ctx) => {
    ctx.body = await listBlocks(deps);
  });
  r.post('/blocks', supervisor, rateLimit, async (ctx) => {
    const { openid, reason } = riskBlockRequest.parse(ctx.request.body ?? {});
    ctx.status = 201;
    ctx.body = await blockUser(deps, openid, reason, consoleActorOf(ctx));
  });
  r.delete('/blocks/:openid', supervisor, rateLimit, async (ctx) => {
    const openid = pathId(ctx, 'openid', openidSchema);
    await unblockUser(deps, openid, consoleActorOf(ctx));
    ctx.status = 204;
  });
  return r;
}
