/**
 * `/sandbox/login`, standing in for wx.login in the H5 build: the page asks for an openid (blank = a new user) and
 * sends the app back a one-time login code, as POST /__admin/login-codes issues it, or error=user_cancelled.
 */
import { z } from 'zod';
import type { WeChatPayMockContext } from './context';
import { issueLoginCode, OPENID_PATTERN } from './login';
import { loginPage } from './sandbox-pages';
import { tag } from './signing';
import { redirectSchema, actionSchema, withReturnParams, sendPage, badRequest } from './sandbox-common';
import { SANDBOX_OPENID_COOKIE, SANDBOX_OPENID_COOKIE_OPTIONS } from './sandbox-subscribe';

const LOGIN = '微信登录（沙箱）';

const loginQuery = z.object({ redirect: redirectSchema });
const loginForm = z.object({
  redirect: redirectSchema,
  openid: z.string().trim().max(200).default(''),
  action: actionSchema,
});

export function mountLoginPage(mc: WeChatPayMockContext): void {
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
    // the subscribe sheet (sandbox-subscribe.ts) knows the user by it, as WeChat knows who is logged in
    ctx.cookies.set(SANDBOX_OPENID_COOKIE, issued.openid, SANDBOX_OPENID_COOKIE_OPTIONS);
    ctx.redirect(withReturnParams(redirect, { code: issued.code }));
  });
}
