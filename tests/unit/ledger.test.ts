import fc from 'fast-check';
import { assertBalanced, refundPosting, settlementPosting, trialBalance } from '../../server/domain/ledger';

const splitArb = fc
  .tuple(
    fc.integer({ min: 0, max: 10_000_000 }),
    fc.integer({ min: 0, max: 10_000_000 }),
    fc.integer({ min: 0, max: 10_000_000 }),
  )
  .map(([fund, account, cash]) => ({ total: fund + account + cash, fund, account, cash }));

describe('ledger postings', () => {
  it('balances every settlement and its full refund back to zero (property)', () => {
    fc.assert(
      fc.property(splitArb, (split) => {
        const lines = [...settlementPosting(split), ...refundPosting(split)];
        expect(trialBalance(lines).net).toBe(0);
        for (const amount of Object.values(trialBalance(lines).byAccount)) expect(amount).toBe(0);
      }),
    );
  });

  it('puts each leg on its own account', () => {
    const lines = settlementPosting({ total: 1000, fund: 600, account: 300, cash: 100 });
    expect(trialBalance(lines).byAccount).toEqual({
      insurance_fund_receivable: 600,
      insurance_account_receivable: 300,
      wechatpay_clearing: 100,
      patient_charges: -1000,
    });
  });

  it('refuses an unbalanced or non-integer posting', () => {
    expect(() => assertBalanced([{ account: 'wechatpay_clearing', direction: 'D', amountFen: 10 }])).toThrow(
      /unbalanced/,
    );
    expect(() => assertBalanced([{ account: 'wechatpay_clearing', direction: 'D', amountFen: 1.5 }])).toThrow(
      /positive integer/,
    );
    expect(() => settlementPosting({ total: 10, fund: 5, account: 0, cash: 4 })).toThrow(/total = fund/);
  });
});
