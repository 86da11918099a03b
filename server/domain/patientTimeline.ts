/**
 * The patient's 状态记录: the order's events in patient words. Pure: statuses in, sentences out — no actors, no
 * ids, no reasons (those are the cashier's and the system's, and stay in the console's order detail).
 */
import type { OrderOutcome, PatientTimelineEntry } from '../../shared/api';
import { isOrderStatus, type OrderStatus } from './orderStateMachine';

export interface TimelineEvent {
  from: string | null;
  to: string;
  at: string;
}

type Words = { title: string; detail?: string };

/** One event in patient words; exhaustive over the target status, with the from-status where it matters. */
export function patientWords(from: OrderStatus | null, to: OrderStatus, useInsurance: boolean): Words {
  switch (to) {
    case 'CREATED':
      return { title: '已提交', detail: '订单已创建' };
    case 'PRESETTLED':
      return useInsurance
        ? { title: '医保预结算完成', detail: '已算出医保支付和自付的金额' }
        : { title: '费用已确认', detail: '全部自费' };
    case 'AWAITING_PAYMENT':
      return { title: '等待支付', detail: '请在微信支付中完成付款' };
    case 'UNKNOWN':
      return { title: '正在确认支付结果', detail: '结果会自动核实，无需重复支付' };
    case 'PAID':
      return useInsurance ? { title: '已支付', detail: '医保已结算，自付部分已支付' } : { title: '已支付' };
    case 'COMPLETED':
      return from === 'REFUNDING'
        ? { title: '退款未完成', detail: '订单仍为已缴费，如有疑问请咨询收费窗口' }
        : { title: '医院已确认收费', detail: '缴费完成' };
    case 'CANCELLED':
      return { title: '已取消', detail: '没有扣款' };
    case 'EXPIRED':
      return { title: '已过期', detail: '超过支付时限，没有扣款' };
    case 'PAYMENT_FAILED':
      return { title: '支付失败', detail: '这笔订单没有完成支付' };
    case 'REFUNDING':
      return { title: '退款处理中' };
    case 'REFUNDED':
      return { title: '已退款', detail: '款项按原支付方式退回' };
    case 'PARTIALLY_REFUNDED':
      return { title: '已部分退款', detail: '退款部分按原支付方式退回' };
  }
}

/**
 * Oldest first, like the events. An event naming a status this code does not know is left out rather than
 * shown raw; the same sentence twice in a row (e.g. UNKNOWN → AWAITING_PAYMENT after a retry) is shown once.
 */
export function patientTimeline(
  events: readonly TimelineEvent[],
  useInsurance: boolean,
  outcome?: OrderOutcome,
): PatientTimelineEntry[] {
  const out: PatientTimelineEntry[] = [];
  for (const e of events) {
    if (!isOrderStatus(e.to)) continue;
    const from = e.from !== null && isOrderStatus(e.from) ? e.from : null;
    const words =
      e.to === 'CANCELLED' && outcome === 'INSURANCE_REFUSED'
        ? { title: '医保结算未通过', detail: '医保没有结算这笔费用，没有扣款；可重新缴费并选择自费' }
        : patientWords(from, e.to, useInsurance);
    const last = out[out.length - 1];
    if (last && last.title === words.title && last.detail === words.detail) continue;
    out.push({ at: e.at, ...words });
  }
  return out;
}
