/**
 * Resolving an order by asking WeChat (the janitor, and cancel/expire before they close anything): the
 * authority on whether the patient paid is the party that took the money, never the mini-program's "ok".
 * A payment found for an order that another writer closed in the meantime is a late payment: applyPayment
 * records it and queues its return.
 */
import { OrderRow } from '../db/entities';
import type { OrderStatus } from '../domain/orderStateMachine';
import { applyPayment, type ApplyOutcome } from './settlement';
import { splitOf } from './orderViews';
import type { Deps } from './deps';

export type QueryVerdict =
  | { kind: 'paid'; status: OrderStatus }
  /** paid, but the order was closed meanwhile: the payment is recorded and its return queued (latePayments.ts) */
  | { kind: 'late' }
  | { kind: 'unpaid' }
  | { kind: 'failed'; why: string }
  | { kind: 'closed' }
  | { kind: 'not-found' };

/** Asks WeChat about the order; applies the payment if it was made. */
export async function queryOrder(deps: Deps, order: OrderRow): Promise<QueryVerdict> {
  const split = splitOf(order);
  if (split.fund + split.account > 0) {
    const medIns = await deps.wechat.queryMedInsOrder(order.orderNo);
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
        return {
          kind: 'failed',
          why: `med-ins order failed (${medIns.medInsPayStatus}/${medIns.selfPayStatus})`,
        };
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
 * PAID (or later) when WeChat says the order was paid; the closed status when it was paid but closed meanwhile
 * (by another writer; the payment is then being returned); undefined otherwise.
 */
export async function settleFromQuery(deps: Deps, order: OrderRow): Promise<OrderStatus | undefined> {
  if (!order.prepayId && !order.mixTradeNo && order.status !== 'UNKNOWN') return undefined;
  const verdict = await queryOrder(deps, order);
  switch (verdict.kind) {
    case 'paid':
      return verdict.status;
    case 'late':
      return (await deps.db.getRepository(OrderRow).findOneByOrFail({ id: order.id })).status;
    case 'unpaid':
    case 'failed':
    case 'closed':
    case 'not-found':
      return undefined;
  }
}
