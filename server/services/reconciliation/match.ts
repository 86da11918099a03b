/**
 * Stage 2 of a run: the staged items grouped by record and key, joined with our order / refund behind each, and
 * classified by the pure rules in domain/reconciliation.ts. A payment every party agrees on is told apart
 * set-based in SQL (db/recon/match.ts: `agreed`) and gets the rules' verdict of such a payment without being read
 * out; the others (a day's discrepancies, refunds, …) go through the rules one page at a time. Then every row is
 * written by one INSERT … SELECT: nothing of the day is held in memory.
 */
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
  type ReconVerdict,
} from '../../domain/reconciliation';
import { cstDate } from '../../../shared/clock';
import { stageTotals } from '../../db/recon/items';
import {
  forEachOpenGroupPage,
  groupStage,
  insertRunRows,
  insertVerdicts,
  type MatchGroup,
} from '../../db/recon/match';
import type { Db } from '../../db/rows';

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
 * The rules' verdict of a payment every party agrees on: what each `agreed` record of db/recon/match.ts gets.
 * Asked of the rules, not written down twice.
 */
export function agreedVerdict(date: string): ReconVerdict {
  const side: ReconSide = { total: 600, fund: 300, account: 200, cash: 100 };
  const verdict = classifyRecord(
    {
      record: 'PAYMENT',
      orderNo: 'agreed',
      ours: side,
      wechat: side,
      insurance: side,
      his: side,
      order: { orderId: 'agreed', status: 'COMPLETED', paidDay: date, hisDay: date },
    },
    date,
  );
  if (verdict.kind !== 'MATCHED') throw new Error(`the rules call an agreed payment ${verdict.kind}`);
  return verdict;
}

/**
 * Classifies every staged record of the run (on its session) and writes its row; returns the counts per kind.
 * Only the records not agreed set-based are read out, through a cursor, a page at a time.
 */
export async function matchAndWrite(
  db: Db,
  runId: string,
  date: string,
  pageSize: number,
): Promise<ReconSummary> {
  const summary = emptySummary();
  const { records, agreed } = await groupStage(db, date);
  let classified = 0;
  await forEachOpenGroupPage(db, pageSize, async (page) => {
    const verdicts = page.map((row) => {
      const verdict = classifyRecord(candidateOf(row), date);
      summary[SUMMARY_KEY[verdict.kind]] += 1;
      return { record: row.record, key: row.key, kind: verdict.kind, note: verdict.note };
    });
    classified += verdicts.length;
    await insertVerdicts(db, verdicts);
  });
  if (agreed + classified !== records) {
    throw new Error(`reconciliation: ${records} records, but ${agreed} agreed and ${classified} classified`);
  }
  summary.matched += agreed;
  await insertRunRows(db, runId, agreedVerdict(date));
  return summary;
}

/** Totals per source and channel, and the day by hour per channel, from the staged items (on the run's session). */
export async function computeTotals(db: Db, wechatFeeFen: number): Promise<ReconTotals> {
  const { items: rows, hourly } = await stageTotals(db);
  const channel = (source: ReconSourceName, field: 'total' | 'fund' | 'account' | 'cash') => {
    const pay = rows.find((r) => r.source === source && r.record === 'PAYMENT');
    const refund = rows.find((r) => r.source === source && r.record === 'REFUND');
    return {
      count: pay ? pay[`n_${field}`] : 0,
      paidFen: pay ? pay[field] : 0,
      refundedFen: refund ? refund[field] : 0,
    };
  };
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
