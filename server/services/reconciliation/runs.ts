/**
 * Reconciliation runs (DESIGN 6.10): for a China day, stage what each source says (ours, WeChat Pay's trade
 * bill, the insurance platform's 3202 detail, the HIS daily list), classify every record, check our insurance
 * totals with 3201, and persist the run with all its rows. Re-running a date makes a new run; a closed day
 * (日结) cannot be re-run. Nothing is fixed here: discrepancies are rows for a person to act on.
 */
import { PARTY_NAMES_ZH } from '../gatewayErrors';
import { randomUUID } from 'node:crypto';
import type { ReconRunStatus, ReconRunView, ReconSummary, ReconTotals } from '../../../shared/api';
import { GatewayError } from '../../gateways/ports';
import { AppError } from '../errors';
import type { Deps } from '../deps';
import { recordAudit } from '../console/audit';
import { fenOf } from '../../db/columns';
import { computeTotals, emptySummary, matchAndWrite } from './match';
import { dayBounds, Stager, stageHis, stageInsurance, stageOurs, stageWeChat } from './staging';

export interface ReconActor {
  username: string;
  role: string;
  requestId?: string;
}

interface RunRow {
  id: string;
  date: string;
  status: ReconRunStatus;
  actor: string;
  started_at: Date;
  finished_at: Date | null;
  error: string | null;
  summary: ReconSummary;
  totals: ReconTotals | null;
  open: number;
  closed: boolean;
}

const RUN_SELECT = `
  SELECT r.id, to_char(r.date, 'YYYY-MM-DD') AS date, r.status, r.actor, r.started_at, r.finished_at, r.error,
         r.summary, r.totals,
         (SELECT count(*)::int FROM recon_rows x WHERE x.run_id = r.id AND x.kind <> 'MATCHED' AND x.resolution IS NULL) AS open,
         EXISTS (SELECT 1 FROM daily_closes c WHERE c.date = r.date) AS closed
    FROM recon_runs r`;

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
  const rows = (await deps.db.query(`SELECT 1 FROM daily_closes WHERE date = $1`, [date])) as unknown[];
  return rows.length > 0;
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
  // the platform nets refunds (6203, cash part included) against settlements, counts too
  const [row] = (await deps.db.query(
    `SELECT count(*) FILTER (WHERE record = 'PAYMENT')::int - count(*) FILTER (WHERE record = 'REFUND')::int AS n,
            coalesce(sum(sign * total_fen), 0) AS total, coalesce(sum(sign * fund_fen), 0) AS fund,
            coalesce(sum(sign * account_fen), 0) AS account, coalesce(sum(sign * cash_fen), 0) AS cash
       FROM (SELECT *, CASE WHEN record = 'PAYMENT' THEN 1 ELSE -1 END AS sign FROM recon_items
              WHERE run_id = $1 AND source = 'ours' AND fund_fen + account_fen > 0) i`,
    [runId],
  )) as { n: number; total: string; fund: string; account: string; cash: string }[];
  return {
    date,
    count: row.n,
    totalFen: fenOf(row.total),
    fundFen: fenOf(row.fund),
    accountFen: fenOf(row.account),
    cashFen: fenOf(row.cash),
  };
}

/** Runs that were RUNNING when their process died never finish: after a while they are marked FAILED. */
async function failStaleRuns(deps: Deps, date: string, now: Date): Promise<void> {
  await deps.db.query(
    `UPDATE recon_runs SET status = 'FAILED', finished_at = $3, error = 'interrupted (the process stopped)'
      WHERE date = $1 AND status = 'RUNNING' AND started_at < $2`,
    [date, new Date(now.getTime() - deps.settings.RECON_RUN_STALE_MS), now],
  );
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
  await deps.db.query(
    `INSERT INTO recon_runs (id, date, status, actor, started_at) VALUES ($1, $2, 'RUNNING', $3, $4)`,
    [runId, date, actor.username, startedAt],
  );
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
      await m.query(
        `UPDATE recon_runs SET status = 'DONE', finished_at = $2, summary = $3::jsonb, totals = $4::jsonb WHERE id = $1`,
        [runId, new Date(deps.clock.now()), JSON.stringify(summary), JSON.stringify(totals)],
      );
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
    await deps.db.query(
      `UPDATE recon_runs SET status = 'FAILED', finished_at = $2, error = $3 WHERE id = $1`,
      [runId, new Date(deps.clock.now()), (err as Error).message.slice(0, 2000)],
    );
    throw asAppError(err);
  } finally {
    await deps.db.query(`DELETE FROM recon_items WHERE run_id = $1`, [runId]);
  }
  return getRun(deps, runId);
}

export async function getRun(deps: Deps, runId: string): Promise<ReconRunView> {
  const rows = (await deps.db.query(`${RUN_SELECT} WHERE r.id = $1`, [runId])) as RunRow[];
  if (rows.length === 0) throw new AppError('NOT_FOUND', '没有找到这次对账。');
  return runView(rows[0]);
}

/** Newest first; of one date when given. */
export async function listRuns(deps: Deps, date: string | undefined, limit: number): Promise<ReconRunView[]> {
  const take = Math.min(limit, deps.settings.LIST_PAGE_MAX);
  const rows = (await (date
    ? deps.db.query(`${RUN_SELECT} WHERE r.date = $1 ORDER BY r.started_at DESC, r.id LIMIT $2`, [date, take])
    : deps.db.query(`${RUN_SELECT} ORDER BY r.started_at DESC, r.id LIMIT $1`, [take]))) as RunRow[];
  return rows.map(runView);
}
