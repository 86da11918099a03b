/**
 * Closing an order that took nothing (cancelled, expired, failed) always goes with releasing what it holds at the
 * parties — the HIS bills' lock and the insurance fee upload — through the outbox, in the same transaction, so a
 * closed order never keeps a bill locked. The one place that does both; checkout, cancel/expire, the janitor and
 * a failed payment call it.
 */
import type { EntityManager } from 'typeorm';
import type { OrderStatus } from '../../domain/orderStateMachine';
import type { ClosedUnpaidStatus } from '../../domain/orderPolicy';
import { transitionOrder, type OrderPatch } from '../../db/orders';
import { enqueue } from '../../db/outbox';

export interface CloseAndRelease {
  orderId: string;
  /** the states this caller has dealt with; any other is a lost race (StateConflict) */
  from: readonly OrderStatus[];
  to: ClosedUnpaidStatus;
  patch?: OrderPatch;
  actor: string;
  /** the order event's reason */
  reason: string;
  /** the release job's reason, when it should say less than the event */
  releaseReason?: string;
  at: Date;
}

export async function closeAndRelease(m: EntityManager, c: CloseAndRelease): Promise<void> {
  await transitionOrder(m, c.orderId, c.from, c.to, c.patch ?? {}, {
    actor: c.actor,
    reason: c.reason,
    at: c.at,
  });
  await enqueue(
    m,
    'release',
    `release:${c.orderId}`,
    c.orderId,
    { reason: c.releaseReason ?? c.reason },
    c.at,
  );
}
