/**
 * Reconciliation runs (DESIGN 6.10): for a China day, stage what each source says (ours, WeChat Pay's trade
 * bill, the insurance platform's 3202 detail, the HIS daily list), classify every record, check our insurance
 * totals with 3201, and persist the run with all its rows. Re-running a date makes a new run; a closed day
 * (日结) cannot be re-run. Nothing is fixed here: discrepancies are rows for a person to act on.
 */
import { PARTY_NAMES_ZH } from '../gatewayErrors';
import { randomUUID } from 'node:crypto';
import type { ReconRunView } from '../../../shared/api';
import { GatewayError } from '../../gateways/ports';
import { AppError } from '../errors';
import type { Deps } from '../deps';
import { recordAudit } from '../console/audit';
import {
  failRun,
  failStaleRunRows,
  finishRun,
  insertRun,
  isDayClosed as dayClosed,
  listRunRows,
  ourInsuranceItemTotals,
  readRun,
  type RunRow,
} from '../../db/recon/runs';
import { deleteRunItems } from '../../db/recon/items';
import { computeTotals, emptySummary, matchAndWrite } from './match';
import { dayBounds, Stager, stageHis, stageInsurance, stageOurs, stageWeChat } from './staging';

export interface ReconActor {
  username: string;
  role: string;
  requestId?: string;
}

function runView(r: RunRow): ReconRunView {
  return {
    id: r.id,
    date: r.date,
    status: r.status,
    actor: r.actor,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString(),
    error: r.error ?? undefined,
    summary: { ...emptySummary(), ...r.summary },
    totals: r.totals ?? undefined,
    open: r.open,
    closed: r.closed,
  };
}

export async function isDayClosed(deps: Deps, date: string): Promise<boolean> {
  return dayClosed(deps.db, date);
}

/** A party's answer that says the day's file is not there yet (e.g. before 09:00 the next day) is a 409. */
function asAppError(err: unknown): unknown {
  if (!(err instanceof GatewayError)) return err;
  if (err.kind === 'rejected') {
    return new AppError(
      'RECON_SOURCE_NOT_READY',
      `${PARTY_NAMES_ZH[err.party]}的对账单还没有准备好，请稍后再试。`,
    );
  }
  return new AppError(
    err.kind === 'timeout' ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNAVAILABLE',
    `${PARTY_NAMES_ZH[err.party]}的对账单暂时无法读取，请稍后再试。`,
  );
}

/** Our insurance totals of the day (net of refunds), as 3201 wants them, from the staged items. */
async function ourInsuranceTotals(deps: Deps, runId: string, date: string) {
  return { date, ...(await ourInsuranceItemTotals(deps.db, runId)) };
}

/** Runs that were RUNNING when their process died never finish: after a while they are marked FAILED. */
async function failStaleRuns(deps: Deps, date: string, now: Date): Promise<void> {
  await failStaleRunRows(deps.db, date, new Date(now.getTime() - deps.settings.RECON_RUN_STALE_MS), now);
}

async function stageAll(deps: Deps, runId: string, date: string): Promise<number> {
  const size = deps.settings.RECON_BATCH_SIZE;
  await stageOurs(deps.db, runId, date);
  const feeFen = await stageWeChat(deps.wechat, new Stager(deps.db, runId, 'wechat', size), date);
  await stageInsurance(deps.insurance, new Stager(deps.db, runId, 'insurance', size), date);
  await stageHis(deps.his, new Stager(deps.db, runId, 'his', size), date);
  return feeFen;
}

/** Reconciles one China day; the run is persisted whatever happens (FAILED with the reason when a source fails). */
export async function reconcileDay(deps: Deps, date: string, actor: ReconActor): Promise<ReconRunView> {
  if (await isDayClosed(deps, date)) throw new AppError('DAY_CLOSED', `${date} 已日结，不能重新对账。`);
  const today = new Date(deps.clock.now());
  if (dayBounds(date).start.getTime() > today.getTime()) {
    throw new AppError('VALIDATION_FAILED', `${date} 还没有开始，不能对账。`);
  }
  const runId = randomUUID();
  const startedAt = new Date(deps.clock.now());
  await failStaleRuns(deps, date, startedAt);
  await insertRun(deps.db, runId, date, actor.username, startedAt);
  try {
    const feeFen = await stageAll(deps, runId, date);
    const totals = await computeTotals(deps.db, runId, feeFen);
    try {
      const check = await deps.insurance.checkDayTotals(await ourInsuranceTotals(deps, runId, date));
      totals.insuranceCheck = { balanced: check.balanced, message: check.message };
    } catch (err) {
      totals.insuranceCheck = { balanced: false, message: `3201 未完成: ${(err as Error).message}` };
    }
    const summary = await matchAndWrite(deps.db, runId, date, deps.settings.RECON_BATCH_SIZE);
    await deps.db.transaction(async (m) => {
      await finishRun(m, runId, new Date(deps.clock.now()), summary, totals);
      await recordAudit(
        deps,
        {
          actor: actor.username,
          role: actor.role,
          action: 'reconciliation.run',
          target: runId,
          details: { date, summary },
          requestId: actor.requestId ?? null,
        },
        m,
      );
    });
  } catch (err) {
    deps.logger.warn({ err, runId, date }, 'reconciliation run failed');
    await failRun(deps.db, runId, new Date(deps.clock.now()), (err as Error).message.slice(0, 2000));
    throw asAppError(err);
  } finally {
    await deleteRunItems(deps.db, runId);
  }
  return getRun(deps, runId);
}

export async function getRun(deps: Deps, runId: string): Promise<ReconRunView> {
  const run = await readRun(deps.db, runId);
  if (!run) throw new AppError('NOT_FOUND', '没有找到这次对账。');
  return runView(run);
}

/** Newest first; of one date when given. */
export async function listRuns(deps: Deps, date: string | undefined, limit: number): Promise<ReconRunView[]> {
  const take = Math.min(limit, deps.settings.LIST_PAGE_MAX);
  const rows = await listRunRows(deps.db, date, take);
  return rows.map(runView);
}
