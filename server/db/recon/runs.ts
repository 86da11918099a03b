/**
 * SQL of reconciliation runs and daily closes (services/reconciliation/runs.ts, dailyClose.ts,
 * jobs/dailyReconciliation.ts): rows parsed into typed values here.
 */
import type { EntityManager } from 'typeorm';
import type { ReconRunStatus, ReconSummary, ReconTotals } from '../../../shared/api';
import { bool, date, dateOrNull, int, oneOf, rowsOf, text, textOrNull, type Db, type Row } from '../rows';
import { partialSummaryOf, summaryOf, totalsOf } from './json';

const RUN_STATUSES: readonly ReconRunStatus[] = ['RUNNING', 'DONE', 'FAILED'];

export interface RunRow {
  id: string;
  date: string;
  status: ReconRunStatus;
  actor: string;
  started_at: Date;
  finished_at: Date | null;
  error: string | null;
  /** the counts stored so far (all of them once DONE) */
  summary: Partial<ReconSummary>;
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

function parseRun(r: Row): RunRow {
  return {
    id: text(r, 'id'),
    date: text(r, 'date'),
    status: oneOf(r, 'status', RUN_STATUSES),
    actor: text(r, 'actor'),
    started_at: date(r, 'started_at'),
    finished_at: dateOrNull(r, 'finished_at'),
    error: textOrNull(r, 'error'),
    summary: partialSummaryOf(r.summary),
    totals: r.totals === null ? null : totalsOf(r.totals),
    open: int(r, 'open'),
    closed: bool(r, 'closed'),
  };
}

export async function readRun(db: Db, runId: string): Promise<RunRow | undefined> {
  const rows = rowsOf(await db.query(`${RUN_SELECT} WHERE r.id = $1`, [runId]));
  return rows.length === 0 ? undefined : parseRun(rows[0]);
}

/** Newest first, at most `limit`; of one date when given. */
export async function listRunRows(db: Db, date: string | undefined, limit: number): Promise<RunRow[]> {
  const rows = rowsOf(
    await (date
      ? db.query(`${RUN_SELECT} WHERE r.date = $1 ORDER BY r.started_at DESC, r.id LIMIT $2`, [date, limit])
      : db.query(`${RUN_SELECT} ORDER BY r.started_at DESC, r.id LIMIT $1`, [limit])),
  );
  return rows.map(parseRun);
}

export async function runExists(db: Db, runId: string): Promise<boolean> {
  const found = rowsOf(await db.query(`SELECT 1 FROM recon_runs WHERE id = $1`, [runId]));
  return found.length > 0;
}

/** The latest run of the date (by start), if any. */
export async function latestRunOf(
  db: Db,
  day: string,
): Promise<{ id: string; status: string; startedAt: Date } | undefined> {
  const rows = rowsOf(
    await db.query(
      `SELECT id, status, started_at FROM recon_runs WHERE date = $1 ORDER BY started_at DESC, id LIMIT 1`,
      [day],
    ),
  );
  const r = rows[0];
  return r ? { id: text(r, 'id'), status: text(r, 'status'), startedAt: date(r, 'started_at') } : undefined;
}

/** Runs of the date still RUNNING that started before `staleBefore` are marked FAILED at `now`. */
export async function failStaleRunRows(db: Db, date: string, staleBefore: Date, now: Date): Promise<void> {
  await db.query(
    `UPDATE recon_runs SET status = 'FAILED', finished_at = $3, error = 'interrupted (the process stopped)'
      WHERE date = $1 AND status = 'RUNNING' AND started_at < $2`,
    [date, staleBefore, now],
  );
}

export async function insertRun(
  db: Db,
  runId: string,
  date: string,
  actor: string,
  startedAt: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO recon_runs (id, date, status, actor, started_at) VALUES ($1, $2, 'RUNNING', $3, $4)`,
    [runId, date, actor, startedAt],
  );
}

export async function finishRun(
  m: EntityManager,
  runId: string,
  at: Date,
  summary: ReconSummary,
  totals: ReconTotals,
): Promise<void> {
  await m.query(
    `UPDATE recon_runs SET status = 'DONE', finished_at = $2, summary = $3::jsonb, totals = $4::jsonb WHERE id = $1`,
    [runId, at, JSON.stringify(summary), JSON.stringify(totals)],
  );
}

export async function failRun(db: Db, runId: string, at: Date, error: string): Promise<void> {
  await db.query(`UPDATE recon_runs SET status = 'FAILED', finished_at = $2, error = $3 WHERE id = $1`, [
    runId,
    at,
    error,
  ]);
}

/** Discrepancy rows of the run not resolved yet, cut-offs aside. */
export async function countOpenDiscrepancies(db: Db, runId: string): Promise<number> {
  const [row] = rowsOf(
    await db.query(
      `SELECT count(*)::int AS open FROM recon_rows
      WHERE run_id = $1 AND kind NOT IN ('MATCHED', 'CUTOFF') AND resolution IS NULL`,
      [runId],
    ),
  );
  return int(row, 'open');
}

// ---- daily closes ----

export async function isDayClosed(db: Db, date: string): Promise<boolean> {
  const rows = rowsOf(await db.query(`SELECT 1 FROM daily_closes WHERE date = $1`, [date]));
  return rows.length > 0;
}

/** Closes the day on the run; false when it was closed already. */
export async function insertDailyClose(
  m: EntityManager,
  date: string,
  runId: string,
  by: string,
  at: Date,
): Promise<boolean> {
  const inserted = rowsOf(
    await m.query(
      `INSERT INTO daily_closes (date, run_id, closed_by, closed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (date) DO NOTHING RETURNING date`,
      [date, runId, by, at],
    ),
  );
  return inserted.length > 0;
}

export interface CloseRow {
  date: string;
  run_id: string;
  closed_by: string;
  closed_at: Date;
  summary: ReconSummary;
  totals: ReconTotals;
}

const CLOSE_SELECT = `
  SELECT to_char(c.date, 'YYYY-MM-DD') AS date, c.run_id, c.closed_by, c.closed_at, r.summary, r.totals
    FROM daily_closes c JOIN recon_runs r ON r.id = c.run_id`;

const parseClose = (r: Row): CloseRow => ({
  date: text(r, 'date'),
  run_id: text(r, 'run_id'),
  closed_by: text(r, 'closed_by'),
  closed_at: date(r, 'closed_at'),
  summary: summaryOf(r.summary),
  totals: totalsOf(r.totals),
});

export async function readClose(db: Db, date: string): Promise<CloseRow | undefined> {
  const rows = rowsOf(await db.query(`${CLOSE_SELECT} WHERE c.date = $1`, [date]));
  return rows.length === 0 ? undefined : parseClose(rows[0]);
}

/** Newest day first, at most `limit`. */
export async function listCloseRows(db: Db, limit: number): Promise<CloseRow[]> {
  const rows = rowsOf(await db.query(`${CLOSE_SELECT} ORDER BY c.date DESC LIMIT $1`, [limit]));
  return rows.map(parseClose);
}
