/**
 * Sandbox pages for the H5 build, which runs in a browser without a WeChat client:
 * - `/sandbox/login` stands in for wx.login: it issues a one-time login code (as POST /__admin/login-codes);
 * - `/sandbox/cashier` stands in for the WeChat payment sheet (wx.requestPayment /
 *   wx.requestMedicalInsurancePay): confirming does what POST /__admin/payments/confirm does. Like the sheet, it
 *   takes the pay parameters the merchant signed — appId, timeStamp, nonceStr, package, signType, paySign — and
 *   checks them as WeChat does before anything is paid (接入质量检查 item 15): signType RSA, appId the order's
 *   appid, package `prepay_id=` the order's prepay_id, paySign = SHA256withRSA over
 *   `appId\ntimeStamp\nnonceStr\npackage\n` verified with the merchant's certificate. A wrong one gets the page
 *   支付验证签名失败 and nothing is paid. An order with a cash part needs them all; an insurance-only order takes
 *   none of the five cash fields (appId alone may come, and must be the order's).
 * Both go back to the app with a 302 to its `redirect` URL (http or https only), carrying the outcome in the
 * query, or in the fragment's query when the app routes by hash.
 */
import type Koa from 'koa';
import { z } from 'zod';
import { MockHttpError } from '../common/app';
import { paySignMessage, verifySha256Rsa } from '../../shared/crypto/wechatpay';
import {
  assertPayable,
  confirmPayment,
  findPayment,
  outTradeNoOf,
  type ConfirmAnswer,
  type PaymentTarget,
} from './confirm';
import type { WeChatPayMockContext } from './context';
import { issueLoginCode, OPENID_PATTERN } from './login';
import { cashierPage, loginPage, messagePage, type CashierView } from './sandbox-pages';
import { tag } from './signing';

const REDIRECT_CHARS_MAX = 2000;
const TRADE_NO_CHARS_MAX = 64;
const LOGIN = '微信登录（沙箱）';
const CASHIER = '微信支付（沙箱）';
const BACK = '返回商户';

const isHttpUrl = (value: string) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
const redirectSchema = z.string().max(REDIRECT_CHARS_MAX).refine(isHttpUrl);
const tradeNoSchema = z
  .string()
  .trim()
  .max(TRADE_NO_CHARS_MAX)
  .optional()
  .transform((v) => (v === '' ? undefined : v));
const actionSchema = z.enum(['confirm', 'cancel']).default('confirm');

const loginQuery = z.object({ redirect: redirectSchema });
const loginForm = z.object({
  redirect: redirectSchema,
  openid: z.string().trim().max(200).default(''),
  action: actionSchema,
});
/** an optional text field; blank counts as absent */
const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((v) => (v === '' ? undefined : v));
/** the pay parameters of wx.requestPayment / requestMedicalInsurancePay, as the app passes them on */
const payParamsShape = {
  appId: optionalText(32),
  timeStamp: optionalText(32),
  nonceStr: optionalText(64),
  package: optionalText(128),
  signType: optionalText(16),
  // Base64: a '+' that reached us unescaped in a query reads as a space
  paySign: optionalText(1024).transform((v) => v?.replace(/ /g, '+')),
};
const cashierQuery = z.object({
  redirect: redirectSchema,
  outTradeNo: tradeNoSchema,
  mixTradeNo: tradeNoSchema,
  ...payParamsShape,
});
const cashierForm = cashierQuery.extend({ action: actionSchema });

type OrderRef = { outTradeNo?: string; mixTradeNo?: string };

const PAY_FIELDS = ['appId', 'timeStamp', 'nonceStr', 'package', 'signType', 'paySign'] as const;
type PayField = (typeof PAY_FIELDS)[number];
type PayParams = Partial<Record<PayField, string>>;
const SIGN_FAILED = '支付验证签名失败';

const OPENAPI: Record<string, unknown> = {
  '/sandbox/login': {
    get: {
      summary: '微信登录（沙箱）: an HTML page standing in for wx.login; redirect must be http(s)',
      parameters: [
        { name: 'redirect', in: 'query', required: true, schema: { type: 'string', format: 'uri' } },
      ],
    },
    post: {
      summary:
        'Form {redirect, openid? (blank = a new user), action: confirm|cancel} → 302 to redirect with code=<one-time ' +
        'login code, as POST /__admin/login-codes>, or error=user_cancelled',
    },
  },
  '/sandbox/cashier': {
    get: {
      summary:
        '微信支付（沙箱）: an HTML cashier showing the order and its split; 404 page for an unknown order',
      parameters: ['outTradeNo', 'mixTradeNo', 'redirect', ...PAY_FIELDS].map((name) => ({
        name,
        in: 'query',
        schema: { type: 'string' },
      })),
      description:
        'appId, timeStamp, nonceStr, package, signType, paySign: the pay parameters the server signed, required ' +
        'for an order with a cash part (none of the five cash fields for an insurance-only order); a wrong one ' +
        'answers a 400 page 支付验证签名失败',
    },
    post: {
      summary:
        'Form {outTradeNo|mixTradeNo, redirect, the pay parameters, action: confirm|cancel}. The pay parameters are ' +
        'checked before anything is paid (400 page 支付验证签名失败). confirm = POST /__admin/payments/confirm ' +
        '(SUCCESS), then 302 to redirect with result=ok (a page with a link carrying result=fail when the payment ' +
        'failed); cancel → result=cancel, nothing changes; not payable → 409 page with a link carrying result=error',
    },
  },
};

/**
 * The redirect URL with `params` added to its query. When the fragment has a query of its own (hash routing:
 * `#/pages/login/index?from=x`) they go there instead, so the app's router sees them. An earlier parameter of
 * the same name is dropped, so a reused URL never carries two codes; everything else is kept as it was.
 */
export function withReturnParams(url: string, params: Record<string, string>): string {
  const href = new URL(url).href;
  const hashAt = href.indexOf('#');
  const main = hashAt < 0 ? href : href.slice(0, hashAt);
  const hash = hashAt < 0 ? '' : href.slice(hashAt);
  if (hash.includes('?')) return main + withQuery(hash, params);
  return withQuery(main, params) + hash;
}

function withQuery(target: string, params: Record<string, string>): string {
  const queryAt = target.indexOf('?');
  const head = queryAt < 0 ? target : target.slice(0, queryAt);
  const kept = queryAt < 0 ? [] : target.slice(queryAt + 1).split('&');
  const pairs = kept.filter((pair) => pair !== '' && !Object.hasOwn(params, paramName(pair)));
  for (const [name, value] of Object.entries(params))
    pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  return `${head}?${pairs.join('&')}`;
}

function paramName(pair: string): string {
  const raw = pair.split('=', 1)[0].replace(/\+/g, ' ');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function sendPage(ctx: Koa.Context, status: number, html: string): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  // no script runs on these pages; forms post here and are then redirected to the app (http or https)
  ctx.set(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:; base-uri 'none'",
  );
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.body = html;
}

function badRequest(ctx: Koa.Context, header: string, problem: z.ZodError | string): void {
  const field = typeof problem === 'string' ? '' : String(problem.issues[0]?.path[0] ?? '');
  const message =
    typeof problem === 'string'
      ? problem
      : field === 'redirect'
        ? `redirect 必须是 http 或 https 地址（最长 ${REDIRECT_CHARS_MAX} 个字符）`
        : `参数 ${field || '表单'} 无效`;
  sendPage(ctx, 400, messagePage({ header, title: '请求参数错误', message, kind: 'fail' }));
}

const NO_ORDER = '缺少订单号：请给出 outTradeNo 或 mixTradeNo';
const hasOrderNumber = (ref: OrderRef) => ref.outTradeNo !== undefined || ref.mixTradeNo !== undefined;

export function registerSandboxRoutes(mc: WeChatPayMockContext): void {
  Object.assign(mc.frame.openapi, OPENAPI);
  registerLoginPage(mc);
  registerCashierPage(mc);
}

function registerLoginPage(mc: WeChatPayMockContext): void {
  mc.frame.router.get('/sandbox/login', (ctx) => {
    const query = loginQuery.safeParse(ctx.query);
    if (!query.success) return badRequest(ctx, LOGIN, query.error);
    sendPage(ctx, 200, loginPage({ redirect: query.data.redirect }));
  });

  mc.frame.router.post('/sandbox/login', (ctx) => {
    const form = loginForm.safeParse(ctx.request.body ?? {});
    if (!form.success) return badRequest(ctx, LOGIN, form.error);
    const { redirect, openid, action } = form.data;
    if (action === 'cancel') return ctx.redirect(withReturnParams(redirect, { error: 'user_cancelled' }));
    if (openid !== '' && !OPENID_PATTERN.test(openid)) {
      const error = 'openid 须为 6–64 位字母、数字、- 或 _；留空即为一个新用户';
      return sendPage(ctx, 400, loginPage({ redirect, openid, error }));
    }
    const issued = issueLoginCode(mc, openid === '' ? undefined : openid);
    tag(ctx.state, 'openid', issued.openid);
    ctx.redirect(withReturnParams(redirect, { code: issued.code }));
  });
}

function registerCashierPage(mc: WeChatPayMockContext): void {
  mc.frame.router.get('/sandbox/cashier', (ctx) => {
    const query = cashierQuery.safeParse(ctx.query);
    if (!query.success) return badRequest(ctx, CASHIER, query.error);
    const { redirect, outTradeNo, mixTradeNo, ...pay } = query.data;
    const ref = { outTradeNo, mixTradeNo };
    if (!hasOrderNumber(ref)) return badRequest(ctx, CASHIER, NO_ORDER);
    const target = lookUp(mc, ctx, ref);
    if (!target) return orderNotFound(ctx, ref, redirect);
    try {
      assertPayable(mc, target);
    } catch (err) {
      return notPayable(ctx, err, target, redirect);
    }
    if (!payParamsVerified(mc, ctx, target, pay, redirect)) return;
    sendPage(ctx, 200, cashierPage(cashierView(mc, target, redirect, pay)));
  });

  mc.frame.router.post('/sandbox/cashier', async (ctx) => {
    const form = cashierForm.safeParse(ctx.request.body ?? {});
    if (!form.success) return badRequest(ctx, CASHIER, form.error);
    const { redirect, action, outTradeNo, mixTradeNo, ...pay } = form.data;
    const ref = { outTradeNo, mixTradeNo };
    if (action === 'cancel') {
      tag(ctx.state, 'outTradeNo', ref.outTradeNo);
      tag(ctx.state, 'mixTradeNo', ref.mixTradeNo);
      return ctx.redirect(withReturnParams(redirect, { result: 'cancel' }));
    }
    if (!hasOrderNumber(ref)) return badRequest(ctx, CASHIER, NO_ORDER);
    const target = lookUp(mc, ctx, ref);
    if (!target) return orderNotFound(ctx, ref, redirect);
    try {
      assertPayable(mc, target);
    } catch (err) {
      return notPayable(ctx, err, target, redirect);
    }
    // checked again: the form is the browser's to change
    if (!payParamsVerified(mc, ctx, target, pay, redirect)) return;
    let answer: ConfirmAnswer;
    try {
      answer = await confirmPayment(
        mc,
        target.order
          ? { mixTradeNo: target.order.mixTradeNo, result: 'SUCCESS' }
          : { outTradeNo: target.trade.outTradeNo, result: 'SUCCESS' },
      );
    } catch (err) {
      return notPayable(ctx, err, target, redirect);
    }
    if (paid(answer)) return ctx.redirect(withReturnParams(redirect, { result: 'ok' }));
    // the wechat-user-cancels scenario: the patient backed out of the sheet, as the cancel button does
    if (answer.cancelled) return ctx.redirect(withReturnParams(redirect, { result: 'cancel' }));
    const message = answer.medInsFailReason ?? '微信支付未能完成扣款';
    const back = { href: withReturnParams(redirect, { result: 'fail' }), label: BACK };
    sendPage(ctx, 200, messagePage({ title: '支付失败', message, kind: 'fail', back }));
  });
}

const paid = (answer: ConfirmAnswer): boolean =>
  answer.mixPayStatus === undefined
    ? answer.tradeState === 'SUCCESS'
    : answer.mixPayStatus === 'MIX_PAY_SUCCESS';

/** The order named by the page; both numbers given must name the same order. Tags the journal. */
function lookUp(mc: WeChatPayMockContext, ctx: Koa.Context, ref: OrderRef): PaymentTarget | undefined {
  tag(ctx.state, 'outTradeNo', ref.outTradeNo);
  tag(ctx.state, 'mixTradeNo', ref.mixTradeNo);
  const target = findPayment(mc, ref);
  if (!target) return undefined;
  const outTradeNo = outTradeNoOf(target);
  if (ref.outTradeNo !== undefined && ref.outTradeNo !== outTradeNo) return undefined;
  tag(ctx.state, 'outTradeNo', outTradeNo);
  tag(ctx.state, 'mixTradeNo', target.order?.mixTradeNo);
  return target;
}

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
function payParamsVerified(
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

function cashierView(
  mc: WeChatPayMockContext,
  target: PaymentTarget,
  redirect: string,
  pay: PayParams,
): CashierView {
  const { order } = target;
  if (!order) {
    const { trade } = target;
    const merchant = trade.description || `商户号 ${trade.mchid}`;
    return {
      merchant,
      outTradeNo: trade.outTradeNo,
      totalFen: trade.totalFen,
      cashFen: trade.totalFen,
      redirect,
      payParams: pay,
    };
  }
  const instName = order.echo.med_inst_name;
  const merchant =
    mc.state.trades.get(order.outTradeNo)?.description ||
    (typeof instName === 'string' && instName !== '' ? instName : '医保移动支付');
  return {
    merchant,
    outTradeNo: order.outTradeNo,
    mixTradeNo: order.mixTradeNo,
    totalFen: order.fees.total,
    cashFen: order.fees.wechatCash,
    insurance: { govFen: order.fees.gov, selfFen: order.fees.self, otherFen: order.fees.other },
    redirect,
    payParams: pay,
  };
}

function orderNotFound(ctx: Koa.Context, ref: OrderRef, redirect: string): void {
  const name = [ref.outTradeNo, ref.mixTradeNo].filter((n) => n !== undefined).join(' / ');
  const message = `微信支付中没有订单 ${name}：它可能从未创建，或模拟器已被重置。`;
  const back = { href: withReturnParams(redirect, { result: 'error' }), label: BACK };
  sendPage(ctx, 404, messagePage({ title: '找不到该订单', message, kind: 'warn', back }));
}

/** A 409 from the payability check or the confirmation becomes a page with a way back; anything else throws. */
function notPayable(ctx: Koa.Context, err: unknown, target: PaymentTarget, redirect: string): void {
  if (!(err instanceof MockHttpError) || err.status !== 409) throw err;
  const message =
    err.code === 'PREPAY_EXPIRED'
      ? '支付参数已超过 2 小时的有效期，请返回应用重新发起支付。'
      : err.code === 'CONFIRM_IN_PROGRESS'
        ? '该订单正在支付中，请勿重复提交。'
        : whyNotPayable(target);
  const back = { href: withReturnParams(redirect, { result: 'error' }), label: BACK };
  sendPage(ctx, 409, messagePage({ title: '订单无法支付', message, kind: 'warn', back }));
}

function whyNotPayable(target: PaymentTarget): string {
  const { order, trade } = target;
  if (order) {
    switch (order.mixPayStatus) {
      case 'MIX_PAY_SUCCESS':
        return '该订单已支付，无需再次支付。';
      case 'MIX_PAY_REFUND':
        return '该订单已支付并已退款。';
      case 'MIX_PAY_FAIL':
        return `该订单已无法支付：${order.medInsFailReason ?? '支付失败'}。`;
      case 'MIX_PAY_CREATED':
        break; // the self-pay order is the reason
    }
  }
  switch (trade?.state) {
    case 'SUCCESS':
      return '该订单已支付，无需再次支付。';
    case 'REFUND':
      return '该订单已支付并已退款。';
    case 'CLOSED':
      return '该订单已关闭或已超过支付期限。';
    case 'PAYERROR':
      return '该订单支付失败，请返回应用重新下单。';
    case 'NOTPAY':
    case undefined:
      return '该订单现在无法支付。';
  }
}
