/**
 * Cancel and expire (DESIGN 6.8): close the WeChat order first (if WeChat says it is paid, the order is paid,
 * not cancelled), then move the order, and release the bills and the fee upload through the outbox.
 */
import { orderStatusZh } from '../../shared/messages';
import type { Split } from '../../shared/money';
import { InsuranceAuthorizationRow, OrderRow, PatientRow } from '../db/entities';
import { StateConflict, transitionOrder } from '../db/orders';
import { enqueue } from '../db/outbox';
import { isCancellable, type OrderStatus } from '../domain/orderStateMachine';
import { AppError } from './errors';
import type { SettlementRef } from '../gateways/ports';
import { upstreamError } from './gatewayErrors';
import { ownOrder } from './orderViews';
import { settleFromQuery } from './reconcileOrder';
import type { Deps } from './deps';

export async function cancelOrder(
  deps: Deps,
  openid: string,
  orderId: string,
): Promise<{ status: OrderStatus }> {
  const order = await ownOrder(deps, openid, orderId);
  if (order.status === 'CANCELLED') return { status: order.status };
  if (!isCancellable(order.status))
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
      await transitionOrder(m, order.id, from, to, { nextCheckAt: null }, { actor, reason, at });
      await enqueue(m, 'release', `release:${order.id}`, order.id, { reason }, at);
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
    const ref = await insuranceRefOf(deps, order);
    const state = await deps.insurance.querySettlement(ref);
    switch (state.status) {
      case 'UPLOADED':
      case 'PRESETTLED':
        await deps.insurance.revokeUpload(ref);
        break;
      case 'SETTLED':
        // insurance settled but the order did not complete (the cash leg failed, or the payment came after the
        // order was closed — services/latePayments.ts gives that cash back): give back exactly what it took
        await refundSettledInsurance(deps, order, state.split);
        break;
      case 'REFUNDED':
      case 'REVOKED':
      case 'FAILED':
        break;
    }
  }
  await deps.his.unlockBills(order.orderNo, order.billNos);
}

/** What 6301 / 6401 need to name an order's settlement. */
export async function insuranceRefOf(deps: Deps, order: OrderRow): Promise<SettlementRef> {
  if (!order.payOrdId || !order.payToken) throw new Error(`order ${order.id} has no insurance settlement`);
  const patient = await deps.db.getRepository(PatientRow).findOneByOrFail({ id: order.patientId });
  return {
    payOrdId: order.payOrdId,
    payToken: order.payToken,
    idNo: deps.pii.decrypt(patient.idNoEnc),
    name: deps.pii.decrypt(patient.nameEnc),
  };
}

/** The 6203 refund number (appRefdSn) of the reversal of an order's whole settlement: one per order. */
export function insuranceReversalNo(orderNo: string): string {
  return `RV${orderNo.slice(2)}`;
}

/**
 * 6203 reversing the whole settlement of an order that will not complete; idempotent by its refund number.
 * Used by the release (the cash leg was never collected, so nothing goes back through WeChat) and by the
 * return of a late payment (services/latePayments.ts, which refunds the cash itself): both name the same
 * refund number, so whichever runs first reverses the share and the other's call is a replay, never a second
 * reversal.
 */
export async function refundSettledInsurance(deps: Deps, order: OrderRow, settled: Split): Promise<void> {
  if (!order.payOrdId || !order.authorizationId)
    throw new Error(`order ${order.id} has no insurance settlement to refund`);
  const authorization = await deps.db
    .getRepository(InsuranceAuthorizationRow)
    .findOneByOrFail({ id: order.authorizationId });
  const result = await deps.insurance.refund({
    payOrdId: order.payOrdId,
    payAuthNo: deps.pii.decrypt(authorization.payAuthNoEnc),
    refundNo: insuranceReversalNo(order.orderNo),
    split: settled,
    requestedAtMs: deps.clock.now(),
  });
  if (result.status !== 'SUCCEEDED')
    throw new Error(`insurance refund of ${order.payOrdId} is ${result.status}; will ask again`);
  deps.logger.warn(
    { orderId: order.id, payOrdId: order.payOrdId },
    'insurance settlement reversed for an order that did not complete',
  );
}
