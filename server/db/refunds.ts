/**
 * SQL of refunds beyond their entities (services/refund/refunds.ts): the guarded status moves of a refund and
 * of its legs, each one statement that says whether it happened.
 */
import type { EntityManager } from 'typeorm';
import { returnedRows } from './rows';

/** Moves the refund from `from` to `to` (completed_at set when it ends); false when it was not `from`. */
export async function moveRefundRow(
  m: EntityManager,
  refundId: string,
  from: string,
  to: string,
  at: Date,
): Promise<boolean> {
  const result = returnedRows(
    await m.query(
      `UPDATE refunds SET status = $3, updated_at = $4, completed_at = CASE WHEN $3 IN ('SUCCEEDED','FAILED') THEN $4 ELSE completed_at END
      WHERE id = $1 AND status = $2 RETURNING id`,
      [refundId, from, to, at],
    ),
  );
  return result.length === 1;
}

/** A PENDING leg succeeded with the party's reference; false when another worker recorded it first. */
export async function markLegSucceeded(
  m: EntityManager,
  refundId: string,
  kind: string,
  ref: string,
  at: Date,
): Promise<boolean> {
  const updated = returnedRows(
    await m.query(
      `UPDATE refund_legs SET status = 'SUCCEEDED', external_ref = $3, last_error = NULL, updated_at = $4, completed_at = $4
        WHERE refund_id = $1 AND kind = $2 AND status = 'PENDING' RETURNING kind`,
      [refundId, kind, ref, at],
    ),
  );
  return updated.length === 1;
}

/** A PENDING leg refused for good, with the party's message. */
export async function markLegFailed(
  m: EntityManager,
  refundId: string,
  kind: string,
  message: string,
  at: Date,
): Promise<void> {
  await m.query(
    `UPDATE refund_legs SET status = 'FAILED', last_error = $3, updated_at = $4 WHERE refund_id = $1 AND kind = $2 AND status = 'PENDING'`,
    [refundId, kind, message, at],
  );
}

/**
 * Serializes what follows a refund's money legs (the med-ins notice, queuing the HIS leg) between workers: a
 * transaction-scoped advisory lock keyed by the refund, released at commit or rollback.
 */
export async function lockRefundFollowUp(m: EntityManager, refundId: string): Promise<void> {
  await m.query(`SELECT pg_advisory_xact_lock(hashtext('refund_follow_up:' || $1))`, [refundId]);
}

/** Who approved or rejected a refund awaiting approval, when, and (rejected) why. */
export async function recordRefundDecision(
  m: EntityManager,
  refundId: string,
  by: string,
  reason: string | null,
  at: Date,
): Promise<void> {
  await m.query(
    `UPDATE refunds SET decided_by = $2, decided_at = $3, decision_reason = $4, updated_at = $3 WHERE id = $1`,
    [refundId, by, at, reason],
  );
}
