/** Counts for the operations metrics: orders by state (one GROUP BY over the orders table). */
import type { DataSource } from 'typeorm';
import { int, rowsOf, text } from './rows';

export async function ordersByStatus(db: DataSource): Promise<{ status: string; count: number }[]> {
  const rows = rowsOf(await db.query(`SELECT status, count(*)::int AS n FROM orders GROUP BY status`));
  return rows.map((r) => ({ status: text(r, 'status'), count: int(r, 'n') }));
}
