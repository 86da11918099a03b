/**
 * The janitor (DESIGN 5, 6.7, 6.8): settles what a lost callback or a crash left open, by asking the parties.
 * - AWAITING_PAYMENT past the callback grace, and UNKNOWN: query WeChat; paid → PAID, failed → PAYMENT_FAILED
 *   (paid but closed meanwhile by another writer → a late payment, recorded and given back: payment/late.ts;
 *   a mixed order that failed with its cash taken — MIX_PAY_FAIL / SELF_PAY_SUCCESS → PAYMENT_FAILED with the
 *   cash given back the same way: payment/query.ts failOrder).
 * - PRESETTLED / AWAITING_PAYMENT / UNKNOWN past the payment window: expire (close at WeChat, release).
 * - CREATED left behind by a crashed checkout: cancel and release.
 * - CANCELLED / EXPIRED orders that reached WeChat: asked again 1 min, 10 min and 1 h after their close — a
 *   payment taken after the close whose callbacks were all lost is then recorded and given back (payment/late.ts).
 * Rows are claimed with SKIP LOCKED and a next-check lease, so several instances never work the same order.
 */
import { OrderRow } from '../db/entities';
import {
  StateConflict,
  claimAbandonedOrders,
  claimDueOrders,
  claimLateChecks,
  setNextCheck,
  transitionOrder,
} from '../db/orders';
import { closeAndRelease } from '../services/payment/closeAndRelease';
import { GatewayError } from '../gateways/ports';
import { AppError } from '../services/errors';
import { closeOrder, LATE_CHECKS_AFTER_CLOSE_MS } from '../services/payment/close';
import { failOrder, queryOrder, settleFromQuery } from '../services/payment/query';
import type { Deps } from '../services/deps';

export const JANITOR_BATCH_MAX = 50;
/** a CREATED order older than this was abandoned by a crashed checkout */
export const CREATED_ABANDONED_MS = 2 * 60_000;
export const RECHECK_BASE_MS = 10_000;
export const RECHECK_MAX_MS = 10 * 60_000;

/** The lease of a claim: the next check of a claimed order, pushed out by `leaseMs`. */
const leaseOf = (deps: Deps, leaseMs: number) => new Date(deps.clock.now() + leaseMs);

export async function runJanitorOnce(
  deps: Deps,
): Promise<{ expired: number; resolved: number; abandoned: number }> {
  const now = deps.clock.now();
  let expired = 0;
  let resolved = 0;
  let abandoned = 0;

  const due = await claimDueOrders(deps.db, new Date(now), leaseOf(deps, RECHECK_BASE_MS), JANITOR_BATCH_MAX);
  for (const id of due) {
    const order = await deps.db.getRepository(OrderRow).findOneByOrFail({ id });
    try {
      if (order.expiresAt.getTime() <= now) {
        const end = await closeOrder(deps, order, 'EXPIRED', 'janitor', 'payment window passed');
        if (end === 'EXPIRED') expired++;
        else resolved++;
      } else if (await resolveByQuery(deps, order)) {
        resolved++;
      }
    } catch (err) {
      if (err instanceof GatewayError || err instanceof AppError) {
        deps.logger.warn({ orderId: id, err: err.message }, 'janitor could not reach a party; will retry');
        continue;
      }
      if (err instanceof StateConflict) {
        // another writer moved the order while we asked (a callback, a cancel): it is no longer ours to settle
        deps.logger.info({ orderId: id, err: err.message }, 'order moved while the janitor worked on it');
        continue;
      }
      throw err;
    }
  }

  const stale = await claimAbandonedOrders(
    deps.db,
    new Date(now - CREATED_ABANDONED_MS),
    leaseOf(deps, RECHECK_MAX_MS),
    JANITOR_BATCH_MAX,
  );
  for (const id of stale) {
    const at = new Date(deps.clock.now());
    try {
      await deps.db.transaction(async (m) => {
        await closeAndRelease(m, {
          orderId: id,
          from: ['CREATED'],
          to: 'CANCELLED',
          patch: { nextCheckAt: null },
          actor: 'janitor',
          reason: 'checkout abandoned',
          at,
        });
      });
      abandoned++;
    } catch (err) {
      if (!(err instanceof StateConflict)) throw err;
    }
  }
  await lateChecks(deps, now);
  return { expired, resolved, abandoned };
}

/** Closed orders due a late check: asked; a payment found is recorded and returned; the next check set. */
async function lateChecks(deps: Deps, now: number): Promise<void> {
  const due = await claimLateChecks(
    deps.db,
    new Date(now),
    leaseOf(deps, RECHECK_BASE_MS),
    JANITOR_BATCH_MAX,
  );
  for (const id of due) {
    const order = await deps.db.getRepository(OrderRow).findOneByOrFail({ id });
    try {
      await settleFromQuery(deps, order, 'janitor');
    } catch (err) {
      if (err instanceof GatewayError || err instanceof AppError) continue; // the lease brings it back
      throw err;
    }
    const closedAt = order.updatedAt.getTime();
    const next = LATE_CHECKS_AFTER_CLOSE_MS.map((d) => closedAt + d).find((t) => t > now);
    await setNextCheck(deps.db, id, next === undefined ? null : new Date(next));
  }
}

/** true when the order left its open state. */
async function resolveByQuery(deps: Deps, order: OrderRow): Promise<boolean> {
  const verdict = await queryOrder(deps, order);
  const at = new Date(deps.clock.now());
  switch (verdict.kind) {
    case 'paid':
      return true;
    case 'late':
      // paid, but closed by another writer (a cancel, another instance's expiry) meanwhile: the payment is
      // recorded and its return queued (services/payment/late.ts); the order stays closed
      return true;
    case 'failed':
      await failOrder(deps, order, verdict.why, 'janitor', verdict.cashTaken);
      return true;
    case 'closed':
      await closeOrder(deps, order, 'EXPIRED', 'janitor', 'WeChat order closed');
      return true;
    case 'unpaid':
    case 'not-found':
      if (order.status === 'UNKNOWN') {
        // the create never happened (or is unpaid): the patient may pay again; creates are idempotent by out_trade_no
        await deps.db.transaction((m) =>
          transitionOrder(
            m,
            order.id,
            ['UNKNOWN'],
            'AWAITING_PAYMENT',
            {},
            { actor: 'janitor', reason: `query: ${verdict.kind}`, at },
          ),
        );
      }
      await setNextCheck(deps.db, order.id, new Date(at.getTime() + recheckDelay(order, at.getTime())));
      return false;
  }
}

/** Asks more often right after payment started, less often later. */
function recheckDelay(order: OrderRow, nowMs: number): number {
  const age = nowMs - (order.paymentStartedAt ?? order.createdAt).getTime();
  return Math.min(RECHECK_MAX_MS, Math.max(RECHECK_BASE_MS, Math.floor(age / 4)));
}
