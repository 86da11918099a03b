/**
 * Reconciliation, discrepancy actions and daily close for the cashier console (DESIGN 6.10, 13). Thin: parse
 * with a schema from shared/, call one service, shape the answer. Money-moving actions (补单, refund) and the
 * daily close need the supervisor role; the rest any cashier.
 */
import { Readable } from 'node:stream';
import Router from '@koa/router';
import type Koa from 'koa';
import {
  dailyCloseRequest,
  reconciliationListQuery,
  reconciliationRequest,
  bigintIdSchema,
  reconRowsQuery,
  resolveRowRequest,
  refundRequest,
  uuidParam,
} from '../../shared/api';
import { z } from 'zod';
import { recordAudit } from '../services/console/audit';
import type { Deps } from '../services/deps';
import { closeDay, listCloses } from '../services/reconciliation/dailyClose';
import {
  postMissing,
  postMissingPreview,
  refundRow,
  resolveRow,
  retryHisConfirm,
} from '../services/reconciliation/actions';
import { assertRunExists, listRows, rowsCsv } from '../services/reconciliation/rows';
import { getRun, listRuns, reconcileDay } from '../services/reconciliation/runs';
import { consoleActorOf, type RequireConsole } from './consoleRoutes';
import { pathId } from './params';

const RUNS_LIST_DEFAULT = 20;
const csvQuery = reconRowsQuery.pick({ kind: true, discrepancies: true, resolved: true });
const closesQuery = z.object({ limit: z.coerce.number().int().min(1).max(366).optional() }).strict();

const runIdOf = (ctx: Koa.Context): string => pathId(ctx, 'id', uuidParam);
const rowIdOf = (ctx: Koa.Context): string => pathId(ctx, 'rowId', bigintIdSchema);

export function reconciliationRoutes(
  deps: Deps,
  requireConsole: RequireConsole,
  rateLimit: Koa.Middleware,
): Router {
  const r = new Router({ prefix: '/api/v1/console' });
  const auth = requireConsole(deps);
  const cashier = [auth('cashier'), rateLimit];
  const supervisor = [auth('supervisor'), rateLimit];

  r.post('/reconciliations', ...cashier, async (ctx) => {
    const { date } = reconciliationRequest.parse(ctx.request.body ?? {});
    ctx.status = 201;
    ctx.body = await reconcileDay(deps, date, consoleActorOf(ctx));
  });
  r.get('/reconciliations', ...cashier, async (ctx) => {
    const { date, limit } = reconciliationListQuery.parse(ctx.query);
    ctx.body = await listRuns(deps, date, limit ?? RUNS_LIST_DEFAULT);
  });
  r.get('/reconciliations/:id', ...cashier, async (ctx) => {
    ctx.body = await getRun(deps, runIdOf(ctx));
  });
  r.get('/reconciliations/:id/rows', ...cashier, async (ctx) => {
    const query = reconRowsQuery.parse(ctx.query);
    const page = await listRows(deps, runIdOf(ctx), query);
    if (page.nextCursor) ctx.set('X-Next-Cursor', page.nextCursor);
    ctx.body = page.rows;
  });
  r.get('/reconciliations/:id/rows.csv', ...cashier, async (ctx) => {
    const runId = runIdOf(ctx);
    const filter = csvQuery.strict().parse(ctx.query);
    await assertRunExists(deps, runId);
    const run = await getRun(deps, runId);
    const actor = consoleActorOf(ctx);
    await recordAudit(deps, {
      actor: actor.username,
      role: actor.role,
      action: 'reconciliation.export',
      target: runId,
      details: { date: run.date, ...filter },
      requestId: actor.requestId ?? null,
    });
    ctx.type = 'text/csv; charset=utf-8';
    ctx.set(
      'Content-Disposition',
      `attachment; filename="reconciliation-${run.date}-${runId.slice(0, 8)}.csv"`,
    );
    ctx.body = Readable.from(rowsCsv(deps, runId, filter));
  });

  const rows = '/reconciliation-rows/:rowId';
  r.post(`${rows}/resolve`, ...cashier, async (ctx) => {
    const rowId = rowIdOf(ctx);
    const { reason } = resolveRowRequest.parse(ctx.request.body ?? {});
    ctx.body = await resolveRow(deps, rowId, reason, consoleActorOf(ctx));
  });
  r.post(`${rows}/retry-his-confirm`, ...cashier, async (ctx) => {
    ctx.body = await retryHisConfirm(deps, rowIdOf(ctx), consoleActorOf(ctx));
  });
  r.get(`${rows}/post-missing`, ...cashier, async (ctx) => {
    ctx.body = await postMissingPreview(deps, rowIdOf(ctx));
  });
  r.post(`${rows}/post-missing`, ...supervisor, async (ctx) => {
    const rowId = rowIdOf(ctx);
    const { reason } = resolveRowRequest.parse(ctx.request.body ?? {});
    ctx.body = await postMissing(deps, rowId, reason, consoleActorOf(ctx));
  });
  r.post(`${rows}/refund`, ...supervisor, async (ctx) => {
    const rowId = rowIdOf(ctx);
    const input = refundRequest.parse(ctx.request.body ?? {});
    ctx.body = await refundRow(deps, rowId, input, consoleActorOf(ctx));
  });

  r.post('/daily-closes', ...supervisor, async (ctx) => {
    const { date } = dailyCloseRequest.parse(ctx.request.body ?? {});
    ctx.status = 201;
    ctx.body = await closeDay(deps, date, consoleActorOf(ctx));
  });
  r.get('/daily-closes', ...cashier, async (ctx) => {
    const { limit } = closesQuery.parse(ctx.query);
    ctx.body = await listCloses(deps, limit ?? 31);
  });
  return r;
}
