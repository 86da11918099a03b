import fc from 'fast-check';
import {
  checkRefund,
  computeSettlement,
  consumeUsage,
  NO_USAGE,
  ratioToBp,
  releaseUsage,
  type CatalogueItem,
  type FeeItem,
  type Insutype,
  type Policies,
  type SettlementInput,
  type YearUsage,
} from '../../mocks/insurance/rules';
import { seedCatalogue, seedPolicies } from '../../mocks/insurance/seed';

const catalogue = new Map<string, CatalogueItem>(seedCatalogue().map((item) => [item.code, item]));
const policies = seedPolicies();

const CT = '210300001'; // B, 20 %
const BLOOD = '250101015'; // A
const CEFIXIME = 'XJ01DDA087'; // B, 10 %
const IMPORTED = 'XJ01CRA001'; // C
const REGISTRATION = '110100001'; // A
const LIVER = '250301002'; // B, policy default 10 %

const visit: FeeItem[] = [
  { code: CT, amountFen: 30_000 },
  { code: BLOOD, amountFen: 2_500 },
  { code: CEFIXIME, amountFen: 4_800 },
  { code: IMPORTED, amountFen: 12_000 },
  { code: REGISTRATION, amountFen: 500 },
];

function settle(
  lines: FeeItem[],
  over: Partial<{
    insutype: Insutype;
    usage: YearUsage;
    balanceFen: number;
    accountUsed: boolean;
    policies: Policies;
  }> = {},
) {
  return computeSettlement({
    lines,
    catalogue,
    policies: over.policies ?? policies,
    insutype: over.insutype ?? '310',
    usage: over.usage ?? NO_USAGE,
    balanceFen: over.balanceFen ?? 150_000,
    accountUsed: over.accountUsed ?? true,
  });
}

describe('computeSettlement — worked examples (DESIGN 10)', () => {
  test('employee, first visit of the year: deductible first, 70 % of the rest, the account pays the remainder', () => {
    const r = settle(visit);
    // in-scope = 2500 + 500 + 30000 × 0.8 + 4800 × 0.9 = 31320; fund = (31320 − 20000) × 0.7 = 7924
    expect(r.inScopeFen).toBe(31_320);
    expect(r.fullOwnPayFen).toBe(12_000);
    expect(r.preSelfPayFen).toBe(6_480);
    expect(r.deductibleConsumedFen).toBe(20_000);
    expect(r.split).toEqual({ total: 49_800, fund: 7_924, account: 41_876, cash: 0 });
  });

  test('the same visit once the deductible is used: 70 % of all in-scope', () => {
    const r = settle(visit, { usage: { deductibleUsedFen: 20_000, capUsedFen: 7_924 } });
    expect(r.deductibleConsumedFen).toBe(0);
    expect(r.split).toEqual({ total: 49_800, fund: 21_924, account: 27_876, cash: 0 });
  });

  test('resident: deductible 10000 and 50 %; half a fen rounds up', () => {
    const r = settle([{ code: BLOOD, amountFen: 10_001 }], { insutype: '390', balanceFen: 0 });
    // (10001 − 10000) × 0.5 = 0.5 → 1
    expect(r.split).toEqual({ total: 10_001, fund: 1, account: 0, cash: 10_000 });
  });

  test('class B without its own ratio uses the policy default (10 %)', () => {
    const r = settle([{ code: LIVER, amountFen: 8_000 }], {
      usage: { deductibleUsedFen: 20_000, capUsedFen: 0 },
    });
    expect(r.inScopeFen).toBe(7_200);
    expect(r.split.fund).toBe(5_040);
  });

  test('a code not in the catalogue is class C: wholly self-paid', () => {
    const r = settle([{ code: 'NOT-IN-CATALOGUE', amountFen: 5_000 }], {
      usage: { deductibleUsedFen: 20_000, capUsedFen: 0 },
    });
    expect(r.lines[0]).toMatchObject({ class: 'C', inCatalogue: false, selfPayRatioBp: 10_000 });
    expect(r.split).toEqual({ total: 5_000, fund: 0, account: 5_000, cash: 0 });
  });

  test('the fund stops at what is left of the annual cap', () => {
    const r = settle(visit, { usage: { deductibleUsedFen: 20_000, capUsedFen: 499_000 } });
    expect(r.capLeftFen).toBe(1_000);
    expect(r.split.fund).toBe(1_000);
  });

  test('with a small balance the account pays what it has and cash the rest', () => {
    const r = settle(visit, { balanceFen: 1_000 });
    expect(r.split).toEqual({ total: 49_800, fund: 7_924, account: 1_000, cash: 40_876 });
  });

  test('when the patient keeps the account out, the personal share is all cash', () => {
    const r = settle(visit, { accountUsed: false });
    expect(r.split).toEqual({ total: 49_800, fund: 7_924, account: 0, cash: 41_876 });
  });

  test('in-scope below the deductible: no fund, and only the in-scope part of the deductible is used', () => {
    const r = settle([{ code: BLOOD, amountFen: 2_500 }]);
    expect(r.split.fund).toBe(0);
    expect(r.deductibleConsumedFen).toBe(2_500);
  });
});

describe('usage of deductible and cap', () => {
  test('consumeUsage adds the deductible used and the fund paid', () => {
    const r = settle(visit);
    expect(consumeUsage(NO_USAGE, r)).toEqual({ deductibleUsedFen: 20_000, capUsedFen: 7_924 });
  });

  test('releaseUsage gives back the fund and, on a whole refund, the deductible; never below zero', () => {
    expect(releaseUsage({ deductibleUsedFen: 20_000, capUsedFen: 7_924 }, 7_924, 20_000)).toEqual(NO_USAGE);
    expect(releaseUsage({ deductibleUsedFen: 20_000, capUsedFen: 7_924 }, 1_000, 0)).toEqual({
      deductibleUsedFen: 20_000,
      capUsedFen: 6_924,
    });
    expect(releaseUsage({ deductibleUsedFen: 5, capUsedFen: 5 }, 10, 10)).toEqual(NO_USAGE);
  });
});

describe('checkRefund', () => {
  const settled = { total: 49_800, fund: 7_924, account: 41_876, cash: 0 };
  const none = { total: 0, fund: 0, account: 0, cash: 0 };

  test('a whole refund is fully refunded', () => {
    expect(checkRefund(settled, none, settled)).toEqual({
      ok: true,
      refundedAfter: settled,
      fullyRefunded: true,
    });
  });

  test('refuses more than is left on a leg', () => {
    const first = { total: 40_000, fund: 0, account: 40_000, cash: 0 };
    expect(checkRefund(settled, first, { total: 2_000, fund: 0, account: 2_000, cash: 0 })).toMatchObject({
      ok: false,
      reason: 'REFUND_EXCEEDS_SETTLED',
    });
  });

  test('refuses legs that do not sum to the total, and an empty refund', () => {
    expect(checkRefund(settled, none, { total: 10, fund: 5, account: 4, cash: 0 })).toMatchObject({
      ok: false,
      reason: 'AMOUNT_MISMATCH',
    });
    expect(checkRefund(settled, none, none)).toMatchObject({ ok: false, reason: 'AMOUNT_MISMATCH' });
  });
});

describe('ratioToBp', () => {
  test('converts ratios with up to 4 decimals and refuses the rest', () => {
    expect(ratioToBp(0.1)).toBe(1_000);
    expect(ratioToBp(0.0001)).toBe(1);
    expect(ratioToBp(1)).toBe(10_000);
    expect(ratioToBp(0.00001)).toBeNull();
    expect(ratioToBp(1.1)).toBeNull();
    expect(ratioToBp(-0.1)).toBeNull();
  });
});

describe('computeSettlement — properties', () => {
  const codes = [...catalogue.keys(), 'UNKNOWN-1', 'UNKNOWN-2'];
  const line = fc.record({
    code: fc.constantFrom(...codes),
    amountFen: fc.integer({ min: 0, max: 5_000_000 }),
  });
  const policy = fc.record({
    deductibleFen: fc.integer({ min: 0, max: 1_000_000 }),
    fundRatioBp: fc.integer({ min: 0, max: 10_000 }),
    annualCapFen: fc.integer({ min: 0, max: 10_000_000 }),
  });
  const anyPolicies: fc.Arbitrary<Policies> = fc.record({
    classBSelfPayRatioBp: fc.integer({ min: 0, max: 10_000 }),
    insutypes: fc.record({ '310': policy, '390': policy }),
  });
  const input = fc.record({
    lines: fc.array(line, { minLength: 1, maxLength: 30 }),
    policies: anyPolicies,
    insutype: fc.constantFrom<Insutype>('310', '390'),
    usage: fc.record({
      deductibleUsedFen: fc.integer({ min: 0, max: 1_200_000 }),
      capUsedFen: fc.integer({ min: 0, max: 12_000_000 }),
    }),
    balanceFen: fc.integer({ min: 0, max: 50_000_000 }),
    accountUsed: fc.boolean(),
  });
  const run = (i: Omit<SettlementInput, 'catalogue'>) => computeSettlement({ ...i, catalogue });

  test('the legs sum to the total, and no leg is negative', () => {
    fc.assert(
      fc.property(input, (i) => {
        const { split } = run(i);
        const total = i.lines.reduce((s, l) => s + l.amountFen, 0);
        expect(split.total).toBe(total);
        expect(split.fund + split.account + split.cash).toBe(total);
        for (const leg of [split.fund, split.account, split.cash]) expect(leg).toBeGreaterThanOrEqual(0);
        for (const leg of [split.fund, split.account, split.cash]) expect(Number.isInteger(leg)).toBe(true);
      }),
    );
  });

  test('the fund never exceeds the in-scope amount nor what is left of the cap', () => {
    fc.assert(
      fc.property(input, (i) => {
        const r = run(i);
        expect(r.split.fund).toBeLessThanOrEqual(r.inScopeFen);
        expect(r.split.fund).toBeLessThanOrEqual(
          Math.max(0, i.policies.insutypes[i.insutype].annualCapFen - i.usage.capUsedFen),
        );
      }),
    );
  });

  test('the account never pays more than the balance, and nothing when it may not', () => {
    fc.assert(
      fc.property(input, (i) => {
        const { split } = run(i);
        expect(split.account).toBeLessThanOrEqual(i.balanceFen);
        if (!i.accountUsed) expect(split.account).toBe(0);
      }),
    );
  });

  test('cash is 0 when the account may pay and the balance suffices', () => {
    fc.assert(
      fc.property(input, (i) => {
        const { split } = run({ ...i, accountUsed: true, balanceFen: 50_000_000 * 30 });
        expect(split.cash).toBe(0);
      }),
    );
  });

  test('settling then refunding the whole settlement gives the usage back', () => {
    fc.assert(
      fc.property(input, (i) => {
        const r = run(i);
        const after = consumeUsage(i.usage, r);
        expect(releaseUsage(after, r.split.fund, r.deductibleConsumedFen)).toEqual(i.usage);
      }),
    );
  });

  test('partial refunds never take a leg past what was settled', () => {
    const legs = fc.record({ fund: fc.nat(60_000), account: fc.nat(60_000), cash: fc.nat(60_000) });
    fc.assert(
      fc.property(input, fc.array(legs, { maxLength: 6 }), (i, requests) => {
        const settled = run(i).split;
        let refunded = { total: 0, fund: 0, account: 0, cash: 0 };
        for (const r of requests) {
          const check = checkRefund(settled, refunded, { ...r, total: r.fund + r.account + r.cash });
          if (check.ok) refunded = check.refundedAfter;
        }
        expect(refunded.fund).toBeLessThanOrEqual(settled.fund);
        expect(refunded.account).toBeLessThanOrEqual(settled.account);
        expect(refunded.cash).toBeLessThanOrEqual(settled.cash);
        expect(refunded.total).toBe(refunded.fund + refunded.account + refunded.cash);
      }),
    );
  });
});
