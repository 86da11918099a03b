/** Outbox handler: 缴费确认 at the HIS for a PAID order, then PAID → COMPLETED with the receipt number. */
import { OrderRow } from '../../db/entities';
import { StateConflict, transitionOrder } from '../../db/orders';
import type { HisCharge } from '../../gateways/ports';
import { splitOf } from '../order/split';
import { tellPaymentCompleted } from '../notify/events';
import type { Deps } from '../deps';

/** What the HIS is told of a paid order (缴费确认); also what a 补单 posts. */
export function hisChargeOf(order: OrderRow): HisCharge {
  return {
    orderNo: order.orderNo,
    hisPatientId: order.hisPatientId,
    billNos: order.billNos,
    split: splitOf(order),
    transactionId: order.transactionId ?? undefined,
    payOrdId: order.payOrdId ?? undefined,
    setlId: order.setlId ?? undefined,
    paidAtMs: (order.paidAt ?? order.updatedAt).getTime(),
  };
}

export async function confirmAtHis(deps: Deps, orderId: string): Promise<void> {
  const order = await deps.db.getRepository(OrderRow).findOneByOrFail({ id: orderId });
  if (order.status !== 'PAID') return; // already completed (or refunded) by an earlier run
  const { receiptNo } = await deps.his.confirmCharge(hisChargeOf(order));
  const at = new Date(deps.clock.now());
  try {
    await deps.db.transaction(async (m) => {
      await transitionOrder(
        m,
        order.id,
        ['PAID'],
        'COMPLETED',
        { receiptNo, completedAt: at },
        { actor: 'outbox', reason: 'HIS charge confirmed', externalRef: receiptNo, at },
      );
      await tellPaymentCompleted(deps, m, order, receiptNo);
    });
    deps.kickJobs?.();
  } catch (err) {
    if (!(err instanceof StateConflict)) throw err;
  }
}
