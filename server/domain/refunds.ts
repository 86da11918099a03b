/**
 * Refunds (DESIGN 5): the refund state machine and the allocation of a refund amount over the legs of a paid
 * split. Pure: no I/O, no clock.
 *
 * Allocation rule — pro rata to what is left of each leg, largest remainder, integer fen:
 *   left_i = paid_i − refunded_i for i in (fund, account, cash); L = Σ left_i; A = the amount (≤ L).
 *   base_i = ⌊A · left_i / L⌋; the A − Σ base_i fen still owed go one each to the legs with the largest
 *   remainder (A · left_i mod L), ties broken in the fixed order fund, account, cash.
 * So the legs sum to A exactly, no leg goes below 0 or beyond what is left of it, the same inputs always give
 * the same answer, and refunding everything left gives back exactly what is left of every leg. Products are
 * taken in BigInt, so amounts up to FEN_MAX stay exact.
 */
import { assertSplit, isFen, type Split } from '../../shared/money';

export const REFUND_STATUSES = [
  'AWAITING_APPROVAL',
  'REQUESTED',
  'PROCESSING',
  'SUCCEEDED',
  'FAILED',
  'REJECTED',
] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

const TRANSITIONS: Record<RefundStatus, readonly RefundStatus[]> = {
  // four eyes: a cashier's large refund waits for a supervisor, who starts it or turns it down
  AWAITING_APPROVAL: ['REQUESTED', 'REJECTED'],
  // the first leg to be worked moves the refund to PROCESSING
  REQUESTED: ['PROCESSING'],
  // SUCCEEDED when every leg has; FAILED when a party refused a leg for good (a person must look at it)
  PROCESSING: ['SUCCEEDED', 'FAILED'],
  SUCCEEDED: [],
  FAILED: [],
  // nothing moved: the amount is free to refund again
  REJECTED: [],
};

/** Four eyes: a cashier's refund above the threshold (fen) waits for a supervisor; a supervisor's does not. */
export function needsApproval(role: string, totalFen: number, thresholdFen: number): boolean {
  return role !== 'supervisor' && totalFen > thresholdFen;
}

/** A refund that claims part of what was paid: every one but a rejected one (a failed one may have moved money). */
export function claimsMoney(status: RefundStatus): boolean {
  return status !== 'REJECTED';
}

export function canRefundTransition(from: RefundStatus, to: RefundStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertRefundTransition(from: RefundStatus, to: RefundStatus): void {
  if (!canRefundTransition(from, to)) throw new RangeError(`refund cannot go from ${from} to ${to}`);
}

export const REFUND_LEG_KINDS = ['cash', 'insurance', 'his'] as const;
export type RefundLegKind = (typeof REFUND_LEG_KINDS)[number];
export type RefundLegStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

/** Money legs move money back to the patient; the HIS leg follows them (it only records the refund). */
export function isMoneyLeg(kind: RefundLegKind): boolean {
  switch (kind) {
    case 'cash':
    case 'insurance':
      return true;
    case 'his':
      return false;
  }
}

/** The legs a refund split needs, with their amounts; legs of 0 fen are not created. */
export function legsOf(split: Split): { kind: RefundLegKind; amountFen: number }[] {
  assertSplit(split, 'refund split');
  const legs: { kind: RefundLegKind; amountFen: number }[] = [];
  if (split.cash > 0) legs.push({ kind: 'cash', amountFen: split.cash });
  if (split.fund + split.account > 0) legs.push({ kind: 'insurance', amountFen: split.fund + split.account });
  if (split.total > 0) legs.push({ kind: 'his', amountFen: split.total });
  return legs;
}

export type Allocation =
  | { ok: true; split: Split }
  | { ok: false; code: 'REFUND_EXCEEDS_PAID'; leftFen: number }
  | { ok: false; code: 'NOTHING_TO_REFUND' };

const PARTS = ['fund', 'account', 'cash'] as const;

/** What is left to refund of each leg: paid − refunded (both valid splits, refunded ≤ paid per leg). */
export function leftOf(paid: Split, refunded: Split): Split {
  assertSplit(paid, 'paid split');
  assertSplit(refunded, 'refunded split');
  const left: Split = {
    total: paid.total - refunded.total,
    fund: paid.fund - refunded.fund,
    account: paid.account - refunded.account,
    cash: paid.cash - refunded.cash,
  };
  if (!PARTS.every((p) => left[p] >= 0))
    throw new RangeError(`refunded beyond what was paid: ${JSON.stringify({ paid, refunded })}`);
  return left;
}

/**
 * Splits a refund of `amountFen` (undefined = everything left) over the legs, pro rata to what is left of
 * each. More than is left → REFUND_EXCEEDS_PAID; nothing left → NOTHING_TO_REFUND.
 */
export function allocateRefund(paid: Split, refunded: Split, amountFen?: number): Allocation {
  const left = leftOf(paid, refunded);
  if (left.total === 0) return { ok: false, code: 'NOTHING_TO_REFUND' };
  const amount = amountFen ?? left.total;
  if (!isFen(amount) || amount === 0)
    throw new RangeError(`refund amount must be a positive integer of fen, got ${amount}`);
  if (amount > left.total) return { ok: false, code: 'REFUND_EXCEEDS_PAID', leftFen: left.total };

  const a = BigInt(amount);
  const l = BigInt(left.total);
  const shares = PARTS.map((part, index) => {
    const product = a * BigInt(left[part]);
    return { part, index, base: Number(product / l), remainder: product % l };
  });
  let owed = amount - shares.reduce((sum, s) => sum + s.base, 0);
  const order = [...shares].sort((x, y) =>
    x.remainder === y.remainder ? x.index - y.index : x.remainder > y.remainder ? -1 : 1,
  );
  for (const share of order) {
    if (owed === 0) break;
    if (share.remainder === 0n) continue;
    share.base += 1;
    owed -= 1;
  }
  if (owed !== 0) throw new Error(`allocation left ${owed} fen unplaced`); // cannot happen: Σ rem = owed · L
  const split: Split = { total: amount, fund: shares[0].base, account: shares[1].base, cash: shares[2].base };
  assertSplit(split, 'allocated refund');
  for (const part of PARTS) {
    if (split[part] > left[part]) throw new Error(`allocation gave ${part} more than is left`);
  }
  return { ok: true, split };
}

/** The sum of several refund splits (what has been refunded, or reserved by refunds under way). */
export function sumSplits(splits: readonly Split[]): Split {
  const sum: Split = { total: 0, fund: 0, account: 0, cash: 0 };
  for (const s of splits) {
    assertSplit(s, 'refund split');
    sum.total += s.total;
    sum.fund += s.fund;
    sum.account += s.account;
    sum.cash += s.cash;
  }
  return sum;
}

/** The refund number: the order's number with RF in place of MO and a two-digit sequence (≤ 32 characters). */
export const REFUNDS_PER_ORDER_MAX = 99;

export function refundNoOf(orderNo: string, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > REFUNDS_PER_ORDER_MAX)
    throw new RangeError(`refund sequence must be 1..${REFUNDS_PER_ORDER_MAX}, got ${sequence}`);
  return `RF${orderNo.slice(2)}${String(sequence).padStart(2, '0')}`;
}

/**
 * The part of a refund's fund that goes back to funds other than 统筹 (WeChat's med_ins_other_fee), when the order's
 * fund was paid partly by them: proportional to what has been refunded of the fund so far, rounded down
 * cumulatively, so the refunds of an order give back exactly `fundOtherFen` once the whole fund is refunded.
 * `fundRefundedBefore` is the fund refunded by the order's earlier refunds.
 */
export function otherFundOfRefund(
  order: { fundFen: number; fundOtherFen: number },
  fundRefundedBefore: number,
  fundOfRefund: number,
): number {
  if (order.fundOtherFen === 0 || order.fundFen === 0) return 0;
  if (fundRefundedBefore + fundOfRefund > order.fundFen)
    throw new RangeError(
      `fund refunded ${fundRefundedBefore + fundOfRefund} exceeds the fund ${order.fundFen}`,
    );
  const upTo = (fund: number) => Math.floor((fund * order.fundOtherFen) / order.fundFen);
  return upTo(fundRefundedBefore + fundOfRefund) - upTo(fundRefundedBefore);
}
