import fc from 'fast-check';
import {
  applyBasisPoints,
  assertSplit,
  divRoundHalfUp,
  fenToYuan,
  formatFen,
  mixPayTypeOf,
  yuanToFen,
  FEN_MAX,
} from '../../shared/money';

describe('yuanToFen / fenToYuan', () => {
  it.each([
    ['12.34', 1234],
    ['12.3', 1230],
    ['12', 1200],
    ['0.05', 5],
    ['0.00', 0],
    ['-1.20', -120],
  ])('reads %s as %d fen', (yuan, fen) => {
    expect(yuanToFen(yuan)).toBe(fen);
  });

  it.each(['12.345', '1e3', '', ' ', '12.', '.5', 'abc', '1,000.00', 'NaN', '0x10'])('refuses %j', (bad) => {
    expect(() => yuanToFen(bad)).toThrow(RangeError);
  });

  it('writes two decimals always', () => {
    expect(fenToYuan(5)).toBe('0.05');
    expect(fenToYuan(1230)).toBe('12.30');
    expect(fenToYuan(-120)).toBe('-1.20');
    expect(formatFen(123456)).toBe('¥1234.56');
  });

  it('round-trips every amount exactly (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -FEN_MAX, max: FEN_MAX }), (fen) => {
        expect(yuanToFen(fenToYuan(fen))).toBe(fen);
      }),
    );
  });

  it('refuses fractions of a fen in fenToYuan', () => {
    expect(() => fenToYuan(1.5)).toThrow(RangeError);
  });
});

describe('rounding', () => {
  it('rounds half up, in integers', () => {
    expect(divRoundHalfUp(5, 10)).toBe(1);
    expect(divRoundHalfUp(4, 10)).toBe(0);
    expect(divRoundHalfUp(15, 10)).toBe(2);
    expect(applyBasisPoints(12345, 7000)).toBe(8642); // 8641.5 → 8642
    expect(applyBasisPoints(1, 5000)).toBe(1);
  });

  it('never exceeds the amount and stays within half a fen of the exact share (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: FEN_MAX }), fc.integer({ min: 0, max: 10_000 }), (fen, bp) => {
        const share = applyBasisPoints(fen, bp);
        expect(share).toBeGreaterThanOrEqual(0);
        expect(share).toBeLessThanOrEqual(fen);
        const exactTimes2 = 2n * BigInt(fen) * BigInt(bp);
        const diff = 2n * BigInt(share) * 10_000n - exactTimes2;
        expect(diff >= -10_000n && diff <= 10_000n).toBe(true);
      }),
    );
  });
});

describe('split', () => {
  it('holds total = fund + account + cash or throws', () => {
    expect(() => assertSplit({ total: 100, fund: 50, account: 30, cash: 20 })).not.toThrow();
    expect(() => assertSplit({ total: 100, fund: 50, account: 30, cash: 21 })).toThrow(RangeError);
    expect(() => assertSplit({ total: 100, fund: -1, account: 81, cash: 20 })).toThrow(RangeError);
    expect(() => assertSplit({ total: 10.5, fund: 10.5, account: 0, cash: 0 })).toThrow(RangeError);
  });

  it('derives mix_pay_type from the split', () => {
    expect(mixPayTypeOf({ total: 100, fund: 0, account: 0, cash: 100 })).toBe('CASH_ONLY');
    expect(mixPayTypeOf({ total: 100, fund: 60, account: 40, cash: 0 })).toBe('INSURANCE_ONLY');
    expect(mixPayTypeOf({ total: 100, fund: 60, account: 0, cash: 40 })).toBe('CASH_AND_INSURANCE');
  });
});
