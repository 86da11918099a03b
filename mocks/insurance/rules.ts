/**
 * The insurance mock's settlement rules (DESIGN 10), pure and in fen. Ratios are basis points
 * (10000 bp = 100 %). Only the fund is rounded (half up, once); the other legs follow by subtraction, so
 * total = fund + account + cash exactly.
 *
 *   in-scope  = Σ A + Σ B × (1 − selfPayRatio)           (C and unknown codes: wholly self-paid)
 *   fund      = min(round_half_up((in-scope − deductible still due) × fund ratio), cap left), ≥ 0
 *   personal  = total − fund
 *   account   = min(balance, personal) when the account may pay, else 0
 *   cash      = personal − account
 *
 * in-scope is kept exact, scaled by 10000, until the single rounding of the fund.
 */
import { assertFen, assertSplit, divRoundHalfUp, type Split } from '../../shared/money';

export const BP_ONE = 10_000;

export type ItemClass = 'A' | 'B' | 'C';
export type InsuredStatus = 'ACTIVE' | 'SUSPENDED' | 'ARREARS' | 'OUT_OF_AREA';
export type Insutype = '310' | '390';
export const INSUTYPES: readonly Insutype[] = ['310', '390'];

export interface CatalogueItem {
  code: string;
  name: string;
  class: ItemClass;
  /** class B only: this item's self-pay ratio; absent → the policy's class B default */
  selfPayRatioBp?: number;
  /** reference price for people building bills; not used by the rules */
  priceFen: number;
}

export interface InsutypePolicy {
  deductibleFen: number;
  fundRatioBp: number;
  annualCapFen: number;
}

export interface Policies {
  classBSelfPayRatioBp: number;
  insutypes: Record<Insutype, InsutypePolicy>;
}

/** What one person has used of one year's deductible and cap. */
export interface YearUsage {
  deductibleUsedFen: number;
  capUsedFen: number;
}

export const NO_USAGE: YearUsage = { deductibleUsedFen: 0, capUsedFen: 0 };

export interface FeeItem {
  code: string;
  amountFen: number;
}

export interface ClassifiedLine extends FeeItem {
  class: ItemClass;
  selfPayRatioBp: number;
  /** false: the code is not in the catalogue, so the line is treated as class C */
  inCatalogue: boolean;
}

export interface SettlementInput {
  lines: readonly FeeItem[];
  catalogue: ReadonlyMap<string, CatalogueItem>;
  policies: Policies;
  insutype: Insutype;
  usage: YearUsage;
  balanceFen: number;
  accountUsed: boolean;
}

export interface SettlementResult {
  split: Split;
  lines: ClassifiedLine[];
  /** in-scope amount rounded half up to the fen (inscp_scp_amt; display only) */
  inScopeFen: number;
  /** Σ class C (fulamt_ownpay_amt) */
  fullOwnPayFen: number;
  /** class B self-paid part (preselfpay_amt) = total − fullOwnPay − inScope */
  preSelfPayFen: number;
  /** deductible this settlement uses up (act_pay_dedc) */
  deductibleConsumedFen: number;
  /** cap left before this settlement */
  capLeftFen: number;
}

export function selfPayRatioBpOf(item: CatalogueItem | undefined, policies: Policies): number {
  if (!item) return BP_ONE;
  switch (item.class) {
    case 'A':
      return 0;
    case 'B':
      return item.selfPayRatioBp ?? policies.classBSelfPayRatioBp;
    case 'C':
      return BP_ONE;
  }
}

export function classifyLine(
  line: FeeItem,
  catalogue: ReadonlyMap<string, CatalogueItem>,
  policies: Policies,
): ClassifiedLine {
  assertFen(line.amountFen, `line ${line.code}`);
  const item = catalogue.get(line.code);
  return {
    ...line,
    class: item?.class ?? 'C',
    selfPayRatioBp: selfPayRatioBpOf(item, policies),
    inCatalogue: item !== undefined,
  };
}

/** round_half_up(n / d) for non-negative BigInts: divRoundHalfUp's rule, for products beyond 2^53. */
function roundHalfUpBig(n: bigint, d: bigint): number {
  return Number((n * 2n + d) / (d * 2n));
}

export function computeSettlement(input: SettlementInput): SettlementResult {
  const policy = input.policies.insutypes[input.insutype];
  assertFen(input.balanceFen, 'balance');
  const lines = input.lines.map((line) => classifyLine(line, input.catalogue, input.policies));
  let total = 0;
  let fullOwnPay = 0;
  let inScopeScaled = 0; // fen × 10000, exact
  for (const line of lines) {
    total += line.amountFen;
    if (line.class === 'C') fullOwnPay += line.amountFen;
    else inScopeScaled += line.amountFen * (BP_ONE - line.selfPayRatioBp);
  }
  assertFen(total, 'total');

  const deductibleDue = Math.max(0, policy.deductibleFen - input.usage.deductibleUsedFen);
  const capLeft = Math.max(0, policy.annualCapFen - input.usage.capUsedFen);
  const fundBaseScaled = Math.max(0, inScopeScaled - deductibleDue * BP_ONE);
  const fundUncapped = roundHalfUpBig(
    BigInt(fundBaseScaled) * BigInt(policy.fundRatioBp),
    BigInt(BP_ONE) * BigInt(BP_ONE),
  );
  const fund = Math.min(fundUncapped, capLeft);

  const personal = total - fund;
  const account = input.accountUsed ? Math.min(input.balanceFen, personal) : 0;
  const split: Split = { total, fund, account, cash: personal - account };
  assertSplit(split, 'settlement');

  const inScopeFen = divRoundHalfUp(inScopeScaled, BP_ONE);
  return {
    split,
    lines,
    inScopeFen,
    fullOwnPayFen: fullOwnPay,
    preSelfPayFen: total - fullOwnPay - inScopeFen,
    deductibleConsumedFen: Math.min(deductibleDue, inScopeFen),
    capLeftFen: capLeft,
  };
}

/** Usage after a settlement is actually settled (never at pre-settlement). */
export function consumeUsage(usage: YearUsage, result: SettlementResult): YearUsage {
  return {
    deductibleUsedFen: usage.deductibleUsedFen + result.deductibleConsumedFen,
    capUsedFen: usage.capUsedFen + result.split.fund,
  };
}

/**
 * Usage after a refund: the fund refunded goes back to the cap; the deductible the settlement used comes back
 * only when the whole settlement is refunded (a partial refund leaves the visit, and its deductible, in place).
 */
export function releaseUsage(
  usage: YearUsage,
  fundRefundedFen: number,
  deductibleReleasedFen: number,
): YearUsage {
  return {
    deductibleUsedFen: Math.max(0, usage.deductibleUsedFen - deductibleReleasedFen),
    capUsedFen: Math.max(0, usage.capUsedFen - fundRefundedFen),
  };
}

export type RefundCheck =
  | { ok: true; refundedAfter: Split; fullyRefunded: boolean }
  | { ok: false; reason: 'AMOUNT_MISMATCH' | 'REFUND_EXCEEDS_SETTLED'; message: string };

const LEGS = ['fund', 'account', 'cash'] as const;

/** A refund request against what was settled and what is already refunded, leg by leg. */
export function checkRefund(settled: Split, refundedSoFar: Split, request: Split): RefundCheck {
  if (request.total !== request.fund + request.account + request.cash || request.total === 0) {
    return {
      ok: false,
      reason: 'AMOUNT_MISMATCH',
      message: 'totlRefdAmt must be the (non-zero) sum of fund, account and cash',
    };
  }
  for (const leg of LEGS) {
    if (refundedSoFar[leg] + request[leg] > settled[leg]) {
      return {
        ok: false,
        reason: 'REFUND_EXCEEDS_SETTLED',
        message: `${leg} refund ${request[leg]} fen exceeds what is left (${settled[leg] - refundedSoFar[leg]} fen)`,
      };
    }
  }
  const refundedAfter: Split = {
    total: refundedSoFar.total + request.total,
    fund: refundedSoFar.fund + request.fund,
    account: refundedSoFar.account + request.account,
    cash: refundedSoFar.cash + request.cash,
  };
  return { ok: true, refundedAfter, fullyRefunded: refundedAfter.total === settled.total };
}

/** 0.1 → 1000 bp; rejects ratios outside [0, 1] or finer than 1 bp. Ratios are not money. */
export function ratioToBp(ratio: number): number | null {
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) return null;
  const bp = Math.round(ratio * BP_ONE);
  return Math.abs(bp - ratio * BP_ONE) < 1e-6 ? bp : null;
}

export function bpToRatio(bp: number): number {
  return bp / BP_ONE;
}
