/**
 * Refunds (PROTOCOLS 1.5, 2.5): the cash refund of /v3/refund/domestic/refunds (idempotent by out_refund_no,
 * never beyond what was paid) and the merchant's notice of an insurance refund, /v3/med-ins/refunds/notify.
 *
 * The notice (开发参数与业务规则 §七, 排障手册 2.5): the merchant refunds the self-pay part first through
 * /v3/refund/domestic/refunds, then tells WeChat of the insurance refund (6203) under the SAME out_refund_no, with
 * refund_time = when the insurance refund succeeded (RFC 3339, +08:00). WeChat keeps the latest notice of an
 * out_refund_no: a repeat replaces it, it never counts twice. The rules kept here:
 * - med_refund_total_fee = gov + self + other, else 403 RULE_LIMIT; a notice of nothing is a PARAM_ERROR;
 * - an order without an insurance part: 403 RULE_LIMIT 混合单中没有医保订单;
 * - what the notices of an order say was refunded never exceeds what insurance paid: in all, from the personal
 *   account, from the funds (403 RULE_LIMIT);
 * - an out_refund_no already used by a self-pay refund of another order is refused (400 INVALID_REQUEST);
 * - a notice naming no self-pay refund is accepted (an insurance-only refund of a mixed order is allowed: "若同时
 *   退自费" is conditional), but the journal shows it: the notice is tagged selfPayRefund=<that refund's status> or
 *   NONE, and a self-pay refund created after a notice of its number is tagged medInsNoticeFirst=true.
 * Statuses (refreshRefundStatuses): SELF_PAY_REFUND once the self-pay part is refunded in full (refunds that
 * succeeded), MED_INS_PAY_REFUND once the notices cover the whole insurance part, MIX_PAY_REFUND only when both
 * parts the order has are back; a partial refund leaves the *_SUCCESS statuses. Unverified: WeChat's exact codes
 * for the refusals that PROTOCOLS 2.5 does not list.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { parseBody } from '../common/app';
import { rfc3339Cst } from '../../shared/clock';
import { FEN_MAX } from '../../shared/money';
import type { WeChatPayMockContext } from './context';
import { DETAIL_NOT_FOUND, insurancePartOf } from './medins-rules';
import { tag, WxError } from './signing';
import { checkCallbackUrlField } from './callbackUrl';
import {
  canonicalJson,
  newRefundId,
  type MedInsOrder,
  type MedInsRefundNotice,
  type Refund,
  type Trade,
  type WeChatPayState,
} from './state';
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

/**
 * refund_time: RFC 3339 in China time, `yyyy-MM-ddTHH:mm:ss+08:00` (排障手册 E: the precision is not checked
 * strictly, the format is; so fractional seconds pass), and a real instant: it reads back the same (no 02-30).
 */
const RFC3339_CST = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{1,9})?\+08:00$/;
const refundTime = z
  .string()
  .max(64)
  .regex(RFC3339_CST, '须为 RFC 3339 格式 yyyy-MM-ddTHH:mm:ss+08:00')
  .refine((s) => {
    const seconds = `${RFC3339_CST.exec(s)?.[1] ?? ''}+08:00`;
    const ms = Date.parse(seconds);
    return !Number.isNaN(ms) && rfc3339Cst(ms) === seconds;
  }, '不是有效的时间');

const medInsRefundSchema = z.object({
  sub_mchid: z.string().optional(),
  med_refund_total_fee: fee,
  med_refund_gov_fee: fee,
  med_refund_self_fee: fee,
  med_refund_other_fee: fee,
  refund_time: refundTime,
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
  const medIns = mc.state.medInsByTradeNo(refund.outTradeNo);
  if (medIns) refreshRefundStatuses(mc.state, medIns);
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

interface InsuranceRefunded {
  gov: number;
  self: number;
  other: number;
}

/** What the notices of an order say insurance gave back: the latest notice of each out_refund_no, summed. */
function noticed(notices: readonly MedInsRefundNotice[]): InsuranceRefunded {
  return notices.reduce(
    (sum, n) => ({ gov: sum.gov + n.gov, self: sum.self + n.self, other: sum.other + n.other }),
    { gov: 0, self: 0, other: 0 },
  );
}

/**
 * Whether notices say more came back than insurance paid: in all, from the personal account (个账, self), or from
 * the funds (统筹 gov and the other funds together: how a fund refund divides between them is the platform's).
 */
function beyondPaid(refunded: InsuranceRefunded, fees: MedInsOrder['fees']): boolean {
  return (
    refunded.gov + refunded.self + refunded.other > insurancePartOf(fees) ||
    refunded.self > fees.self ||
    refunded.gov + refunded.other > fees.gov + fees.other
  );
}

/**
 * The refund statuses of a paid med-ins order, from what was given back: the self-pay part by the refunds of its
 * JSAPI order that succeeded, the insurance part by the notices. Each part turns *_REFUND when all of it is back;
 * MIX_PAY_REFUND needs every part the order has. Orders that were never paid are left as they are.
 * Call it whenever a refund succeeds or a notice is taken.
 */
export function refreshRefundStatuses(state: WeChatPayState, order: MedInsOrder): void {
  const { fees } = order;
  const cashBack = state
    .refundsOf(order.outTradeNo)
    .filter((r) => r.status === 'SUCCESS')
    .reduce((sum, r) => sum + r.refundFen, 0);
  const insuranceBack = noticed(order.refundNotices);
  const selfAllBack = fees.wechatCash > 0 && cashBack >= fees.wechatCash;
  const insuranceAllBack =
    insurancePartOf(fees) > 0 &&
    insuranceBack.gov + insuranceBack.self + insuranceBack.other >= insurancePartOf(fees);
  if (order.selfPayStatus === 'SELF_PAY_SUCCESS' || order.selfPayStatus === 'SELF_PAY_REFUND')
    order.selfPayStatus = selfAllBack ? 'SELF_PAY_REFUND' : 'SELF_PAY_SUCCESS';
  if (order.medInsPayStatus === 'MED_INS_PAY_SUCCESS' || order.medInsPayStatus === 'MED_INS_PAY_REFUND')
    order.medInsPayStatus = insuranceAllBack ? 'MED_INS_PAY_REFUND' : 'MED_INS_PAY_SUCCESS';
  if (order.mixPayStatus === 'MIX_PAY_SUCCESS' || order.mixPayStatus === 'MIX_PAY_REFUND') {
    const selfDone = order.selfPayStatus === 'NO_SELF_PAY' || order.selfPayStatus === 'SELF_PAY_REFUND';
    const insuranceDone =
      order.medInsPayStatus === 'NO_MED_INS_PAY' || order.medInsPayStatus === 'MED_INS_PAY_REFUND';
    order.mixPayStatus = selfDone && insuranceDone ? 'MIX_PAY_REFUND' : 'MIX_PAY_SUCCESS';
  }
}

interface CreatedRefund {
  refund: Refund;
  /** false: the same request again, answered with the refund it made */
  created: boolean;
}

function createRefund(mc: WeChatPayMockContext, raw: unknown): CreatedRefund {
  const body = parseBody(refundSchema, raw);
  if (body.out_trade_no === undefined && body.transaction_id === undefined) {
    throw new WxError(400, 'PARAM_ERROR', 'transaction_id 和 out_trade_no 必须二选一');
  }
  checkCallbackUrlField(mc, raw, 'notify_url');
  const trade = findTrade(mc, body.out_trade_no, body.transaction_id);
  const requestKey = canonicalJson({ outTradeNo: trade.outTradeNo, amount: body.amount });
  const existing = mc.state.refunds.get(body.out_refund_no);
  if (existing) {
    if (existing.requestKey !== requestKey)
      throw new WxError(400, 'INVALID_REQUEST', '同一退款单号的请求参数不一致');
    return { refund: existing, created: false };
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
  // the JSAPI order reads REFUND (转入退款) from its first refund on; the med-ins order's statuses follow what
  // has been given back (refreshRefundStatuses, when the refund succeeds)
  trade.state = 'REFUND';
  if (mc.state.options.refundMode === 'SUCCESS') succeed(mc, refund);
  else refund.completesAtMs = nowMs + mc.state.options.refundProcessingMs;
  return { refund, created: true };
}

/** A notice taken; what the journal shows of its self-pay refund. */
interface NoticeTaken {
  /** the status of the self-pay refund of the same out_refund_no, or NONE */
  selfPayRefund: string;
}

function noteMedInsRefund(mc: WeChatPayMockContext, mixTradeNo: string, raw: unknown): NoticeTaken {
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
  if (body.med_refund_total_fee === 0)
    throw new WxError(400, 'PARAM_ERROR', 'med_refund_total_fee 必须大于 0');
  if (order.medInsPayStatus !== 'MED_INS_PAY_SUCCESS' && order.medInsPayStatus !== 'MED_INS_PAY_REFUND') {
    throw new WxError(400, 'INVALID_REQUEST', '医保订单未支付成功');
  }
  const selfPay = mc.state.refunds.get(body.out_refund_no);
  if (selfPay && selfPay.outTradeNo !== order.outTradeNo) {
    throw new WxError(400, 'INVALID_REQUEST', 'out_refund_no 已用于其他订单的自费退款');
  }
  const notice: MedInsRefundNotice = {
    outRefundNo: body.out_refund_no,
    total: body.med_refund_total_fee,
    gov: body.med_refund_gov_fee,
    self: body.med_refund_self_fee,
    other: body.med_refund_other_fee,
    refundTime: body.refund_time,
  };
  // the latest notice of an out_refund_no stands in for the earlier ones: judged without them, then replaces them
  const others = order.refundNotices.filter((n) => n.outRefundNo !== notice.outRefundNo);
  if (beyondPaid(noticed([...others, notice]), order.fees))
    throw new WxError(403, 'RULE_LIMIT', '医保退款金额超过可退金额');
  const at = order.refundNotices.findIndex((n) => n.outRefundNo === notice.outRefundNo);
  if (at < 0) order.refundNotices.push(notice);
  else order.refundNotices.splice(at, 1, notice);
  refreshRefundStatuses(mc.state, order);
  return { selfPayRefund: selfPay?.status ?? 'NONE' };
}

export function mountRefundRoutes(v3: Router, mc: WeChatPayMockContext): void {
  v3.post('/refund/domestic/refunds', (ctx) => {
    const { refund, created } = createRefund(mc, ctx.request.body);
    tag(ctx.state, 'outTradeNo', refund.outTradeNo);
    tag(ctx.state, 'outRefundNo', refund.outRefundNo);
    const medIns = mc.state.medInsByTradeNo(refund.outTradeNo);
    if (medIns) tag(ctx.state, 'mixTradeNo', medIns.mixTradeNo);
    // the documented order is the self-pay refund first, then the notice under its number
    if (created && medIns?.refundNotices.some((n) => n.outRefundNo === refund.outRefundNo))
      tag(ctx.state, 'medInsNoticeFirst', 'true');
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
    const body = ctx.request.body as { out_refund_no?: unknown } | undefined;
    if (typeof body?.out_refund_no === 'string') tag(ctx.state, 'outRefundNo', body.out_refund_no);
    const order = mc.state.medIns.get(mixTradeNo);
    if (order) tag(ctx.state, 'outTradeNo', order.outTradeNo);
    const taken = noteMedInsRefund(mc, mixTradeNo, ctx.request.body);
    tag(ctx.state, 'selfPayRefund', taken.selfPayRefund);
    ctx.status = 204;
  });
}
