/**
 * Our orders against what each party says of them (issue 14): the HIS's bills and charges, the insurance
 * platform's settlements, WeChat Pay's trades, med-ins orders and refunds, and late payments given back.
 * The views are the mocks' admin answers (mocks/his/admin*.ts, mocks/insurance/admin/settlements.ts,
 * mocks/wechatpay/admin.ts), read by invariants.ts.
 */
import type { Legs, OracleDb, OracleLatePayment, OracleOrder, OracleRefund } from './oracleData';
import { refundsByOrder } from './checkOurs';
import { CLOSED, Findings, KEPT, legDiffs, legsText, ZERO } from './oracleReport';

export interface HisBillView {
  billNo: string;
  status: string;
  amount: number;
  lockedBy?: string;
  paidOrderId?: string;
}

export interface HisChargeView extends Legs {
  orderNo: string;
  refundedFen: number;
  refunds: { refundNo: string; amount: number }[];
}

export interface SettlementView {
  payOrdId: string;
  medOrgOrd: string;
  status: string;
  split: Legs | null;
  setlId?: string;
  refunded: Legs;
  refunds: { appRefdSn: string; split: Legs; origin: string }[];
}

export interface WeChatOrderView {
  trade?: { trade_state: string; transaction_id?: string; amount: { total: number } };
  medIns?: {
    mix_trade_no: string;
    mix_pay_status: string;
    med_ins_pay_status: string;
    total_fee?: number;
    wechat_pay_cash_fee?: number;
  };
  refunds: { out_refund_no: string; status: string; amount: { refund: number; total: number } }[];
}

/** What the parties said, keyed as asked: `null` where the party knows no such thing (404). */
export interface PartyViews {
  bills: Map<string, HisBillView | null>;
  charges: Map<string, HisChargeView | null>;
  /** the platform's orders of each of our order numbers (medOrgOrd) */
  settlements: Map<string, SettlementView[]>;
  wechat: Map<string, WeChatOrderView | null>;
}

const SETTLED = ['SETTLED', 'PARTIALLY_REFUNDED', 'REFUNDED'];
const PAID_TRADE = ['SUCCESS', 'REFUND'];

export function checkHis(db: OracleDb, views: PartyViews, f: Findings): void {
  const check = 'his-agrees';
  const refunds = refundsByOrder(db);
  for (const o of db.orders) {
    const kept = KEPT.includes(o.status);
    if (!kept && !CLOSED.includes(o.status)) continue; // not at rest: order-terminal says so
    f.count(check);
    const charge = views.charges.get(o.orderNo) ?? null;
    const bills = o.billNos.map((billNo) => ({ billNo, bill: views.bills.get(billNo) ?? null }));
    if (kept) {
      if (!charge) {
        f.fail(check, o.orderNo, `order ${o.orderNo} is ${o.status} but the HIS has no charge of it`);
      } else {
        const diffs = legDiffs(o, charge);
        if (diffs.length > 0)
          f.fail(check, o.orderNo, `the HIS charged order ${o.orderNo} differently: ${diffs.join('; ')}`);
      }
      for (const { billNo, bill } of bills) {
        if (!bill) f.fail(check, o.orderNo, `bill ${billNo} of order ${o.orderNo} is unknown at the HIS`);
        else if (!['PAID', 'REFUNDED'].includes(bill.status) || bill.paidOrderId !== o.orderNo)
          f.fail(
            check,
            o.orderNo,
            `bill ${billNo} of ${o.status} order ${o.orderNo} is ${bill.status} at the HIS, paid by ` +
              `${bill.paidOrderId ?? 'no order'}`,
          );
      }
      const ours = refunds.get(o.id)?.refunds.filter((r) => r.status === 'SUCCEEDED') ?? [];
      const oursTotal = ours.reduce((s, r) => s + r.total, 0);
      const hisTotal = charge?.refunds.reduce((s, r) => s + r.amount, 0) ?? 0;
      if (charge && (hisTotal !== oursTotal || charge.refundedFen !== oursTotal))
        f.fail(
          check,
          o.orderNo,
          `order ${o.orderNo}: we refunded ${oursTotal} fen (${ours.map((r) => r.refundNo).join(', ') || 'none'}), ` +
            `the HIS has refunds of ${hisTotal} fen (${charge.refunds.map((r) => `${r.refundNo} ${r.amount}`).join(', ') || 'none'}), ` +
            `refundedFen ${charge.refundedFen}`,
        );
      for (const his of charge?.refunds ?? []) {
        const mine = ours.find((r) => r.refundNo === his.refundNo);
        if (!mine || mine.total !== his.amount)
          f.fail(
            check,
            o.orderNo,
            `the HIS refund ${his.refundNo} of ${his.amount} fen on order ${o.orderNo} ` +
              (mine ? `differs from ours (${mine.total})` : 'is not a succeeded refund of ours'),
          );
      }
    } else {
      if (charge)
        f.fail(
          check,
          o.orderNo,
          `order ${o.orderNo} is ${o.status} but the HIS holds a charge of it (${legsText(charge)})`,
        );
      for (const { billNo, bill } of bills) {
        if (bill?.status === 'PAID' && bill.paidOrderId === o.orderNo)
          f.fail(check, o.orderNo, `bill ${billNo} is PAID at the HIS by ${o.status} order ${o.orderNo}`);
        if (bill?.status === 'LOCKED' && bill.lockedBy === o.orderNo)
          f.fail(
            check,
            o.orderNo,
            `bill ${billNo} is still LOCKED at the HIS by ${o.status} order ${o.orderNo}`,
          );
      }
    }
  }
}

function refundedAtPlatform(s: SettlementView): Legs {
  return s.refunded ?? ZERO;
}

export function checkInsurance(db: OracleDb, views: PartyViews, f: Findings): void {
  const check = 'insurance-agrees';
  const refunds = refundsByOrder(db);
  const lateOf = new Map(db.latePayments.map((l) => [l.orderId, l]));
  for (const o of db.orders) {
    const platform = views.settlements.get(o.orderNo) ?? [];
    if (!o.useInsurance && !o.payOrdId && platform.length === 0) continue;
    const kept = KEPT.includes(o.status);
    if (!kept && !CLOSED.includes(o.status)) continue;
    f.count(check);
    if (platform.length > 1)
      f.fail(
        check,
        o.orderNo,
        `the platform holds ${platform.length} orders for ${o.orderNo}: ${platform.map((s) => `${s.payOrdId} ${s.status}`).join(', ')}`,
      );
    for (const s of platform) {
      if (o.payOrdId !== s.payOrdId && SETTLED.includes(s.status))
        f.fail(
          check,
          o.orderNo,
          `the platform settled ${s.payOrdId} (${s.status}) for order ${o.orderNo}, which knows payOrdId ${o.payOrdId ?? 'none'}`,
        );
    }
    const s = platform.find((x) => x.payOrdId === o.payOrdId);
    const insured = o.fund + o.account > 0;
    const ours = refunds.get(o.id);
    if (kept) {
      if (!insured && (!s || !SETTLED.includes(s.status))) continue; // insurance paid nothing
      if (!s || !SETTLED.includes(s.status)) {
        f.fail(
          check,
          o.orderNo,
          `order ${o.orderNo} is ${o.status} with fund ${o.fund} + account ${o.account}, but the platform's ` +
            `order ${o.payOrdId ?? '(none)'} is ${s?.status ?? 'unknown'}`,
        );
        continue;
      }
      if (s.setlId !== o.setlId)
        f.fail(
          check,
          o.orderNo,
          `order ${o.orderNo}: our setlId ${o.setlId ?? 'none'}, the platform's ${s.setlId ?? 'none'}`,
        );
      const diffs = s.split ? legDiffs(o, s.split) : ['no split at the platform'];
      if (diffs.length > 0)
        f.fail(check, o.orderNo, `the platform settled order ${o.orderNo} differently: ${diffs.join('; ')}`);
      const refunded = ours?.refunded ?? ZERO;
      const diffsRefunded = legDiffs(refunded, refundedAtPlatform(s), ['fund', 'account']);
      if (diffsRefunded.length > 0)
        f.fail(
          check,
          o.orderNo,
          `refunds of order ${o.orderNo} by fund differ from the platform's: ${diffsRefunded.join('; ')} ` +
            `(platform refunds ${s.refunds.map((r) => `${r.appRefdSn} ${legsText(r.split)}`).join('; ') || 'none'})`,
        );
      for (const r of s.refunds) {
        const mine = ours?.refunds.find((x) => x.refundNo === r.appRefdSn && x.status === 'SUCCEEDED');
        if (!mine || mine.fund !== r.split.fund || mine.account !== r.split.account)
          f.fail(
            check,
            o.orderNo,
            `the platform refund ${r.appRefdSn} (${r.origin}, ${legsText(r.split)}) of order ${o.orderNo} ` +
              (mine ? `differs from ours (${legsText(mine)})` : 'is not a succeeded refund of ours'),
          );
      }
    } else if (s && SETTLED.includes(s.status)) {
      const late = lateOf.get(o.id);
      const taken = s.split ?? ZERO;
      const back = refundedAtPlatform(s);
      if (back.fund !== taken.fund || back.account !== taken.account)
        f.fail(
          check,
          o.orderNo,
          `order ${o.orderNo} is ${o.status} but the platform settled it (${legsText(taken)}) and gave back ` +
            `only fund ${back.fund}, account ${back.account}` +
            (late ? `; late payment ${late.status}` : '; we know of no late payment'),
        );
      else if (!late)
        f.fail(
          check,
          o.orderNo,
          `the platform settled and refunded ${o.status} order ${o.orderNo}, but we record no late payment`,
        );
    }
  }
}

/** Our cash refunds of an order at WeChat: the succeeded refunds with cash, and a late payment's return. */
function expectedWeChatRefunds(refunds: OracleRefund[], late: OracleLatePayment | undefined) {
  const out = refunds
    .filter((r) => r.status === 'SUCCEEDED' && r.cash > 0)
    .map((r) => ({ outRefundNo: r.refundNo, cash: r.cash }));
  if (late && late.cash > 0) out.push({ outRefundNo: late.cashRefundNo, cash: late.cash });
  return out;
}

export function checkWeChat(db: OracleDb, views: PartyViews, f: Findings): void {
  const check = 'wechat-agrees';
  const refunds = refundsByOrder(db);
  const lateOf = new Map(db.latePayments.map((l) => [l.orderId, l]));
  for (const o of db.orders) {
    const kept = KEPT.includes(o.status);
    if (!kept && !CLOSED.includes(o.status)) continue;
    f.count(check);
    const wx = views.wechat.get(o.orderNo) ?? null;
    const late = lateOf.get(o.id);
    const trade = wx?.trade;
    const medIns = wx?.medIns;
    if (kept) {
      if (o.cash > 0) {
        if (!trade || !PAID_TRADE.includes(trade.trade_state))
          f.fail(
            check,
            o.orderNo,
            `order ${o.orderNo} is ${o.status} with cash ${o.cash}, but WeChat's trade is ${trade?.trade_state ?? 'absent'}`,
          );
        else if (trade.amount.total !== o.cash)
          f.fail(
            check,
            o.orderNo,
            `WeChat took ${trade.amount.total} fen for order ${o.orderNo}, our cash is ${o.cash}`,
          );
        else if (o.transactionId && trade.transaction_id !== o.transactionId)
          f.fail(
            check,
            o.orderNo,
            `order ${o.orderNo}: our transaction ${o.transactionId}, WeChat's ${trade.transaction_id ?? 'none'}`,
          );
      }
      if (o.fund + o.account > 0) {
        if (!medIns || !['MIX_PAY_SUCCESS', 'MIX_PAY_REFUND'].includes(medIns.mix_pay_status))
          f.fail(
            check,
            o.orderNo,
            `order ${o.orderNo} is ${o.status} with insurance ${o.fund + o.account}, but WeChat's med-ins order is ` +
              `${medIns?.mix_pay_status ?? 'absent'}`,
          );
        else if (medIns.total_fee !== o.total || (medIns.wechat_pay_cash_fee ?? 0) !== o.cash)
          f.fail(
            check,
            o.orderNo,
            `WeChat's med-ins order of ${o.orderNo} says total ${medIns.total_fee}, cash ${medIns.wechat_pay_cash_fee ?? 0}; ` +
              `ours ${legsText(o)}`,
          );
      }
    } else {
      const paid = trade !== undefined && PAID_TRADE.includes(trade.trade_state);
      const insurancePaid =
        medIns !== undefined && ['MIX_PAY_SUCCESS', 'MIX_PAY_REFUND'].includes(medIns.mix_pay_status);
      if ((paid || insurancePaid) && !late)
        f.fail(
          check,
          o.orderNo,
          `order ${o.orderNo} is ${o.status} but WeChat shows it paid (trade ${trade?.trade_state ?? 'absent'}, ` +
            `med-ins ${medIns?.mix_pay_status ?? 'absent'}) and we record no late payment`,
        );
    }
    const expected = expectedWeChatRefunds(refunds.get(o.id)?.refunds ?? [], late);
    const atWeChat = wx?.refunds ?? [];
    const sumWx = atWeChat.filter((r) => r.status === 'SUCCESS').reduce((s, r) => s + r.amount.refund, 0);
    const sumOurs = expected.reduce((s, r) => s + r.cash, 0);
    if (sumWx !== sumOurs)
      f.fail(
        check,
        o.orderNo,
        `cash refunded at WeChat for order ${o.orderNo} is ${sumWx} fen ` +
          `(${atWeChat.map((r) => `${r.out_refund_no} ${r.status} ${r.amount.refund}`).join(', ') || 'none'}), ` +
          `ours ${sumOurs} (${expected.map((r) => `${r.outRefundNo} ${r.cash}`).join(', ') || 'none'})`,
      );
    for (const r of atWeChat) {
      const mine = expected.find((e) => e.outRefundNo === r.out_refund_no);
      if (!mine)
        f.fail(
          check,
          o.orderNo,
          `WeChat holds refund ${r.out_refund_no} (${r.status}, ${r.amount.refund} fen) of order ${o.orderNo} that is not ours`,
        );
      else if (r.status !== 'SUCCESS' || r.amount.refund !== mine.cash)
        f.fail(
          check,
          o.orderNo,
          `WeChat refund ${r.out_refund_no} of order ${o.orderNo} is ${r.status} for ${r.amount.refund} fen; ours ${mine.cash} succeeded`,
        );
    }
    for (const e of expected) {
      if (!atWeChat.some((r) => r.out_refund_no === e.outRefundNo))
        f.fail(
          check,
          o.orderNo,
          `our cash refund ${e.outRefundNo} of ${e.cash} fen (order ${o.orderNo}) is unknown at WeChat`,
        );
    }
  }
}

/** A payment that came after its order closed went back whole: cash at WeChat, insurance at the platform. */
export function checkLateReturned(db: OracleDb, views: PartyViews, f: Findings): void {
  const check = 'late-returned';
  const orderOf = new Map<string, OracleOrder>(db.orders.map((o) => [o.id, o]));
  for (const late of db.latePayments) {
    f.count(check);
    const order = orderOf.get(late.orderId);
    if (late.status !== 'RETURNED')
      f.fail(
        check,
        late.orderNo,
        `late payment of ${late.orderNo} (${legsText(late)}) is ${late.status}, not RETURNED`,
      );
    if (order && !CLOSED.includes(order.status))
      f.fail(check, late.orderNo, `order ${late.orderNo} with a late payment is ${order.status}, not closed`);
    const wx = views.wechat.get(late.orderNo) ?? null;
    if (late.cash > 0) {
      const r = wx?.refunds.find((x) => x.out_refund_no === late.cashRefundNo);
      if (!r || r.status !== 'SUCCESS' || r.amount.refund !== late.cash)
        f.fail(
          check,
          late.orderNo,
          `the late cash ${late.cash} fen of ${late.orderNo} was not returned at WeChat: refund ${late.cashRefundNo} is ` +
            (r ? `${r.status} for ${r.amount.refund}` : 'absent'),
        );
      const trade = wx?.trade;
      if (trade && trade.amount.total !== late.cash)
        f.fail(
          check,
          late.orderNo,
          `WeChat took ${trade.amount.total} fen late for ${late.orderNo}; we recorded ${late.cash}`,
        );
    }
    if (late.fund + late.account > 0) {
      const s = (views.settlements.get(late.orderNo) ?? []).find((x) => x.payOrdId === order?.payOrdId);
      const r = s?.refunds.find((x) => x.appRefdSn === late.insuranceRefundNo);
      if (!r || r.split.fund !== late.fund || r.split.account !== late.account)
        f.fail(
          check,
          late.orderNo,
          `the late insurance share (fund ${late.fund}, account ${late.account}) of ${late.orderNo} was not reversed: ` +
            `platform refund ${late.insuranceRefundNo ?? '(none)'} is ${r ? legsText(r.split) : 'absent'}`,
        );
    }
  }
}
