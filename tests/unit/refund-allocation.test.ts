import fc from 'fast-check';
import {
  REFUND_STATUSES,
  claimsMoney,
  needsApproval,
  allocateRefund,
  canRefundTransition,
  legsOf,
  leftOf,
  otherFundOfRefund,
  refundNoOf,
  sumSplits,
} from '../../server/domain/refunds';
import type { Split } from '../../shared/money';

const fen = (max = 10_000_000) => fc.integer({ min: 0, max });

/** A paid split and a refunded split that never exceeds it per leg. */
const paidAndRefunded = fc
  .tuple(fen(), fen(), fen(), fc.double({ min: 0, max: 1, noNaN: true }))
  .chain(([fund, account, cash]) =>
    fc
      .tuple(
        fc.integer({ min: 0, max: fund }),
        fc.integer({ min: 0, max: account }),
        fc.integer({ min: 0, max: cash }),
      )
      .map(([rf, ra, rc]) => ({
        paid: { total: fund + account + cash, fund, account, cash } as Split,
        refunded: { total: rf + ra + rc, fund: rf, account: ra, cash: rc } as Split,
      })),
  );

describe('allocateRefund(paid, refunded, amount?)', () => {
  it('sums to the amount exactly, never beyond what is left of a leg, never negative', () => {
    fc.assert(
      fc.property(
        paidAndRefunded.chain((p) => {
          const left = p.paid.total - p.refunded.total;
          return fc.record({
            paid: fc.constant(p.paid),
            refunded: fc.constant(p.refunded),
            amount: left === 0 ? fc.constant(1) : fc.integer({ min: 1, max: left }),
          });
        }),
        ({ paid, refunded, amount }) => {
          const result = allocateRefund(paid, refunded, amount);
          const left = leftOf(paid, refunded);
          if (left.total === 0) {
            expect(result).toEqual({ ok: false, code: 'NOTHING_TO_REFUND' });
            return;
          }
          if (!result.ok) throw new Error(`unexpected ${result.code}`);
          const s = result.split;
          expect(s.total).toBe(amount);
          expect(s.fund + s.account + s.cash).toBe(amount);
          for (const part of ['fund', 'account', 'cash'] as const) {
            expect(s[part]).toBeGreaterThanOrEqual(0);
            expect(s[part]).toBeLessThanOrEqual(left[part]);
            expect(Number.isInteger(s[part])).toBe(true);
          }
        },
      ),
    );
  });

  it('is deterministic: the same inputs give the same split', () => {
    fc.assert(
      fc.property(paidAndRefunded, ({ paid, refunded }) => {
        expect(allocateRefund(paid, refunded)).toEqual(allocateRefund(paid, refunded));
      }),
    );
  });

  it('without an amount refunds exactly what is left of every leg', () => {
    fc.assert(
      fc.property(paidAndRefunded, ({ paid, refunded }) => {
        const result = allocateRefund(paid, refunded);
        const left = leftOf(paid, refunded);
        if (left.total === 0) expect(result.ok).toBe(false);
        else expect(result).toEqual({ ok: true, split: left });
      }),
    );
  });

  it('refunds in any number of parts never over-refund a leg and end exactly at the paid split', () => {
    fc.assert(
      fc.property(
        fen(),
        fen(),
        fen(),
        fc.array(fc.integer({ min: 1, max: 5_000_000 }), { maxLength: 8 }),
        (fund, account, cash, parts) => {
          const paid: Split = { total: fund + account + cash, fund, account, cash };
          const done: Split[] = [];
          for (const part of parts) {
            const result = allocateRefund(paid, sumSplits(done), part);
            if (result.ok) done.push(result.split);
            else if (result.code === 'REFUND_EXCEEDS_PAID')
              expect(result.leftFen).toBe(paid.total - sumSplits(done).total);
          }
          const rest = allocateRefund(paid, sumSplits(done));
          if (rest.ok) done.push(rest.split);
          expect(sumSplits(done)).toEqual(paid);
        },
      ),
    );
  });

  it('spreads pro rata with the odd fen going to the largest remainder', () => {
    const paid = { total: 300, fund: 100, account: 100, cash: 100 };
    expect(allocateRefund(paid, { total: 0, fund: 0, account: 0, cash: 0 }, 100)).toEqual({
      ok: true,
      split: { total: 100, fund: 34, account: 33, cash: 33 },
    });
    const mixed = { total: 10_000, fund: 7_000, account: 2_000, cash: 1_000 };
    expect(allocateRefund(mixed, { total: 0, fund: 0, account: 0, cash: 0 }, 5_001)).toEqual({
      ok: true,
      split: { total: 5_001, fund: 3_501, account: 1_000, cash: 500 },
    });
  });

  it('refuses more than is left with REFUND_EXCEEDS_PAID and the amount left', () => {
    const paid = { total: 1_000, fund: 0, account: 0, cash: 1_000 };
    expect(allocateRefund(paid, { total: 600, fund: 0, account: 0, cash: 600 }, 401)).toEqual({
      ok: false,
      code: 'REFUND_EXCEEDS_PAID',
      leftFen: 400,
    });
  });

  it('throws on a non-positive or fractional amount (a programmer error; the API validates first)', () => {
    const paid = { total: 1_000, fund: 0, account: 0, cash: 1_000 };
    const none = { total: 0, fund: 0, account: 0, cash: 0 };
    expect(() => allocateRefund(paid, none, 0)).toThrow(RangeError);
    expect(() => allocateRefund(paid, none, 1.5)).toThrow(RangeError);
  });
});

describe('legsOf(split)', () => {
  it('makes a cash leg, an insurance leg (fund + account) and an HIS leg, leaving out legs of 0 fen', () => {
    expect(legsOf({ total: 100, fund: 50, account: 20, cash: 30 })).toEqual([
      { kind: 'cash', amountFen: 30 },
      { kind: 'insurance', amountFen: 70 },
      { kind: 'his', amountFen: 100 },
    ]);
    expect(legsOf({ total: 100, fund: 0, account: 0, cash: 100 }).map((l) => l.kind)).toEqual([
      'cash',
      'his',
    ]);
    expect(legsOf({ total: 100, fund: 60, account: 40, cash: 0 }).map((l) => l.kind)).toEqual([
      'insurance',
      'his',
    ]);
  });
});

describe('refund state machine', () => {
  it('goes (AWAITING_APPROVAL →) REQUESTED → PROCESSING → SUCCEEDED | FAILED, or is rejected, and nowhere else', () => {
    const allowed = new Set([
      'AWAITING_APPROVAL>REQUESTED',
      'AWAITING_APPROVAL>REJECTED',
      'REQUESTED>PROCESSING',
      'PROCESSING>SUCCEEDED',
      'PROCESSING>FAILED',
    ]);
    for (const from of REFUND_STATUSES)
      for (const to of REFUND_STATUSES)
        expect(canRefundTransition(from, to)).toBe(allowed.has(`${from}>${to}`));
  });
});

describe('refundNoOf(orderNo, sequence)', () => {
  it('derives a unique number per refund of an order, within WeChat’s 32 characters', () => {
    const orderNo = 'MO202501011200001234567890';
    expect(refundNoOf(orderNo, 1)).toBe('RF20250101120000123456789001');
    expect(refundNoOf(orderNo, 12).length).toBeLessThanOrEqual(32);
    expect(() => refundNoOf(orderNo, 100)).toThrow(RangeError);
  });
});

describe('otherFundOfRefund(order, fundRefundedBefore, fundOfRefund)', () => {
  it('gives back nothing to other funds when the order had none', () => {
    expect(otherFundOfRefund({ fundFen: 6000, fundOtherFen: 0 }, 0, 6000)).toBe(0);
  });

  it('over any sequence of refunds, gives back exactly the other funds once the fund is refunded whole', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 1_000_000 })
          .chain((fund) =>
            fc.tuple(
              fc.constant(fund),
              fc.integer({ min: 0, max: fund }),
              fc.array(fc.integer({ min: 1, max: fund }), { minLength: 1, maxLength: 8 }),
            ),
          ),
        ([fund, other, cuts]) => {
          const order = { fundFen: fund, fundOtherFen: other };
          // refunds that together give back the whole fund
          const points = [...new Set(cuts.map((c) => c % fund))].filter((c) => c > 0).sort((a, b) => a - b);
          const bounds = [0, ...points, fund];
          let before = 0;
          let others = 0;
          for (let i = 1; i < bounds.length; i++) {
            const part = bounds[i] - bounds[i - 1];
            const o = otherFundOfRefund(order, before, part);
            expect(o).toBeGreaterThanOrEqual(0);
            expect(o).toBeLessThanOrEqual(part);
            others += o;
            before += part;
          }
          expect(others).toBe(other);
        },
      ),
    );
  });

  it('refuses a refund beyond the fund', () => {
    expect(() => otherFundOfRefund({ fundFen: 100, fundOtherFen: 10 }, 90, 11)).toThrow(RangeError);
  });
});

describe('four eyes', () => {
  it("holds a cashier's refund above the threshold, never a supervisor's, and never one at the threshold", () => {
    fc.assert(
      fc.property(
        fc.nat(1_000_000),
        fc.nat(1_000_000),
        fc.constantFrom('cashier', 'supervisor'),
        (total, limit, role) => {
          expect(needsApproval(role, total, limit)).toBe(role === 'cashier' && total > limit);
        },
      ),
    );
  });

  it('a rejected refund claims nothing of what was paid; every other one does', () => {
    expect(REFUND_STATUSES.filter((s) => !claimsMoney(s))).toEqual(['REJECTED']);
  });
});
