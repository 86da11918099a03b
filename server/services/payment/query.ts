/**
 * Resolving an order by asking WeChat (the janitor, and cancel/expire before they close anything): the
 * authority on whether the patient paid is the party that took the money, never the mini-program's "ok".
 * A payment found for an order that another writer closed in the meantime is a late payment: applyPayment
 * records it and queues its return.
 *
 * A failed mixed order is judged on all three of its statuses (checklist radar 10): MIX_PAY_FAIL with
 * SELF_PAY_SUCCESS means the cash was taken although insurance did not pay (排障手册 2.8 C). The order then
 * fails (PAYMENT_FAILED, release queued) and, in the same transaction, the cash is recorded to go back whole
 * by the late-payment return (`LR…`, payment/late.ts) — never a fen left with the hospital for an unpaid bill.
 */
import { OrderRow } from '../../db/entities';
import { StateConflict } from '../../db/orders';
import { closeAndRelease } from './closeAndRelease';
import type { OrderStatus } from '../../domain/orderStateMachine';
import type { MedInsOrderState } from '../../gateways/ports';
import { applyPayment, type ApplyOutcome } from './confirm';
import type { PaymentEvidence } from './evidence';
import { isClosedUnpaid } from '../../domain/orderPolicy';
import { recordLatePayment, recordLatePaymentIn } from './late';
import { splitOf } from '../order/split';
import type { Deps } from '../deps';
import { tellPaymentFailed } from '../notify/events';

export type QueryVerdict =
  | { kind: 'paid'; status: OrderStatus }
  /** paid, but the order was closed meanwhile: the payment is recorded and its return queued (payment/late.ts) */
  | { kind: 'late' }
  | { kind: 'unpaid' }
  /** nothing was paid — or only the cash part of a failed mixed order, which must go back (cashTaken) */
  | { kind: 'failed'; why: string; cashTaken?: PaymentEvidence }
  | { kind: 'closed' }
  | { kind: 'not-found' };

/** Asks WeChat about the order; applies the payment if it was made. */
export async function queryOrder(deps: Deps, order: OrderRow): Promise<QueryVerdict> {
  const split = splitOf(order);
  if (split.fund + split.account > 0) {
    const medIns = await deps.wechat.queryMedInsOrder({
      outTradeNo: order.orderNo,
      mixTradeNo: order.mixTradeNo,
    });
    if (!medIns) return { kind: 'not-found' };
    switch (medIns.mixPayStatus) {
      case 'MIX_PAY_SUCCESS': {
        const outcome = await applyPayment(deps, order, {
          transactionId: medIns.transactionId,
          mixTradeNo: medIns.mixTradeNo,
          split: medIns.split,
          paidAtMs: medIns.paidTimeMs ?? deps.clock.now(),
          actor: 'janitor',
          reference: `query:${medIns.mixTradeNo}`,
        });
        return verdictOf(outcome);
      }
      case 'MIX_PAY_CREATED':
        return { kind: 'unpaid' };
      case 'MIX_PAY_FAIL':
        return failedMedIns(deps, order, medIns);
      case 'MIX_PAY_REFUND':
        return { kind: 'paid', status: order.status };
    }
  }
  const tx = await deps.wechat.queryTransaction(order.orderNo);
  if (!tx) return { kind: 'not-found' };
  switch (tx.tradeState) {
    case 'SUCCESS':
    case 'REFUND': {
      if (!tx.transactionId) return { kind: 'unpaid' };
      const outcome = await applyPayment(deps, order, {
        transactionId: tx.transactionId,
        split: { total: tx.amountFen, fund: 0, account: 0, cash: tx.amountFen },
        paidAtMs: tx.successTimeMs ?? deps.clock.now(),
        actor: 'janitor',
        reference: `query:${tx.transactionId}`,
      });
      return verdictOf(outcome);
    }
    case 'NOTPAY':
    case 'USERPAYING':
      return { kind: 'unpaid' };
    case 'CLOSED':
    case 'REVOKED':
      return { kind: 'closed' };
    case 'PAYERROR':
      return { kind: 'failed', why: 'PAYERROR' };
  }
}

function verdictOf(outcome: ApplyOutcome): QueryVerdict {
  switch (outcome) {
    case 'applied':
    case 'already-paid':
      return { kind: 'paid', status: 'PAID' };
    case 'too-late':
      return { kind: 'late' };
    case 'pending':
    case 'mismatch':
      return { kind: 'unpaid' };
  }
}

/**
 * A failed med-ins order. Its self-pay part may still have been taken (SELF_PAY_SUCCESS): the JSAPI trade says
 * how much, with its transaction id (the med-ins entity carries none). A trade that does not (yet) agree is
 * asked about again later rather than concluded on; one refunded already leaves nothing for us to give back.
 */
async function failedMedIns(deps: Deps, order: OrderRow, medIns: MedInsOrderState): Promise<QueryVerdict> {
  const why = `med-ins order failed (${medIns.medInsPayStatus}/${medIns.selfPayStatus})`;
  if (medIns.selfPayStatus !== 'SELF_PAY_SUCCESS') return { kind: 'failed', why };
  const cash = await deps.wechat.queryTransaction(order.orderNo);
  if (cash?.tradeState === 'REFUND') return { kind: 'failed', why: `${why}; its cash was refunded already` };
  if (cash?.tradeState !== 'SUCCESS' || !cash.transactionId) {
    deps.logger.warn(
      { orderId: order.id, selfPayStatus: medIns.selfPayStatus, tradeState: cash?.tradeState },
      'med-ins order says the cash was taken, the cash trade does not (yet); asking again later',
    );
    return { kind: 'unpaid' };
  }
  const cashTaken: PaymentEvidence = {
    transactionId: cash.transactionId,
    mixTradeNo: medIns.mixTradeNo,
    split: { total: cash.amountFen, fund: 0, account: 0, cash: cash.amountFen },
    paidAtMs: cash.successTimeMs ?? deps.clock.now(),
    actor: 'janitor',
    reference: `query:${medIns.mixTradeNo}`,
  };
  if (isClosedUnpaid(order.status)) {
    // closed before anyone saw the cash (reconciliation asks about closed orders): give it back all the same
    await recordLatePayment(deps, order, cashTaken);
    return { kind: 'late' };
  }
  return { kind: 'failed', why: `${why}, cash ${cash.amountFen} fen taken`, cashTaken };
}

/**
 * An open order (AWAITING_PAYMENT / UNKNOWN) whose payment failed: PAYMENT_FAILED with its release queued — and,
 * when the cash part was taken all the same, that cash recorded to go back, all in one transaction. → the
 * order's status afterwards (another writer may have moved it first; cash taken is then recorded against the
 * state it closed in, so it is given back whichever writer won).
 */
export async function failOrder(
  deps: Deps,
  order: OrderRow,
  why: string,
  actor: string,
  cashTaken?: PaymentEvidence,
): Promise<OrderStatus> {
  const at = new Date(deps.clock.now());
  const reason = (cash: number) =>
    `cash of ${cash} fen taken although the med-ins order failed (${why}); returning it`;
  try {
    const recorded = await deps.db.transaction(async (m) => {
      await closeAndRelease(m, {
        orderId: order.id,
        from: ['AWAITING_PAYMENT', 'UNKNOWN'],
        to: 'PAYMENT_FAILED',
        patch: { nextCheckAt: null, lastError: why },
        actor,
        reason: why,
        at,
      });
      await tellPaymentFailed(deps, m, order, cashTaken?.split.cash ?? 0);
      if (!cashTaken) return false;
      return recordLatePaymentIn(m, order, 'PAYMENT_FAILED', cashTaken, at, {
        reason: reason(cashTaken.split.cash),
      });
    });
    if (recorded)
      deps.logger.error(
        { orderId: order.id, orderNo: order.orderNo, cashFen: cashTaken?.split.cash },
        'cash taken for a failed med-ins order: the order failed, and the cash goes back',
      );
    deps.kickJobs?.();
    return 'PAYMENT_FAILED';
  } catch (err) {
    if (!(err instanceof StateConflict)) throw err;
    const now = await deps.db.getRepository(OrderRow).findOneByOrFail({ id: order.id });
    if (cashTaken && isClosedUnpaid(now.status)) await recordLatePayment(deps, now, cashTaken);
    return now.status;
  }
}

/**
 * PAID (or later) when WeChat says the order was paid; the closed status when it was paid but closed meanwhile
 * (by another writer; the payment is then being returned), or when its payment failed with the cash taken
 * (PAYMENT_FAILED, the cash going back); undefined otherwise.
 */
export async function settleFromQuery(
  deps: Deps,
  order: OrderRow,
  actor = 'janitor',
): Promise<OrderStatus | undefined> {
  if (!order.prepayId && !order.mixTradeNo && order.status !== 'UNKNOWN') return undefined;
  const verdict = await queryOrder(deps, order);
  switch (verdict.kind) {
    case 'paid':
      return verdict.status;
    case 'late':
      return (await deps.db.getRepository(OrderRow).findOneByOrFail({ id: order.id })).status;
    case 'failed':
      // closing the cash trade of a failed mixed order would not give its cash back: fail it, returning the cash
      return verdict.cashTaken ? failOrder(deps, order, verdict.why, actor, verdict.cashTaken) : undefined;
    case 'unpaid':
    case 'closed':
    case 'not-found':
      return undefined;
  }
}
