/** Medical-insurance orders 2.0 (PROTOCOLS 2.1, 2.2): create and query. Routes are relative to /v3. */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { parseBody } from '../common/app';
import type { WeChatPayMockContext } from './context';
import {
  checkAmounts,
  checkLinkage,
  checkPassthrough,
  checkRelative,
  DETAIL_ALREADY_EXISTS,
  DETAIL_LINKAGE_PREPAY,
  DETAIL_NOT_FOUND,
  DETAIL_SELF_PAY,
  feesOf,
  insurancePartOf,
  medInsOrderSchema,
  type MedInsOrderRequest,
} from './medins-rules';
import { checkCallbackUrlField } from './callbackUrl';
import { checkPayerBinding } from './evoucher';
import { decryptSensitive, isKnownWechatpaySerial, tag, WxError } from './signing';
import { canonicalJson, newMixTradeNo, type MedInsFees, type MedInsOrder } from './state';
import { checkMerchant } from './transactions';
import { medInsView } from './views';

interface DecryptedPayer {
  name: string;
  idDigest: string;
}

function decryptPerson(
  mc: WeChatPayMockContext,
  serial: string,
  who: string,
  p: { name: string; id_digest: string },
) {
  const name = decryptSensitive(mc.keyring, serial, p.name);
  if (name === null) throw new WxError(400, 'PARAM_ERROR', `${who}.name 解密失败`);
  const idDigest = decryptSensitive(mc.keyring, serial, p.id_digest);
  if (idDigest === null) throw new WxError(400, 'PARAM_ERROR', `${who}.id_digest 解密失败`);
  if (!/^[0-9a-f]{32}$/.test(idDigest))
    throw new WxError(400, 'PARAM_ERROR', `${who}.id_digest 须为小写 MD5`);
  return { name, idDigest };
}

function wechatpaySerial(mc: WeChatPayMockContext, ctx: Context): string {
  const serial = ctx.get('Wechatpay-Serial');
  if (!serial) throw new WxError(400, 'PARAM_ERROR', '缺少 Wechatpay-Serial 请求头');
  if (!isKnownWechatpaySerial(mc.keyring, serial)) {
    throw new WxError(400, 'PARAM_ERROR', `Wechatpay-Serial ${serial} 不是有效的平台证书序列号或公钥ID`);
  }
  return serial;
}

/** The self-pay JSAPI order behind prepay_id must exist, be unpaid, share out_trade_no and the cash amount. */
function checkPrepay(mc: WeChatPayMockContext, body: MedInsOrderRequest, fees: MedInsFees): void {
  if (body.prepay_id === undefined) return;
  const outTradeNo = mc.state.prepays.get(body.prepay_id);
  const trade = outTradeNo === undefined ? undefined : mc.state.trades.get(outTradeNo);
  if (!trade) throw new WxError(400, 'PARAM_ERROR', 'prepay_id 不存在', DETAIL_LINKAGE_PREPAY);
  if (trade.outTradeNo !== body.out_trade_no) {
    throw new WxError(
      400,
      'PARAM_ERROR',
      'out_trade_no 与自费订单的 out_trade_no 不一致',
      DETAIL_LINKAGE_PREPAY,
    );
  }
  if (trade.totalFen !== fees.wechatCash) {
    throw new WxError(
      403,
      'RULE_LIMIT',
      '自费金额校验不通过: wechat_pay_cash_fee 与自费订单金额不一致',
      DETAIL_SELF_PAY,
    );
  }
  const state = mc.state.refreshTrade(trade, mc.frame.clock.now()).state;
  if (state === 'SUCCESS' || state === 'REFUND') throw new WxError(400, 'ORDERPAID', '自费订单已支付');
  if (state === 'CLOSED') throw new WxError(400, 'ORDER_CLOSED', '自费订单已关闭');
}

async function createMedInsOrder(mc: WeChatPayMockContext, ctx: Context): Promise<MedInsOrder> {
  const serial = wechatpaySerial(mc, ctx);
  const raw = ctx.request.body as Record<string, unknown>;
  const body = parseBody(medInsOrderSchema, raw);
  checkCallbackUrlField(mc, raw, 'callback_url');
  checkMerchant(mc, body.appid, undefined);
  const payer: DecryptedPayer = decryptPerson(mc, serial, 'payer', body.payer);
  const relative = body.relative ? decryptPerson(mc, serial, 'relative', body.relative) : undefined;
  // the only wait: from here to storing the order nothing awaits, so a concurrent repeat cannot slip between
  await checkPayerBinding(mc, body.pay_auth_no, payer, relative);
  const existing = mc.state.medInsByTradeNo(body.out_trade_no);
  // WeChat refuses any repeated out_trade_no, even with the same body (排障手册 268512536 / FAQ 5): the merchant
  // queries by out_trade_no and reuses the order it finds
  if (existing) throw new WxError(400, 'ALREADY_EXISTS', '订单已存在', DETAIL_ALREADY_EXISTS);
  checkRelative(body);
  const fees = feesOf(body);
  checkLinkage(body, fees);
  checkAmounts(body, fees);
  checkPassthrough(body.passthrough_request_content);
  // ciphertexts differ on every encryption (OAEP is randomised): compare what they say
  const decrypted = (p: DecryptedPayer | undefined, card: string | undefined) =>
    p && { name: p.name, id_digest: p.idDigest, card_type: card };
  const requestKey = canonicalJson({
    ...raw,
    payer: decrypted(payer, body.payer.card_type),
    relative: decrypted(relative, body.relative?.card_type),
  });
  checkPrepay(mc, body, fees);
  const nowMs = mc.frame.clock.now();
  const { payer: _payer, relative: _relative, ...echo } = raw;
  const order: MedInsOrder = {
    mixTradeNo: newMixTradeNo(nowMs),
    outTradeNo: body.out_trade_no,
    echo,
    payer,
    requestKey,
    fees,
    callbackUrl: body.callback_url,
    payOrderId: body.pay_order_id,
    prepayId: body.prepay_id,
    mixPayStatus: 'MIX_PAY_CREATED',
    selfPayStatus: fees.wechatCash > 0 ? 'SELF_PAY_CREATED' : 'NO_SELF_PAY',
    medInsPayStatus: insurancePartOf(fees) > 0 ? 'MED_INS_PAY_CREATED' : 'NO_MED_INS_PAY',
    createdAtMs: nowMs,
    refundNotices: [],
  };
  mc.state.medIns.set(order.mixTradeNo, order);
  mc.state.medInsByOutTradeNo.set(order.outTradeNo, order.mixTradeNo);
  return order;
}

function orderOr404(mc: WeChatPayMockContext, order: MedInsOrder | undefined): MedInsOrder {
  if (!order) throw new WxError(404, 'ORDER_NOT_EXIST', '订单不存在', DETAIL_NOT_FOUND);
  return mc.state.refreshMedIns(order, mc.frame.clock.now());
}

export function mountMedInsRoutes(v3: Router, mc: WeChatPayMockContext): void {
  v3.post('/med-ins/orders', async (ctx) => {
    const raw = ctx.request.body as { out_trade_no?: unknown; openid?: unknown } | undefined;
    tag(ctx.state, 'outTradeNo', typeof raw?.out_trade_no === 'string' ? raw.out_trade_no : undefined);
    tag(ctx.state, 'openid', typeof raw?.openid === 'string' ? raw.openid : undefined);
    const order = await createMedInsOrder(mc, ctx);
    tag(ctx.state, 'mixTradeNo', order.mixTradeNo);
    ctx.body = medInsView(order);
  });

  v3.get('/med-ins/orders/mix-trade-no/:mixTradeNo', (ctx) => {
    tag(ctx.state, 'mixTradeNo', ctx.params.mixTradeNo);
    const order = orderOr404(mc, mc.state.medIns.get(ctx.params.mixTradeNo));
    tag(ctx.state, 'outTradeNo', order.outTradeNo);
    ctx.body = medInsView(order);
  });

  v3.get('/med-ins/orders/out-trade-no/:outTradeNo', (ctx) => {
    tag(ctx.state, 'outTradeNo', ctx.params.outTradeNo);
    const order = orderOr404(mc, mc.state.medInsByTradeNo(ctx.params.outTradeNo));
    tag(ctx.state, 'mixTradeNo', order.mixTradeNo);
    ctx.body = medInsView(order);
  });
}
