/**
 * SQL of stage 2 of a run (services/reconciliation/match.ts): the staged items grouped by record and key with
 * our order / refund behind each, read through a cursor a page at a time, and the batch INSERT of the
 * classified rows (recon_rows). Rows parsed into typed values here.
 */
import type { DataSource } from 'typeorm';
import {
  ORDER_STATUS_NAMES,
  type OrderStatusName,
  type ReconKind,
  type RefundStatusName,
} from '../../../shared/api';
import { REFUND_STATUSES } from '../../domain/refunds';
import type { ReconSide, ReconSourceName } from '../../domain/reconciliation';
import { fenOf } from '../columns';
import {
  dateOrNull,
  jsonObjectOrNull,
  oneOf,
  oneOfOrNull,
  rowsOf,
  text,
  textOrNull,
  type Db,
  type Row,
} from '../rows';
import { RECORDS, SOURCES, type ReconRecord } from './items';
import type { StoredSides } from './json';

const perSource = SOURCES.map(
  (s) => `count(*) FILTER (WHERE source = '${s}') AS ${s}_n,
    sum(total_fen) FILTER (WHERE source = '${s}') AS ${s}_total,
    sum(fund_fen) FILTER (WHERE source = '${s}') AS ${s}_fund,
    sum(account_fen) FILTER (WHERE source = '${s}') AS ${s}_account,
    sum(cash_fen) FILTER (WHERE source = '${s}') AS ${s}_cash,
    max(ref) FILTER (WHERE source = '${s}') AS ${s}_ref,
    max(at) FILTER (WHERE source = '${s}') AS ${s}_at`,
).join(',\n    ');

/** Every record of the run, grouped across sources, with our order / refund behind it; read through a cursor. */
const MATCH_SQL = `
  WITH g AS (
    SELECT record, key, min(order_no) AS order_no,
    ${perSource}
      FROM recon_items
     WHERE run_id = $1
     GROUP BY record, key)
  SELECT g.*, o.id AS order_id, o.status AS order_status, o.paid_at, o.completed_at,
         CASE WHEN g.record = 'PAYMENT' AND g.ours_n > 0 THEN
           (SELECT to_char(c.date, 'YYYY-MM-DD') FROM daily_closes c
             WHERE c.date = ((o.paid_at AT TIME ZONE 'UTC') + interval '8 hours')::date
               AND c.closed_at < (SELECT max(e.created_at) FROM order_events e
                                   WHERE e.order_id = o.id AND e.to_status = 'PAID'))
         END AS booked_after_close,
         lp.paid_at AS late_paid_at, lp.returned_at AS late_returned_at,
         r.id AS refund_id, r.status AS refund_status, r.completed_at AS refund_completed_at,
         (SELECT jsonb_object_agg(l.kind, l.completed_at) FROM refund_legs l
           WHERE l.refund_id = r.id AND l.completed_at IS NOT NULL) AS leg_times
    FROM g
    LEFT JOIN orders o ON o.order_no = g.order_no
    LEFT JOIN late_payments lp ON lp.order_id = o.id
    LEFT JOIN refunds r ON g.record = 'REFUND' AND r.refund_no = g.key
   ORDER BY g.record, g.key`;

/** One record of the run across its sources, with our order and refund behind it. */
export interface MatchGroup {
  record: ReconRecord;
  key: string;
  order_no: string;
  /** what each source that has the record says of it */
  sides: StoredSides;
  order_id: string | null;
  order_status: OrderStatusName | null;
  paid_at: Date | null;
  completed_at: Date | null;
  booked_after_close: string | null;
  late_paid_at: Date | null;
  late_returned_at: Date | null;
  refund_id: string | null;
  refund_status: RefundStatusName | null;
  refund_completed_at: Date | null;
  /** refund leg kind → when it completed (ISO text) */
  leg_times: Record<string, string> | null;
}

function sideOf(row: Row, source: ReconSourceName): ReconSide | undefined {
  if (Number(row[`${source}_n`]) === 0) return undefined;
  const at = row[`${source}_at`];
  const ref = row[`${source}_ref`];
  return {
    total: fenOf(row[`${source}_total`]),
    fund: fenOf(row[`${source}_fund`]),
    account: fenOf(row[`${source}_account`]),
    cash: fenOf(row[`${source}_cash`]),
    ref: typeof ref === 'string' ? ref : undefined,
    atMs: at instanceof Date ? at.getTime() : undefined,
  };
}

function legTimesOf(row: Row): Record<string, string> | null {
  const json = jsonObjectOrNull(row, 'leg_times');
  if (json === null) return null;
  const out: Record<string, string> = {};
  for (const [kind, at] of Object.entries(json)) {
    if (typeof at !== 'string') throw new TypeError(`leg_times.${kind} is not a timestamp`);
    out[kind] = at;
  }
  return out;
}

function parseGroup(r: Row): MatchGroup {
  const sides: StoredSides = {};
  for (const s of SOURCES) {
    const side = sideOf(r, s);
    if (side) sides[s] = side;
  }
  return {
    record: oneOf(r, 'record', RECORDS),
    key: text(r, 'key'),
    order_no: text(r, 'order_no'),
    sides,
    order_id: textOrNull(r, 'order_id'),
    order_status: oneOfOrNull(r, 'order_status', ORDER_STATUS_NAMES),
    paid_at: dateOrNull(r, 'paid_at'),
    completed_at: dateOrNull(r, 'completed_at'),
    booked_after_close: textOrNull(r, 'booked_after_close'),
    late_paid_at: dateOrNull(r, 'late_paid_at'),
    late_returned_at: dateOrNull(r, 'late_returned_at'),
    refund_id: textOrNull(r, 'refund_id'),
    refund_status: oneOfOrNull(r, 'refund_status', REFUND_STATUSES),
    refund_completed_at: dateOrNull(r, 'refund_completed_at'),
    leg_times: legTimesOf(r),
  };
}

/**
 * Every record of the run, grouped, handed to `onPage` a page at a time. The grouped query runs once, inside a
 * read transaction on one connection, and is fetched through a cursor (PostgreSQL spills the grouping to disk
 * if it must); `onPage` may write on other connections of the pool.
 */
export async function forEachMatchGroupPage(
  db: DataSource,
  runId: string,
  pageSize: number,
  onPage: (page: MatchGroup[]) => Promise<void>,
): Promise<void> {
  const reader = db.createQueryRunner();
  await reader.connect();
  try {
    await reader.startTransaction('REPEATABLE READ');
    await reader.query(`DECLARE recon_match NO SCROLL CURSOR FOR ${MATCH_SQL}`, [runId]);
    for (;;) {
      const page = rowsOf(await reader.query(`FETCH FORWARD ${Math.trunc(pageSize)} FROM recon_match`));
      if (page.length === 0) break;
      await onPage(page.map(parseGroup));
    }
    await reader.commitTransaction();
  } finally {
    if (reader.isTransactionActive) await reader.rollbackTransaction();
    await reader.release();
  }
}

/** One classified row of the run, as written. */
export interface NewReconRow {
  kind: ReconKind;
  record: ReconRecord;
  orderNo: string;
  refundNo: string | null;
  orderId: string | null;
  sides: StoredSides;
  note: string;
}

/** A page of classified rows, in one INSERT. */
export async function insertReconRows(db: Db, runId: string, rows: readonly NewReconRow[]): Promise<void> {
  await db.query(
    `INSERT INTO recon_rows (run_id, kind, record, order_no, refund_no, order_id, sides, note)
     SELECT $1, kind, record, order_no, refund_no, order_id, sides::jsonb, note
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::text[])
         AS t(kind, record, order_no, refund_no, order_id, sides, note)`,
    [
      runId,
      rows.map((o) => o.kind),
      rows.map((o) => o.record),
      rows.map((o) => o.orderNo),
      rows.map((o) => o.refundNo),
      rows.map((o) => o.orderId),
      rows.map((o) => JSON.stringify(o.sides)),
      rows.map((o) => o.note),
    ],
  );
}
