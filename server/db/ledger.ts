import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { assertBalanced, trialBalance, type LedgerLine } from '../domain/ledger';

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
  for (const line of lines) {
    await manager.query(
      `INSERT INTO ledger_entries (posting_id, order_id, kind, account, direction, amount_fen, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
      [postingId, orderId, kind, line.account, line.direction, line.amountFen, at],
    );
  }
}

/** Net per account and the trial balance over the whole ledger (must be 0). */
export async function readTrialBalance(
  db: DataSource | EntityManager,
): Promise<{ byAccount: Record<string, number>; net: number }> {
  const rows = (await db.query(
    `SELECT account, direction, sum(amount_fen)::text AS amount FROM ledger_entries GROUP BY account, direction`,
  )) as {
    account: LedgerLine['account'];
    direction: 'D' | 'C';
    amount: string;
  }[];
  return trialBalance(
    rows.map((r) => ({ account: r.account, direction: r.direction, amountFen: Number(r.amount) })),
  );
}
