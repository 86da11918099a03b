/**
 * Transactional outbox (DESIGN 7): side effects that must follow a commit are rows written in the same
 * transaction, then worked by any instance with FOR UPDATE SKIP LOCKED. A claim is a lease: a worker that dies
 * mid-call leaves the row to be claimed again when the lease runs out, so handlers must be idempotent.
 */
import type { DataSource, EntityManager } from 'typeorm';
import type { OutboxRow } from './entities';
import { int, jsonObject, returnedRows, rowsOf, text, textOrNull, type Db } from './rows';

export type OutboxKind =
  | 'his_confirm'
  | 'release'
  | 'refund_leg'
  | 'late_payment_return'
  /** a verified payment callback, applied after it was answered (services/payment/confirm.ts) */
  | 'confirm_payment'
  /** a card-binding code texted to the patient's phone (services/patient/binding.ts); no order */
  | 'sms_send'
  /** a subscribe message to a patient (services/notify/send.ts); the order it is about, if any */
  | 'notify';

export async function enqueue(
  manager: EntityManager,
  kind: OutboxKind,
  dedupeKey: string,
  orderId: string | null,
  payload: Record<string, unknown>,
  at: Date,
): Promise<void> {
  await manager.query(
    `INSERT INTO outbox (kind, order_id, dedupe_key, payload, status, attempts, next_attempt_at, created_at)
     VALUES ($1, $2, $3, $4, 'PENDING', 0, $5, $5) ON CONFLICT (dedupe_key) DO NOTHING`,
    [kind, orderId, dedupeKey, JSON.stringify(payload), at],
  );
}

export type ClaimedJob = Pick<OutboxRow, 'id' | 'kind' | 'orderId' | 'dedupeKey' | 'payload' | 'attempts'>;

export async function claimDue(
  db: DataSource,
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<ClaimedJob[]> {
  const result = returnedRows(
    await db.query(
      `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2, updated_at = $1
      WHERE id IN (SELECT id FROM outbox WHERE status = 'PENDING' AND next_attempt_at <= $1
                    ORDER BY next_attempt_at, id FOR UPDATE SKIP LOCKED LIMIT $3)
      RETURNING id, kind, order_id, dedupe_key, payload, attempts`,
      [now, new Date(now.getTime() + leaseMs), limit],
    ),
  );
  return result.map((r) => ({
    id: text(r, 'id'),
    kind: text(r, 'kind'),
    orderId: textOrNull(r, 'order_id'),
    dedupeKey: text(r, 'dedupe_key'),
    payload: jsonObject(r, 'payload'),
    attempts: int(r, 'attempts'),
  }));
}

export async function markDone(db: DataSource, id: string, now: Date): Promise<void> {
  await db.query(`UPDATE outbox SET status = 'DONE', last_error = NULL, updated_at = $2 WHERE id = $1`, [
    id,
    now,
  ]);
}

export async function markFailed(
  db: DataSource,
  id: string,
  error: string,
  nextAttemptAt: Date | null,
  now: Date,
): Promise<void> {
  if (nextAttemptAt === null) {
    await db.query(`UPDATE outbox SET status = 'DEAD', last_error = $2, updated_at = $3 WHERE id = $1`, [
      id,
      error.slice(0, 2000),
      now,
    ]);
  } else {
    await db.query(`UPDATE outbox SET next_attempt_at = $2, last_error = $3, updated_at = $4 WHERE id = $1`, [
      id,
      nextAttemptAt,
      error.slice(0, 2000),
      now,
    ]);
  }
}

export async function outboxDepth(db: DataSource): Promise<number> {
  const rows = rowsOf(await db.query(`SELECT count(*)::int AS n FROM outbox WHERE status = 'PENDING'`));
  return int(rows[0], 'n');
}

/** Whether a job of that dedupe key was ever queued (whatever its state). */
export async function isQueued(db: Db, dedupeKey: string): Promise<boolean> {
  const queued = rowsOf(await db.query(`SELECT 1 FROM outbox WHERE dedupe_key = $1`, [dedupeKey]));
  return queued.length > 0;
}

/** Makes a PENDING job due at `at` if it was due later; false when there is no such job to hurry. */
export async function nudgeJob(db: Db, dedupeKey: string, at: Date): Promise<boolean> {
  const result = returnedRows(
    await db.query(
      `UPDATE outbox SET next_attempt_at = $2 WHERE dedupe_key = $1 AND status = 'PENDING' AND next_attempt_at > $2 RETURNING id`,
      [dedupeKey, at],
    ),
  );
  return result.length > 0;
}

/** A DEAD (or PENDING) job of that key is due again at `at`, its attempts reset; false when there is none. */
export async function reviveJob(m: EntityManager, dedupeKey: string, at: Date): Promise<boolean> {
  const revived = returnedRows(
    await m.query(
      `UPDATE outbox SET status = 'PENDING', attempts = 0, next_attempt_at = $2, last_error = NULL, updated_at = $2
        WHERE dedupe_key = $1 AND status IN ('DEAD', 'PENDING') RETURNING id`,
      [dedupeKey, at],
    ),
  );
  return revived.length > 0;
}
