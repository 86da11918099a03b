/**
 * `/sandbox/subscribe`, standing in for WeChat's subscribe-message consent sheet (wx.requestSubscribeMessage) in
 * the H5 build: the mini-program asks to send these messages, one row per template with a 允许 switch; 允许 keeps
 * what the switches say, 取消 rejects all, and 总是保持以上选择 turns each refusal into `ban` (不再询问). Each
 * decision is recorded as POST /__admin/subscriptions does; then a 302 to `redirect` with `subscribeResult`, the
 * base64url of JSON `{templateId: 'accept'|'reject'|'ban'}` for every template shown.
 * Who the user is: the cookie `wx_sandbox_openid` the sandbox login sets; without it the sheet asks for an openid.
 */
import type Koa from 'koa';
import { z } from 'zod';
import type { WeChatPayMockContext } from './context';
import { OPENID_PATTERN } from './login';
import { escapeHtml } from './sandbox-pages';
import { badRequest, redirectSchema, sendPage, withReturnParams } from './sandbox-common';
import { tag } from './signing';
import { recordConsent } from './subscribe';
import type { ConsentDecision } from './subscribeState';

const SHEET = '订阅消息（沙箱）';

/** set by the sandbox login (sandbox-login.ts) on success, read here */
export const SANDBOX_OPENID_COOKIE = 'wx_sandbox_openid';
export const SANDBOX_OPENID_COOKIE_OPTIONS = {
  httpOnly: true,
  sameSite: 'lax',
  path: '/sandbox',
  signed: false,
  overwrite: true,
} as const;

/** WeChat's limit: one wx.requestSubscribeMessage asks for three templates at most (more fails, errCode 20003) */
export const TEMPLATES_PER_SHEET_MAX = 3;
/** what the query may carry before the limit is checked (so the page can say what was wrong) */
const TEMPLATES_LISTED_MAX = 20;

const tmplIdsSchema = z
  .string()
  .max(TEMPLATES_LISTED_MAX * 130)
  .transform((v) => [
    ...new Set(
      v
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== ''),
    ),
  ])
  .refine((ids) => ids.length >= 1 && ids.length <= TEMPLATES_LISTED_MAX);

/** a form field that may come once (a string) or several times (an array) */
const manyValues = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

const sheetQuery = z.object({ tmplIds: tmplIdsSchema, redirect: redirectSchema });
const sheetForm = z.object({
  tmplIds: tmplIdsSchema,
  redirect: redirectSchema,
  openid: z.string().trim().max(200).optional(),
  allow: manyValues,
  keep: z.string().optional(),
  action: z.enum(['allow', 'cancel']).default('allow'),
});

interface SheetView {
  templates: { templateId: string; title: string }[];
  tmplIds: string[];
  redirect: string;
  /** known from the login cookie; otherwise the sheet asks */
  openid?: string;
  typedOpenid?: string;
  allowed?: Set<string>;
  error?: string;
}

const STYLE = `*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#ededed;color:#191919;overflow-wrap:anywhere;
font:16px/1.5 -apple-system,BlinkMacSystemFont,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif}
input,button{max-width:100%;font:inherit}
.bar{background:#f7f7f7;border-bottom:1px solid #e5e5e5;text-align:center;padding:12px 16px;font-size:17px;font-weight:500}
.tag{display:inline-block;margin-left:6px;padding:0 6px;border-radius:4px;background:#fa9d3b;color:#fff;font-size:12px;font-weight:400;vertical-align:2px}
main{max-width:480px;margin:0 auto;padding:16px}
.sheet{background:#fff;border-radius:12px;padding:20px 16px 16px}
h1{font-size:17px;font-weight:500;margin:0 0 4px}
p{margin:0 0 8px}
.muted{color:#7f7f7f;font-size:14px}
.error{color:#fa5151;font-size:14px}
.rows{list-style:none;margin:12px 0 0;padding:0}
.rows li{border-top:1px solid #f0f0f0}
.rows label{display:flex;align-items:center;justify-content:space-between;gap:12px;padding:14px 0;cursor:pointer}
.rows .title{min-width:0}
.switch{flex:none;appearance:none;-webkit-appearance:none;margin:0;width:48px;height:28px;border-radius:14px;
background:#e5e5e5;position:relative;cursor:pointer;transition:background .2s}
.switch::after{content:"";position:absolute;top:2px;left:2px;width:24px;height:24px;border-radius:50%;background:#fff;
box-shadow:0 1px 3px rgba(0,0,0,.3);transition:left .2s}
.switch:checked{background:#07c160}
.switch:checked::after{left:22px}
.keep{display:flex;align-items:center;gap:8px;margin:12px 0 0;font-size:14px;color:#7f7f7f}
.keep input{margin:0;width:18px;height:18px;flex:none}
.user{margin:12px 0 0}
.field{display:block;margin:12px 0 0;font-size:14px}
.field input{display:block;width:100%;margin-top:6px;padding:10px 12px;border:1px solid #d9d9d9;border-radius:6px}
.buttons{display:flex;gap:12px;margin-top:20px}
.btn{flex:1;min-width:0;padding:12px;border:0;border-radius:8px;font-size:17px;font-weight:500;cursor:pointer}
.primary{background:#07c160;color:#fff}
.secondary{background:#f2f2f2;color:#07c160}
.foot{margin-top:16px;text-align:center}`;

function sheetPage(view: SheetView): string {
  const rows = view.templates
    .map(
      (t, i) =>
        `<li><label for="sandbox-subscribe-${i}"><span class="title" id="sandbox-subscribe-title-${i}">` +
        `${escapeHtml(t.title)}</span><input type="checkbox" class="switch" role="switch" ` +
        `id="sandbox-subscribe-${i}" name="allow" value="${escapeHtml(t.templateId)}" aria-label="允许${escapeHtml(t.title)}"` +
        `${view.allowed === undefined || view.allowed.has(t.templateId) ? ' checked' : ''}></label></li>`,
    )
    .join('');
  const who =
    view.openid === undefined
      ? `<label class="field" for="sandbox-subscribe-openid">你的 openid（未在沙箱登录过，请填写）
<input type="text" id="sandbox-subscribe-openid" name="openid" value="${escapeHtml(view.typedOpenid ?? '')}"
 autocomplete="off" autocapitalize="off" spellcheck="false" maxlength="64" placeholder="登录时得到的 openid"></label>`
      : `<p class="muted user" id="sandbox-subscribe-user">当前用户：${escapeHtml(view.openid)}</p>`;
  const error =
    view.error === undefined
      ? ''
      : `<p class="error" id="sandbox-subscribe-error">${escapeHtml(view.error)}</p>`;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<title>${SHEET}</title>
<style>${STYLE}</style></head>
<body><header class="bar">${SHEET}<span class="tag">沙箱</span></header>
<main><form method="post" action="/sandbox/subscribe" class="sheet">
<h1>小程序申请向你发送以下消息</h1>
<p class="muted">允许后，可在微信的「服务通知」中收到这些消息；以后可在小程序的设置中关闭。</p>
<ul class="rows" id="sandbox-subscribe-rows">${rows}</ul>
<label class="keep" for="sandbox-subscribe-keep"><input type="checkbox" id="sandbox-subscribe-keep" name="keep" value="1">总是保持以上选择，不再询问</label>
${who}${error}
<input type="hidden" name="tmplIds" value="${escapeHtml(view.tmplIds.join(','))}">
<input type="hidden" name="redirect" value="${escapeHtml(view.redirect)}">
<div class="buttons">
<button type="submit" class="btn secondary" id="sandbox-subscribe-cancel" name="action" value="cancel">取消</button>
<button type="submit" class="btn primary" id="sandbox-subscribe-allow" name="action" value="allow">允许</button>
</div>
</form>
<p class="muted foot">这是模拟的微信订阅消息授权弹窗：选择会像 wx.requestSubscribeMessage 一样记录在微信模拟服务中。</p>
</main></body></html>`;
}

function cookieOpenid(ctx: Koa.Context): string | undefined {
  const value = ctx.cookies.get(SANDBOX_OPENID_COOKIE, { signed: false });
  return value !== undefined && OPENID_PATTERN.test(value) ? value : undefined;
}

/** The templates asked for, or the 400 page naming the first one the mini-program does not have. */
function templatesOf(
  mc: WeChatPayMockContext,
  ctx: Koa.Context,
  ids: string[],
): SheetView['templates'] | undefined {
  if (ids.length > TEMPLATES_PER_SHEET_MAX) {
    badRequest(
      ctx,
      SHEET,
      `一次最多申请 ${TEMPLATES_PER_SHEET_MAX} 种订阅消息，这次申请了 ${ids.length} 种（微信会以 20003 拒绝）。请分几次申请。`,
    );
    return undefined;
  }
  const unknown = ids.find((id) => !mc.subscribe.templates.has(id));
  if (unknown !== undefined) {
    badRequest(ctx, SHEET, `小程序没有这个订阅消息模板：${unknown}。请检查模板 id（tmplIds）。`);
    return undefined;
  }
  return ids.map((templateId) => ({ templateId, title: mc.subscribe.templates.get(templateId)!.title }));
}

/** The sheet's outcome, for the app: base64url of JSON {templateId: decision}. */
export function encodeSubscribeResult(decisions: Record<string, ConsentDecision>): string {
  return Buffer.from(JSON.stringify(decisions), 'utf8').toString('base64url');
}

export function mountSubscribePage(mc: WeChatPayMockContext): void {
  mc.frame.router.get('/sandbox/subscribe', (ctx) => {
    const query = sheetQuery.safeParse(ctx.query);
    if (!query.success) return badRequest(ctx, SHEET, query.error);
    const { tmplIds, redirect } = query.data;
    const templates = templatesOf(mc, ctx, tmplIds);
    if (!templates) return;
    sendPage(ctx, 200, sheetPage({ templates, tmplIds, redirect, openid: cookieOpenid(ctx) }));
  });

  mc.frame.router.post('/sandbox/subscribe', (ctx) => {
    const form = sheetForm.safeParse(ctx.request.body ?? {});
    if (!form.success) return badRequest(ctx, SHEET, form.error);
    const { tmplIds, redirect, action, keep } = form.data;
    const templates = templatesOf(mc, ctx, tmplIds);
    if (!templates) return;
    const known = cookieOpenid(ctx);
    const openid = known ?? form.data.openid ?? '';
    const allowed = new Set(action === 'cancel' ? [] : form.data.allow);
    if (!OPENID_PATTERN.test(openid)) {
      const error =
        openid === '' ? '请填写 openid（沙箱登录后会自动带上）' : 'openid 须为 6–64 位字母、数字、- 或 _';
      return sendPage(
        ctx,
        400,
        sheetPage({ templates, tmplIds, redirect, typedOpenid: openid, allowed, error }),
      );
    }
    tag(ctx.state, 'openid', openid);
    const refusal: ConsentDecision = keep !== undefined && action !== 'cancel' ? 'ban' : 'reject';
    const decisions: Record<string, ConsentDecision> = {};
    for (const { templateId } of templates) {
      const decision: ConsentDecision = allowed.has(templateId) ? 'accept' : refusal;
      recordConsent(mc.subscribe, openid, templateId, decision);
      decisions[templateId] = decision;
    }
    ctx.redirect(withReturnParams(redirect, { subscribeResult: encodeSubscribeResult(decisions) }));
  });
}
