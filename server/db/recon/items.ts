/**
 * SQL of a run's staged items (recon_items): the staging INSERTs and the totals (services/reconciliation/
 * staging.ts, match.ts, runs.ts). Rows parsed into typed values here; the grouped read is ./match.ts.
 */
import type { OrderStatusName } from '../../../shared/api';
import type { Split } from '../../../shared/money';
import type { ReconSourceName } from '../../domain/reconciliation';
import { fenOf } from '../columns';
import { int, oneOf, rowsOf, type Db } from '../rows';

export const SOURCES: readonly ReconSourceName[] = ['ours', 'wechat', 'insurance', 'his'];
export const RECORDS = ['PAYMENT', 'REFUND'] as const;
export type ReconRecord = (typeof RECORDS)[number];

/** One record of one source, as staged. */
export interface ReconItem {
  record: ReconRecord;
  key: string;
  orderNo: string;
  split: Split;
  ref?: string;
  atMs?: number;
}

/** One batch of a source's items, in one multi-row INSERT. */
export async function insertReconItems(
  db: Db,
  runId: string,
  source: ReconSourceName,
  b: readonly ReconItem[],
): Promise<void> {
  await db.query(
    `INSERT INTO recon_items (run_id, source, record, key, order_no, total_fen, fund_fen, account_fen, cash_fen, ref, at)
       SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[],
                                    $9::bigint[], $10::text[], $11::timestamptz[])`,
    [
      runId,
      source,
      b.map((i) => i.record),
      b.map((i) => i.key),
      b.map((i) => i.orderNo),
      b.map((i) => i.split.total),
      b.map((i) => i.split.fund),
      b.map((i) => i.split.account),
      b.map((i) => i.split.cash),
      b.map((i) => i.ref ?? null),
      b.map((i) => (i.atMs === undefined ? null : new Date(i.atMs))),
    ],
  );
}

/**
 * Our side of the day [start, end), straight from our tables (see services/reconciliation/staging.ts stageOurs):
 * payments booked after their (closed) day was closed, looked for `lookbackDays` back; payments paid in the day;
 * refunds completed in it. `booked`: the order statuses that count as booked.
 */
export async function stageOurItems(
  db: Db,
  runId: string,
  day: { date: string; start: Date; end: Date },
  booked: readonly OrderStatusName[],
  lookbackDays: number,
): Promise<void> {
  const { date, start, end } = day;
  await db.query(
    `INSERT INTO recon_items (run_id, source, record, key, order_no, total_fen, fund_fen, account_fen, cash_fen, ref, at)
     SELECT $1, 'ours', 'PAYMENT', o.order_no, o.order_no, o.total_fen, o.fund_fen, o.account_fen, o.cash_fen,
            o.status, o.paid_at
       FROM daily_closes c
       JOIN orders o ON o.paid_at >= (c.date::text || 'T00:00:00+08:00')::timestamptz
                    AND o.paid_at < (c.date::text || 'T00:00:00+08:00')::timestamptz + interval '1 day'
      WHERE c.date < $5::date AND c.date >= $5::date - $6::int AND c.closed_at < $3
        AND o.status = ANY($4)
        AND EXISTS (SELECT 1 FROM order_events e
                     WHERE e.order_id = o.id AND e.to_status = 'PAID'
                       AND e.created_at > c.closed_at AND e.created_at >= $2 AND e.created_at < $3)`,
    [runId, start, end, booked, date, lookbackDays],
  );
  await db.query(
    `INSERT INTO recon_items (run_id, source, record, key, order_no, total_fen, fund_fen, account_fen, cash_fen, ref, at)
     SELECT $1, 'ours', 'PAYMENT', order_no, order_no, total_fen, fund_fen, account_fen, cash_fen, status, paid_at
       FROM orders WHERE paid_at >= $2 AND paid_at < $3 AND status = ANY($4)`,
    [runId, start, end, booked],
  );
  await db.query(
    `INSERT INTO recon_items (run_id, source, record, key, order_no, total_fen, fund_fen, account_fen, cash_fen, ref, at)
     SELECT $1, 'ours', 'REFUND', r.refund_no, o.order_no, r.total_fen, r.fund_fen, r.account_fen, r.cash_fen,
            r.status, r.completed_at
       FROM refunds r JOIN orders o ON o.id = r.order_id
      WHERE r.status = 'SUCCEEDED' AND r.completed_at >= $2 AND r.completed_at < $3`,
    [runId, start, end],
  );
}

/** The staged items are scaffolding: gone once the run has its rows (or failed). */
export async function deleteRunItems(db: Db, runId: string): Promise<void> {
  await db.query(`DELETE FROM recon_items WHERE run_id = $1`, [runId]);
}

/** Counts (non-zero amounts) and sums (fen) of one source's records of one kind, per channel. */
export interface ItemTotals {
  source: ReconSourceName;
  record: ReconRecord;
  n_total: number;
  n_fund: number;
  n_account: number;
  n_cash: number;
  total: number;
  fund: number;
  account: number;
  cash: number;
}

export async function itemTotals(db: Db, runId: string): Promise<ItemTotals[]> {
  const rows = rowsOf(
    await db.query(
      `SELECT source, record,
            count(*) FILTER (WHERE total_fen <> 0)::int AS n_total, count(*) FILTER (WHERE fund_fen <> 0)::int AS n_fund,
            count(*) FILTER (WHERE account_fen <> 0)::int AS n_account, count(*) FILTER (WHERE cash_fen <> 0)::int AS n_cash,
            coalesce(sum(total_fen), 0) AS total, coalesce(sum(fund_fen), 0) AS fund,
            coalesce(sum(account_fen), 0) AS account, coalesce(sum(cash_fen), 0) AS cash
       FROM recon_items WHERE run_id = $1 GROUP BY source, record`,
      [runId],
    ),
  );
  return rows.map((r) => ({
    source: oneOf(r, 'source', SOURCES),
    record: oneOf(r, 'record', RECORDS),
    n_total: int(r, 'n_total'),
    n_fund: int(r, 'n_fund'),
    n_account: int(r, 'n_account'),
    n_cash: int(r, 'n_cash'),
    total: fenOf(r.total),
    fund: fenOf(r.fund),
    account: fenOf(r.account),
    cash: fenOf(r.cash),
  }));
}

/** The parties' money of the day by hour (China time), net of refunds, per channel (fen); hours without are absent. */
export async function hourlyItemTotals(
  db: Db,
  runId: string,
): Promise<{ hour: number; wechat: number; insurance: number; his: number }[]> {
  const rows = rowsOf(
    await db.query(
      `SELECT extract(hour FROM (at AT TIME ZONE 'UTC') + interval '8 hours')::int AS hour,
            coalesce(sum(CASE WHEN source = 'wechat' THEN sign * cash_fen END), 0) AS wechat,
            coalesce(sum(CASE WHEN source = 'insurance' THEN sign * (fund_fen + account_fen) END), 0) AS insurance,
            coalesce(sum(CASE WHEN source = 'his' THEN sign * total_fen END), 0) AS his
       FROM (SELECT *, CASE WHEN record = 'PAYMENT' THEN 1 ELSE -1 END AS sign FROM recon_items
              WHERE run_id = $1 AND source <> 'ours' AND at IS NOT NULL) i
      GROUP BY 1 ORDER BY 1`,
      [runId],
    ),
  );
  return rows.map((r) => ({
    hour: int(r, 'hour'),
    wechat: fenOf(r.wechat),
    insurance: fenOf(r.insurance),
    his: fenOf(r.his),
  }));
}
