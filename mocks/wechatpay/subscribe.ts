/**
 * The mini-program server API for subscribe messages (api.weixin.qq.com in real life):
 * - `GET /cgi-bin/token?grant_type=client_credential&appid=&secret=` → {access_token, expires_in}; every call
 *   issues a new token and the previous one stops working 5 minutes later, as WeChat does — so many instances
 *   must share one token rather than each fetch their own;
 * - `POST /cgi-bin/stable_token {grant_type, appid, secret, force_refresh?}` → the current token while it lives;
 * - `POST /cgi-bin/message/subscribe/send?access_token=` {touser, template_id, page, data, miniprogram_state, lang}
 *   → {errcode: 0, errmsg: "ok", msgid} or WeChat's errors: 41001/40001/42001 for the token, 40003 an unknown
 *   openid, 40037 an unknown template, 47001 a body that is not JSON, 47003 a keyword missing or breaking its rule
 *   (errmsg names it), 41030 a bad page, 43101 a user without consent (never asked, rejected, or turned it off).
 *   Errors are HTTP 200 with {errcode, errmsg}.
 * Admin: `GET /__admin/messages?touser=` → [{touser, templateId, page, data, sentAt}], `POST /__admin/subscriptions
 * {openid, templateId, decision}` records what the user chose in wx.requestSubscribeMessage (the H5 sandbox sheet
 * does the same), `GET /__admin/access-tokens` → {issued}, `POST /__admin/access-tokens/expire` ends every token.
 */
import { z } from 'zod';
import { rfc3339Cst } from '../../shared/clock';
import {
  ACCESS_TOKEN_OVERLAP_MS,
  ACCESS_TOKEN_TTL_S,
  keywordProblem,
  WECHAT_ERRCODE as E,
} from '../../shared/protocol/wechat/subscribe';
import { MockHttpError, parseBody } from '../common/app';
import type { WeChatPayMockContext } from './context';
import { OPENID_PATTERN } from './login';
import type { ConsentDecision, SubscribeState } from './subscribeState';

type Answer = Record<string, unknown>;
const fail = (errcode: number, errmsg: string): Answer => ({ errcode, errmsg });

/** a page as app.json names it (pages/order/index), no leading slash, with an optional query */
const PAGE_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9_\-/]*(?:\?[\x21-\x7e]*)?$/;
const MINIPROGRAM_STATES = ['developer', 'trial', 'formal'];
const LANGS = ['zh_CN', 'en_US', 'zh_HK', 'zh_TW'];

function credentialsProblem(mc: WeChatPayMockContext, q: Record<string, unknown>): Answer | null {
  if (q.grant_type !== 'client_credential') return fail(E.invalidGrantType, 'invalid grant_type');
  if (q.appid !== mc.keyring.appId) return fail(E.invalidAppid, 'invalid appid');
  if (q.secret !== mc.keyring.appSecret) return fail(E.invalidSecret, 'invalid appsecret');
  return null;
}

function tokenAnswer(mc: WeChatPayMockContext, subscribe: SubscribeState, reuse: boolean): Answer {
  const now = mc.frame.clock.now();
  const current =
    reuse && subscribe.current && subscribe.current.expiresAtMs > now
      ? subscribe.current
      : subscribe.issueToken(now, ACCESS_TOKEN_TTL_S * 1000, ACCESS_TOKEN_OVERLAP_MS);
  return { access_token: current.token, expires_in: Math.floor((current.expiresAtMs - now) / 1000) };
}

function tokenProblem(mc: WeChatPayMockContext, subscribe: SubscribeState, token: unknown): Answer | null {
  if (typeof token !== 'string' || token === '') return fail(E.accessTokenMissing, 'access_token missing');
  const until = subscribe.tokens.get(token);
  if (until === undefined)
    return fail(E.invalidCredential, 'invalid credential, access_token is invalid or not latest');
  if (until <= mc.frame.clock.now()) return fail(E.accessTokenExpired, 'access_token expired');
  return null;
}

function send(mc: WeChatPayMockContext, subscribe: SubscribeState, token: unknown, raw: unknown): Answer {
  const denied = tokenProblem(mc, subscribe, token);
  if (denied) return denied;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return fail(E.dataFormat, 'data format error');
  const body = raw as Record<string, unknown>;
  if (typeof body.touser !== 'string' || !OPENID_PATTERN.test(body.touser))
    return fail(E.invalidOpenid, 'invalid openid');
  const template =
    typeof body.template_id === 'string' ? subscribe.templates.get(body.template_id) : undefined;
  if (!template) return fail(E.invalidTemplateId, 'invalid template_id');
  if (body.page !== undefined && (typeof body.page !== 'string' || !PAGE_PATTERN.test(body.page)))
    return fail(E.invalidPage, 'invalid page');
  const state = body.miniprogram_state ?? 'formal';
  if (typeof state !== 'string' || !MINIPROGRAM_STATES.includes(state))
    return fail(E.argumentInvalid, 'argument invalid! miniprogram_state invalid');
  const lang = body.lang ?? 'zh_CN';
  if (typeof lang !== 'string' || !LANGS.includes(lang))
    return fail(E.argumentInvalid, 'argument invalid! lang invalid');
  if (typeof body.data !== 'object' || body.data === null)
    return fail(E.argumentInvalid, 'argument invalid! data is empty');
  const given = body.data as Record<string, unknown>;
  const data: Record<string, { value: string }> = {};
  for (const [key, type] of Object.entries(template.keywords)) {
    const entry = given[key] as { value?: unknown } | undefined;
    const value = typeof entry?.value === 'string' ? entry.value : undefined;
    if (value === undefined) return fail(E.argumentInvalid, `argument invalid! data.${key}.value is empty`);
    const problem = keywordProblem(type, value);
    if (problem) return fail(E.argumentInvalid, `argument invalid! data.${key}.value invalid (${problem})`);
    data[key] = { value };
  }
  if (subscribe.consentOf(body.touser, body.template_id as string) !== 'accept')
    return fail(E.userRefused, 'user refuse to accept the msg');
  subscribe.messages.push({
    touser: body.touser,
    templateId: body.template_id as string,
    page: typeof body.page === 'string' ? body.page : null,
    data,
    miniprogramState: state,
    lang,
    sentAtMs: mc.frame.clock.now(),
  });
  return { errcode: E.ok, errmsg: 'ok', msgid: 100_000_000 + subscribe.messages.length };
}

const consentSchema = z
  .object({
    openid: z.string().regex(OPENID_PATTERN),
    templateId: z.string().min(1).max(128),
    decision: z.enum(['accept', 'reject', 'ban']),
  })
  .strict();

/** Records what the user chose for one template (wx.requestSubscribeMessage); unknown templates are refused. */
export function recordConsent(
  subscribe: SubscribeState,
  openid: string,
  templateId: string,
  decision: ConsentDecision,
): void {
  if (!subscribe.templates.has(templateId))
    throw new MockHttpError(400, 'UNKNOWN_TEMPLATE', `no template ${templateId}`);
  subscribe.recordConsent(openid, templateId, decision);
}

const OPENAPI: Record<string, unknown> = {
  '/__admin/messages': {
    get: {
      summary:
        'Subscribe messages accepted by /cgi-bin/message/subscribe/send, oldest first: [{touser, templateId, page, ' +
        "data, sentAt}]; ?touser= keeps one user's",
    },
  },
  '/__admin/subscriptions': {
    post: {
      summary:
        'What the user chose for a template in wx.requestSubscribeMessage {openid, templateId, decision: ' +
        'accept|reject|ban}; without accept, a send to them answers 43101',
    },
  },
  '/__admin/access-tokens': { get: { summary: 'How many access tokens were issued {issued}' } },
  '/__admin/access-tokens/expire': {
    post: { summary: 'Ends every access token now (the next send answers 42001) → {expired}' },
  },
};

export function mountSubscribeRoutes(mc: WeChatPayMockContext, subscribe: SubscribeState): void {
  const { router, admin } = mc.frame;
  Object.assign(mc.frame.openapi, OPENAPI);
  router.get('/cgi-bin/token', (ctx) => {
    ctx.body = credentialsProblem(mc, ctx.query) ?? tokenAnswer(mc, subscribe, false);
  });
  router.post('/cgi-bin/stable_token', (ctx) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    ctx.body = credentialsProblem(mc, body) ?? tokenAnswer(mc, subscribe, body.force_refresh !== true);
  });
  router.post('/cgi-bin/message/subscribe/send', (ctx) => {
    ctx.body = send(mc, subscribe, ctx.query.access_token, ctx.request.body);
  });

  admin.get('/messages', (ctx) => {
    const touser = typeof ctx.query.touser === 'string' ? ctx.query.touser : undefined;
    ctx.body = subscribe.messages
      .filter((m) => touser === undefined || m.touser === touser)
      .map((m) => ({
        touser: m.touser,
        templateId: m.templateId,
        page: m.page,
        data: m.data,
        sentAt: rfc3339Cst(m.sentAtMs),
      }));
  });
  admin.post('/subscriptions', (ctx) => {
    const { openid, templateId, decision } = parseBody(consentSchema, ctx.request.body ?? {});
    recordConsent(subscribe, openid, templateId, decision);
    ctx.body = { openid, templateId, decision };
  });
  admin.get('/access-tokens', (ctx) => {
    ctx.body = { issued: subscribe.tokensIssued };
  });
  admin.post('/access-tokens/expire', (ctx) => {
    const now = mc.frame.clock.now();
    for (const token of subscribe.tokens.keys()) subscribe.tokens.set(token, now);
    if (subscribe.current) subscribe.current.expiresAtMs = now;
    ctx.body = { expired: subscribe.tokens.size };
  });
}
