/** The WeChat Pay mock's admin API (DESIGN 10, 13), under /__admin. Login codes are in login.ts. */
import { z } from 'zod';
import { MockHttpError, parseBody } from '../common/app';
import { confirmPayment, confirmSchema } from './confirm';
import type { WeChatPayMockContext } from './context';
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
};

export function registerAdminRoutes(mc: WeChatPayMockContext): void {
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
