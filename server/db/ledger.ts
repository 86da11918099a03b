import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { assertBalanced, trialBalance, type LedgerAccount, type LedgerLine } from '../domain/ledger';
import { fenOf } from './columns';
import { oneOf, rowsOf } from './rows';

const ACCOUNTS: readonly LedgerAccount[] = [
  'insurance_fund_receivable',
  'insurance_account_receivable',
  'wechatpay_clearing',
  'patient_charges',
];

/** Appends one balanced posting; asserted before it is written. */
export async function appendPosting(
  manager: EntityManager,
  orderId: string,
  kind: 'settlement' | 'refund',
  lines: LedgerLine[],
  at: Date,
): Promise<void> {
  if (lines.length === 0) return;
  assertBalanced(lines);
  const postingId = randomUUID();
  // one statement for the whole posting: its lines land together or not at all, in one round trip
  await manager.query(
    `INSERT INTO ledger_entries (posting_id, order_id, kind, account, direction, amount_fen, created_at)
     SELECT $1, $2, $3, l.account, l.direction, l.amount_fen, $4
       FROM unnest($5::text[], $6::text[], $7::bigint[]) AS l(account, direction, amount_fen)`,
    [
      postingId,
      orderId,
      kind,
      at,
      lines.map((l) => l.account),
      lines.map((l) => l.direction),
      lines.map((l) => String(l.amountFen)),
    ],
  );
}

/** Net per account and the trial balance over the whole ledger (must be 0). */
export async function readTrialBalance(
  db: DataSource | EntityManager,
): Promise<{ byAccount: Record<string, number>; net: number }> {
  const rows = rowsOf(
    await db.query(
      `SELECT account, direction, sum(amount_fen)::text AS amount FROM ledger_entries GROUP BY account, direction`,
    ),
  );
  return trialBalance(
    rows.map((r) => ({
      account: oneOf(r, 'account', ACCOUNTS),
      direction: oneOf(r, 'direction', ['D', 'C'] as const),
      amountFen: fenOf(r.amount),
    })),
  );
}
