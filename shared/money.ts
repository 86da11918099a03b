/**
 * Money is an integer number of fen (分) everywhere inside the system. Yuan strings ("12.34") exist only at
 * adapter edges (insurance mobile-payment set, WeChat trade bill) and are converted here, exactly, without floats.
 */

/** Largest amount we accept anywhere: 10^11 fen = 1 billion yuan; far below 2^53, so integer math stays exact. */
export const FEN_MAX = 100_000_000_000;

export function isFen(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= FEN_MAX;
}

export function assertFen(value: unknown, what = 'amount'): asserts value is number {
  if (!isFen(value))
    throw new RangeError(`${what} must be an integer number of fen in [0, ${FEN_MAX}], got ${String(value)}`);
}

const YUAN_PATTERN = /^(-)?(\d{1,12})(?:\.(\d{1,2}))?$/;

/** "12.3" → 1230, "0.05" → 5, "-1.20" → -120. Rejects more than two decimals, exponents, blanks. */
export function yuanToFen(yuan: string): number {
  const match = YUAN_PATTERN.exec(yuan.trim());
  if (!match) throw new RangeError(`not a yuan amount: ${JSON.stringify(yuan)}`);
  const [, minus, whole, decimals = ''] = match;
  const fen = Number(whole) * 100 + Number(decimals.padEnd(2, '0'));
  if (fen > FEN_MAX) throw new RangeError(`yuan amount too large: ${yuan}`);
  return minus ? -fen : fen;
}

/** 1230 → "12.30", 5 → "0.05", -120 → "-1.20". Always two decimals. */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`fen must be an integer, got ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const cents = abs % 100;
  const whole = (abs - cents) / 100; // exact: abs − cents is a multiple of 100
  return `${sign}${whole}.${String(cents).padStart(2, '0')}`;
}

/** Display form for people: "¥12.30". */
export function formatFen(fen: number): string {
  return `¥${fenToYuan(fen)}`;
}

/**
 * round_half_up(numerator / denominator) for non-negative integers — the single rounding rule of the system.
 * Used where a ratio is applied to fen (the insurance fund share), so no float ever touches money.
 */
export function divRoundHalfUp(numerator: number, denominator: number): number {
  if (
    !Number.isSafeInteger(numerator) ||
    !Number.isSafeInteger(denominator) ||
    denominator <= 0 ||
    numerator < 0
  ) {
    throw new RangeError(`divRoundHalfUp needs non-negative safe integers and a positive denominator`);
  }
  const n = BigInt(numerator);
  const d = BigInt(denominator);
  return Number((n * 2n + d) / (d * 2n));
}

/** Applies a ratio given in basis points (1 % = 100 bp) to an amount in fen, rounding half up. */
export function applyBasisPoints(fen: number, basisPoints: number): number {
  assertFen(fen);
  if (!Number.isInteger(basisPoints) || basisPoints < 0 || basisPoints > 10_000) {
    throw new RangeError(`basis points must be an integer in [0, 10000], got ${basisPoints}`);
  }
  return divRoundHalfUp(fen * basisPoints, 10_000);
}

/** How a settlement is paid. total = fund + account + cash, always. */
export interface Split {
  total: number;
  /** 统筹 and other funds */
  fund: number;
  /** 个人账户 */
  account: number;
  /** 自费, paid through WeChat Pay */
  cash: number;
}

export function isValidSplit(split: Split): boolean {
  return (
    isFen(split.total) &&
    isFen(split.fund) &&
    isFen(split.account) &&
    isFen(split.cash) &&
    split.total === split.fund + split.account + split.cash
  );
}

export function assertSplit(split: Split, what = 'split'): void {
  if (!isValidSplit(split)) {
    throw new RangeError(
      `${what} breaks total = fund + account + cash: ${JSON.stringify({ total: split.total, fund: split.fund, account: split.account, cash: split.cash })}`,
    );
  }
}

export function cashOnlySplit(total: number): Split {
  assertFen(total, 'total');
  return { total, fund: 0, account: 0, cash: total };
}

export function sumFen(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) {
    assertFen(value);
    sum += value;
  }
  assertFen(sum, 'sum');
  return sum;
}

export type MixPayType = 'CASH_ONLY' | 'INSURANCE_ONLY' | 'CASH_AND_INSURANCE';

/** WeChat's mix_pay_type follows from the split; never chosen separately. */
export function mixPayTypeOf(split: Split): MixPayType {
  assertSplit(split);
  const insurance = split.fund + split.account;
  if (insurance === 0) return 'CASH_ONLY';
  return split.cash === 0 ? 'INSURANCE_ONLY' : 'CASH_AND_INSURANCE';
}
