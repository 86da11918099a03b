/**
 * Mini-program login (code2Session, on api.weixin.qq.com in real life): GET /sns/jscode2session. Codes come from
 * the admin call POST /__admin/login-codes, are usable once and expire after 5 min on the mock clock. Errors
 * are HTTP 200 with {errcode, errmsg}, as WeChat answers.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { parseBody } from '../common/app';
import type { WeChatPayMockContext } from './context';
import { bindLogin } from './scenarios';
import { tag } from './signing';
import { LOGIN_CODE_TTL_MS, newLoginCode, newOpenid } from './state';

const LOGIN_CODES_MAX = 10_000;

/** what an openid given by a tester must look like */
export const OPENID_PATTERN = /^[A-Za-z0-9_-]{6,64}$/;

const loginCodeSchema = z.object({ openid: z.string().regex(OPENID_PATTERN).optional() });

type SessionAnswer = { openid: string; session_key: string } | { errcode: number; errmsg: string };

function jscode2session(mc: WeChatPayMockContext, query: Record<string, unknown>): SessionAnswer {
  if (query.appid !== mc.keyring.appId) return { errcode: 40013, errmsg: 'invalid appid' };
  if (query.secret !== mc.keyring.appSecret) return { errcode: 40125, errmsg: 'invalid appsecret' };
  if (query.grant_type !== 'authorization_code') return { errcode: 40002, errmsg: 'invalid grant_type' };
  const code = typeof query.js_code === 'string' ? query.js_code : '';
  const entry = mc.state.loginCodes.get(code);
  if (!entry || entry.expiresAtMs <= mc.frame.clock.now()) return { errcode: 40029, errmsg: 'invalid code' };
  if (entry.used) return { errcode: 40163, errmsg: 'code been used' };
  entry.used = true;
  return { openid: entry.openid, session_key: randomBytes(16).toString('base64') };
}

export function mountLoginRoutes(mc: WeChatPayMockContext): void {
  mc.frame.router.get('/sns/jscode2session', (ctx) => {
    const answer = jscode2session(mc, ctx.query);
    if ('openid' in answer) tag(ctx.state, 'openid', answer.openid);
    ctx.body = answer;
  });

  mc.frame.admin.post('/login-codes', (ctx) => {
    const { openid } = parseBody(loginCodeSchema, ctx.request.body ?? {});
    ctx.status = 201;
    ctx.body = issueLoginCode(mc, openid);
  });
}

/** A code for jscode2session, usable once within 5 min; no openid → a new user. Shared by admin and sandbox. */
export function issueLoginCode(
  mc: WeChatPayMockContext,
  openid = newOpenid(),
): { code: string; openid: string } {
  const code = newLoginCode();
  const { loginCodes } = mc.state;
  // a Map iterates in insertion order: the first key is the oldest code
  if (loginCodes.size >= LOGIN_CODES_MAX) loginCodes.delete(loginCodes.keys().next().value ?? '');
  loginCodes.set(code, { openid, expiresAtMs: mc.frame.clock.now() + LOGIN_CODE_TTL_MS, used: false });
  bindLogin(mc.frame, code, openid);
  return { code, openid };
}
