/**
 * SQL of stored answers to Idempotency-Key requests (http/idempotency.ts): rows parsed into typed values here.
 */
import { int, rowsOf, text, type Db } from './rows';

export interface StoredAnswer {
  requestHash: string;
  statusCode: number;
  /** the answer's body as it was stored (JSON) */
  response: unknown;
}

export async function findStoredAnswer(db: Db, scope: string, key: string): Promise<StoredAnswer | null> {
  const rows = rowsOf(
    await db.query(
      `SELECT request_hash, status_code, response FROM idempotency_keys WHERE scope = $1 AND key = $2`,
      [scope, key],
    ),
  );
  if (rows.length === 0) return null;
  const r = rows[0];
  return { requestHash: text(r, 'request_hash'), statusCode: int(r, 'status_code'), response: r.response };
}

/** Stores the answer to (scope, key) unless one is stored already (the first answer stands). */
export async function storeAnswer(
  db: Db,
  a: { scope: string; key: string; requestHash: string; statusCode: number; body: unknown; at: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response, created_at) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING`,
    [a.scope, a.key, a.requestHash, a.statusCode, JSON.stringify(a.body ?? null), a.at],
  );
}
