import fc from 'fast-check';
import {
  assessBind,
  assessCheckout,
  assessPayment,
  assessRefund,
  RISK_DECISIONS,
  type BindFacts,
  type CheckoutFacts,
  type RiskVerdict,
} from '../../server/domain/risk';
import { RISK_POLICY as POLICY } from '../helpers/riskPolicy';

const quietBind: BindFacts = {
  userBlocked: false,
  cardsBoundByUserToday: 0,
  otherUsersWithIdNo: 0,
  bindsFromDeviceToday: 0,
  failedCodesLastHour: 0,
};

const quietCheckout: CheckoutFacts = {
  userBlocked: false,
  ordersByUserLastHour: 0,
  ordersByCardLastHour: 0,
  ordersByDeviceLastHour: 0,
  cancelledByUserToday: 0,
  failedAuthorizationsToday: 0,
  amountFen: 5_000,
  history: { count: 0, maxFen: 0 },
};

const rules = (v: RiskVerdict) => v.hits.map((h) => h.rule);
const severity = (v: RiskVerdict) => RISK_DECISIONS.indexOf(v.decision);

describe('binding', () => {
  it('allows a quiet binding', () => {
    expect(assessBind(quietBind, POLICY)).toEqual({ decision: 'allow', hits: [] });
  });

  it('steps up the sixth card one user binds in a day (as configured), not the fifth', () => {
    expect(assessBind({ ...quietBind, cardsBoundByUserToday: 4 }, POLICY).decision).toBe('allow');
    const sixth = assessBind({ ...quietBind, cardsBoundByUserToday: 5 }, POLICY);
    expect(sixth.decision).toBe('step_up');
    expect(sixth.hits[0]).toEqual({
      rule: 'cards_per_user_per_day',
      decision: 'step_up',
      inputs: { cardsBoundToday: 5, limit: 5 },
    });
    const refused = assessBind(
      { ...quietBind, cardsBoundByUserToday: 5 },
      { ...POLICY, cardsPerUserDecision: 'block' },
    );
    expect(refused.decision).toBe('block');
  });

  it('steps up an ID number already bound by as many other users as allowed', () => {
    expect(rules(assessBind({ ...quietBind, otherUsersWithIdNo: 3 }, POLICY))).toEqual(['users_per_id_no']);
    expect(assessBind({ ...quietBind, otherUsersWithIdNo: 2 }, POLICY).decision).toBe('allow');
  });

  it('blocks a blocked user, a busy device and a code guesser', () => {
    expect(assessBind({ ...quietBind, userBlocked: true }, POLICY).decision).toBe('block');
    expect(assessBind({ ...quietBind, bindsFromDeviceToday: 10 }, POLICY).decision).toBe('block');
    expect(assessBind({ ...quietBind, failedCodesLastHour: 10 }, POLICY).decision).toBe('block');
    expect(assessBind({ ...quietBind, bindsFromDeviceToday: undefined }, POLICY).decision).toBe('allow');
  });

  it('decides the most severe of the rules that fire, and allow only when none does', () => {
    fc.assert(
      fc.property(
        fc.record({
          userBlocked: fc.boolean(),
          cardsBoundByUserToday: fc.nat(20),
          otherUsersWithIdNo: fc.nat(10),
          bindsFromDeviceToday: fc.option(fc.nat(30), { nil: undefined }),
          failedCodesLastHour: fc.nat(30),
        }),
        (f) => {
          const v = assessBind(f, POLICY);
          const worst = Math.max(0, ...v.hits.map((h) => RISK_DECISIONS.indexOf(h.decision)));
          expect(severity(v)).toBe(worst);
          expect(v.decision === 'allow').toBe(v.hits.length === 0);
        },
      ),
    );
  });

  it('never decides less when a count grows (monotone in every count)', () => {
    fc.assert(
      fc.property(
        fc.nat(20),
        fc.nat(10),
        fc.nat(30),
        fc.nat(30),
        fc.constantFrom(
          'cardsBoundByUserToday',
          'otherUsersWithIdNo',
          'bindsFromDeviceToday',
          'failedCodesLastHour',
        ),
        fc.nat(5),
        (cards, others, device, codes, grown, by) => {
          const f: BindFacts = {
            userBlocked: false,
            cardsBoundByUserToday: cards,
            otherUsersWithIdNo: others,
            bindsFromDeviceToday: device,
            failedCodesLastHour: codes,
          };
          const more = { ...f, [grown]: (f[grown] as number) + by };
          expect(severity(assessBind(more, POLICY))).toBeGreaterThanOrEqual(severity(assessBind(f, POLICY)));
        },
      ),
    );
  });
});

describe('checkout', () => {
  it('allows a quiet checkout', () => {
    expect(assessCheckout(quietCheckout, POLICY).decision).toBe('allow');
  });

  it("reviews an amount far above the patient's own history, once there is a history", () => {
    const history = { count: 3, maxFen: 30_000 };
    expect(assessCheckout({ ...quietCheckout, amountFen: 150_001, history }, POLICY).decision).toBe('review');
    expect(assessCheckout({ ...quietCheckout, amountFen: 150_000, history }, POLICY).decision).toBe('allow');
    // no history yet: nothing to compare with
    expect(
      assessCheckout({ ...quietCheckout, amountFen: 900_000, history: { count: 2, maxFen: 1_000 } }, POLICY)
        .decision,
    ).toBe('allow');
    // small amounts are never held, whatever the history
    expect(
      assessCheckout({ ...quietCheckout, amountFen: 99_000, history: { count: 9, maxFen: 100 } }, POLICY)
        .decision,
    ).toBe('allow');
  });

  it('the amount rule fires exactly when all three conditions hold', () => {
    fc.assert(
      fc.property(fc.nat(2_000_000), fc.nat(10), fc.nat(500_000), (amountFen, count, maxFen) => {
        const v = assessCheckout({ ...quietCheckout, amountFen, history: { count, maxFen } }, POLICY);
        const expected = count >= 3 && amountFen > 100_000 && amountFen > maxFen * 5;
        expect(rules(v).includes('amount_above_history')).toBe(expected);
      }),
    );
  });

  it('blocks velocity per user and per device, reviews velocity per card, steps up after many cancels', () => {
    expect(assessCheckout({ ...quietCheckout, ordersByUserLastHour: 10 }, POLICY).decision).toBe('block');
    expect(assessCheckout({ ...quietCheckout, ordersByDeviceLastHour: 20 }, POLICY).decision).toBe('block');
    expect(assessCheckout({ ...quietCheckout, ordersByCardLastHour: 6 }, POLICY).decision).toBe('review');
    expect(assessCheckout({ ...quietCheckout, cancelledByUserToday: 8 }, POLICY).decision).toBe('step_up');
    expect(assessCheckout({ ...quietCheckout, failedAuthorizationsToday: 5 }, POLICY).decision).toBe(
      'step_up',
    );
    expect(assessCheckout({ ...quietCheckout, ordersByUserLastHour: 9 }, POLICY).decision).toBe('allow');
  });
});

describe('payment and refunds', () => {
  it("refuses a blocked user's payment, even of an order made before the block", () => {
    expect(assessPayment({ userBlocked: true }).decision).toBe('block');
    expect(assessPayment({ userBlocked: false })).toEqual({ decision: 'allow', hits: [] });
  });

  it("reviews a cashier's refund spike and a refund long after the payment", () => {
    expect(assessRefund({ refundsByCashierLastHour: 20, daysSincePayment: 1 }, POLICY).decision).toBe(
      'review',
    );
    expect(assessRefund({ refundsByCashierLastHour: 0, daysSincePayment: 181 }, POLICY).decision).toBe(
      'review',
    );
    expect(assessRefund({ refundsByCashierLastHour: 19, daysSincePayment: 180 }, POLICY).decision).toBe(
      'allow',
    );
  });
});
