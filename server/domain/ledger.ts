/**
 * Double-entry ledger postings in fen (DESIGN 5). Append-only: a refund is a new posting, never an edit.
 * Each posting balances (debits = credits); the trial balance over all postings is therefore zero.
 */
import { assertSplit, type Split } from '../../shared/money';

export type LedgerAccount =
  /** what the insurance fund (统筹) owes the hospital */
  | 'insurance_fund_receivable'
  /** what the personal accounts (个账) owe the hospital */
  | 'insurance_account_receivable'
  /** cash collected through WeChat Pay, awaiting settlement to the hospital's bank */
  | 'wechatpay_clearing'
  /** patients' charges: the hospital's side of every bill paid */
  | 'patient_charges';

export type Direction = 'D' | 'C';

export interface LedgerLine {
  account: LedgerAccount;
  direction: Direction;
  amountFen: number;
}

export function assertBalanced(lines: readonly LedgerLine[]): void {
  let debits = 0;
  let credits = 0;
  for (const line of lines) {
    if (!Number.isSafeInteger(line.amountFen) || line.amountFen <= 0) {
      throw new RangeError(`ledger line amount must be a positive integer of fen: ${JSON.stringify(line)}`);
    }
    if (line.direction === 'D') debits += line.amountFen;
    else credits += line.amountFen;
  }
  if (debits !== credits) throw new RangeError(`unbalanced posting: debits ${debits} ≠ credits ${credits}`);
}

function legs(split: Split): LedgerLine[] {
  const lines: LedgerLine[] = [
    { account: 'insurance_fund_receivable', direction: 'D', amountFen: split.fund },
    { account: 'insurance_account_receivable', direction: 'D', amountFen: split.account },
    { account: 'wechatpay_clearing', direction: 'D', amountFen: split.cash },
  ];
  return lines.filter((l) => l.amountFen > 0);
}

/** A paid settlement: each paying leg owes the hospital its share of the charge. */
export function settlementPosting(split: Split): LedgerLine[] {
  assertSplit(split, 'settlement split');
  if (split.total === 0) return [];
  const lines = [
    ...legs(split),
    { account: 'patient_charges' as const, direction: 'C' as const, amountFen: split.total },
  ];
  assertBalanced(lines);
  return lines;
}

/** A refund: the mirror of a settlement for the refunded amounts. */
export function refundPosting(refund: Split): LedgerLine[] {
  const lines = settlementPosting(refund).map((l) => ({
    ...l,
    direction: l.direction === 'D' ? ('C' as const) : ('D' as const),
  }));
  assertBalanced(lines);
  return lines;
}

/** Net balance per account (debit positive) and the trial balance, which must be zero. */
export function trialBalance(lines: readonly LedgerLine[]): {
  byAccount: Record<string, number>;
  net: number;
} {
  const byAccount: Record<string, number> = {};
  let net = 0;
  for (const l of lines) {
    const signed = l.direction === 'D' ? l.amountFen : -l.amountFen;
    byAccount[l.account] = (byAccount[l.account] ?? 0) + signed;
    net += signed;
  }
  return { byAccount, net };
}
