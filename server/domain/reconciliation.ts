/**
 * Reconciliation rules (DESIGN 6.10), pure: one record of a day — a payment by order number or a refund by
 * refund number — as each source saw it (ours = our database, WeChat Pay's trade bill, the insurance platform's
 * 3202 detail, the HIS daily list), classified into one kind with a note in plain words. The one place that
 * decides what 长款 / 短款 / amount / status / cut-off mean, and which actions a row offers.
 *
 * Channels are where money arrives: WeChat Pay (cash) and the insurance platform (fund + account). The HIS is
 * the hospital's book. 长款 (OVER): a channel holds money the HIS has not charged. 短款 (SHORT): the HIS charged
 * money a channel does not hold. CUTOFF: a side that is missing today recorded the same thing on an adjacent
 * day (a payment at 23:59:59 confirmed at the HIS after midnight), so it is expected to match there.
 */
import { fenToYuan } from '../../shared/money';
import { orderStatusZh, REFUND_STATUS_ZH } from '../../shared/messages';
import { REFUNDABLE } from './orderPolicy';
import type { OrderStatusName, ReconKind, ReconRowAction, RefundStatusName } from '../../shared/api';

export type ReconParty = 'wechat' | 'insurance' | 'his';
export type ReconSourceName = 'ours' | ReconParty;

export interface ReconSide {
  total: number;
  fund: number;
  account: number;
  cash: number;
  /** the source's reference (transaction id, setl_id, receipt number; our order status for ours) */
  ref?: string;
  atMs?: number;
}

/** Our order behind a payment record, whatever day it was paid. */
export interface KnownOrder {
  orderId: string;
  status: OrderStatusName;
  /** China day our order was paid (WeChat Pay and insurance record it then) */
  paidDay?: string;
  /** China day the HIS confirmed the charge */
  hisDay?: string;
  /** a payment that arrived after the order closed: the day it was paid, and the day it was given back */
  late?: { paidDay: string; returnedDay?: string };
  /** the day it was paid, when that day had been closed (日结) before we booked the payment */
  bookedAfterClose?: string;
}

/** Our refund behind a refund record, whatever day it completed. */
export interface KnownRefund {
  refundId: string;
  status: RefundStatusName;
  /** China day the refund completed (every leg done) */
  completedDay?: string;
  /** China day each leg completed */
  legDays: Partial<Record<ReconParty, string>>;
}

export interface ReconCandidate {
  record: 'PAYMENT' | 'REFUND';
  orderNo: string;
  refundNo?: string;
  /** our record of this day: a payment booked (paid) or a refund completed on the date */
  ours?: ReconSide;
  wechat?: ReconSide;
  insurance?: ReconSide;
  his?: ReconSide;
  order?: KnownOrder;
  refund?: KnownRefund;
}

export interface ReconVerdict {
  kind: ReconKind;
  note: string;
}

export const PARTY_NAMES: Record<ReconSourceName, string> = {
  ours: '本系统',
  wechat: '微信支付',
  insurance: '医保',
  his: 'HIS',
};

/** Orders whose payment has been booked: our side of a day's payments. */
export const BOOKED_ORDER_STATUSES: readonly OrderStatusName[] = [
  'PAID',
  'COMPLETED',
  'REFUNDING',
  'REFUNDED',
  'PARTIALLY_REFUNDED',
];
const UNPAID_TERMINAL: readonly OrderStatusName[] = ['CANCELLED', 'EXPIRED', 'PAYMENT_FAILED'];

const yuan = (fen: number) => `¥${fenToYuan(fen)}`;

/** Money a channel holds for the record: WeChat's cash, the platform's fund + account. */
export function channelMoney(c: Pick<ReconCandidate, 'wechat' | 'insurance'>): number {
  return (c.wechat?.cash ?? 0) + (c.insurance ? c.insurance.fund + c.insurance.account : 0);
}

function isAdjacentDay(day: string | undefined, date: string): boolean {
  if (day === undefined || day === date) return false;
  const diffMs = Math.abs(Date.parse(`${day}T00:00:00Z`) - Date.parse(`${date}T00:00:00Z`));
  return diffMs === 24 * 3600_000;
}

/** Which parties should have the record, given our amounts. */
function expectedParties(ours: ReconSide): ReconParty[] {
  const parties: ReconParty[] = [];
  if (ours.cash > 0) parties.push('wechat');
  if (ours.fund + ours.account > 0) parties.push('insurance');
  parties.push('his');
  return parties;
}

/** Differences between a party's amounts and ours, in words; empty when they agree. */
function amountDifferences(c: ReconCandidate, ours: ReconSide): string[] {
  const out: string[] = [];
  const differs = (party: ReconParty, field: keyof ReconSide & ('total' | 'fund' | 'account' | 'cash')) => {
    const side = c[party];
    if (side && side[field] !== ours[field]) {
      out.push(
        `${PARTY_NAMES[party]}${FIELD_NAMES[field]} ${yuan(side[field])} ≠ 本系统 ${yuan(ours[field])}`,
      );
    }
  };
  if (c.record === 'PAYMENT') {
    differs('wechat', 'cash');
    differs('insurance', 'fund');
    differs('insurance', 'account');
    for (const field of ['total', 'fund', 'account', 'cash'] as const) differs('his', field);
  } else {
    differs('wechat', 'cash');
    differs('insurance', 'fund');
    differs('insurance', 'account');
    differs('his', 'total');
  }
  return out;
}

const FIELD_NAMES = { total: '总额', fund: '统筹', account: '个账', cash: '自费' } as const;

function namesOf(parties: readonly ReconParty[]): string {
  return parties.map((p) => PARTY_NAMES[p]).join('、');
}

function present(c: ReconCandidate): ReconParty[] {
  return (['wechat', 'insurance', 'his'] as const).filter((p) => c[p] !== undefined);
}

/** Days on which each party should have recorded the record, from what we know of it. */
function expectedDay(c: ReconCandidate, party: ReconParty): string | undefined {
  if (c.record === 'REFUND') return c.refund?.legDays[party];
  return party === 'his' ? c.order?.hisDay : c.order?.paidDay;
}

function cutoffNote(c: ReconCandidate, missing: readonly ReconParty[], date: string): string | null {
  if (missing.length === 0) return null;
  const days = missing.map((p) => expectedDay(c, p));
  if (!days.every((d) => isAdjacentDay(d, date))) return null;
  const where = missing.map((p, i) => `${PARTY_NAMES[p]}记在 ${days[i]}`).join('，');
  return `跨日：${where}，应在相邻日对平`;
}

function classifyBookedPayment(c: ReconCandidate, ours: ReconSide, date: string): ReconVerdict {
  const closedDay = c.order?.bookedAfterClose;
  if (closedDay !== undefined && closedDay !== date) {
    return {
      kind: 'STATUS_MISMATCH',
      note: `日结后入账：这笔 ${yuan(ours.total)} 的支付发生在 ${closedDay}，但该日已日结后本系统才收到支付结果，未计入该日对账。请核对 ${closedDay} 的微信支付、医保和 HIS 记录后标记已处理`,
    };
  }
  const expected = expectedParties(ours);
  const missing = expected.filter((p) => c[p] === undefined);
  const unexpected = present(c).filter((p) => !expected.includes(p));
  const cutoff = cutoffNote(c, missing, date);
  if (cutoff && unexpected.length === 0) return { kind: 'CUTOFF', note: cutoff };
  if (missing.includes('his') && channelMoney(c) > 0) {
    const pending = c.order?.status === 'PAID' ? '；本系统订单待 HIS 确认' : '';
    return {
      kind: 'OVER',
      note: `长款：${namesOf(present(c))} 已收款 ${yuan(channelMoney(c))}，HIS 未记账${pending}`,
    };
  }
  if (unexpected.length > 0) {
    return { kind: 'OVER', note: `长款：${namesOf(unexpected)} 有本系统未预期的收款` };
  }
  const missingChannels = missing.filter((p) => p !== 'his');
  if (missingChannels.length > 0 && c.his) {
    return {
      kind: 'SHORT',
      note: `短款：HIS 已记账 ${yuan(c.his.total)}，${namesOf(missingChannels)} 无此笔收款`,
    };
  }
  if (missing.length > 0) {
    return { kind: 'STATUS_MISMATCH', note: `本系统记为已付，${namesOf(missing)} 均无此笔记录` };
  }
  const diffs = amountDifferences(c, ours);
  if (diffs.length > 0) return { kind: 'AMOUNT_MISMATCH', note: `金额不符：${diffs.join('；')}` };
  if (c.order?.status === 'PAID') {
    return { kind: 'STATUS_MISMATCH', note: 'HIS 已记账，本系统订单仍为“已支付”（未收到 HIS 确认结果）' };
  }
  return { kind: 'MATCHED', note: '四方一致' };
}

function classifyUnbookedPayment(c: ReconCandidate, date: string): ReconVerdict {
  const money = channelMoney(c);
  const order = c.order;
  if (order && isAdjacentDay(order.paidDay, date)) {
    return { kind: 'CUTOFF', note: `跨日：本系统在 ${order.paidDay} 记账，应在相邻日对平` };
  }
  if (order && UNPAID_TERMINAL.includes(order.status)) {
    const late = order.late;
    if (late?.returnedDay && !c.his && money !== 0) {
      const other = late.paidDay === date ? late.returnedDay : late.paidDay;
      if (isAdjacentDay(other, date) && (late.paidDay === date || late.returnedDay === date)) {
        return {
          kind: 'CUTOFF',
          note: `跨日：订单关闭后 ${late.paidDay} 到账的支付，已于 ${late.returnedDay} 原路退回，应在相邻日对平`,
        };
      }
    }
    if (money === 0 && !c.his) {
      return {
        kind: 'MATCHED',
        note: '订单未完成：已收的款项已全额退回（医保冲正 / 微信原路退回），净额为零',
      };
    }
    return {
      kind: 'STATUS_MISMATCH',
      note: `本系统订单为“${orderStatusZh(order.status)}”，但 ${namesOf(present(c))} 有记录 ${yuan(money)}（可能是订单关闭后才到的支付）`,
    };
  }
  if (order) {
    return {
      kind: 'STATUS_MISMATCH',
      note: `本系统订单为“${orderStatusZh(order.status)}”，但 ${namesOf(present(c))} 已有记录，待查询确认`,
    };
  }
  if (money > 0 && !c.his)
    return {
      kind: 'OVER',
      note: `长款：${namesOf(present(c))} 收款 ${yuan(money)}，本系统与 HIS 均无此订单`,
    };
  if (c.his && money === 0)
    return { kind: 'SHORT', note: `短款：HIS 记账 ${yuan(c.his.total)}，无任何渠道收款，本系统无此订单` };
  return { kind: 'STATUS_MISMATCH', note: `${namesOf(present(c))} 有记录，本系统无此订单` };
}

function classifyRefund(c: ReconCandidate, date: string): ReconVerdict {
  const ours = c.ours;
  if (ours) {
    const missing = expectedParties(ours).filter((p) => c[p] === undefined);
    const cutoff = cutoffNote(c, missing, date);
    if (cutoff) return { kind: 'CUTOFF', note: cutoff };
    if (missing.length > 0) {
      return { kind: 'STATUS_MISMATCH', note: `退款已完成，但 ${namesOf(missing)} 无此笔退款` };
    }
    const diffs = amountDifferences(c, ours);
    if (diffs.length > 0) return { kind: 'AMOUNT_MISMATCH', note: `退款金额不符：${diffs.join('；')}` };
    return { kind: 'MATCHED', note: '退款四方一致' };
  }
  const parties = present(c);
  const refund = c.refund;
  if (refund) {
    if (refund.status === 'SUCCEEDED' && isAdjacentDay(refund.completedDay, date)) {
      return { kind: 'CUTOFF', note: `跨日：本系统退款完成于 ${refund.completedDay}，应在相邻日对平` };
    }
    return {
      kind: 'STATUS_MISMATCH',
      note: `本系统退款状态为“${REFUND_STATUS_ZH[refund.status]}”，${namesOf(parties)} 已有退款记录`,
    };
  }
  return { kind: 'STATUS_MISMATCH', note: `退款仅见于 ${namesOf(parties)}，本系统无此退款` };
}

/** The verdict for one record of `date` (yyyy-MM-dd, China time). */
export function classifyRecord(c: ReconCandidate, date: string): ReconVerdict {
  if (c.record === 'REFUND') return classifyRefund(c, date);
  return c.ours ? classifyBookedPayment(c, c.ours, date) : classifyUnbookedPayment(c, date);
}

export interface RowActionContext {
  kind: ReconKind;
  record: 'PAYMENT' | 'REFUND';
  resolved: boolean;
  dayClosed: boolean;
  hasHis: boolean;
  channelMoneyFen: number;
  /** the current status of our order, when we have one */
  orderStatus?: OrderStatusName;
}

const POSTABLE: readonly OrderStatusName[] = ['PAID', 'COMPLETED', 'PARTIALLY_REFUNDED'];

/** The actions a row offers now; the server checks them again (and the role) when one is asked for. */
export function rowActions(x: RowActionContext): ReconRowAction[] {
  if (x.kind === 'MATCHED' || x.resolved || x.dayClosed) return [];
  const actions: ReconRowAction[] = [];
  if (x.orderStatus === 'PAID') actions.push('retry-his-confirm');
  if (
    x.record === 'PAYMENT' &&
    !x.hasHis &&
    x.channelMoneyFen > 0 &&
    x.orderStatus !== undefined &&
    POSTABLE.includes(x.orderStatus)
  ) {
    actions.push('post-missing');
  }
  if (x.orderStatus !== undefined && REFUNDABLE.includes(x.orderStatus)) actions.push('refund');
  // money a channel holds for an order we closed (a late payment no callback announced): give it back
  if (
    x.record === 'PAYMENT' &&
    x.channelMoneyFen > 0 &&
    x.orderStatus !== undefined &&
    UNPAID_TERMINAL.includes(x.orderStatus)
  ) {
    actions.push('refund');
  }
  actions.push('resolve');
  return actions;
}

/** Summary keys in the order the console shows them. */
export const SUMMARY_KEY: Record<
  ReconKind,
  'matched' | 'over' | 'short' | 'amountMismatch' | 'statusMismatch' | 'cutoff'
> = {
  MATCHED: 'matched',
  OVER: 'over',
  SHORT: 'short',
  AMOUNT_MISMATCH: 'amountMismatch',
  STATUS_MISMATCH: 'statusMismatch',
  CUTOFF: 'cutoff',
};
