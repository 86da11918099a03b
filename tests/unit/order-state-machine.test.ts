import {
  ORDER_STATUSES,
  assertTransition,
  canTransition,
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

  it('has exactly the edges something takes (every edge pinned)', () => {
    const edges = ORDER_STATUSES.flatMap((from) =>
      ORDER_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`),
    );
    expect(edges).toEqual([
      'CREATED→PRESETTLED',
      'CREATED→CANCELLED',
      'PRESETTLED→AWAITING_PAYMENT',
      'PRESETTLED→CANCELLED',
      'PRESETTLED→EXPIRED',
      'AWAITING_PAYMENT→UNKNOWN',
      'AWAITING_PAYMENT→PAID',
      'AWAITING_PAYMENT→CANCELLED',
      'AWAITING_PAYMENT→EXPIRED',
      'AWAITING_PAYMENT→PAYMENT_FAILED',
      'UNKNOWN→AWAITING_PAYMENT',
      'UNKNOWN→PAID',
      'UNKNOWN→CANCELLED',
      'UNKNOWN→EXPIRED',
      'UNKNOWN→PAYMENT_FAILED',
      'PAID→COMPLETED',
      'COMPLETED→REFUNDING',
      'REFUNDING→REFUNDED',
      'REFUNDING→PARTIALLY_REFUNDED',
      'PARTIALLY_REFUNDED→REFUNDING',
    ]);
  });

  it('throws IllegalTransition naming both states', () => {
    expect(() => assertTransition('COMPLETED', 'CANCELLED')).toThrow(IllegalTransition);
    expect(() => assertTransition('COMPLETED', 'CANCELLED')).toThrow('COMPLETED to CANCELLED');
  });
});
