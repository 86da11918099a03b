/**
 * The record of a WeChat Pay notification we have dealt with (`received_notifications`): the callback's id is the
 * deduplication key, so writing it twice is a no-op. One owner for the SQL; the callback, the payment's
 * confirmation and a late payment each write it in their own transaction.
 */
import type { EntityManager } from 'typeorm';
import { rowsOf, type Db } from './rows';

export interface ReceivedNotification {
  id: string;
  /** WeChat's event_type: TRANSACTION.SUCCESS, MEDICAL_INSURANCE.SUCCESS, REFUND.SUCCESS, … */
  eventType: string;
  outTradeNo: string;
  at: Date;
}

/** The event type of a payment's success notification: med-ins orders have their own. */
export const paymentEventType = (mixTradeNo: string | undefined): string =>
  mixTradeNo ? 'MEDICAL_INSURANCE.SUCCESS' : 'TRANSACTION.SUCCESS';

export async function recordNotification(m: EntityManager, n: ReceivedNotification): Promise<void> {
  await m.query(
    `INSERT INTO received_notifications (id, event_type, out_trade_no, received_at) VALUES ($1,$2,$3,$4)
     ON CONFLICT DO NOTHING`,
    [n.id, n.eventType, n.outTradeNo, n.at],
  );
}

/** Whether the notification `id` was dealt with before. */
export async function isNotificationSeen(db: Db, id: string): Promise<boolean> {
  const seen = rowsOf(await db.query(`SELECT 1 FROM received_notifications WHERE id = $1`, [id]));
  return seen.length > 0;
}
