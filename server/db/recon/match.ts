/**
 * SQL of stage 2 of a run (services/reconciliation/match.ts), on the run's session (./session.ts):
 *
 * 1. `groupStage`: the staged items grouped by record and key across sources, with our order behind each, into
 *    the temporary table `recon_groups` — and, set-based, whether the record is a payment every party agrees on
 *    (`agreed`, below): the rules (domain/reconciliation.ts) can only call such a record MATCHED, so it is not
 *    read out at all.
 * 2. `forEachOpenGroupPage`: the other records, with our order / refund behind each, through a cursor a page at a
 *    time, for the rules to classify; `insertVerdicts` keeps what they say in `recon_verdicts`.
 * 3. `insertRunRows`: every record's row in one INSERT … SELECT, in (record, key) order, with its sides built as
 *    JSON here — the verdict of the rules where there is one, `agreed` (the rules' verdict of an agreed payment)
 *    elsewhere.
 */
import type { ReconKind } from '../../../shared/api';
import { ORDER_STATUS_NAMES, type OrderStatusName, type RefundStatusName } from '../../../shared/api';
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
import { RECORDS, SOURCES, STAGE_TABLE, type ReconRecord } from './items';
import type { StoredSides } from './json';

const perSource = SOURCES.map(
  (s) => `count(*) FILTER (WHERE source = '${s}') AS ${s}_n,
    sum(total_fen) FILTER (WHERE source = '${s}') AS ${s}_total,
    sum(fund_fen) FILTER (WHERE source = '${s}') AS ${s}_fund,
    sum(account_fen) FILTER (WHERE source = '${s}') AS ${s}_account,
    sum(cash_fen) FILTER (WHERE source = '${s}') AS ${s}_cash,
    max(ref) FILTER (WHERE source = '${s}') AS ${s}_ref,
    max(at_ms) FILTER (WHERE source = '${s}') AS ${s}_at`,
).join(',\n    ');

/** the CST day of a timestamptz */
const cstDay = (column: string) => `((${column} AT TIME ZONE 'UTC') + interval '8 hours')::date`;

/**
 * A payment every party agrees on — what domain/reconciliation.ts classifyBookedPayment calls MATCHED, and only
 * that: booked by us (ours present, not paid on another day that was closed: the booked-after-close check can
 * then not apply); each party present exactly when our amounts expect it (WeChat Pay for cash, the platform for
 * fund + account, the HIS always), so nothing is missing (no cut-off, 长款 or 短款) and nothing unexpected; every
 * amount the rules compare equal to ours; our order not still PAID. Anything else goes to the rules in JS.
 * tests/reconcile-agreed.test.ts holds the rules to this.
 */
const AGREED = `
  g.record = 'PAYMENT' AND g.ours_n > 0 AND o.id IS NOT NULL AND o.status <> 'PAID'
  AND ${cstDay('o.paid_at')} NOT IN (SELECT c.date FROM daily_closes c WHERE c.date <> $1::date)
  AND (g.wechat_n > 0) = (g.ours_cash > 0)
  AND (g.insurance_n > 0) = (g.ours_fund + g.ours_account > 0)
  AND g.his_n > 0
  AND (g.wechat_n = 0 OR g.wechat_cash = g.ours_cash)
  AND (g.insurance_n = 0 OR (g.insurance_fund = g.ours_fund AND g.insurance_account = g.ours_account))
  AND g.his_total = g.ours_total AND g.his_fund = g.ours_fund
  AND g.his_account = g.ours_account AND g.his_cash = g.ours_cash`;

/**
 * Groups the staged items into `recon_groups` (with `recon_verdicts`, empty, beside it); answers how many records
 * there are and how many of them every party agrees on. `date`: the run's day (yyyy-MM-dd).
 */
export async function groupStage(db: Db, date: string): Promise<{ records: number; agreed: number }> {
  // temporary tables have no statistics until analysed: the planner would guess the grouping's size
  await db.query(`ANALYZE ${STAGE_TABLE}`);
  await db.query(
    `CREATE TEMPORARY TABLE recon_groups ON COMMIT DROP AS
     WITH g AS (
       SELECT record, key, min(order_no) AS order_no,
       ${perSource}
         FROM ${STAGE_TABLE}
        GROUP BY record, key)
     SELECT g.*, o.id AS order_id, o.status AS order_status, o.paid_at, o.completed_at,
            coalesce(${AGREED}, false) AS agreed
       FROM g LEFT JOIN orders o ON o.order_no = g.order_no`,
    [date],
  );
  await db.query(`ANALYZE pg_temp.recon_groups`);
  await db.query(
    `CREATE TEMPORARY TABLE recon_verdicts (record text NOT NULL, key text NOT NULL, kind text NOT NULL,
                                            note text NOT NULL) ON COMMIT DROP`,
  );
  const [row] = rowsOf(
    await db.query(
      `SELECT count(*)::int AS records, count(*) FILTER (WHERE agreed)::int AS agreed FROM pg_temp.recon_groups`,
    ),
  );
  return { records: Number(row.records), agreed: Number(row.agreed) };
}

/** The records the rules must classify, with what they need of our order / refund behind each. */
const OPEN_GROUPS_SQL = `
  SELECT g.*,
         CASE WHEN g.record = 'PAYMENT' AND g.ours_n > 0 THEN
           (SELECT to_char(c.date, 'YYYY-MM-DD') FROM daily_closes c
             WHERE c.date = ${cstDay('g.paid_at')}
               AND c.closed_at < (SELECT max(e.created_at) FROM order_events e
                                   WHERE e.order_id = g.order_id AND e.to_status = 'PAID'))
         END AS booked_after_close,
         lp.paid_at AS late_paid_at, lp.returned_at AS late_returned_at,
         r.id AS refund_id, r.status AS refund_status, r.completed_at AS refund_completed_at,
         (SELECT jsonb_object_agg(l.kind, l.completed_at) FROM refund_legs l
           WHERE l.refund_id = r.id AND l.completed_at IS NOT NULL) AS leg_times
    FROM pg_temp.recon_groups g
    LEFT JOIN late_payments lp ON lp.order_id = g.order_id
    LEFT JOIN refunds r ON g.record = 'REFUND' AND r.refund_no = g.key
   WHERE NOT g.agreed`;

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

/** epoch milliseconds (int8: a string or a number from the driver) */
function msOrUndefined(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  const ms = Number(value);
  if (!Number.isSafeInteger(ms)) throw new TypeError(`not a time in milliseconds: ${String(value)}`);
  return ms;
}

function sideOf(row: Row, source: ReconSourceName): ReconSide | undefined {
  if (Number(row[`${source}_n`]) === 0) return undefined;
  const ref = row[`${source}_ref`];
  return {
    total: fenOf(row[`${source}_total`]),
    fund: fenOf(row[`${source}_fund`]),
    account: fenOf(row[`${source}_account`]),
    cash: fenOf(row[`${source}_cash`]),
    ref: typeof ref === 'string' ? ref : undefined,
    atMs: msOrUndefined(row[`${source}_at`]),
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
 * The records not agreed (after `groupStage`), handed to `onPage` a page at a time through a cursor of the
 * session's transaction; `onPage` may write on the session meanwhile (`insertVerdicts`).
 */
export async function forEachOpenGroupPage(
  db: Db,
  pageSize: number,
  onPage: (page: MatchGroup[]) => Promise<void>,
): Promise<void> {
  await db.query(`DECLARE recon_open NO SCROLL CURSOR FOR ${OPEN_GROUPS_SQL}`);
  for (;;) {
    const page = rowsOf(await db.query(`FETCH FORWARD ${Math.trunc(pageSize)} FROM recon_open`));
    if (page.length === 0) break;
    await onPage(page.map(parseGroup));
  }
  await db.query(`CLOSE recon_open`);
}

/** What the rules say of one record. */
export interface RecordVerdict {
  record: ReconRecord;
  key: string;
  kind: ReconKind;
  note: string;
}

/** A page of verdicts, kept for `insertRunRows`. */
export async function insertVerdicts(db: Db, verdicts: readonly RecordVerdict[]): Promise<void> {
  if (verdicts.length === 0) return;
  await db.query(
    `INSERT INTO pg_temp.recon_verdicts (record, key, kind, note)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
    [
      verdicts.map((v) => v.record),
      verdicts.map((v) => v.key),
      verdicts.map((v) => v.kind),
      verdicts.map((v) => v.note),
    ],
  );
}

/**
 * What a row keeps of one source, as JSON text (ReconSide: absent fields left out), or NULL when the source does
 * not have the record. Concatenated rather than built with json(b)_build_object: a third of the cost for a
 * million rows. The amounts are int8 sums, the time int8, the reference quoted by to_json.
 */
const sideJson = (s: ReconSourceName) =>
  `CASE WHEN g.${s}_n > 0 THEN '"${s}":{"total":' || g.${s}_total || ',"fund":' || g.${s}_fund ||
     ',"account":' || g.${s}_account || ',"cash":' || g.${s}_cash ||
     coalesce(',"ref":' || to_json(g.${s}_ref)::text, '') || coalesce(',"atMs":' || g.${s}_at, '') || '}' END`;

/**
 * Every record's row of the run (`recon_rows`), in (record, key) order: the verdict of the rules where they gave
 * one, `agreed` where every party agrees. A record with neither gets no row (the caller counts them).
 */
export async function insertRunRows(
  db: Db,
  runId: string,
  agreed: { kind: ReconKind; note: string },
): Promise<void> {
  await db.query(
    `INSERT INTO recon_rows (run_id, kind, record, order_no, refund_no, order_id, sides, note)
     SELECT $1, coalesce(v.kind, $2), g.record, g.order_no, CASE WHEN g.record = 'REFUND' THEN g.key END,
            g.order_id, ('{' || concat_ws(',', ${SOURCES.map(sideJson).join(', ')}) || '}')::json,
            coalesce(v.note, $3)
       FROM pg_temp.recon_groups g
       LEFT JOIN pg_temp.recon_verdicts v ON v.record = g.record AND v.key = g.key
      WHERE g.agreed OR v.key IS NOT NULL
      ORDER BY g.record, g.key`,
    [runId, agreed.kind, agreed.note],
  );
}
