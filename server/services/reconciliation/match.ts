/**
 * Stage 2 of a run: the staged items grouped by record and key, joined with our order / refund behind each,
 * classified by the pure rules in domain/reconciliation.ts, and written as `recon_rows` — one page in memory
 * at a time.
 */
import type { DataSource } from 'typeorm';
import type { ReconSummary, ReconTotals } from '../../../shared/api';
import {
  classifyRecord,
  SUMMARY_KEY,
  type KnownOrder,
  type KnownRefund,
  type ReconCandidate,
  type ReconParty,
  type ReconSide,
  type ReconSourceName,
} from '../../domain/reconciliation';
import { cstDate } from '../../../shared/clock';
import { fenOf } from '../../db/columns';
import type { OrderStatusName, RefundStatusName } from '../../../shared/api';

const SOURCES: readonly ReconSourceName[] = ['ours', 'wechat', 'insurance', 'his'];

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

type GroupRow = Record<string, unknown> & {
  record: 'PAYMENT' | 'REFUND';
  key: string;
  order_no: string;
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
  leg_times: Record<string, string> | null;
};

function sideOf(row: GroupRow, source: ReconSourceName): ReconSide | undefined {
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

const LEG_PARTY: Record<string, ReconParty> = { cash: 'wechat', insurance: 'insurance', his: 'his' };

function candidateOf(row: GroupRow): ReconCandidate {
  const order: KnownOrder | undefined =
    row.order_id && row.order_status
      ? {
          orderId: row.order_id,
          status: row.order_status,
          paidDay: row.paid_at ? cstDate(row.paid_at.getTime()) : undefined,
          hisDay: row.completed_at ? cstDate(row.completed_at.getTime()) : undefined,
          bookedAfterClose: row.booked_after_close ?? undefined,
          late: row.late_paid_at
            ? {
                paidDay: cstDate(row.late_paid_at.getTime()),
                returnedDay: row.late_returned_at ? cstDate(row.late_returned_at.getTime()) : undefined,
              }
            : undefined,
        }
      : undefined;
  let refund: KnownRefund | undefined;
  if (row.refund_id && row.refund_status) {
    const legDays: KnownRefund['legDays'] = {};
    for (const [kind, at] of Object.entries(row.leg_times ?? {})) {
      const party = LEG_PARTY[kind];
      if (party) legDays[party] = cstDate(Date.parse(at));
    }
    refund = {
      refundId: row.refund_id,
      status: row.refund_status,
      completedDay: row.refund_completed_at ? cstDate(row.refund_completed_at.getTime()) : undefined,
      legDays,
    };
  }
  return {
    record: row.record,
    orderNo: row.order_no,
    refundNo: row.record === 'REFUND' ? row.key : undefined,
    ours: sideOf(row, 'ours'),
    wechat: sideOf(row, 'wechat'),
    insurance: sideOf(row, 'insurance'),
    his: sideOf(row, 'his'),
    order,
    refund,
  };
}

/** What a row keeps of each side (JSON in recon_rows.sides). */
export type StoredSides = Partial<Record<ReconSourceName, ReconSide>>;

export const emptySummary = (): ReconSummary => ({
  matched: 0,
  over: 0,
  short: 0,
  amountMismatch: 0,
  statusMismatch: 0,
  cutoff: 0,
});

/**
 * Classifies every staged record of the run and writes its row; returns the counts per kind. The grouped query
 * runs once, inside a read transaction on one connection, and is fetched a page at a time through a cursor
 * (PostgreSQL spills the grouping to disk if it must); rows are written on other connections of the pool.
 */
export async function matchAndWrite(
  db: DataSource,
  runId: string,
  date: string,
  pageSize: number,
): Promise<ReconSummary> {
  const summary = emptySummary();
  const reader = db.createQueryRunner();
  await reader.connect();
  try {
    await reader.startTransaction('REPEATABLE READ');
    await reader.query(`DECLARE recon_match NO SCROLL CURSOR FOR ${MATCH_SQL}`, [runId]);
    for (;;) {
      const page = (await reader.query(
        `FETCH FORWARD ${Math.trunc(pageSize)} FROM recon_match`,
      )) as GroupRow[];
      if (page.length === 0) break;
      await writeRows(db, runId, date, page, summary);
    }
    await reader.commitTransaction();
  } finally {
    if (reader.isTransactionActive) await reader.rollbackTransaction();
    await reader.release();
  }
  return summary;
}

async function writeRows(
  db: DataSource,
  runId: string,
  date: string,
  page: GroupRow[],
  summary: ReconSummary,
): Promise<void> {
  const out = page.map((row) => {
    const candidate = candidateOf(row);
    const verdict = classifyRecord(candidate, date);
    summary[SUMMARY_KEY[verdict.kind]] += 1;
    const sides: StoredSides = {};
    for (const s of SOURCES) if (candidate[s]) sides[s] = candidate[s];
    return { candidate, verdict, sides };
  });
  await db.query(
    `INSERT INTO recon_rows (run_id, kind, record, order_no, refund_no, order_id, sides, note)
     SELECT $1, kind, record, order_no, refund_no, order_id, sides::jsonb, note
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::text[])
         AS t(kind, record, order_no, refund_no, order_id, sides, note)`,
    [
      runId,
      out.map((o) => o.verdict.kind),
      out.map((o) => o.candidate.record),
      out.map((o) => o.candidate.orderNo),
      out.map((o) => o.candidate.refundNo ?? null),
      out.map((o) => o.candidate.order?.orderId ?? null),
      out.map((o) => JSON.stringify(o.sides)),
      out.map((o) => o.verdict.note),
    ],
  );
}

interface TotalsRow {
  source: ReconSourceName;
  record: 'PAYMENT' | 'REFUND';
  n_total: number;
  n_fund: number;
  n_account: number;
  n_cash: number;
  total: string;
  fund: string;
  account: string;
  cash: string;
}

/** Totals per source and channel, and the day by hour per channel, from the staged items. */
export async function computeTotals(
  db: DataSource,
  runId: string,
  wechatFeeFen: number,
): Promise<ReconTotals> {
  const rows = (await db.query(
    `SELECT source, record,
            count(*) FILTER (WHERE total_fen <> 0)::int AS n_total, count(*) FILTER (WHERE fund_fen <> 0)::int AS n_fund,
            count(*) FILTER (WHERE account_fen <> 0)::int AS n_account, count(*) FILTER (WHERE cash_fen <> 0)::int AS n_cash,
            coalesce(sum(total_fen), 0) AS total, coalesce(sum(fund_fen), 0) AS fund,
            coalesce(sum(account_fen), 0) AS account, coalesce(sum(cash_fen), 0) AS cash
       FROM recon_items WHERE run_id = $1 GROUP BY source, record`,
    [runId],
  )) as TotalsRow[];
  const channel = (source: ReconSourceName, field: 'total' | 'fund' | 'account' | 'cash') => {
    const pay = rows.find((r) => r.source === source && r.record === 'PAYMENT');
    const refund = rows.find((r) => r.source === source && r.record === 'REFUND');
    return {
      count: pay ? pay[`n_${field}`] : 0,
      paidFen: pay ? fenOf(pay[field]) : 0,
      refundedFen: refund ? fenOf(refund[field]) : 0,
    };
  };
  const hourly = (await db.query(
    `SELECT extract(hour FROM (at AT TIME ZONE 'UTC') + interval '8 hours')::int AS hour,
            coalesce(sum(CASE WHEN source = 'wechat' THEN sign * cash_fen END), 0) AS wechat,
            coalesce(sum(CASE WHEN source = 'insurance' THEN sign * (fund_fen + account_fen) END), 0) AS insurance,
            coalesce(sum(CASE WHEN source = 'his' THEN sign * total_fen END), 0) AS his
       FROM (SELECT *, CASE WHEN record = 'PAYMENT' THEN 1 ELSE -1 END AS sign FROM recon_items
              WHERE run_id = $1 AND source <> 'ours' AND at IS NOT NULL) i
      GROUP BY 1 ORDER BY 1`,
    [runId],
  )) as { hour: number; wechat: string; insurance: string; his: string }[];
  const byHour = new Map(hourly.map((h) => [h.hour, h]));
  return {
    ours: {
      cash: channel('ours', 'cash'),
      fund: channel('ours', 'fund'),
      account: channel('ours', 'account'),
      total: channel('ours', 'total'),
    },
    wechat: { cash: channel('wechat', 'cash'), feeFen: wechatFeeFen },
    insurance: {
      fund: channel('insurance', 'fund'),
      account: channel('insurance', 'account'),
      total: channel('insurance', 'total'),
    },
    his: {
      cash: channel('his', 'cash'),
      fund: channel('his', 'fund'),
      account: channel('his', 'account'),
      total: channel('his', 'total'),
    },
    hourly: Array.from({ length: 24 }, (_, hour) => {
      const h = byHour.get(hour);
      return {
        hour,
        wechatFen: h ? fenOf(h.wechat) : 0,
        insuranceFen: h ? fenOf(h.insurance) : 0,
        hisFen: h ? fenOf(h.his) : 0,
      };
    }),
  };
}
