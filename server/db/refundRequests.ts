/**
 * SQL of patients' refund requests (services/refund/requests.ts): rows parsed into typed values here. The claim,
 * its release and the guarded finish are each one statement; see the service for why in that order.
 */
import type { EntityManager } from 'typeorm';
import type { RefundRequestStatus } from '../../shared/api';
import { fenOf } from './columns';
import {
  date,
  dateOrNull,
  int,
  returnedRows,
  rowsOf,
  oneOf,
  text,
  textOrNull,
  type Db,
  type Row,
} from './rows';

const STATUSES: readonly RefundRequestStatus[] = ['PENDING', 'APPROVED', 'REJECTED'];

/** A request with its order's number. While PENDING, decided_* are an approver's claim, not a decision. */
export interface RefundRequestRow {
  id: string;
  order_id: string;
  order_no: string;
  /** fen; null = the rest of the order */
  amount_fen: number | null;
  reason: string;
  status: RefundRequestStatus;
  created_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
  refund_id: string | null;
}

const SELECT_REQUESTS = `SELECT r.id, r.order_id, o.order_no, r.amount_fen, r.reason, r.status, r.created_at,
    r.decided_by, r.decided_at, r.decision_reason, r.refund_id
  FROM refund_requests r JOIN orders o ON o.id = r.order_id`;

function parse(r: Row): RefundRequestRow {
  return {
    id: text(r, 'id'),
    order_id: text(r, 'order_id'),
    order_no: text(r, 'order_no'),
    amount_fen: r.amount_fen === null ? null : fenOf(r.amount_fen),
    reason: text(r, 'reason'),
    status: oneOf(r, 'status', STATUSES),
    created_at: date(r, 'created_at'),
    decided_by: textOrNull(r, 'decided_by'),
    decided_at: dateOrNull(r, 'decided_at'),
    decision_reason: textOrNull(r, 'decision_reason'),
    refund_id: textOrNull(r, 'refund_id'),
  };
}

export async function readRefundRequest(db: Db, id: string): Promise<RefundRequestRow | undefined> {
  const rows = rowsOf(await db.query(`${SELECT_REQUESTS} WHERE r.id = $1`, [id]));
  return rows.length === 0 ? undefined : parse(rows[0]);
}

/** Every refund of the order counts against what is left: done, in flight, and failed ones (fen). */
export async function reservedRefundFen(m: EntityManager, orderId: string): Promise<number> {
  const [row] = rowsOf(
    await m.query(`SELECT COALESCE(sum(total_fen), 0) AS reserved FROM refunds WHERE order_id = $1`, [
      orderId,
    ]),
  );
  return fenOf(row.reserved);
}

export async function insertRefundRequest(
  m: EntityManager,
  r: { id: string; orderId: string; openid: string; amountFen: number | null; reason: string; at: Date },
): Promise<void> {
  await m.query(
    `INSERT INTO refund_requests (id, order_id, openid, amount_fen, reason, status, created_at)
     VALUES ($1, $2, $3, $4, $5, 'PENDING', $6)`,
    [r.id, r.orderId, r.openid, r.amountFen, r.reason, r.at],
  );
}

/** How many requests the order has, and how many of them are PENDING. */
export async function countRefundRequests(
  m: EntityManager,
  orderId: string,
): Promise<{ pending: number; total: number }> {
  const [row] = rowsOf(
    await m.query(
      `SELECT count(*) FILTER (WHERE status = 'PENDING') AS pending, count(*) AS total
         FROM refund_requests WHERE order_id = $1`,
      [orderId],
    ),
  );
  return { pending: int(row, 'pending'), total: int(row, 'total') };
}

/** The requests of some orders, newest first. */
export async function refundRequestsOfOrders(
  db: Db,
  orderIds: readonly string[],
): Promise<RefundRequestRow[]> {
  const rows = rowsOf(
    await db.query(
      `${SELECT_REQUESTS} WHERE r.order_id = ANY($1::uuid[]) ORDER BY r.created_at DESC, r.id DESC`,
      [[...orderIds]],
    ),
  );
  return rows.map(parse);
}

/** Newest first, at most `limit`; of one status when given. */
export async function listRefundRequestRows(
  db: Db,
  status: RefundRequestStatus | undefined,
  limit: number,
): Promise<RefundRequestRow[]> {
  const rows = rowsOf(
    await db.query(
      `${SELECT_REQUESTS} WHERE ($1::text IS NULL OR r.status = $1) ORDER BY r.created_at DESC, r.id DESC LIMIT $2`,
      [status ?? null, limit],
    ),
  );
  return rows.map(parse);
}

/** Marks a PENDING request with no live claim (none, or one from before `lapsedBefore`) as `by`'s; false when not. */
export async function claimRefundRequest(
  db: Db,
  id: string,
  by: string,
  at: Date,
  lapsedBefore: Date,
): Promise<boolean> {
  const claimed = returnedRows(
    await db.query(
      `UPDATE refund_requests SET decided_by = $2, decided_at = $3
        WHERE id = $1 AND status = 'PENDING' AND (decided_at IS NULL OR decided_at <= $4) RETURNING id`,
      [id, by, at, lapsedBefore],
    ),
  );
  return claimed.length === 1;
}

/** Gives back a claim that is still ours (the request stays PENDING). */
export async function releaseRefundRequestClaim(
  db: Db,
  id: string,
  by: string,
  claimAt: Date,
): Promise<void> {
  await db.query(
    `UPDATE refund_requests SET decided_by = NULL, decided_at = NULL
      WHERE id = $1 AND status = 'PENDING' AND decided_by = $2 AND decided_at = $3`,
    [id, by, claimAt],
  );
}

/** APPROVED with its refund, if still PENDING under our claim; false when the claim was lost. */
export async function finishRefundRequestApproval(
  m: EntityManager,
  id: string,
  by: string,
  claimAt: Date,
  refundId: string,
  decidedAt: Date,
): Promise<boolean> {
  const finished = returnedRows(
    await m.query(
      `UPDATE refund_requests SET status = 'APPROVED', refund_id = $4, decided_at = $5
        WHERE id = $1 AND status = 'PENDING' AND decided_by = $2 AND decided_at = $3 RETURNING id`,
      [id, by, claimAt, refundId, decidedAt],
    ),
  );
  return finished.length === 1;
}

/** The request's row lock; false when there is no such request. */
export async function lockRefundRequest(m: EntityManager, id: string): Promise<boolean> {
  const locked = rowsOf(await m.query(`SELECT id FROM refund_requests WHERE id = $1 FOR UPDATE`, [id]));
  return locked.length === 1;
}

/** Whether a refund was already made for the request. */
export async function refundMadeForRequest(m: EntityManager, id: string): Promise<boolean> {
  const made = rowsOf(await m.query(`SELECT 1 FROM refunds WHERE refund_request_id = $1`, [id]));
  return made.length > 0;
}

export async function rejectRefundRequestRow(
  m: EntityManager,
  id: string,
  by: string,
  at: Date,
  reason: string,
): Promise<void> {
  await m.query(
    `UPDATE refund_requests SET status = 'REJECTED', decided_by = $2, decided_at = $3, decision_reason = $4
      WHERE id = $1 AND status = 'PENDING'`,
    [id, by, at, reason],
  );
}
