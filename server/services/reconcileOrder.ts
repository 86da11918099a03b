/**
 * Resolving an order by asking WeChat (the janitor, and cancel/expire before they close anything): the
 * authority on whether the patient paid is the party that took the money, never the mini-program's "ok".
 */
import type { OrderRow } from '../db/entities';
import type { OrderStatus } from '../domain/orderStateMachine';
import { applyPayment } from './settlement';
import { splitOf } from './orderViews';
import type { Deps } from './deps';

export type QueryVerdict =
  | { kind: 'paid'; status: OrderStatus }
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
        return outcome === 'applied' || outcome === 'already-paid'
          ? { kind: 'paid', status: 'PAID' }
          : { kind: 'unpaid' };
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
      return outcome === 'applied' || outcome === 'already-paid'
        ? { kind: 'paid', status: 'PAID' }
        : { kind: 'unpaid' };
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

/** PAID (or later) when WeChat says the order was paid; undefined otherwise. */
export async function settleFromQuery(deps: Deps, order: OrderRow): Promise<OrderStatus | undefined> {
  if (!order.prepayId && !order.mixTradeNo && order.status !== 'UNKNOWN') return undefined;
  const verdict = await queryOrder(deps, order);
  return verdict.kind === 'paid' ? verdict.status : undefined;
}
