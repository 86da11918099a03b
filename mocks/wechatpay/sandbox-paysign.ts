/**
 * The payment sheet's check of the pay parameters the merchant signed (接入质量检查 item 15): every field for an
 * order with a cash part (none of the five cash fields without), signType RSA, appId the order's appid, package the
 * order's live prepay_id, paySign = SHA256withRSA over `appId\ntimeStamp\nnonceStr\npackage\n` verified with the
 * merchant's certificate. A wrong one gets the page 支付验证签名失败 and nothing is paid.
 */
import type Koa from 'koa';
import { paySignMessage, verifySha256Rsa } from '../../shared/crypto/wechatpay';
import type { PaymentTarget } from './confirm';
import type { WeChatPayMockContext } from './context';
import { messagePage } from './sandbox-pages';
import { tag } from './signing';
import { BACK, withReturnParams, sendPage } from './sandbox-common';

export const PAY_FIELDS = ['appId', 'timeStamp', 'nonceStr', 'package', 'signType', 'paySign'] as const;
type PayField = (typeof PAY_FIELDS)[number];
export type PayParams = Partial<Record<PayField, string>>;
const SIGN_FAILED = '支付验证签名失败';

/**
 * Why the pay parameters are not those WeChat would accept for this order, or undefined when they are. The
 * checks of the payment sheet: every field present for an order with cash (none of the five cash fields
 * without), signType RSA, appId the order's appid, package the order's live prepay_id, paySign by the merchant.
 */
function payParamsProblem(
  mc: WeChatPayMockContext,
  target: PaymentTarget,
  pay: PayParams,
): string | undefined {
  const { trade } = target; // the cash part's JSAPI order, when there is a cash part
  const orderAppId = trade?.appid ?? target.order?.echo.appid;
  if (!trade) {
    const cashFields = PAY_FIELDS.filter((f) => f !== 'appId' && pay[f] !== undefined);
    if (cashFields.length > 0)
      return `该订单没有自费部分，不应传入 ${cashFields.join('、')}（纯医保订单只调起医保支付）`;
    if (pay.appId !== undefined && pay.appId !== orderAppId) return 'appId 与下单时的 appid 不一致';
    return undefined;
  }
  const missing = PAY_FIELDS.filter((f) => pay[f] === undefined);
  if (missing.length > 0) return `缺少支付参数 ${missing.join('、')}：请传入服务器签名的调起支付参数`;
  const { appId = '', timeStamp = '', nonceStr = '', package: pkg = '', signType, paySign = '' } = pay;
  if (signType !== 'RSA') return `signType 必须为 RSA（商户 API 证书私钥 SHA256withRSA），收到 ${signType}`;
  if (appId !== orderAppId) return 'appId 与下单时的 appid 不一致';
  if (!/^\d{10}$/.test(timeStamp)) return 'timeStamp 须为 10 位秒级时间戳';
  if (nonceStr.length > 32) return 'nonceStr 不能超过 32 个字符';
  const prepay = /^prepay_id=(.+)$/.exec(pkg);
  if (!prepay) return 'package 须为 prepay_id=…（缺少参数 total_fee）';
  const owner = mc.state.prepays.get(prepay[1]);
  if (owner === undefined) return 'package 中的 prepay_id 不存在';
  if (owner !== trade.outTradeNo) return 'package 中的 prepay_id 不属于该订单';
  if (prepay[1] !== trade.prepayId) return 'package 中的 prepay_id 已失效，请重新下单';
  const message = paySignMessage(appId, timeStamp, nonceStr, pkg);
  if (!verifySha256Rsa(message, paySign, mc.keyring.merchantPublicKey))
    return 'paySign 验签失败：须以商户 API 证书私钥对 appId、timeStamp、nonceStr、package 签名';
  return undefined;
}

/** Checks the pay parameters; a wrong one answers the 支付验证签名失败 page. Tags the journal paySign=ok|refused|none. */
export function payParamsVerified(
  mc: WeChatPayMockContext,
  ctx: Koa.Context,
  target: PaymentTarget,
  pay: PayParams,
  redirect: string,
): boolean {
  const problem = payParamsProblem(mc, target, pay);
  tag(ctx.state, 'paySign', problem !== undefined ? 'refused' : pay.paySign === undefined ? 'none' : 'ok');
  if (problem === undefined) return true;
  const back = { href: withReturnParams(redirect, { result: 'error' }), label: BACK };
  sendPage(ctx, 400, messagePage({ title: SIGN_FAILED, message: problem, kind: 'fail', back }));
  return false;
}
