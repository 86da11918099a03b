/**
 * Cashier refunds (DESIGN 13, Cashier API): thin — parse with the schema from shared/, call one service, shape
 * the answer. Authentication and roles come from the console's `requireConsole`, which sets
 * `ctx.state.console = {username, role}`; the username is the refund's actor.
 */
import Router from '@koa/router';
import { recordAudit } from '../services/console/audit';
import type Koa from 'koa';
import { refundRequest, uuidParam, type RefundPreviewView } from '../../shared/api';
import { AppError } from '../services/errors';
import { getRefund, previewRefund, requestRefund } from '../services/refund/refunds';
import type { Deps } from '../services/deps';
import { pathId } from './params';

export type RequireConsoleRole = (role?: 'cashier' | 'supervisor') => Koa.Middleware;

function actorOf(ctx: Koa.Context): string {
  const username = (ctx.state as { console?: { username?: string } }).console?.username;
  // requireConsole runs first; a route mounted without it is a programmer error
  if (!username) throw new AppError('UNAUTHENTICATED', '请先登录后台。');
  return username;
}

export function refundRoutes(deps: Deps, requireConsole: RequireConsoleRole): Router {
  const r = new Router({ prefix: '/api/v1/console' });

  r.post('/orders/:id/refunds', requireConsole('cashier'), async (ctx) => {
    const orderId = pathId(ctx, 'id', uuidParam);
    const { amount, reason } = refundRequest.parse(ctx.request.body ?? {});
    const actor = actorOf(ctx);
    const created = await requestRefund(deps, orderId, { amount, reason, actor });
    await recordAudit(deps, {
      actor,
      role: (ctx.state as { console?: { role?: string } }).console?.role ?? 'unknown',
      action: 'order.refund',
      target: orderId,
      details: { refundId: created.id, amount: amount ?? 'rest', reason },
      requestId: typeof ctx.state.requestId === 'string' ? ctx.state.requestId : null,
    });
    ctx.status = 201;
    ctx.body = created;
  });

  // what 确认 would give back by leg; the same checks as the refund itself, and nothing written
  r.post('/orders/:id/refunds/preview', requireConsole('cashier'), async (ctx) => {
    const orderId = pathId(ctx, 'id', uuidParam);
    const { amount } = refundRequest.parse(ctx.request.body ?? {});
    const preview: RefundPreviewView = await previewRefund(deps, orderId, amount);
    ctx.body = preview;
  });

  r.get('/refunds/:id', requireConsole(), async (ctx) => {
    ctx.body = await getRefund(deps, pathId(ctx, 'id', uuidParam));
  });

  return r;
}
