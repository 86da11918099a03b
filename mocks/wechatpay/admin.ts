/** The WeChat Pay mock's admin API (DESIGN 10, 13), under /__admin. Login codes are in login.ts. */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { rfc3339Cst } from '../../shared/clock';
import { FEN_MAX } from '../../shared/money';
import { MockHttpError, parseBody } from '../common/app';
import { confirmPayment, confirmSchema } from './confirm';
import type { WeChatPayMockContext } from './context';
import {
  canonicalJson,
  newOpenid,
  newPrepayId,
  newRefundId,
  newTransactionId,
  type Refund,
  type Trade,
} from './state';
import { refreshRefundStatuses } from './refunds';
import { OUT_TRADE_NO, rfc3339String } from './transactions';
import { medInsView, refundView, tradeView } from './views';

const signingSchema = z.object({ mode: z.enum(['certificate', 'publicKey']) });
const callbacksSchema = z.object({
  suppress: z.boolean().optional(),
  duplicate: z.boolean().optional(),
  badSignature: z.boolean().optional(),
});
const optionsSchema = z.object({
  refundMode: z.enum(['SUCCESS', 'PROCESSING']).optional(),
  refundProcessingMs: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600_000)
    .optional(),
  billsSameDay: z.boolean().optional(),
});

const fenSchema = z.number().int().min(1).max(FEN_MAX);
const OUT_REFUND_NO = /^[A-Za-z0-9_\-|*@]{1,64}$/;

const injectTradeSchema = z.object({
  outTradeNo: z.string().regex(OUT_TRADE_NO, '6-32 characters of [A-Za-z0-9_-|*]'),
  amountFen: fenSchema,
  successTime: rfc3339String.optional(),
  openid: z.string().min(1).max(128).optional(),
  description: z.string().min(1).max(127).optional(),
});
const amendTradeSchema = z.object({ amountFen: fenSchema });
const injectRefundSchema = z.object({
  outTradeNo: z.string().min(1),
  refundFen: fenSchema,
  outRefundNo: z.string().regex(OUT_REFUND_NO, '1-64 characters of [A-Za-z0-9_-|*@]').optional(),
  successTime: rfc3339String.optional(),
});

const OPENAPI: Record<string, unknown> = {
  '/__admin/login-codes': {
    post: { summary: 'A login code for jscode2session, usable once within 5 min {openid?} → {code, openid}' },
  },
  '/__admin/payments/confirm': {
    post: {
      summary:
        'The patient confirms {mixTradeNo} or {outTradeNo}, optional result SUCCESS|FAIL: insurance settles (insurance ' +
        'mock), cash is taken, the callback is queued → {outTradeNo, mixTradeNo?, tradeState, mixPayStatus?, ' +
        'medInsFailReason?, notificationId?}',
    },
  },
  '/__admin/notifications': {
    get: {
      summary:
        'Callbacks, newest first: [{id, eventType, outTradeNo, mixTradeNo?, outRefundNo?, url, attempts, delivered, ' +
        'nextAttemptAtMs?, lastStatus?, history}]',
    },
  },
  '/__admin/notifications/{id}': {
    get: { summary: 'One callback with its envelope, plaintext and last headers' },
  },
  '/__admin/notifications/{id}/replay': {
    post: { summary: 'Send a callback again, byte-identical (body and headers of its last attempt)' },
  },
  '/__admin/signing': {
    post: { summary: 'Sign answers and callbacks with {mode: "certificate"|"publicKey"}' },
  },
  '/__admin/callbacks': {
    post: { summary: 'Callback switches {suppress?: paid but no callback, duplicate?, badSignature?}' },
  },
  '/__admin/options': {
    post: { summary: 'Behaviour {refundMode?: SUCCESS|PROCESSING, refundProcessingMs?, billsSameDay?}' },
  },
  '/__admin/orders/{outTradeNo}': {
    get: { summary: 'Everything about one order: {trade?, medIns?, refunds, notifications}' },
  },
  '/__admin/trades': {
    post: {
      summary:
        'A SUCCESS JSAPI trade no callback announces ("WeChat took a payment the hospital may not know") ' +
        '{outTradeNo, amountFen, successTime?: RFC 3339 (default now, mock clock), openid?, description?} → 201 ' +
        '{outTradeNo, transactionId, successTime}; 409 ORDER_EXISTS',
    },
  },
  '/__admin/trades/{outTradeNo}': {
    patch: {
      summary:
        'The amount WeChat recorded for a paid trade changes ("amount differs": bill and query show it) ' +
        '{amountFen} → {outTradeNo, transactionId, amountFen, previousAmountFen}; 404 ORDER_NOT_EXIST, ' +
        '409 ORDER_NOT_PAID, 422 AMOUNT_BELOW_REFUNDED',
    },
  },
  '/__admin/refunds': {
    post: {
      summary:
        'A SUCCESS refund at WeChat only, no callback ("refund on one side only") {outTradeNo, refundFen, ' +
        'outRefundNo?, successTime?: RFC 3339 (default now)} → 201 {outRefundNo, refundId, successTime}; ' +
        '404 ORDER_NOT_EXIST, 409 ORDER_NOT_PAID | REFUND_EXISTS, 422 REFUND_EXCEEDS_PAID | REFUND_BEFORE_PAYMENT',
    },
  },
};

/** An instant given by a tester (RFC 3339), or now on the mock clock. */
function instantOf(mc: WeChatPayMockContext, iso: string | undefined): number {
  return iso === undefined ? mc.frame.clock.now() : Date.parse(iso);
}

function paidTrade(mc: WeChatPayMockContext, outTradeNo: string): { trade: Trade; transactionId: string } {
  const trade = mc.state.trades.get(outTradeNo);
  if (!trade) throw new MockHttpError(404, 'ORDER_NOT_EXIST', `no trade ${outTradeNo}`);
  const { transactionId } = trade;
  if (transactionId === undefined || (trade.state !== 'SUCCESS' && trade.state !== 'REFUND')) {
    throw new MockHttpError(409, 'ORDER_NOT_PAID', `trade ${outTradeNo} is ${trade.state}`);
  }
  return { trade, transactionId };
}

/** POST /__admin/trades: a paid JSAPI trade that nobody ordered through the API and no callback announces. */
function injectTrade(mc: WeChatPayMockContext, raw: unknown) {
  const body = parseBody(injectTradeSchema, raw);
  if (mc.state.trades.has(body.outTradeNo) || mc.state.medInsByOutTradeNo.has(body.outTradeNo)) {
    throw new MockHttpError(409, 'ORDER_EXISTS', `out_trade_no ${body.outTradeNo} exists`);
  }
  const successTimeMs = instantOf(mc, body.successTime);
  const trade: Trade = {
    outTradeNo: body.outTradeNo,
    appid: mc.keyring.appId,
    mchid: mc.keyring.mchId,
    description: body.description ?? '门诊缴费',
    // nobody gave one: a refund of it through the API must carry its own notify_url
    notifyUrl: '',
    totalFen: body.amountFen,
    openid: body.openid ?? newOpenid(),
    createdAtMs: successTimeMs,
    prepayId: newPrepayId(successTimeMs),
    prepayCreatedAtMs: successTimeMs,
    requestKey: canonicalJson({ injected: body }),
    state: 'SUCCESS',
    transactionId: newTransactionId(successTimeMs),
    successTimeMs,
    refundedFen: 0,
  };
  mc.state.trades.set(trade.outTradeNo, trade);
  mc.state.prepays.set(trade.prepayId, trade.outTradeNo);
  return {
    outTradeNo: trade.outTradeNo,
    transactionId: trade.transactionId,
    successTime: rfc3339Cst(successTimeMs),
  };
}

/** PATCH /__admin/trades/:outTradeNo: WeChat's record of a paid trade says another amount. */
function amendTrade(mc: WeChatPayMockContext, outTradeNo: string, raw: unknown) {
  const { amountFen } = parseBody(amendTradeSchema, raw);
  const { trade, transactionId } = paidTrade(mc, outTradeNo);
  if (amountFen < trade.refundedFen) {
    throw new MockHttpError(
      422,
      'AMOUNT_BELOW_REFUNDED',
      `trade ${outTradeNo} has ${trade.refundedFen} fen refunded already`,
    );
  }
  const previousAmountFen = trade.totalFen;
  trade.totalFen = amountFen;
  return { outTradeNo, transactionId, amountFen, previousAmountFen };
}

/** POST /__admin/refunds: a refund that succeeded at WeChat with nobody asking and no callback. */
function injectRefund(mc: WeChatPayMockContext, raw: unknown) {
  const body = parseBody(injectRefundSchema, raw);
  const { trade, transactionId } = paidTrade(mc, body.outTradeNo);
  const successTimeMs = instantOf(mc, body.successTime);
  const outRefundNo = body.outRefundNo ?? `RF-WX-${randomBytes(8).toString('hex')}`;
  if (mc.state.refunds.has(outRefundNo)) {
    throw new MockHttpError(409, 'REFUND_EXISTS', `out_refund_no ${outRefundNo} exists`);
  }
  const leftFen = trade.totalFen - trade.refundedFen;
  if (body.refundFen > leftFen) {
    throw new MockHttpError(
      422,
      'REFUND_EXCEEDS_PAID',
      `trade ${trade.outTradeNo} has ${leftFen} fen left to refund, asked ${body.refundFen}`,
    );
  }
  if (trade.successTimeMs !== undefined && successTimeMs < trade.successTimeMs) {
    throw new MockHttpError(
      422,
      'REFUND_BEFORE_PAYMENT',
      `the trade was paid at ${rfc3339Cst(trade.successTimeMs)}`,
    );
  }
  const refund: Refund = {
    refundId: newRefundId(successTimeMs),
    outRefundNo,
    outTradeNo: trade.outTradeNo,
    transactionId,
    refundFen: body.refundFen,
    totalFen: trade.totalFen,
    status: 'SUCCESS',
    createdAtMs: successTimeMs,
    successTimeMs,
    // as refunds.ts keys a request: the same out_refund_no and amounts through the API is this refund again
    requestKey: canonicalJson({
      outTradeNo: trade.outTradeNo,
      amount: { refund: body.refundFen, total: trade.totalFen, currency: 'CNY' },
    }),
  };
  mc.state.refunds.set(outRefundNo, refund);
  trade.refundedFen += refund.refundFen;
  trade.state = 'REFUND';
  const medIns = mc.state.medInsByTradeNo(trade.outTradeNo);
  if (medIns) refreshRefundStatuses(mc.state, medIns);
  return { outRefundNo, refundId: refund.refundId, successTime: rfc3339Cst(successTimeMs) };
}

export function mountAdminRoutes(mc: WeChatPayMockContext): void {
  const { admin } = mc.frame;
  Object.assign(mc.frame.openapi, OPENAPI);

  admin.post('/payments/confirm', async (ctx) => {
    ctx.body = await confirmPayment(mc, parseBody(confirmSchema, ctx.request.body));
  });

  admin.get('/notifications', (ctx) => {
    ctx.body = mc.notifier.list();
  });

  admin.get('/notifications/:id', (ctx) => {
    const n = mc.notifier.get(ctx.params.id);
    if (!n) throw new MockHttpError(404, 'NOT_FOUND', 'no such notification');
    ctx.body = { ...mc.notifier.view(n), body: n.body, plaintext: n.plaintext, lastHeaders: n.lastHeaders };
  });

  admin.post('/notifications/:id/replay', async (ctx) => {
    const attempt = await mc.notifier.replay(ctx.params.id);
    if (!attempt) throw new MockHttpError(404, 'NOT_FOUND', 'no such notification');
    ctx.body = attempt;
  });

  admin.post('/signing', (ctx) => {
    mc.state.signingMode = parseBody(signingSchema, ctx.request.body).mode;
    ctx.body = { mode: mc.state.signingMode };
  });

  admin.post('/callbacks', (ctx) => {
    const body = parseBody(callbacksSchema, ctx.request.body);
    mc.state.callbacks = { ...mc.state.callbacks, ...body };
    ctx.body = mc.state.callbacks;
  });

  admin.post('/options', (ctx) => {
    const body = parseBody(optionsSchema, ctx.request.body);
    mc.state.options = { ...mc.state.options, ...body };
    ctx.body = mc.state.options;
  });

  admin.post('/trades', (ctx) => {
    ctx.status = 201;
    ctx.body = injectTrade(mc, ctx.request.body);
  });

  admin.patch('/trades/:outTradeNo', (ctx) => {
    ctx.body = amendTrade(mc, ctx.params.outTradeNo, ctx.request.body);
  });

  admin.post('/refunds', (ctx) => {
    ctx.status = 201;
    ctx.body = injectRefund(mc, ctx.request.body);
  });

  admin.get('/orders/:outTradeNo', (ctx) => {
    const { outTradeNo } = ctx.params;
    const trade = mc.state.trades.get(outTradeNo);
    const medIns = mc.state.medInsByTradeNo(outTradeNo);
    if (!trade && !medIns) throw new MockHttpError(404, 'ORDER_NOT_EXIST', `no order ${outTradeNo}`);
    const nowMs = mc.frame.clock.now();
    ctx.body = {
      trade: trade ? tradeView(mc.state.refreshTrade(trade, nowMs)) : undefined,
      medIns: medIns
        ? { ...medInsView(mc.state.refreshMedIns(medIns, nowMs)), payer: medIns.payer }
        : undefined,
      refunds: mc.state.refundsOf(outTradeNo).map(refundView),
      notifications: mc.notifier.forOrder(outTradeNo),
    };
  });
}
