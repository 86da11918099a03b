import {
  ORDER_STATUSES,
  assertTransition,
  canTransition,
  isCancellable,
  isTerminal,
  IllegalTransition,
} from '../../server/domain/orderStateMachine';

describe('order state machine', () => {
  it('follows the happy path CREATED → PRESETTLED → AWAITING_PAYMENT → PAID → COMPLETED', () => {
    const path = ['CREATED', 'PRESETTLED', 'AWAITING_PAYMENT', 'PAID', 'COMPLETED'] as const;
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1], path[i])).toBe(true);
  });

  it('never pays an order that was not awaiting payment', () => {
    for (const from of ORDER_STATUSES) {
      expect(canTransition(from, 'PAID')).toBe(from === 'AWAITING_PAYMENT' || from === 'UNKNOWN');
    }
  });

  it('keeps terminal states terminal', () => {
    for (const s of ['CANCELLED', 'EXPIRED', 'PAYMENT_FAILED', 'REFUNDED'] as const) {
      expect(isTerminal(s)).toBe(true);
      for (const to of ORDER_STATUSES) expect(canTransition(s, to)).toBe(false);
    }
  });

  it('lets only unpaid orders be cancelled', () => {
    expect(ORDER_STATUSES.filter(isCancellable)).toEqual(['CREATED', 'PRESETTLED', 'AWAITING_PAYMENT']);
  });

  it('throws IllegalTransition naming both states', () => {
    expect(() => assertTransition('COMPLETED', 'CANCELLED')).toThrow(IllegalTransition);
    expect(() => assertTransition('COMPLETED', 'CANCELLED')).toThrow('COMPLETED to CANCELLED');
  });
});
