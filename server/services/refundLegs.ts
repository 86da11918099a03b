/**
 * The outside calls of each refund leg, made outside any transaction and safe to repeat (every party is keyed
 * by our refund number). Each answers what the party said: succeeded (with its reference), pending (ask again
 * later) or refused (a final answer that needs a person).
 */
import { InsuranceAuthorizationRow, type OrderRow } from '../db/entities';
import type { RefundLegRow, RefundRow } from '../db/refundEntities';
import { GatewayError, type RefundState } from '../gateways/ports';
import { refundSplitOf } from './refundViews';
import type { Deps } from './deps';

export type LegOutcome =
  | { kind: 'succeeded'; ref: string }
  | { kind: 'pending'; message: string }
  | { kind: 'refused'; message: string };

export async function callLeg(
  deps: Deps,
  order: OrderRow,
  refund: RefundRow,
  leg: RefundLegRow,
): Promise<LegOutcome> {
  switch (leg.kind) {
    case 'cash':
      return cashLeg(deps, order, refund, leg);
    case 'insurance':
      return insuranceLeg(deps, order, refund);
    case 'his': {
      const { refundReceiptNo } = await deps.his.refundCharge(
        order.orderNo,
        refund.refundNo,
        refund.totalFen,
      );
      return { kind: 'succeeded', ref: refundReceiptNo };
    }
  }
}

/**
 * WeChat refund of the cash share, out_refund_no = our refund number. Asks first (a refund created by an
 * earlier attempt whose answer was lost is found, not created twice), creates only when WeChat knows none.
 */
async function cashLeg(
  deps: Deps,
  order: OrderRow,
  refund: RefundRow,
  leg: RefundLegRow,
): Promise<LegOutcome> {
  let state: RefundState | null = await deps.wechat.queryRefund(refund.refundNo);
  state ??= await deps.wechat.refund({
    outTradeNo: order.orderNo,
    outRefundNo: refund.refundNo,
    reason: refund.reason,
    refundFen: leg.amountFen,
    totalFen: order.cashFen,
  });
  if (state.refundFen !== leg.amountFen || state.outRefundNo !== refund.refundNo) {
    throw new GatewayError(
      'wechatpay',
      'invalid_response',
      `refund ${state.outRefundNo} of ${state.refundFen} fen does not match ${refund.refundNo} of ${leg.amountFen} fen`,
    );
  }
  switch (state.status) {
    case 'SUCCESS':
      return { kind: 'succeeded', ref: state.refundId ?? refund.refundNo };
    case 'PROCESSING':
      return { kind: 'pending', message: `WeChat refund ${refund.refundNo} is still PROCESSING` };
    case 'CLOSED':
    case 'ABNORMAL':
      return { kind: 'refused', message: `WeChat refund ${refund.refundNo} is ${state.status}` };
  }
}

/**
 * 6203 (appRefdSn = our refund number) with the whole refund split — the platform records the cash part the
 * hospital gives back through WeChat too (refdType ALL) — then, for orders paid through WeChat's med-ins
 * order, POST /v3/med-ins/refunds/notify with the same out_refund_no. Both are replays when repeated; the times
 * sent are the refund's creation time, so a repeat carries the same body.
 */
async function insuranceLeg(deps: Deps, order: OrderRow, refund: RefundRow): Promise<LegOutcome> {
  if (!order.payOrdId || !order.authorizationId)
    throw new Error(`order ${order.id} has no insurance settlement to refund`);
  const authorization = await deps.db
    .getRepository(InsuranceAuthorizationRow)
    .findOneByOrFail({ id: order.authorizationId });
  const split = refundSplitOf(refund);
  const result = await deps.insurance.refund({
    payOrdId: order.payOrdId,
    payAuthNo: deps.pii.decrypt(authorization.payAuthNoEnc),
    refundNo: refund.refundNo,
    split,
    requestedAtMs: refund.createdAt.getTime(),
  });
  switch (result.status) {
    case 'PROCESSING':
      return { kind: 'pending', message: `6203 ${refund.refundNo} is still PROCESSING` };
    case 'FAILED':
      return { kind: 'refused', message: `6203 ${refund.refundNo} FAILED` };
    case 'SUCCEEDED':
      break;
  }
  if (order.mixTradeNo) {
    await deps.wechat.notifyMedInsRefund({
      mixTradeNo: order.mixTradeNo,
      outRefundNo: refund.refundNo,
      split,
      refundedAtMs: refund.createdAt.getTime(),
    });
  }
  return { kind: 'succeeded', ref: refund.refundNo };
}
