/** An order's split as stored (fen): read by payments, settlement, refunds and views alike, owned by none of them. */
import type { Split } from '../../../shared/money';
import type { OrderRow } from '../../db/entities';

export function splitOf(row: OrderRow): Split {
  return { total: row.totalFen, fund: row.fundFen, account: row.accountFen, cash: row.cashFen };
}
