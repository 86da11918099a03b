/**
 * Waits until a server has nothing left to do for the flows driven so far — no order short of a settled
 * state, no outbox row pending — so the work that follows a flow (HIS confirmation, messages) is counted in
 * the flow's CPU. Bounded.
 */
import { Client } from 'pg';
import { OPEN_ORDER_STATES } from '../../scripts/chaos/quiesce';

export async function untilQuiet(databaseUrl: string, schema: string, timeoutMs: number): Promise<boolean> {
  const client = new Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { rows } = await client.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM orders WHERE status = ANY($1))::int
              + (SELECT count(*) FROM outbox WHERE status = 'PENDING')::int AS n`,
        [OPEN_ORDER_STATES],
      );
      if ((rows[0]?.n ?? 0) === 0) return true;
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  } finally {
    await client.end();
  }
}
