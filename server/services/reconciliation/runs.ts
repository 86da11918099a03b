/**
 * Reconciliation runs (DESIGN 6.10): for a China day, stage what each source says (ours, WeChat Pay's trade
 * bill, the insurance platform's 3202 detail, the HIS daily list), classify every record, check our insurance
 * totals with 3201, and persist the run with all its rows — staging, matching and rows in one session of their
 * own (db/recon/session.ts), whose rows appear when it commits. Re-running a date makes a new run; a closed day
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
  readRun,
  type RunRow,
} from '../../db/recon/runs';
import { ourInsuranceItemTotals } from '../../db/recon/items';
import { inReconSession } from '../../db/recon/session';
import type { ReconSummary, ReconTotals } from '../../../shared/api';
import { computeTotals, emptySummary, matchAndWrite } from './match';
import { dayBounds, stageDay } from './staging';

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

/** Runs that were RUNNING when their process died never finish: after a while they are marked FAILED. */
async function failStaleRuns(deps: Deps, date: string, now: Date): Promise<void> {
  await failStaleRunRows(deps.db, date, new Date(now.getTime() - deps.settings.RECON_RUN_STALE_MS), now);
}

/** 3201 of our staged insurance totals (net of refunds); a failure is noted in the totals, not fatal. */
async function checkInsuranceTotals(
  deps: Deps,
  ours: Awaited<ReturnType<typeof ourInsuranceItemTotals>>,
  date: string,
) {
  try {
    const check = await deps.insurance.checkDayTotals({ date, ...ours });
    return { balanced: check.balanced, message: check.message };
  } catch (err) {
    return { balanced: false, message: `3201 未完成: ${(err as Error).message}` };
  }
}

/** Stages, totals, checks and classifies the day in one session; the rows are written when it commits. */
function stageAndMatch(
  deps: Deps,
  runId: string,
  date: string,
): Promise<{ summary: ReconSummary; totals: ReconTotals }> {
  return inReconSession(deps.db, async (session) => {
    const feeFen = await stageDay(deps.db, session, deps, date);
    const totals = await computeTotals(session.m, feeFen);
    // the platform checks its books (3201) while the session classifies the day
    const check = checkInsuranceTotals(deps, await ourInsuranceItemTotals(session.m), date);
    const summary = await matchAndWrite(session.m, runId, date, deps.settings.RECON_BATCH_SIZE);
    totals.insuranceCheck = await check;
    return { summary, totals };
  });
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
    const { summary, totals } = await stageAndMatch(deps, runId, date);
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
