/** JSAPI orders (PROTOCOLS 1.4, 1.5): create, query, close. Routes are relative to /v3. */
import type Router from '@koa/router';
import { z } from 'zod';
import { parseBody } from '../common/app';
import { FEN_MAX } from '../../shared/money';
import type { WeChatPayMockContext } from './context';
import { checkCallbackUrlField } from './callbackUrl';
import { tag, WxError } from './signing';
import { canonicalJson, newPrepayId, PREPAY_TTL_MS, type Trade } from './state';
import { tradeView } from './views';

export const OUT_TRADE_NO = /^[A-Za-z0-9_\-|*]{6,32}$/;
/** WeChat's checklist item 20: yyyy-MM-DDTHH:mm:ss+08:00 — China time, no other offset, no Z, no fractions. */
const RFC3339_CST = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/;

export const rfc3339String = z
  .string()
  .max(64)
  .regex(RFC3339_CST, 'must be RFC 3339 in China time, e.g. 2026-11-23T19:15:32+08:00')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'is not a valid time');

const jsapiSchema = z.object({
  appid: z.string().min(1).max(32),
  mchid: z.string().min(1).max(32),
  description: z.string().min(1).max(127),
  out_trade_no: z.string().regex(OUT_TRADE_NO, '6-32 characters of [A-Za-z0-9_-|*]'),
  time_expire: rfc3339String.optional(),
  attach: z.string().max(128).optional(),
  notify_url: z.url().max(256),
  goods_tag: z.string().max(32).optional(),
  support_fapiao: z.boolean().optional(),
  amount: z.object({ total: z.number().int().min(1).max(FEN_MAX), currency: z.literal('CNY').optional() }),
  payer: z.object({ openid: z.string().min(1).max(128) }),
});

const closeSchema = z.object({ mchid: z.string().min(1) });

export function checkMerchant(
  mc: WeChatPayMockContext,
  appid: string | undefined,
  mchid: string | undefined,
): void {
  if (mchid !== undefined && mchid !== mc.keyring.mchId) {
    throw new WxError(400, 'MCH_NOT_EXISTS', `商户号不存在: ${mchid}`);
  }
  if (appid !== undefined && appid !== mc.keyring.appId) {
    throw new WxError(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配');
  }
}

function tradeOr404(mc: WeChatPayMockContext, outTradeNo: string): Trade {
  const trade = mc.state.trades.get(outTradeNo);
  if (!trade) throw new WxError(404, 'ORDER_NOT_EXIST', '订单不存在');
  return mc.state.refreshTrade(trade, mc.frame.clock.now());
}

function queryMchid(query: Record<string, unknown>): string {
  const mchid = query.mchid;
  if (typeof mchid !== 'string' || mchid === '') throw new WxError(400, 'PARAM_ERROR', '缺少参数 mchid');
  return mchid;
}

function createOrRepeat(mc: WeChatPayMockContext, rawBody: unknown): string {
  const body = parseBody(jsapiSchema, rawBody);
  checkCallbackUrlField(mc, rawBody, 'notify_url');
  checkMerchant(mc, body.appid, body.mchid);
  const nowMs = mc.frame.clock.now();
  const requestKey = canonicalJson(rawBody);
  const existing = mc.state.trades.get(body.out_trade_no);
  if (existing) {
    mc.state.refreshTrade(existing, nowMs);
    if (existing.requestKey !== requestKey) throw new WxError(400, 'INVALID_REQUEST', '201 商户订单号重复');
    if (existing.state === 'SUCCESS' || existing.state === 'REFUND')
      throw new WxError(400, 'ORDERPAID', '该订单已支付');
    if (existing.state === 'CLOSED') throw new WxError(400, 'ORDER_CLOSED', '订单已关闭');
    if (nowMs - existing.prepayCreatedAtMs >= PREPAY_TTL_MS) {
      existing.prepayId = newPrepayId(nowMs);
      existing.prepayCreatedAtMs = nowMs;
      mc.state.prepays.set(existing.prepayId, existing.outTradeNo);
    }
    return existing.prepayId;
  }
  const trade: Trade = {
    outTradeNo: body.out_trade_no,
    appid: body.appid,
    mchid: body.mchid,
    description: body.description,
    attach: body.attach,
    notifyUrl: body.notify_url,
    totalFen: body.amount.total,
    openid: body.payer.openid,
    timeExpireMs: body.time_expire === undefined ? undefined : Date.parse(body.time_expire),
    createdAtMs: nowMs,
    prepayId: newPrepayId(nowMs),
    prepayCreatedAtMs: nowMs,
    requestKey,
    state: 'NOTPAY',
    refundedFen: 0,
  };
  mc.state.trades.set(trade.outTradeNo, trade);
  mc.state.prepays.set(trade.prepayId, trade.outTradeNo);
  return trade.prepayId;
}

export function mountTransactionRoutes(v3: Router, mc: WeChatPayMockContext): void {
  v3.post('/pay/transactions/jsapi', (ctx) => {
    const raw = ctx.request.body as { out_trade_no?: unknown; payer?: { openid?: unknown } } | undefined;
    tag(ctx.state, 'outTradeNo', typeof raw?.out_trade_no === 'string' ? raw.out_trade_no : undefined);
    tag(ctx.state, 'openid', typeof raw?.payer?.openid === 'string' ? raw.payer.openid : undefined);
    ctx.body = { prepay_id: createOrRepeat(mc, ctx.request.body) };
  });

  v3.get('/pay/transactions/out-trade-no/:outTradeNo', (ctx) => {
    tag(ctx.state, 'outTradeNo', ctx.params.outTradeNo);
    checkMerchant(mc, undefined, queryMchid(ctx.query));
    ctx.body = tradeView(tradeOr404(mc, ctx.params.outTradeNo));
  });

  v3.get('/pay/transactions/id/:transactionId', (ctx) => {
    checkMerchant(mc, undefined, queryMchid(ctx.query));
    const trade = [...mc.state.trades.values()].find((t) => t.transactionId === ctx.params.transactionId);
    if (!trade) throw new WxError(404, 'ORDER_NOT_EXIST', '订单不存在');
    tag(ctx.state, 'outTradeNo', trade.outTradeNo);
    ctx.body = tradeView(trade);
  });

  v3.post('/pay/transactions/out-trade-no/:outTradeNo/close', (ctx) => {
    tag(ctx.state, 'outTradeNo', ctx.params.outTradeNo);
    checkMerchant(mc, undefined, parseBody(closeSchema, ctx.request.body).mchid);
    const trade = tradeOr404(mc, ctx.params.outTradeNo);
    if (trade.state === 'SUCCESS' || trade.state === 'REFUND')
      throw new WxError(400, 'ORDERPAID', '订单已支付，不能关闭');
    trade.state = 'CLOSED';
    const medIns = mc.state.medInsByTradeNo(trade.outTradeNo);
    if (medIns) mc.state.refreshMedIns(medIns, mc.frame.clock.now());
    ctx.status = 204;
  });
}
