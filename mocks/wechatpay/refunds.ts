/**
 * Refunds (PROTOCOLS 1.5, 2.5): the cash refund of /v3/refund/domestic/refunds (idempotent by out_refund_no,
 * never beyond what was paid) and the merchant's notice of an insurance refund, /v3/med-ins/refunds/notify.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { parseBody } from '../common/app';
import { FEN_MAX } from '../../shared/money';
import type { WeChatPayMockContext } from './context';
import { DETAIL_NOT_FOUND, insurancePartOf } from './medins-rules';
import { tag, WxError } from './signing';
import { canonicalJson, newRefundId, type MedInsRefundNotice, type Refund, type Trade } from './state';
import { rfc3339String } from './transactions';
import { refundNotificationView, refundView } from './views';

const fee = z.number().int().min(0).max(FEN_MAX);

const refundSchema = z.object({
  transaction_id: z.string().min(1).max(32).optional(),
  out_trade_no: z.string().min(1).max(32).optional(),
  out_refund_no: z.string().regex(/^[A-Za-z0-9_\-|*@]{1,64}$/, '1-64 characters of [A-Za-z0-9_-|*@]'),
  reason: z.string().max(80).optional(),
  notify_url: z.url().max(256).optional(),
  funds_account: z.string().optional(),
  amount: z.object({ refund: fee.min(1), total: fee.min(1), currency: z.literal('CNY') }),
});

const medInsRefundSchema = z.object({
  sub_mchid: z.string().optional(),
  med_refund_total_fee: fee,
  med_refund_gov_fee: fee,
  med_refund_self_fee: fee,
  med_refund_other_fee: fee,
  refund_time: rfc3339String,
  out_refund_no: z.string().min(1).max(64),
});

function findTrade(mc: WeChatPayMockContext, outTradeNo?: string, transactionId?: string): Trade {
  const trade =
    outTradeNo !== undefined
      ? mc.state.trades.get(outTradeNo)
      : [...mc.state.trades.values()].find((t) => t.transactionId === transactionId);
  if (!trade) throw new WxError(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
  return mc.state.refreshTrade(trade, mc.frame.clock.now());
}

/** Queues REFUND.SUCCESS to the refund's notify_url (or the order's). */
function notifyRefund(mc: WeChatPayMockContext, refund: Refund, trade: Trade): void {
  if (mc.state.callbacks.suppress) return;
  mc.notifier.enqueue({
    eventType: 'REFUND.SUCCESS',
    url: refund.notifyUrl ?? trade.notifyUrl,
    outTradeNo: refund.outTradeNo,
    mixTradeNo: mc.state.medInsByOutTradeNo.get(refund.outTradeNo),
    outRefundNo: refund.outRefundNo,
    plaintext: refundNotificationView(refund, trade.mchid),
  });
}

function succeed(mc: WeChatPayMockContext, refund: Refund): void {
  refund.status = 'SUCCESS';
  // a refund that came due while nobody looked succeeded when it came due, not when it was noticed
  refund.successTimeMs = refund.completesAtMs ?? mc.frame.clock.now();
  refund.completesAtMs = undefined;
  const trade = mc.state.trades.get(refund.outTradeNo);
  if (trade) notifyRefund(mc, refund, trade);
}

/** PROCESSING refunds whose time has come (mock clock) succeed and are notified. */
export function completeDueRefunds(mc: WeChatPayMockContext): void {
  const nowMs = mc.frame.clock.now();
  for (const refund of mc.state.refunds.values()) {
    if (
      refund.status === 'PROCESSING' &&
      refund.completesAtMs !== undefined &&
      refund.completesAtMs <= nowMs
    ) {
      succeed(mc, refund);
    }
  }
}

function createRefund(mc: WeChatPayMockContext, raw: unknown): Refund {
  const body = parseBody(refundSchema, raw);
  if (body.out_trade_no === undefined && body.transaction_id === undefined) {
    throw new WxError(400, 'PARAM_ERROR', 'transaction_id 和 out_trade_no 必须二选一');
  }
  const trade = findTrade(mc, body.out_trade_no, body.transaction_id);
  const requestKey = canonicalJson({ outTradeNo: trade.outTradeNo, amount: body.amount });
  const existing = mc.state.refunds.get(body.out_refund_no);
  if (existing) {
    if (existing.requestKey !== requestKey)
      throw new WxError(400, 'INVALID_REQUEST', '同一退款单号的请求参数不一致');
    return existing;
  }
  if (trade.transactionId === undefined || (trade.state !== 'SUCCESS' && trade.state !== 'REFUND')) {
    throw new WxError(400, 'INVALID_REQUEST', '订单未支付，不能退款');
  }
  if (body.amount.total !== trade.totalFen)
    throw new WxError(400, 'INVALID_REQUEST', '订单金额与原订单金额不一致');
  if (trade.refundedFen + body.amount.refund > trade.totalFen) {
    throw new WxError(
      400,
      'INVALID_REQUEST',
      `申请退款金额超过订单可退金额 (可退 ${trade.totalFen - trade.refundedFen} 分)`,
    );
  }
  const nowMs = mc.frame.clock.now();
  const refund: Refund = {
    refundId: newRefundId(nowMs),
    outRefundNo: body.out_refund_no,
    outTradeNo: trade.outTradeNo,
    transactionId: trade.transactionId,
    reason: body.reason,
    notifyUrl: body.notify_url,
    refundFen: body.amount.refund,
    totalFen: trade.totalFen,
    status: 'PROCESSING',
    createdAtMs: nowMs,
    requestKey,
  };
  mc.state.refunds.set(refund.outRefundNo, refund);
  trade.refundedFen += refund.refundFen;
  trade.state = 'REFUND';
  const medIns = mc.state.medInsByTradeNo(trade.outTradeNo);
  if (medIns) {
    medIns.selfPayStatus = 'SELF_PAY_REFUND';
    medIns.mixPayStatus = 'MIX_PAY_REFUND';
  }
  if (mc.state.options.refundMode === 'SUCCESS') succeed(mc, refund);
  else refund.completesAtMs = nowMs + mc.state.options.refundProcessingMs;
  return refund;
}

function noteMedInsRefund(mc: WeChatPayMockContext, mixTradeNo: string, raw: unknown): void {
  const body = parseBody(medInsRefundSchema, raw);
  const order = mc.state.medIns.get(mixTradeNo);
  if (!order) throw new WxError(404, 'ORDER_NOT_EXIST', '订单不存在', DETAIL_NOT_FOUND);
  if (insurancePartOf(order.fees) === 0) throw new WxError(403, 'RULE_LIMIT', '混合单中没有医保订单');
  if (
    body.med_refund_total_fee !==
    body.med_refund_gov_fee + body.med_refund_self_fee + body.med_refund_other_fee
  ) {
    throw new WxError(403, 'RULE_LIMIT', '医保退款总金额校验不通过');
  }
  const notice: MedInsRefundNotice = {
    outRefundNo: body.out_refund_no,
    total: body.med_refund_total_fee,
    gov: body.med_refund_gov_fee,
    self: body.med_refund_self_fee,
    other: body.med_refund_other_fee,
    refundTime: body.refund_time,
  };
  const existing = order.refundNotices.find((n) => n.outRefundNo === notice.outRefundNo);
  if (existing) {
    if (canonicalJson(existing) !== canonicalJson(notice))
      throw new WxError(400, 'INVALID_REQUEST', '同一退款单号的请求参数不一致');
    return;
  }
  if (order.medInsPayStatus !== 'MED_INS_PAY_SUCCESS' && order.medInsPayStatus !== 'MED_INS_PAY_REFUND') {
    throw new WxError(400, 'INVALID_REQUEST', '医保订单未支付成功');
  }
  const refunded = order.refundNotices.reduce(
    (sum, n) => ({ gov: sum.gov + n.gov, self: sum.self + n.self, other: sum.other + n.other }),
    { gov: notice.gov, self: notice.self, other: notice.other },
  );
  if (refunded.gov > order.fees.gov || refunded.self > order.fees.self || refunded.other > order.fees.other) {
    throw new WxError(403, 'RULE_LIMIT', '医保退款金额超过可退金额');
  }
  order.refundNotices.push(notice);
  order.medInsPayStatus = 'MED_INS_PAY_REFUND';
  order.mixPayStatus = 'MIX_PAY_REFUND';
}

export function registerRefundRoutes(v3: Router, mc: WeChatPayMockContext): void {
  v3.post('/refund/domestic/refunds', (ctx) => {
    const refund = createRefund(mc, ctx.request.body);
    tag(ctx.state, 'outTradeNo', refund.outTradeNo);
    tag(ctx.state, 'outRefundNo', refund.outRefundNo);
    ctx.body = refundView(refund);
  });

  v3.get('/refund/domestic/refunds/:outRefundNo', (ctx) => {
    tag(ctx.state, 'outRefundNo', ctx.params.outRefundNo);
    const refund = mc.state.refunds.get(ctx.params.outRefundNo);
    if (!refund) throw new WxError(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
    tag(ctx.state, 'outTradeNo', refund.outTradeNo);
    ctx.body = refundView(refund);
  });

  v3.post('/med-ins/refunds/notify', (ctx) => {
    const mixTradeNo = ctx.query.mix_trade_no;
    if (typeof mixTradeNo !== 'string' || mixTradeNo === '')
      throw new WxError(400, 'PARAM_ERROR', '缺少参数 mix_trade_no');
    tag(ctx.state, 'mixTradeNo', mixTradeNo);
    noteMedInsRefund(mc, mixTradeNo, ctx.request.body);
    ctx.status = 204;
  });
}
