/**
 * SQL of a run's staged items: what each source says of the day, one row per record, in `pg_temp.recon_stage` —
 * a temporary table of the run's own session (./session.ts), dropped with its transaction, so staging writes no
 * WAL, maintains no index and leaves nothing to delete. Our side is read out of our tables by COPY here, the
 * parties' files are parsed, and all of it streams in by one COPY (./copy.ts). The run's totals are read from it
 * (services/reconciliation/match.ts, runs.ts). Rows parsed into typed values here; the grouped read is ./match.ts.
 */
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
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

/**
 * The staging table of the session; `at_ms` is the record's instant in epoch milliseconds. Amounts are integer
 * (int4) fen: one record's amount is under ¥21,474,836.47 (a larger one fails the run loudly, never wraps), and
 * their sums, int8, cost a grouping of a million records a third less than sums of int8 would.
 */
export const STAGE_TABLE = 'pg_temp.recon_stage';
export const STAGE_COLUMNS =
  'source, record, key, order_no, total_fen, fund_fen, account_fen, cash_fen, ref, at_ms' as const;

/** Creates the (empty) staging table of the session's transaction. */
export async function createStage(db: Db): Promise<void> {
  await db.query(
    `CREATE TEMPORARY TABLE recon_stage (
       source text NOT NULL,
       record text NOT NULL,
       key text NOT NULL,
       order_no text NOT NULL,
       total_fen integer NOT NULL,
       fund_fen integer NOT NULL,
       account_fen integer NOT NULL,
       cash_fen integer NOT NULL,
       ref text,
       at_ms bigint
     ) ON COMMIT DROP`,
  );
}

/** epoch milliseconds of a timestamptz, as the pg driver's Date would have them (truncated) */
const msOf = (column: string) => `floor(extract(epoch FROM ${column}) * 1000)::bigint`;

/**
 * Our side of the day [start, end), straight from our tables (see services/reconciliation/staging.ts stageOurs),
 * as rows of the staging table in COPY's text format: payments booked after their (closed) day was closed, looked
 * for `lookbackDays` back; payments paid in the day; refunds completed in it. `booked`: the order statuses that
 * count as booked. Read by `COPY … TO STDOUT` on a connection of its own, so it runs while the parties' files are
 * read; `rows` must read them to the end (./copy.ts `pipe`). COPY takes no bind parameters: the values are quoted
 * literals.
 */
export async function copyOurItems(
  db: DataSource,
  day: { date: string; start: Date; end: Date },
  booked: readonly OrderStatusName[],
  lookbackDays: number,
  rows: (rows: AsyncIterable<Buffer>) => Promise<void>,
): Promise<void> {
  if (!Number.isSafeInteger(lookbackDays)) throw new RangeError(`lookback days: ${lookbackDays}`);
  const runner = db.createQueryRunner();
  const client = (await runner.connect()) as PoolClient;
  try {
    const lit = (value: string) => client.escapeLiteral(value);
    const start = `${lit(day.start.toISOString())}::timestamptz`;
    const end = `${lit(day.end.toISOString())}::timestamptz`;
    const date = `${lit(day.date)}::date`;
    const statuses = `ARRAY[${booked.map(lit).join(', ')}]::text[]`;
    const sql = `
      SELECT 'ours', 'PAYMENT', o.order_no, o.order_no, o.total_fen, o.fund_fen, o.account_fen, o.cash_fen,
             o.status, ${msOf('o.paid_at')}
        FROM daily_closes c
        JOIN orders o ON o.paid_at >= (c.date::text || 'T00:00:00+08:00')::timestamptz
                     AND o.paid_at < (c.date::text || 'T00:00:00+08:00')::timestamptz + interval '1 day'
       WHERE c.date < ${date} AND c.date >= ${date} - ${lookbackDays} AND c.closed_at < ${end}
         AND o.status = ANY(${statuses})
         AND EXISTS (SELECT 1 FROM order_events e
                      WHERE e.order_id = o.id AND e.to_status = 'PAID'
                        AND e.created_at > c.closed_at AND e.created_at >= ${start} AND e.created_at < ${end})
      UNION ALL
      SELECT 'ours', 'PAYMENT', order_no, order_no, total_fen, fund_fen, account_fen, cash_fen, status,
             ${msOf('paid_at')}
        FROM orders WHERE paid_at >= ${start} AND paid_at < ${end} AND status = ANY(${statuses})
      UNION ALL
      SELECT 'ours', 'REFUND', r.refund_no, o.order_no, r.total_fen, r.fund_fen, r.account_fen, r.cash_fen,
             r.status, ${msOf('r.completed_at')}
        FROM refunds r JOIN orders o ON o.id = r.order_id
       WHERE r.status = 'SUCCEEDED' AND r.completed_at >= ${start} AND r.completed_at < ${end}`;
    // `rows` reads them to the end whatever happens (a COPY left half read would leave the connection unusable)
    await rows(client.query(copyTo(`COPY (${sql}) TO STDOUT`)));
  } finally {
    await runner.release();
  }
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

/** The parties' money of one hour of the day (China time), net of refunds, per channel (fen). */
export interface HourTotals {
  hour: number;
  wechat: number;
  insurance: number;
  his: number;
}

const HOUR_MS = 3600_000;
const CST_OFFSET_MS = 8 * HOUR_MS;

/**
 * One pass over the staged items: the totals per source and kind (hour IS NULL), and the parties' money by hour
 * (source and record NULL); hours without money are absent.
 */
export async function stageTotals(db: Db): Promise<{ items: ItemTotals[]; hourly: HourTotals[] }> {
  const rows = rowsOf(
    await db.query(
      `SELECT source, record, hour,
            count(*) FILTER (WHERE total_fen <> 0)::int AS n_total, count(*) FILTER (WHERE fund_fen <> 0)::int AS n_fund,
            count(*) FILTER (WHERE account_fen <> 0)::int AS n_account, count(*) FILTER (WHERE cash_fen <> 0)::int AS n_cash,
            coalesce(sum(total_fen), 0) AS total, coalesce(sum(fund_fen), 0) AS fund,
            coalesce(sum(account_fen), 0) AS account, coalesce(sum(cash_fen), 0) AS cash,
            coalesce(sum(CASE WHEN source = 'wechat' THEN sign * cash_fen END), 0) AS wechat,
            coalesce(sum(CASE WHEN source = 'insurance' THEN sign * (fund_fen + account_fen) END), 0) AS insurance,
            coalesce(sum(CASE WHEN source = 'his' THEN sign * total_fen END), 0) AS his
       FROM (SELECT *, CASE WHEN record = 'PAYMENT' THEN 1 ELSE -1 END AS sign,
                    CASE WHEN source <> 'ours' AND at_ms IS NOT NULL
                         THEN ((at_ms + ${CST_OFFSET_MS}) % ${24 * HOUR_MS} + ${24 * HOUR_MS}) % ${24 * HOUR_MS} / ${HOUR_MS}
                    END AS hour
               FROM ${STAGE_TABLE}) i
      GROUP BY GROUPING SETS ((source, record), (hour))`,
    ),
  );
  const items: ItemTotals[] = [];
  const hourly: HourTotals[] = [];
  for (const r of rows) {
    if (r.source !== null) {
      items.push({
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
      });
    } else if (r.hour !== null) {
      hourly.push({
        hour: int(r, 'hour'),
        wechat: fenOf(r.wechat),
        insurance: fenOf(r.insurance),
        his: fenOf(r.his),
      });
    }
  }
  return { items, hourly };
}

/** Our insurance totals of the staged items, net of refunds (count and fen), as 3201 wants them. */
export async function ourInsuranceItemTotals(
  db: Db,
): Promise<{ count: number; totalFen: number; fundFen: number; accountFen: number; cashFen: number }> {
  // the platform nets refunds (6203, cash part included) against settlements, counts too
  const [row] = rowsOf(
    await db.query(
      `SELECT count(*) FILTER (WHERE record = 'PAYMENT')::int - count(*) FILTER (WHERE record = 'REFUND')::int AS n,
            coalesce(sum(sign * total_fen), 0) AS total, coalesce(sum(sign * fund_fen), 0) AS fund,
            coalesce(sum(sign * account_fen), 0) AS account, coalesce(sum(sign * cash_fen), 0) AS cash
       FROM (SELECT *, CASE WHEN record = 'PAYMENT' THEN 1 ELSE -1 END AS sign FROM ${STAGE_TABLE}
              WHERE source = 'ours' AND fund_fen + account_fen > 0) i`,
    ),
  );
  return {
    count: int(row, 'n'),
    totalFen: fenOf(row.total),
    fundFen: fenOf(row.fund),
    accountFen: fenOf(row.account),
    cashFen: fenOf(row.cash),
  };
}
