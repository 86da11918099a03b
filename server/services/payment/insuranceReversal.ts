/**
 * Naming an order's insurance settlement and reversing it whole (6203): shared by the release of an order that
 * will not complete (payment/close.ts) and the return of a late payment (payment/late.ts), owned by neither.
 */
import type { Split } from '../../../shared/money';
import type { OrderRow } from '../../db/entities';
import { authorizationOfOrder, payAuthNoOf } from '../order/insuredIdentity';
import type { Deps } from '../deps';

/** The 6203 refund number (appRefdSn) of the reversal of an order's whole settlement: one per order. */
export function insuranceReversalNo(orderNo: string): string {
  return `RV${orderNo.slice(2)}`;
}

/**
 * 6203 reversing the whole settlement of an order that will not complete; idempotent by its refund number.
 * Used by the release (the cash leg was never collected, so nothing goes back through WeChat) and by the
 * return of a late payment (services/payment/late.ts, which refunds the cash itself): both name the same
 * refund number, so whichever runs first reverses the share and the other's call is a replay, never a second
 * reversal.
 */
export async function refundSettledInsurance(deps: Deps, order: OrderRow, settled: Split): Promise<void> {
  if (!order.payOrdId) throw new Error(`order ${order.id} has no insurance settlement to refund`);
  const authorization = await authorizationOfOrder(deps, order);
  const result = await deps.insurance.refund({
    payOrdId: order.payOrdId,
    payAuthNo: payAuthNoOf(deps, authorization),
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
