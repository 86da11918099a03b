/**
 * Who may pay a med-ins order (checklist items 17 and 18): WeChat checks payer against the insurance e-voucher
 * of the WeChat user, and a family member's bill needs pay_for_relatives with that member as `relative`. The
 * mock learns whom the order's pay_auth_no was issued to — and which e-voucher holder authorized it — from the
 * insurance mock (`GET /__admin/pay-auths/:payAuthNo`). Without an insurance mock, or for a payAuthNo it does
 * not know (contract rigs), nothing is checked.
 */
import { z } from 'zod';
import { idDigest } from '../../shared/crypto/wechatpay';
import type { WeChatPayMockContext } from './context';
import { WxError } from './signing';

const LOOKUP_TIMEOUT_MS = 3000;

const payAuthAnswer = z.object({
  name: z.string(),
  idNo: z.string(),
  holder: z.object({ name: z.string(), idNo: z.string() }).optional(),
});
type PayAuth = z.infer<typeof payAuthAnswer>;

interface Person {
  name: string;
  idDigest: string;
}

async function lookUp(mc: WeChatPayMockContext, payAuthNo: string): Promise<PayAuth | undefined> {
  if (!mc.insuranceBaseUrl) return undefined;
  const url = `${mc.insuranceBaseUrl.replace(/\/$/, '')}/__admin/pay-auths/${encodeURIComponent(payAuthNo)}`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS) });
    if (response.status !== 200) return undefined;
    return payAuthAnswer.parse(await response.json());
  } catch {
    return undefined;
  }
}

const same = (p: Person, who: { name: string; idNo: string }) =>
  p.name === who.name && p.idDigest === idDigest(who.idNo);

export async function checkPayerBinding(
  mc: WeChatPayMockContext,
  payAuthNo: string | undefined,
  payer: Person,
  relative: Person | undefined,
): Promise<void> {
  if (payAuthNo === undefined) return;
  const auth = await lookUp(mc, payAuthNo);
  if (!auth) return;
  const holder = auth.holder ?? auth;
  if (!same(payer, holder)) {
    throw new WxError(400, 'INVALID_REQUEST', '入参用户姓名/个人身份ID摘要和医保电子凭证绑卡信息不匹配');
  }
  if (auth.holder === undefined) return;
  if (!relative) throw new WxError(400, 'PARAM_ERROR', '该订单属于代亲属支付，但缺少亲属信息');
  if (!same(relative, auth))
    throw new WxError(400, 'INVALID_REQUEST', '亲属姓名/个人身份ID摘要和医保授权的参保人不匹配');
}
