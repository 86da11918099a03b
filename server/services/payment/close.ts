/**
 * Cancel and expire (DESIGN 6.8): close the WeChat order first (if WeChat says it is paid, the order is paid,
 * not cancelled), then move the order, and release the bills and the fee upload through the outbox.
 */
import { orderStatusZh } from '../../../shared/messages';
import { OrderRow } from '../../db/entities';
import { StateConflict } from '../../db/orders';
import { closeAndRelease } from './closeAndRelease';
import type { OrderStatus } from '../../domain/orderStateMachine';
import { canCancel } from '../../domain/orderPolicy';
import { AppError } from '../errors';
import { upstreamError } from '../gatewayErrors';
import { ownOrder } from '../order/views';
import { settleFromQuery } from './query';
import { refundSettledInsurance } from './insuranceReversal';
import { settlementRefOf } from '../order/insuredIdentity';
import type { Deps } from '../deps';
import { forgetBills } from '../patient/bills';

/**
 * When an order closed at WeChat is asked again, after its close: WeChat's med-ins orders cannot be closed and a
 * sheet already open may still take a payment, whose callbacks may all be lost; these checks find it within the
 * hour (reconciliation would the next day).
 */
export const LATE_CHECKS_AFTER_CLOSE_MS = [60_000, 10 * 60_000, 60 * 60_000] as const;

export async function cancelOrder(
  deps: Deps,
  openid: string,
  orderId: string,
): Promise<{ status: OrderStatus }> {
  const order = await ownOrder(deps, openid, orderId);
  if (order.status === 'CANCELLED') return { status: order.status };
  if (!canCancel(order.status))
    throw new AppError('ORDER_STATE_CONFLICT', `订单当前为“${orderStatusZh(order.status)}”，不能取消。`);
  return { status: await closeOrder(deps, order, 'CANCELLED', 'patient', 'cancelled by the patient') };
}

/**
 * Ends an unpaid order as CANCELLED or EXPIRED. Returns the status the order ends in (PAID if WeChat says it was
 * paid after all; PAYMENT_FAILED if its mixed payment failed with the cash taken, which then goes back). Throws
 * upstream errors when WeChat cannot be asked: then nothing changes.
 */
export async function closeOrder(
  deps: Deps,
  order: OrderRow,
  to: 'CANCELLED' | 'EXPIRED',
  actor: string,
  reason: string,
): Promise<OrderStatus> {
  const atWeChat = order.status === 'AWAITING_PAYMENT' || order.status === 'UNKNOWN';
  if (atWeChat) {
    const paid = await settleFromQuery(deps, order, actor);
    if (paid) return paid;
    try {
      if (order.cashFen > 0) await deps.wechat.closeTransaction(order.orderNo);
    } catch (err) {
      throw upstreamError(err, 'closing the WeChat order');
    }
    // paid between our query and the close? ask once more; WeChat refuses to close a paid order anyway
    const paidLate = await settleFromQuery(deps, order, actor);
    if (paidLate) return paidLate;
  }
  // Only from the states this call has dealt with: an order read as PRESETTLED that started payment meanwhile
  // has WeChat orders nobody closed, and closing it here would leave them payable (a late payment in waiting).
  const from: OrderStatus[] = atWeChat
    ? ['AWAITING_PAYMENT', 'UNKNOWN']
    : to === 'CANCELLED'
      ? ['CREATED', 'PRESETTLED']
      : ['PRESETTLED'];
  const at = new Date(deps.clock.now());
  try {
    await deps.db.transaction(async (m) => {
      await closeAndRelease(m, {
        orderId: order.id,
        from,
        to,
        // an order that reached WeChat is asked about again later (a payment the sheet took after our close)
        patch: { nextCheckAt: atWeChat ? new Date(at.getTime() + LATE_CHECKS_AFTER_CLOSE_MS[0]) : null },
        actor,
        reason,
        at,
      });
    });
  } catch (err) {
    if (!(err instanceof StateConflict)) throw err;
    const now = await deps.db.getRepository(OrderRow).findOneByOrFail({ id: order.id });
    return now.status;
  }
  return to;
}

/** Outbox handler: unlock the HIS bills and revoke the fee upload (or refund it if insurance settled). */
export async function releaseOrder(deps: Deps, orderId: string): Promise<void> {
  const order = await deps.db.getRepository(OrderRow).findOneByOrFail({ id: orderId });
  if (order.payOrdId && order.payToken) {
    const ref = await settlementRefOf(deps, order);
    const state = await deps.insurance.querySettlement(ref);
    switch (state.status) {
      case 'UPLOADED':
      case 'PRESETTLED':
        await deps.insurance.revokeUpload(ref);
        break;
      case 'SETTLED':
        // insurance settled but the order did not complete (the cash leg failed, or the payment came after the
        // order was closed — services/payment/late.ts gives that cash back): give back exactly what it took
        await refundSettledInsurance(deps, order, state.split);
        break;
      case 'REFUNDED':
      case 'REVOKED':
      case 'FAILED':
        break;
    }
  }
  await deps.his.unlockBills(order.orderNo, order.billNos);
  // the patient's bill list (cached for BILLS_CACHE_TTL_MS) shows the bills payable again at once
  await forgetBills(deps, order.hisPatientId);
}
