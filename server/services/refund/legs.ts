/**
 * The outside calls of each refund leg, made outside any transaction and safe to repeat (every party is keyed
 * by our refund number). Each answers what the party said: succeeded (with its reference), pending (ask again
 * later) or refused (a final answer that needs a person).
 */
import type { OrderRow } from '../../db/entities';
import { authorizationOfOrder, payAuthNoOf } from '../order/insuredIdentity';
import { RefundRow, type RefundLegRow } from '../../db/refundEntities';
import { isMoneyLeg, otherFundOfRefund } from '../../domain/refunds';
import { GatewayError, type RefundState } from '../../gateways/ports';
import { refundSplitOf } from './views';
import { refreshBalance } from '../patient/insuranceAuthorizations';
import type { Deps } from '../deps';

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
 * hospital gives back through WeChat too (refdType ALL). A replay when repeated. The leg succeeds when 6203 does,
 * and the moment it is recorded (the leg's completed_at) is the refund_time WeChat is told: the med-ins notice is
 * not part of this leg but follows both money legs (sendMedInsRefundNotice).
 */
async function insuranceLeg(deps: Deps, order: OrderRow, refund: RefundRow): Promise<LegOutcome> {
  if (!order.payOrdId) throw new Error(`order ${order.id} has no insurance settlement to refund`);
  const authorization = await authorizationOfOrder(deps, order);
  const result = await deps.insurance.refund({
    payOrdId: order.payOrdId,
    payAuthNo: payAuthNoOf(deps, authorization),
    refundNo: refund.refundNo,
    split: refundSplitOf(refund),
    requestedAtMs: refund.createdAt.getTime(),
  });
  switch (result.status) {
    case 'PROCESSING':
      return { kind: 'pending', message: `6203 ${refund.refundNo} is still PROCESSING` };
    case 'FAILED':
      return { kind: 'refused', message: `6203 ${refund.refundNo} FAILED` };
    case 'SUCCEEDED':
      // the account part went back to the 个人账户: the card's balance is asked again (1101)
      if (refund.accountFen > 0) await refreshBalance(deps, order);
      return { kind: 'succeeded', ref: refund.refundNo };
  }
}

/** An order paid through WeChat's med-ins order has its insurance refunds told to WeChat. */
export function needsMedInsRefundNotice(order: OrderRow, legs: readonly RefundLegRow[]): boolean {
  return Boolean(order.mixTradeNo) && legs.some((l) => l.kind === 'insurance');
}

/**
 * POST /v3/med-ins/refunds/notify?mix_trade_no= (开发参数与业务规则 §七): WeChat is told of the insurance refund
 * only after the self-pay part went back through /v3/refund/domestic/refunds, under the SAME out_refund_no, with
 * refund_time = when 6203 succeeded. So it is sent once every money leg has succeeded — the cash leg (WeChat
 * said SUCCESS) and the insurance leg (6203 SUCCEEDED, its completed_at recorded) — and carries that completed_at.
 * A repeat sends the same body (WeChat keeps the latest notice of an out_refund_no).
 */
export async function sendMedInsRefundNotice(
  deps: Deps,
  order: OrderRow,
  refund: RefundRow,
  legs: readonly RefundLegRow[],
): Promise<void> {
  if (!order.mixTradeNo) throw new Error(`order ${order.id} has no med-ins order to tell`);
  const unfinished = legs.filter((l) => isMoneyLeg(l.kind) && l.status !== 'SUCCEEDED');
  if (unfinished.length > 0)
    throw new Error(
      `refund ${refund.refundNo}: the med-ins notice waits for the ${unfinished.map((l) => l.kind).join(' and ')} leg`,
    );
  const insurance = legs.find((l) => l.kind === 'insurance');
  if (!insurance?.completedAt)
    throw new Error(`refund ${refund.refundNo} has no recorded 6203 success to tell WeChat of`);
  const earlier = await deps.db
    .getRepository(RefundRow)
    .find({ where: { orderId: order.id }, order: { sequence: 'ASC' } });
  const fundBefore = earlier
    .filter((r) => r.sequence < refund.sequence && r.status !== 'FAILED')
    .reduce((sum, r) => sum + r.fundFen, 0);
  await deps.wechat.notifyMedInsRefund({
    mixTradeNo: order.mixTradeNo,
    outRefundNo: refund.refundNo,
    split: refundSplitOf(refund),
    fundOther: otherFundOfRefund(order, fundBefore, refund.fundFen),
    refundedAtMs: insurance.completedAt.getTime(),
  });
}
