/**
 * Cashier refunds (DESIGN 13, Cashier API): thin — parse with the schema from shared/, call one service, shape
 * the answer. Authentication and roles come from the console's `requireConsole`, which sets
 * `ctx.state.console = {username, role}`; the username is the refund's actor.
 */
import Router from '@koa/router';
import { recordAudit } from '../services/console/audit';
import type Koa from 'koa';
import { refundDecisionRequest, refundRequest, uuidParam, type RefundPreviewView } from '../../shared/api';
import { AppError } from '../services/errors';
import {
  approveRefund,
  getRefund,
  previewRefund,
  rejectRefund,
  requestRefund,
} from '../services/refund/refunds';
import type { Deps } from '../services/deps';
import { pathId } from './params';

export type RequireConsoleRole = (role?: 'cashier' | 'supervisor') => Koa.Middleware;

function consoleUserOf(ctx: Koa.Context): { username: string; role: string } {
  const user = (ctx.state as { console?: { username?: string; role?: string } }).console;
  // requireConsole runs first; a route mounted without it is a programmer error
  if (!user?.username || !user.role) throw new AppError('UNAUTHENTICATED', '请先登录后台。');
  return { username: user.username, role: user.role };
}

const requestIdOf = (ctx: Koa.Context): string | null =>
  typeof ctx.state.requestId === 'string' ? ctx.state.requestId : null;

export function refundRoutes(deps: Deps, requireConsole: RequireConsoleRole): Router {
  const r = new Router({ prefix: '/api/v1/console' });

  r.post('/orders/:id/refunds', requireConsole('cashier'), async (ctx) => {
    const orderId = pathId(ctx, 'id', uuidParam);
    const { amount, reason } = refundRequest.parse(ctx.request.body ?? {});
    const { username: actor, role } = consoleUserOf(ctx);
    const created = await requestRefund(deps, orderId, { amount, reason, actor, role });
    await recordAudit(deps, {
      actor,
      role,
      action: 'order.refund',
      target: orderId,
      details: { refundId: created.id, amount: amount ?? 'rest', reason, status: created.status },
      requestId: requestIdOf(ctx),
    });
    // a cashier's large refund is accepted but waits for a supervisor (four eyes)
    ctx.status = created.status === 'AWAITING_APPROVAL' ? 202 : 201;
    ctx.body = created;
  });

  r.post('/refunds/:id/approve', requireConsole('supervisor'), async (ctx) => {
    const refundId = pathId(ctx, 'id', uuidParam);
    const by = consoleUserOf(ctx);
    const approved = await approveRefund(deps, refundId, by);
    await recordAudit(deps, {
      actor: by.username,
      role: by.role,
      action: 'refund.approve',
      target: refundId,
      details: { refundId },
      requestId: requestIdOf(ctx),
    });
    ctx.body = approved;
  });

  r.post('/refunds/:id/reject', requireConsole('supervisor'), async (ctx) => {
    const refundId = pathId(ctx, 'id', uuidParam);
    const { reason } = refundDecisionRequest.parse(ctx.request.body ?? {});
    const by = consoleUserOf(ctx);
    const rejected = await rejectRefund(deps, refundId, by, reason);
    await recordAudit(deps, {
      actor: by.username,
      role: by.role,
      action: 'refund.reject',
      target: refundId,
      details: { refundId, reason },
      requestId: requestIdOf(ctx),
    });
    ctx.body = rejected;
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
