/**
 * Late payments: WeChat Pay reports (by callback or by the janitor's query) that the patient paid an order we
 * had already closed — CANCELLED, EXPIRED or PAYMENT_FAILED. The patient paid in the sheet just as the order
 * expired, a close raced a payment already under way at WeChat, or (med-ins orders, which WeChat documents no
 * close for) the sheet was still open. The money is not ours to keep and the bill was released, so it all goes
 * back, automatically and visibly.
 *
 * The same machinery gives back cash stranded by a failed mixed order: WeChat's troubleshooting guide (排障手册
 * 2.8 C) warns that a med-ins order can read MIX_PAY_FAIL while its self-pay part was taken (SELF_PAY_SUCCESS),
 * and that the cash must then go back by an ordinary refund. The janitor's query finds it; the order turns
 * PAYMENT_FAILED and the cash is recorded here in the same transaction (services/payment/query.ts), so that it
 * goes back exactly as a late payment's does; the release deals with the insurance side as for any failed order.
 *
 * - record: one short transaction writes the late_payments row (what WeChat reported), an order_events row and
 *   the outbox job `late_payment_return` (dedupe key `late_payment:<order id>`). Duplicate callbacks, replays
 *   and a janitor query racing a callback all land on the same row and the same job (ON CONFLICT DO NOTHING).
 * - return (the outbox job, outside any transaction, safe to repeat):
 *   cash → a WeChat refund of all of it, out_refund_no `LR` + the order number's digits (distinct from the `RF…`
 *   refunds and the `RV…` insurance reversal); asked first, created only when WeChat knows none, and asked
 *   again while PROCESSING (a REFUND callback nudges it, as for refund legs);
 *   insurance → only if 6301 says it is still SETTLED: the release (services/payment/close.ts) already reverses a
 *   settled share with 6203 `RV…` when an order does not complete, and usually gets there first. Whichever of
 *   the two jobs comes first reverses it through the same function with the same refund number, which the
 *   platform treats as one refund, so the share is never reversed twice. Then WeChat's med-ins order is told
 *   (refunds/notify, same number) so its record shows the insurance part given back.
 *   When all is back: the row turns RETURNED and a second order event says so.
 *
 * The order keeps its terminal status: no transition is invented. Nothing of the payment ever reached PAID, so
 * the ledger holds no settlement posting for it; money that came in and went straight back in full needs no
 * posting either (the postings would be a receipt and its exact mirror, netting to zero on every account), and
 * the trial balance stays 0. The WeChat bill and the insurance file show the payment and its return (same day,
 * or across midnight); reconciliation flags them for a person, and this row is the explanation.
 */
import type { EntityManager } from 'typeorm';
import { assertSplit } from '../../../shared/money';
import { OrderRow } from '../../db/entities';
import { enqueue } from '../../db/outbox';
import {
  insertLatePayment,
  insertOrderTrace,
  markLatePaymentReturned,
  nudgeLatePaymentJob,
  readLatePayment,
  type LatePaymentRow,
} from '../../db/latePayments';
import { paymentEventType, recordNotification } from '../../db/notifications';
import { GatewayError } from '../../gateways/ports';
import { insuranceReversalNo, refundSettledInsurance } from './insuranceReversal';
import { settlementRefOf } from '../order/insuredIdentity';
import type { PaymentEvidence } from './evidence';
import { isClosedUnpaid, type ClosedUnpaidStatus } from '../../domain/orderPolicy';
import type { Deps } from '../deps';
import { tellPaymentReturned } from '../notify/events';

/** WeChat's out_refund_no is at most 64 characters. */
export const OUT_REFUND_NO_LENGTH_MAX = 64;
/** What the patient reads on the refund at WeChat (at most 80 characters). */
const LATE_REFUND_REASON = '订单已关闭后到账的支付，原路退回';
const KIND = 'late_payment_return';

/**
 * The WeChat refund number of a late payment's cash: deterministic, so every retry names the same refund. Its
 * prefix keeps it apart from our refunds (`RF…`) and the insurance reversal (`RV…`) of the same order.
 */
export function latePaymentRefundNo(orderNo: string): string {
  const refundNo = `LR${orderNo.slice(2)}`;
  if (refundNo.length > OUT_REFUND_NO_LENGTH_MAX)
    throw new RangeError(`late-payment refund number ${refundNo} is longer than WeChat allows`);
  return refundNo;
}

const dedupeKeyOf = (orderId: string) => `late_payment:${orderId}`;

/**
 * Records a payment WeChat reported for a closed order and queues its return, in one transaction. Idempotent:
 * the second report of the same payment changes nothing. `notificationId` (a callback's) is recorded in the
 * same transaction, so a replay of that callback is answered from received_notifications.
 */
export async function recordLatePayment(
  deps: Deps,
  order: OrderRow,
  evidence: PaymentEvidence,
  notificationId?: string,
): Promise<void> {
  const status = order.status;
  if (!isClosedUnpaid(status)) throw new Error(`order ${order.id} is ${status}, not closed: no late payment`);
  const at = new Date(deps.clock.now());
  const recorded = await deps.db.transaction((m) =>
    recordLatePaymentIn(m, order, status, evidence, at, { notificationId }),
  );
  if (recorded) latePaymentRecorded(deps, order, status, evidence);
}

/**
 * The late_payments row, its trace and the outbox job `late_payment_return`, inside the caller's transaction
 * (the janitor closing a failed order writes them with the order's transition). → false when the payment was
 * recorded before (its return is already queued). After its commit the caller says so in the log and kicks the
 * jobs, so the outbox gives the money back at once.
 */
export async function recordLatePaymentIn(
  m: EntityManager,
  order: Pick<OrderRow, 'id' | 'orderNo'>,
  status: ClosedUnpaidStatus,
  evidence: PaymentEvidence,
  at: Date,
  opts: { notificationId?: string; reason?: string } = {},
): Promise<boolean> {
  const split = evidence.split;
  assertSplit(split, 'late payment split');
  const cashRefundNo = latePaymentRefundNo(order.orderNo);
  const insuranceRefundNo = split.fund + split.account > 0 ? insuranceReversalNo(order.orderNo) : null;
  if (opts.notificationId) {
    await recordNotification(m, {
      id: opts.notificationId,
      eventType: paymentEventType(evidence.mixTradeNo),
      outTradeNo: order.orderNo,
      at,
    });
  }
  const inserted = await insertLatePayment(m, {
    orderId: order.id,
    orderNo: order.orderNo,
    orderStatus: status,
    reportedBy: evidence.actor,
    reference: evidence.reference,
    transactionId: evidence.transactionId ?? null,
    mixTradeNo: evidence.mixTradeNo ?? null,
    split,
    cashRefundNo,
    insuranceRefundNo,
    paidAt: new Date(evidence.paidAtMs),
    createdAt: at,
  });
  if (!inserted) return false; // reported before: its return is already queued
  await appendTrace(m, order.id, status, {
    actor: evidence.actor,
    reason:
      opts.reason ??
      `payment of ${split.total} fen (cash ${split.cash}, insurance ${split.fund + split.account}) reported ` +
        `after the order was closed; returning it`,
    externalRef: evidence.reference,
    at,
  });
  await enqueue(m, KIND, dedupeKeyOf(order.id), order.id, { cashRefundNo, insuranceRefundNo }, at);
  return true;
}

/** After the commit that recorded a late payment: say so loudly, and let the outbox give it back now. */
function latePaymentRecorded(
  deps: Deps,
  order: Pick<OrderRow, 'id' | 'orderNo'>,
  status: ClosedUnpaidStatus,
  evidence: PaymentEvidence,
): void {
  deps.logger.error(
    {
      orderId: order.id,
      orderNo: order.orderNo,
      status,
      split: evidence.split,
      reference: evidence.reference,
    },
    'payment reported for a closed order: recorded, and its return queued',
  );
  deps.kickJobs?.();
}

/**
 * The trace of a late payment in order_events. The order does not move, so this is not a transition and the
 * state machine is not asked: from_status = to_status = the order's (terminal) status says "nothing changed",
 * and the reason says what happened. order_events has no rule against it, every reader (the patient's order
 * view, the console's order detail) lists events as a history, and nothing derives state from them — so the
 * existing mechanism carries it, where the patient and the cashier already look, rather than a log line only.
 */
async function appendTrace(
  m: EntityManager,
  orderId: string,
  status: ClosedUnpaidStatus,
  event: { actor: string; reason: string; externalRef: string; at: Date },
): Promise<void> {
  await insertOrderTrace(m, orderId, status, { ...event, reason: event.reason.slice(0, 500) });
}

/** Outbox handler: gives a late payment back. Returns when all of it is back; throws to be asked again. */
export async function returnLatePayment(deps: Deps, orderId: string): Promise<void> {
  const late = await readLatePayment(deps.db, orderId);
  if (!late) throw new Error(`no late payment recorded for order ${orderId}`);
  if (late.status === 'RETURNED') return;
  const order = await deps.db.getRepository(OrderRow).findOneByOrFail({ id: orderId });
  const cashRefundId = late.split.cash > 0 ? await returnCash(deps, order, late) : undefined;
  const insurance =
    late.split.fund + late.split.account > 0 ? await returnInsurance(deps, order, late) : 'none';
  await markReturned(deps, late, cashRefundId, insurance);
}

/** WeChat refund of the whole cash part; asks first, so a refund whose answer was lost is found, not repeated. */
async function returnCash(deps: Deps, order: OrderRow, late: LatePaymentRow): Promise<string> {
  const refundNo = late.cashRefundNo;
  let state = await deps.wechat.queryRefund(refundNo);
  state ??= await deps.wechat.refund({
    outTradeNo: order.orderNo,
    outRefundNo: refundNo,
    reason: LATE_REFUND_REASON,
    refundFen: late.split.cash,
    totalFen: late.split.cash,
  });
  if (
    state.refundFen !== late.split.cash ||
    state.outRefundNo !== refundNo ||
    state.outTradeNo !== order.orderNo
  ) {
    throw new GatewayError(
      'wechatpay',
      'invalid_response',
      `refund ${state.outRefundNo} of ${state.outTradeNo} for ${state.refundFen} fen does not match ${refundNo} of ${late.split.cash} fen`,
    );
  }
  switch (state.status) {
    case 'SUCCESS':
      return state.refundId ?? refundNo;
    case 'PROCESSING':
      throw new Error(`WeChat refund ${refundNo} of a late payment is still PROCESSING; asking again`);
    case 'CLOSED':
    case 'ABNORMAL':
      // the money did not reach the patient: a person must pay it out another way (the job ends DEAD, visible)
      throw new Error(`WeChat refund ${refundNo} of a late payment is ${state.status}; needs a person`);
  }
}

type InsuranceReturn = 'none' | 'reversed' | 'already-reversed';

/** The insurance share: reversed (6203 RV…) unless the platform says it is not settled or already reversed. */
async function returnInsurance(deps: Deps, order: OrderRow, late: LatePaymentRow): Promise<InsuranceReturn> {
  const state = await deps.insurance.querySettlement(await settlementRefOf(deps, order));
  let outcome: InsuranceReturn;
  switch (state.status) {
    case 'SETTLED':
      await refundSettledInsurance(deps, order, state.split);
      outcome = 'reversed';
      break;
    case 'REFUNDED':
      outcome = 'already-reversed'; // by the release, or by an earlier attempt of this job
      break;
    case 'REVOKED':
    case 'FAILED':
      return 'none'; // the platform took nothing
    case 'UPLOADED':
    case 'PRESETTLED':
      // WeChat says insurance paid, the platform not (yet): ask again rather than conclude either way
      throw new Error(`6301 says ${order.payOrdId} is ${state.status} although WeChat reported it paid`);
  }
  if (order.mixTradeNo) {
    // WeChat's med-ins order still shows the insurance share paid: tell it, with the reversal's number
    await deps.wechat.notifyMedInsRefund({
      mixTradeNo: order.mixTradeNo,
      outRefundNo: late.insuranceRefundNo ?? insuranceReversalNo(order.orderNo),
      split: state.split,
      // the whole settlement goes back: the other funds' part of it is what the order recorded
      fundOther: Math.min(order.fundOtherFen, state.split.fund),
      refundedAtMs: late.createdAt.getTime(),
    });
  }
  return outcome;
}

async function markReturned(
  deps: Deps,
  late: LatePaymentRow,
  cashRefundId: string | undefined,
  insurance: InsuranceReturn,
): Promise<void> {
  const at = new Date(deps.clock.now());
  const parts = [
    late.split.cash > 0 ? `cash ${late.split.cash} fen refunded at WeChat (${late.cashRefundNo})` : undefined,
    insurance === 'none' ? undefined : `insurance reversed (${late.insuranceRefundNo ?? ''})`,
  ].filter((p): p is string => p !== undefined);
  const marked = await deps.db.transaction(async (m) => {
    if (!(await markLatePaymentReturned(m, late.orderId, cashRefundId ?? null, at))) return false; // another worker finished it first
    await appendTrace(m, late.orderId, late.orderStatus, {
      actor: 'outbox',
      reason: `late payment returned: ${parts.join('; ') || 'nothing was taken'}`,
      externalRef: late.cashRefundNo,
      at,
    });
    await tellPaymentReturned(deps, m, late.orderId, late.split.total, late.orderStatus);
    return true;
  });
  if (marked)
    deps.logger.warn({ orderId: late.orderId, orderNo: late.orderNo, insurance }, 'late payment returned');
}

/** A WeChat refund callback for a late payment's refund: make its job due now (the job asks WeChat itself). */
export async function nudgeLatePaymentReturn(deps: Deps, outRefundNo: string): Promise<void> {
  if (!outRefundNo.startsWith('LR')) return;
  const now = new Date(deps.clock.now());
  if (await nudgeLatePaymentJob(deps.db, outRefundNo, now)) deps.kickJobs?.();
}
