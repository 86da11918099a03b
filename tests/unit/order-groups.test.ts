import { ORDER_GROUP_NAMES, ordersQuery } from '../../shared/api';
import { cstMonthRange, orderGroupOf, orderOutcome, statusesOfGroup } from '../../server/domain/orderGroups';
import { ORDER_STATUSES, type OrderStatus } from '../../server/domain/orderStateMachine';

describe('orderGroupOf(status)', () => {
  it.each<[OrderStatus, string]>([
    ['CREATED', 'unpaid'],
    ['PRESETTLED', 'unpaid'],
    ['AWAITING_PAYMENT', 'unpaid'],
    ['UNKNOWN', 'unpaid'],
    ['PAID', 'paid'],
    ['COMPLETED', 'paid'],
    ['REFUNDING', 'refund'],
    ['REFUNDED', 'refund'],
    ['PARTIALLY_REFUNDED', 'refund'],
    ['CANCELLED', 'closed'],
    ['EXPIRED', 'closed'],
    ['PAYMENT_FAILED', 'closed'],
  ])('puts %s in %s', (status, group) => {
    expect(orderGroupOf(status)).toBe(group);
  });
});

describe('statusesOfGroup(group)', () => {
  it('splits every status into exactly one group, none left over', () => {
    const all = ORDER_GROUP_NAMES.flatMap((g) => statusesOfGroup(g));
    expect([...all].sort()).toEqual([...ORDER_STATUSES].sort());
  });

  it('gives the refund group its three statuses', () => {
    expect(statusesOfGroup('refund')).toEqual(['REFUNDING', 'REFUNDED', 'PARTIALLY_REFUNDED']);
  });
});

describe('cstMonthRange(month)', () => {
  it('starts and ends at midnight China time (16:00 UTC the day before)', () => {
    const { fromMs, toMs } = cstMonthRange('2026-03');
    expect(new Date(fromMs).toISOString()).toBe('2026-02-28T16:00:00.000Z');
    expect(new Date(toMs).toISOString()).toBe('2026-03-31T16:00:00.000Z');
  });

  it('rolls December over into January of the next year', () => {
    const { fromMs, toMs } = cstMonthRange('2026-12');
    expect(new Date(fromMs).toISOString()).toBe('2026-11-30T16:00:00.000Z');
    expect(new Date(toMs).toISOString()).toBe('2026-12-31T16:00:00.000Z');
  });

  it('refuses anything but yyyy-MM (a programmer error: the schema checks first)', () => {
    expect(() => cstMonthRange('2026-3')).toThrow(/yyyy-MM/);
  });
});

describe('orderOutcome({status, outcome})', () => {
  it('says a cancelled checkout the insurance platform refused was refused', () => {
    expect(orderOutcome({ status: 'CANCELLED', outcome: 'INSURANCE_REFUSED' })).toBe('INSURANCE_REFUSED');
  });

  it('says nothing of other orders', () => {
    expect(orderOutcome({ status: 'CANCELLED', outcome: null })).toBeUndefined();
    expect(orderOutcome({ status: 'COMPLETED', outcome: null })).toBeUndefined();
    expect(orderOutcome({ status: 'PRESETTLED', outcome: 'INSURANCE_REFUSED' })).toBeUndefined();
  });
});

describe('ordersQuery', () => {
  it('takes each filter, and none', () => {
    expect(ordersQuery.parse({})).toEqual({});
    const q = { patientId: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b', status: 'paid', month: '2026-12' };
    expect(ordersQuery.parse(q)).toEqual(q);
  });

  it('refuses a bad month, an unknown group, a malformed card id and an unknown key', () => {
    for (const bad of [
      { month: '2026-13' },
      { month: '2026-1' },
      { status: 'PAID' },
      { patientId: 'abc' },
      { page: '2' },
    ])
      expect(ordersQuery.safeParse(bad).success).toBe(false);
  });
});
