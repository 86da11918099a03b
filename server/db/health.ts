/** The readiness probe's question to PostgreSQL: does it answer a trivial query now. */
import type { DataSource } from 'typeorm';

export async function pingDatabase(db: DataSource): Promise<void> {
  await db.query('SELECT 1');
}
