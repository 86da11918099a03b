/**
 * The order state machine (DESIGN 5): the only place that decides whether a transition is allowed.
 * Services name the from-state they expect when they write, so a lost race is visible, never silent.
 */
import { ORDER_STATUS_NAMES, type OrderStatusName } from '../../shared/api';

export const ORDER_STATUSES = ORDER_STATUS_NAMES;
export type OrderStatus = OrderStatusName;

const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  CREATED: ['PRESETTLED', 'CANCELLED'],
  PRESETTLED: ['AWAITING_PAYMENT', 'CANCELLED', 'EXPIRED'],
  // CANCELLED from AWAITING_PAYMENT: the patient backs out of the WeChat sheet; we close the WeChat order first
  AWAITING_PAYMENT: ['PAID', 'PAYMENT_FAILED', 'EXPIRED', 'UNKNOWN', 'CANCELLED'],
  // only the janitor moves UNKNOWN, by querying the parties
  UNKNOWN: ['AWAITING_PAYMENT', 'PAID', 'PAYMENT_FAILED', 'EXPIRED', 'CANCELLED'],
  PAID: ['COMPLETED'],
  COMPLETED: ['REFUNDING'],
  CANCELLED: [],
  EXPIRED: [],
  PAYMENT_FAILED: [],
  // a refund that fails keeps the order REFUNDING for a person (its money is settled by hand)
  REFUNDING: ['REFUNDED', 'PARTIALLY_REFUNDED'],
  REFUNDED: [],
  // a partly refunded order may be refunded further, up to what is left
  PARTIALLY_REFUNDED: ['REFUNDING'],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export class IllegalTransition extends Error {
  constructor(
    readonly from: OrderStatus,
    readonly to: OrderStatus,
  ) {
    super(`order cannot go from ${from} to ${to}`);
    this.name = 'IllegalTransition';
  }
}

export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) throw new IllegalTransition(from, to);
}

export function isTerminal(status: OrderStatus): boolean {
  return TRANSITIONS[status].length === 0;
}

export function isOrderStatus(value: string): value is OrderStatus {
  return (ORDER_STATUSES as readonly string[]).includes(value);
}
