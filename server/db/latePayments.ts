/**
 * SQL of late payments (services/payment/late.ts): the late_payments row, its trace in order_events, the
 * guarded RETURNED mark and the nudge of its return job. Rows parsed into typed values here.
 */
import type { EntityManager } from 'typeorm';
import { assertSplit, type Split } from '../../shared/money';
import { CLOSED_UNPAID, type ClosedUnpaidStatus } from '../domain/orderPolicy';
import { fenOf } from './columns';
import { date, oneOf, returnedRows, rowsOf, text, textOrNull, type Db } from './rows';

export interface LatePaymentRow {
  orderId: string;
  orderNo: string;
  orderStatus: ClosedUnpaidStatus;
  split: Split;
  cashRefundNo: string;
  insuranceRefundNo: string | null;
  status: 'RETURNING' | 'RETURNED';
  createdAt: Date;
}

/** What WeChat reported, as written; false when the order's late payment was recorded before. */
export async function insertLatePayment(
  m: EntityManager,
  p: {
    orderId: string;
    orderNo: string;
    orderStatus: ClosedUnpaidStatus;
    reportedBy: string;
    reference: string;
    transactionId: string | null;
    mixTradeNo: string | null;
    split: Split;
    cashRefundNo: string;
    insuranceRefundNo: string | null;
    paidAt: Date;
    createdAt: Date;
  },
): Promise<boolean> {
  const inserted = returnedRows(
    await m.query(
      `INSERT INTO late_payments (order_id, order_no, order_status, reported_by, reference, transaction_id, mix_trade_no,
                                total_fen, fund_fen, account_fen, cash_fen, cash_refund_no, insurance_refund_no,
                                status, paid_at, created_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,'RETURNING',$14,$15)
     ON CONFLICT (order_id) DO NOTHING RETURNING order_id`,
      [
        p.orderId,
        p.orderNo,
        p.orderStatus,
        p.reportedBy,
        p.reference,
        p.transactionId,
        p.mixTradeNo,
        p.split.total,
        p.split.fund,
        p.split.account,
        p.split.cash,
        p.cashRefundNo,
        p.insuranceRefundNo,
        p.paidAt,
        p.createdAt,
      ],
    ),
  );
  return inserted.length > 0;
}

/** An order_events row that says "nothing changed" (from_status = to_status), with what happened as its reason. */
export async function insertOrderTrace(
  m: EntityManager,
  orderId: string,
  status: ClosedUnpaidStatus,
  event: { actor: string; reason: string; externalRef: string; at: Date },
): Promise<void> {
  await m.query(
    `INSERT INTO order_events (order_id, from_status, to_status, actor, reason, external_ref, created_at) VALUES ($1,$2,$2,$3,$4,$5,$6)`,
    [orderId, status, event.actor, event.reason, event.externalRef, event.at],
  );
}

export async function readLatePayment(db: Db, orderId: string): Promise<LatePaymentRow | undefined> {
  const rows = rowsOf(
    await db.query(
      `SELECT order_id, order_no, order_status, total_fen::text, fund_fen::text, account_fen::text, cash_fen::text,
            cash_refund_no, insurance_refund_no, status, created_at
       FROM late_payments WHERE order_id = $1`,
      [orderId],
    ),
  );
  const r = rows[0];
  if (!r) return undefined;
  const split = {
    total: fenOf(r.total_fen),
    fund: fenOf(r.fund_fen),
    account: fenOf(r.account_fen),
    cash: fenOf(r.cash_fen),
  };
  assertSplit(split, 'late payment split (read back)');
  return {
    orderId: text(r, 'order_id'),
    orderNo: text(r, 'order_no'),
    orderStatus: oneOf(r, 'order_status', CLOSED_UNPAID),
    split,
    cashRefundNo: text(r, 'cash_refund_no'),
    insuranceRefundNo: textOrNull(r, 'insurance_refund_no'),
    status: oneOf(r, 'status', ['RETURNING', 'RETURNED'] as const),
    createdAt: date(r, 'created_at'),
  };
}

/** RETURNED, if it was RETURNING; false when another worker finished it first. */
export async function markLatePaymentReturned(
  m: EntityManager,
  orderId: string,
  cashRefundId: string | null,
  at: Date,
): Promise<boolean> {
  const updated = returnedRows(
    await m.query(
      `UPDATE late_payments SET status = 'RETURNED', cash_refund_id = $2, returned_at = $3
        WHERE order_id = $1 AND status = 'RETURNING' RETURNING order_id`,
      [orderId, cashRefundId, at],
    ),
  );
  return updated.length > 0;
}

/** Makes the return job of the late payment refunded as `outRefundNo` due now; false when there is none waiting. */
export async function nudgeLatePaymentJob(db: Db, outRefundNo: string, now: Date): Promise<boolean> {
  const result = returnedRows(
    await db.query(
      `UPDATE outbox o SET next_attempt_at = $2
       FROM late_payments l
      WHERE l.cash_refund_no = $1 AND o.dedupe_key = 'late_payment:' || l.order_id
        AND o.status = 'PENDING' AND o.next_attempt_at > $2
      RETURNING o.id`,
      [outRefundNo, now],
    ),
  );
  return result.length > 0;
}
