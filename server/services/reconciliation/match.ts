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
  type ReconSourceName,
} from '../../domain/reconciliation';
import { cstDate } from '../../../shared/clock';
import { hourlyItemTotals, itemTotals, SOURCES } from '../../db/recon/items';
import type { StoredSides } from '../../db/recon/json';
import { forEachMatchGroupPage, insertReconRows, type MatchGroup } from '../../db/recon/match';

const LEG_PARTY: Record<string, ReconParty> = { cash: 'wechat', insurance: 'insurance', his: 'his' };

function candidateOf(row: MatchGroup): ReconCandidate {
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
    ours: row.sides.ours,
    wechat: row.sides.wechat,
    insurance: row.sides.insurance,
    his: row.sides.his,
    order,
    refund,
  };
}

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
  await forEachMatchGroupPage(db, runId, pageSize, (page) => writeRows(db, runId, date, page, summary));
  return summary;
}

async function writeRows(
  db: DataSource,
  runId: string,
  date: string,
  page: MatchGroup[],
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
  await insertReconRows(
    db,
    runId,
    out.map((o) => ({
      kind: o.verdict.kind,
      record: o.candidate.record,
      orderNo: o.candidate.orderNo,
      refundNo: o.candidate.refundNo ?? null,
      orderId: o.candidate.order?.orderId ?? null,
      sides: o.sides,
      note: o.verdict.note,
    })),
  );
}

/** Totals per source and channel, and the day by hour per channel, from the staged items. */
export async function computeTotals(
  db: DataSource,
  runId: string,
  wechatFeeFen: number,
): Promise<ReconTotals> {
  const rows = await itemTotals(db, runId);
  const channel = (source: ReconSourceName, field: 'total' | 'fund' | 'account' | 'cash') => {
    const pay = rows.find((r) => r.source === source && r.record === 'PAYMENT');
    const refund = rows.find((r) => r.source === source && r.record === 'REFUND');
    return {
      count: pay ? pay[`n_${field}`] : 0,
      paidFen: pay ? pay[field] : 0,
      refundedFen: refund ? refund[field] : 0,
    };
  };
  const hourly = await hourlyItemTotals(db, runId);
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
        wechatFen: h ? h.wechat : 0,
        insuranceFen: h ? h.insurance : 0,
        hisFen: h ? h.his : 0,
      };
    }),
  };
}
