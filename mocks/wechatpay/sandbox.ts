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
 * - `/sandbox/subscribe` stands in for WeChat's subscribe-message consent sheet (wx.requestSubscribeMessage):
 *   the choices are recorded as POST /__admin/subscriptions does, and go back as `subscribeResult`
 *   (sandbox-subscribe.ts).
 * This entry mounts them and describes them in the OpenAPI; the login page is sandbox-login.ts, the cashier
 * sandbox-cashier.ts, the pay-parameter checks sandbox-paysign.ts, and what both pages share sandbox-common.ts.
 */
import type { WeChatPayMockContext } from './context';
import { mountLoginPage } from './sandbox-login';
import { mountCashierPage } from './sandbox-cashier';
import { mountSubscribePage } from './sandbox-subscribe';
import { PAY_FIELDS } from './sandbox-paysign';

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
  '/sandbox/subscribe': {
    get: {
      summary:
        '订阅消息（沙箱）: an HTML sheet standing in for wx.requestSubscribeMessage, one row per template with a ' +
        '允许 switch; the user is the sandbox login cookie wx_sandbox_openid, or an openid field without it; an ' +
        'unknown template answers a 400 page',
      parameters: [
        {
          name: 'tmplIds',
          in: 'query',
          required: true,
          schema: { type: 'string' },
          description: 'comma list',
        },
        { name: 'redirect', in: 'query', required: true, schema: { type: 'string', format: 'uri' } },
      ],
    },
    post: {
      summary:
        'Form {tmplIds, redirect, allow (repeated: the allowed template ids), keep? (不再询问: refusals become ban), ' +
        'openid? (without the cookie), action: allow|cancel (cancel rejects all)}: each decision recorded as POST ' +
        '/__admin/subscriptions, then 302 to redirect with subscribeResult=<base64url JSON {templateId: ' +
        'accept|reject|ban}>',
    },
  },
};

export function mountSandboxRoutes(mc: WeChatPayMockContext): void {
  Object.assign(mc.frame.openapi, OPENAPI);
  mountLoginPage(mc);
  mountCashierPage(mc);
  mountSubscribePage(mc);
}

export { withReturnParams } from './sandbox-common';
