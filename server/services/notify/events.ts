/**
 * What the money paths tell the patient, each inside the transaction that records what happened (so a message is
 * queued exactly when the fact is committed, and at most once per dedupe key): a payment completed at the HIS, a
 * payment that failed, a payment returned because it came after its order closed, a refund that finished.
 */
import type { EntityManager } from 'typeorm';
import { OrderRow, PatientRow } from '../../db/entities';
import type { RefundRow } from '../../db/refundEntities';
import { paymentFailedMessage, paymentSuccessMessage, refundResultMessage } from '../../domain/notifications';
import type { Deps } from '../deps';
import { queueMessage } from './queue';

async function patientName(m: EntityManager, patientId: string): Promise<string> {
  const patient = await m.getRepository(PatientRow).findOneBy({ id: patientId });
  return patient?.nameMasked ?? '就诊人';
}

export async function tellPaymentCompleted(
  deps: Deps,
  m: EntityManager,
  order: OrderRow,
  receiptNo: string,
): Promise<void> {
  const message = paymentSuccessMessage({
    orderId: order.id,
    orderNo: order.orderNo,
    patientName: await patientName(m, order.patientId),
    totalFen: order.totalFen,
    insuranceFen: order.fundFen + order.accountFen,
    cashFen: order.cashFen,
    receiptNo,
    paidAtMs: (order.paidAt ?? new Date(deps.clock.now())).getTime(),
  });
  await queueMessage(
    deps,
    m,
    { openid: order.openid, orderId: order.id, dedupeKey: `paid:${order.id}` },
    message,
  );
}

/** An order whose payment the patient started ended PAYMENT_FAILED; cash taken for it goes back. */
export async function tellPaymentFailed(
  deps: Deps,
  m: EntityManager,
  order: OrderRow,
  cashReturnedFen: number,
): Promise<void> {
  const message = paymentFailedMessage({
    orderId: order.id,
    patientName: await patientName(m, order.patientId),
    amountFen: order.totalFen,
    kind: 'failed',
    cashReturnedFen,
    atMs: deps.clock.now(),
  });
  await queueMessage(
    deps,
    m,
    { openid: order.openid, orderId: order.id, dedupeKey: `failed:${order.id}` },
    message,
  );
}

/**
 * A payment that arrived after its order closed has gone back in full. A failed order whose cash was taken
 * (PAYMENT_FAILED) was told so when it failed — the same dedupe key keeps it to that one message.
 */
export async function tellPaymentReturned(
  deps: Deps,
  m: EntityManager,
  orderId: string,
  amountFen: number,
  closedAs: string,
): Promise<void> {
  const order = await m.getRepository(OrderRow).findOneByOrFail({ id: orderId });
  const message = paymentFailedMessage({
    orderId: order.id,
    patientName: await patientName(m, order.patientId),
    amountFen,
    kind: 'returned',
    cashReturnedFen: amountFen,
    atMs: deps.clock.now(),
  });
  const dedupeKey = closedAs === 'PAYMENT_FAILED' ? `failed:${order.id}` : `returned:${order.id}`;
  await queueMessage(deps, m, { openid: order.openid, orderId: order.id, dedupeKey }, message);
}

export async function tellRefundFinished(
  deps: Deps,
  m: EntityManager,
  order: OrderRow,
  refund: RefundRow,
  succeeded: boolean,
): Promise<void> {
  const message = refundResultMessage({
    orderId: order.id,
    orderNo: order.orderNo,
    refundNo: refund.refundNo,
    fundFen: refund.fundFen,
    accountFen: refund.accountFen,
    cashFen: refund.cashFen,
    succeeded,
  });
  await queueMessage(
    deps,
    m,
    { openid: order.openid, orderId: order.id, dedupeKey: `refund:${refund.id}` },
    message,
  );
}
