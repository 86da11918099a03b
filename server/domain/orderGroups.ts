/**
 * The patient's order history, sorted the way a patient thinks of it: the status groups of the filter (待缴费,
 * 已缴费, 退款, 已关闭), the months of China time, and how a closed order really ended. Pure: no I/O.
 */
import type { OrderGroupName, OrderOutcome } from '../../shared/api';
import { ORDER_STATUSES, type OrderStatus } from './orderStateMachine';

/** Exhaustive, so a new status fails the type check here until it is placed in a group. */
export function orderGroupOf(status: OrderStatus): OrderGroupName {
  switch (status) {
    // UNKNOWN too: the money may or may not have moved, and the order stays open until the result is known
    case 'CREATED':
    case 'PRESETTLED':
    case 'AWAITING_PAYMENT':
    case 'UNKNOWN':
      return 'unpaid';
    case 'PAID':
    case 'COMPLETED':
      return 'paid';
    case 'REFUNDING':
    case 'REFUNDED':
    case 'PARTIALLY_REFUNDED':
      return 'refund';
    case 'CANCELLED':
    case 'EXPIRED':
    case 'PAYMENT_FAILED':
      return 'closed';
  }
}

export function statusesOfGroup(group: OrderGroupName): OrderStatus[] {
  return ORDER_STATUSES.filter((s) => orderGroupOf(s) === group);
}

const CST_OFFSET = '+08:00';

/** [from, to) of a yyyy-MM month in China time, as instants (ms since the epoch). */
export function cstMonthRange(month: string): { fromMs: number; toMs: number } {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  if (!match) throw new Error(`not a yyyy-MM month: ${month}`);
  const year = Number(match[1]);
  const m = Number(match[2]);
  const next = m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`;
  return {
    fromMs: Date.parse(`${month}-01T00:00:00${CST_OFFSET}`),
    toMs: Date.parse(`${next}-01T00:00:00${CST_OFFSET}`),
  };
}

/** How a closed order really ended, when its status alone would mislead the patient; undefined otherwise. */
export function orderOutcome(facts: {
  status: OrderStatus;
  outcome: OrderOutcome | null;
}): OrderOutcome | undefined {
  return facts.status === 'CANCELLED' && facts.outcome ? facts.outcome : undefined;
}
