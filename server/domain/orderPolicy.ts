/**
 * What may be done with an order now (issue 12): one place for the state lists the services check and for the
 * actions the UIs offer. The views carry `allowedActions` so no page keeps a status list of its own; the
 * services check the same predicates again under the order lock.
 */
import type { ConsoleOrderAction, PatientOrderAction } from '../../shared/api';
import { canTransition, type OrderStatus } from './orderStateMachine';

/** The patient may still open the WeChat cashier (the confirm page's 去支付). */
export const PATIENT_PAYABLE: readonly OrderStatus[] = ['PRESETTLED', 'AWAITING_PAYMENT'];
/** A payment WeChat reports is applied to an order in these states; anything else is late or already paid. */
export const PAYMENT_APPLICABLE: readonly OrderStatus[] = ['AWAITING_PAYMENT', 'UNKNOWN'];
/** A refund may start from these; REFUNDING waits for the refund under way. */
export const REFUNDABLE: readonly OrderStatus[] = ['COMPLETED', 'PARTIALLY_REFUNDED'];
/**
 * Only an order that was completed can carry refunds or refund requests (they start from REFUNDABLE): the views
 * ask for them only then, which spares the result page's polls two statements each.
 */
export const MAY_HOLD_REFUNDS: readonly OrderStatus[] = [
  'COMPLETED',
  'REFUNDING',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
];

export function mayHoldRefunds(status: OrderStatus): boolean {
  return MAY_HOLD_REFUNDS.includes(status);
}
/** Closed without anything having been taken (DESIGN 5): a payment reported now is a late payment. */
export type ClosedUnpaidStatus = 'CANCELLED' | 'EXPIRED' | 'PAYMENT_FAILED';
export const CLOSED_UNPAID: readonly ClosedUnpaidStatus[] = ['CANCELLED', 'EXPIRED', 'PAYMENT_FAILED'];

export function canPatientPay(status: OrderStatus): boolean {
  return PATIENT_PAYABLE.includes(status);
}

export function canApplyPayment(status: OrderStatus): boolean {
  return PAYMENT_APPLICABLE.includes(status);
}

/** The patient may still back out: nothing has been taken. */
export function canCancel(status: OrderStatus): boolean {
  return canTransition(status, 'CANCELLED') && status !== 'UNKNOWN';
}

export function isClosedUnpaid(status: OrderStatus): status is ClosedUnpaidStatus {
  return (CLOSED_UNPAID as readonly OrderStatus[]).includes(status);
}

/** A refund may start now: the order is refundable and something is left to give back. */
export function canRefund(status: OrderStatus, leftFen: number): boolean {
  return REFUNDABLE.includes(status) && leftFen > 0;
}

/** What the order facts the policy needs are: its state, what is left, whether a patient request waits. */
export interface OrderFacts {
  status: OrderStatus;
  totalFen: number;
  /** every refund counted, failed ones too (a failed refund's money is settled by a person) */
  refundedOrClaimedFen: number;
  pendingRequest: boolean;
  /** a cashier's large refund waits for a supervisor (four eyes): no other refund starts meanwhile */
  refundAwaitingApproval: boolean;
  /** the risk rules hold the order (until a cashier approves it, or the patient proves the card): no pay */
  riskHeld: boolean;
}

export function patientActions(o: OrderFacts): PatientOrderAction[] {
  const actions: PatientOrderAction[] = [];
  if (canPatientPay(o.status) && !o.riskHeld) actions.push('pay');
  if (canCancel(o.status)) actions.push('cancel');
  if (
    canRefund(o.status, o.totalFen - o.refundedOrClaimedFen) &&
    !o.pendingRequest &&
    !o.refundAwaitingApproval
  )
    actions.push('request-refund');
  return actions;
}

export function consoleActions(o: OrderFacts): ConsoleOrderAction[] {
  const actions: ConsoleOrderAction[] = [];
  const left = o.totalFen - o.refundedOrClaimedFen;
  const refundable = canRefund(o.status, left) && !o.refundAwaitingApproval;
  if (refundable) actions.push('refund');
  if (o.pendingRequest && refundable) actions.push('approve-request');
  if (o.pendingRequest) actions.push('reject-request');
  // the server also checks the role (supervisors only) and that the approver is not the refund's cashier
  if (o.refundAwaitingApproval) actions.push('approve-refund', 'reject-refund');
  return actions;
}
