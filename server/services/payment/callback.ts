/**
 * WeChat Pay callbacks (DESIGN 6.7): verified over the raw body (headers → skew → serial → signature → decrypt)
 * by the adapter; the notification id deduplicates; the nonce must not have been seen. A payment is then
 * checked against the order (amounts, state: no outside call) and, in one short transaction, recorded with its
 * confirmation queued in the outbox (payment/confirm.ts acceptPayment) — or, for an order already closed, recorded
 * and given back (payment/late.ts). 6301 and the cash-leg query run in that outbox job, never while WeChat
 * waits: WeChat wants an answer within 5 s (checklist item 12) and retries what it does not get.
 * Answers: 204 when recorded (or already), 4xx FAIL when refused, 5xx to be retried.
 */
import { forgetNonce, rememberNonce } from '../../ephemeral/port';
import { OrderRow } from '../../db/entities';
import { isNotificationSeen, recordNotification } from '../../db/notifications';
import { NotificationRejected, type VerifiedNotification } from '../../gateways/ports';
import { acceptPayment, type AcceptOutcome } from './confirm';
import type { PaymentEvidence } from './evidence';
import { nudgeLatePaymentReturn } from './late';
import { nudgeCashLeg } from '../refund/refunds';
import type { Deps } from '../deps';

export interface CallbackAnswer {
  status: 200 | 204 | 400 | 401 | 404 | 500 | 503;
  body?: { code: 'FAIL'; message: string };
}

const fail = (status: CallbackAnswer['status'], message: string): CallbackAnswer => ({
  status,
  body: { code: 'FAIL', message },
});

export interface CallbackMetrics {
  rejected(reason: string): void;
}

export async function handleWeChatPayCallback(
  deps: Deps,
  headers: Record<string, string | undefined>,
  rawBody: string,
  metrics?: CallbackMetrics,
): Promise<CallbackAnswer> {
  let notification: VerifiedNotification;
  try {
    notification = await deps.wechat.verifyNotification(headers, rawBody, deps.clock.now());
  } catch (err) {
    if (err instanceof NotificationRejected) {
      metrics?.rejected(err.reason);
      deps.logger.warn({ reason: err.reason }, 'callback rejected');
      return fail(err.reason === 'BAD_BODY' ? 400 : 401, `${err.reason}: ${err.message}`);
    }
    throw err;
  }
  if (await isNotificationSeen(deps.db, notification.id)) return { status: 204 };
  const nonceTtlMs = 2 * deps.settings.CALLBACK_CLOCK_SKEW_MS;
  if (!(await rememberNonce(deps.store, `wxnonce:${notification.nonce}`, nonceTtlMs))) {
    metrics?.rejected('NONCE_REUSED');
    return fail(401, 'NONCE_REUSED: this nonce was used before');
  }
  const answer = await apply(deps, notification);
  // a callback we could not apply yet will come again; its nonce must not bar it then
  if (answer.status >= 500) await forgetNonce(deps.store, `wxnonce:${notification.nonce}`);
  return answer;
}

async function apply(deps: Deps, n: VerifiedNotification): Promise<CallbackAnswer> {
  switch (n.eventType) {
    case 'TRANSACTION.SUCCESS': {
      const order = await deps.db.getRepository(OrderRow).findOneBy({ orderNo: n.transaction.outTradeNo });
      if (!order) return fail(404, `unknown out_trade_no ${n.transaction.outTradeNo}`);
      if (order.fundFen + order.accountFen > 0) {
        // the cash leg of a mixed order: the order is paid when MEDICAL_INSURANCE.SUCCESS (or the query) says so
        await recordNotification(deps.db.manager, {
          id: n.id,
          eventType: n.eventType,
          outTradeNo: order.orderNo,
          at: new Date(deps.clock.now()),
        });
        return { status: 204 };
      }
      if (n.transaction.payerOpenid !== order.openid)
        return anotherPayer(deps, order, n.eventType, n.transaction.payerOpenid);
      if (n.transaction.tradeState !== 'SUCCESS' || !n.transaction.transactionId)
        return fail(400, `trade_state ${n.transaction.tradeState}`);
      const evidence: PaymentEvidence = {
        transactionId: n.transaction.transactionId,
        split: { total: n.transaction.amountFen, fund: 0, account: 0, cash: n.transaction.amountFen },
        paidAtMs: n.transaction.successTimeMs ?? deps.clock.now(),
        actor: 'wechatpay-callback',
        reference: n.id,
      };
      return answerFor(await acceptPayment(deps, order, evidence, n.id));
    }
    case 'MEDICAL_INSURANCE.SUCCESS': {
      const order = await deps.db.getRepository(OrderRow).findOneBy({ orderNo: n.medIns.outTradeNo });
      if (!order) return fail(404, `unknown out_trade_no ${n.medIns.outTradeNo}`);
      if (n.medIns.openid !== order.openid) return anotherPayer(deps, order, n.eventType, n.medIns.openid);
      if (n.medIns.mixPayStatus !== 'MIX_PAY_SUCCESS')
        return fail(400, `mix_pay_status ${n.medIns.mixPayStatus}`);
      const evidence: PaymentEvidence = {
        transactionId: n.medIns.transactionId,
        mixTradeNo: n.medIns.mixTradeNo,
        split: n.medIns.split,
        paidAtMs: n.medIns.paidTimeMs ?? deps.clock.now(),
        actor: 'wechatpay-callback',
        reference: n.id,
      };
      return answerFor(await acceptPayment(deps, order, evidence, n.id));
    }
    case 'REFUND.SUCCESS':
    case 'REFUND.ABNORMAL':
    case 'REFUND.CLOSED':
      // the refund legs (and the return of a late payment) ask WeChat themselves; the callback is recorded and
      // makes the job of that refund number ask now
      await recordNotification(deps.db.manager, {
        id: n.id,
        eventType: n.eventType,
        outTradeNo: n.refund.outTradeNo,
        at: new Date(deps.clock.now()),
      });
      await nudgeCashLeg(deps, n.refund.outRefundNo);
      await nudgeLatePaymentReturn(deps, n.refund.outRefundNo);
      return { status: 204 };
  }
}

/**
 * A validly signed callback whose payer is not the order's WeChat user (our merchant and appid are checked by the
 * adapter): refused, nothing applied, a security line in the log (the openid only by its tail).
 */
function anotherPayer(
  deps: Deps,
  order: OrderRow,
  eventType: string,
  openid: string | undefined,
): CallbackAnswer {
  deps.logger.warn(
    {
      security: 'callback-payer-mismatch',
      orderId: order.id,
      eventType,
      openidTail: openid?.slice(-4) ?? null,
    },
    'a signed callback names another payer than the order’s: refused, nothing applied',
  );
  return fail(400, 'the payer is not this order’s user');
}

function answerFor(outcome: AcceptOutcome): CallbackAnswer {
  switch (outcome) {
    // queued: recorded, and the confirmation is in the outbox (it is applied after this answer)
    // too-late: paid after the order was closed; recorded with its return queued (payment/late.ts), so done
    case 'queued':
    case 'already-paid':
    case 'too-late':
      return { status: 204 };
    case 'pending':
      return fail(503, 'the order is not payable yet; retry later');
    case 'mismatch':
      return fail(400, 'amounts do not match the order');
  }
}
