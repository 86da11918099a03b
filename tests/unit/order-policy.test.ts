import { canTransition, ORDER_STATUSES, type OrderStatus } from '../../server/domain/orderStateMachine';
import {
  canApplyPayment,
  canCancel,
  canPatientPay,
  canRefund,
  consoleActions,
  isClosedUnpaid,
  MAY_HOLD_REFUNDS,
  mayHoldRefunds,
  REFUNDABLE,
  patientActions,
  type OrderFacts,
} from '../../server/domain/orderPolicy';

const facts = (status: OrderStatus, over: Partial<OrderFacts> = {}): OrderFacts => ({
  status,
  totalFen: 10_000,
  refundedOrClaimedFen: 0,
  pendingRequest: false,
  refundAwaitingApproval: false,
  riskHeld: false,
  ...over,
});

/** One row per state: [patient may pay, may cancel, payment applies, closed unpaid, refundable]. */
const TABLE: Record<OrderStatus, [boolean, boolean, boolean, boolean, boolean]> = {
  CREATED: [false, true, false, false, false],
  PRESETTLED: [true, true, false, false, false],
  AWAITING_PAYMENT: [true, true, true, false, false],
  UNKNOWN: [false, false, true, false, false],
  PAID: [false, false, false, false, false],
  COMPLETED: [false, false, false, false, true],
  CANCELLED: [false, false, false, true, false],
  EXPIRED: [false, false, false, true, false],
  PAYMENT_FAILED: [false, false, false, true, false],
  REFUNDING: [false, false, false, false, false],
  REFUNDED: [false, false, false, false, false],
  PARTIALLY_REFUNDED: [false, false, false, false, true],
};

describe('order policy', () => {
  it.each(ORDER_STATUSES)('decides %s', (status) => {
    const [pay, cancel, apply, closed, refund] = TABLE[status];
    expect(canPatientPay(status)).toBe(pay);
    expect(canCancel(status)).toBe(cancel);
    expect(canApplyPayment(status)).toBe(apply);
    expect(isClosedUnpaid(status)).toBe(closed);
    expect(canRefund(status, 1)).toBe(refund);
    expect(canRefund(status, 0)).toBe(false);
  });

  it('looks for refunds exactly where a refund can have started: every state reachable from a refundable one', () => {
    const reachable = new Set<OrderStatus>(REFUNDABLE);
    for (let grew = true; grew;) {
      grew = false;
      for (const from of [...reachable])
        for (const to of ORDER_STATUSES)
          if (canTransition(from, to) && !reachable.has(to)) {
            reachable.add(to);
            grew = true;
          }
    }
    expect([...reachable].sort()).toEqual([...MAY_HOLD_REFUNDS].sort());
    for (const s of ORDER_STATUSES) expect(mayHoldRefunds(s)).toBe(reachable.has(s));
  });

  it('never offers a refund of a PAID order (the HIS has not confirmed it yet)', () => {
    expect(consoleActions(facts('PAID'))).toEqual([]);
    expect(patientActions(facts('PAID'))).toEqual([]);
  });

  it('offers the patient what the state allows', () => {
    expect(patientActions(facts('PRESETTLED'))).toEqual(['pay', 'cancel']);
    // held by the risk rules: it may be cancelled, not paid
    expect(patientActions(facts('PRESETTLED', { riskHeld: true }))).toEqual(['cancel']);
    expect(patientActions(facts('UNKNOWN'))).toEqual([]);
    expect(patientActions(facts('COMPLETED'))).toEqual(['request-refund']);
    expect(patientActions(facts('COMPLETED', { pendingRequest: true }))).toEqual([]);
    expect(patientActions(facts('PARTIALLY_REFUNDED', { refundedOrClaimedFen: 10_000 }))).toEqual([]);
  });

  it('offers the cashier a refund while money is left, and the pending request', () => {
    expect(consoleActions(facts('COMPLETED'))).toEqual(['refund']);
    expect(consoleActions(facts('COMPLETED', { pendingRequest: true }))).toEqual([
      'refund',
      'approve-request',
      'reject-request',
    ]);
    // a request waiting while a refund is under way can only be turned down (or waited on)
    expect(consoleActions(facts('REFUNDING', { pendingRequest: true }))).toEqual(['reject-request']);
    expect(consoleActions(facts('PARTIALLY_REFUNDED', { refundedOrClaimedFen: 10_000 }))).toEqual([]);
  });

  it('while a large refund waits for a supervisor, offers its approval and nothing else that refunds', () => {
    const waiting = facts('COMPLETED', { refundAwaitingApproval: true, pendingRequest: true });
    expect(consoleActions(waiting)).toEqual(['reject-request', 'approve-refund', 'reject-refund']);
    expect(patientActions(facts('COMPLETED', { refundAwaitingApproval: true }))).toEqual([]);
  });
});
