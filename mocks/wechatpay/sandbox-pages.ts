/**
 * The HTML of the sandbox pages (sandbox.ts): pure functions from a view to a page. Phone first (375 px wide
 * must not scroll sideways), WeChat's calm look, no script at all, and every piece of text escaped.
 */
import { formatFen } from '../../shared/money';

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#ededed;color:#191919;overflow-wrap:anywhere;
font:16px/1.5 -apple-system,BlinkMacSystemFont,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif}
input,button,a{max-width:100%;font:inherit}
.bar{background:#f7f7f7;border-bottom:1px solid #e5e5e5;text-align:center;padding:12px 16px;font-size:17px;font-weight:500}
.tag{display:inline-block;margin-left:6px;padding:0 6px;border-radius:4px;background:#fa9d3b;color:#fff;font-size:12px;font-weight:400;vertical-align:2px}
main{max-width:480px;margin:0 auto;padding:16px}
.card{background:#fff;border-radius:8px;padding:16px;margin-bottom:16px}
h1{font-size:20px;font-weight:500;margin:0 0 8px}
p{margin:0 0 8px}
.muted{color:#7f7f7f;font-size:14px}
.center{text-align:center}
.amount{text-align:center;font-size:40px;font-weight:600;margin:4px 0}
.rows{list-style:none;margin:0;padding:0}
.rows li{display:flex;justify-content:space-between;gap:12px;padding:10px 0;border-top:1px solid #f0f0f0}
.rows li:first-child{border-top:0}
.rows .label{color:#7f7f7f;flex:none}
.rows .value{text-align:right;min-width:0;word-break:break-all}
.rows .strong{font-weight:600}
label{display:block;margin-bottom:8px}
input[type=text]{display:block;width:100%;margin-top:8px;padding:12px;border:1px solid #d9d9d9;border-radius:6px;background:#fff}
.btn{display:block;width:100%;margin-top:12px;padding:12px;border:0;border-radius:8px;font-size:17px;font-weight:500;
text-align:center;text-decoration:none;cursor:pointer}
.primary{background:#07c160;color:#fff}
.secondary{background:#f2f2f2;color:#07c160}
.error{color:#fa5151}
.foot{margin-top:16px}
.icon{width:64px;height:64px;margin:8px auto 12px;border-radius:50%;line-height:64px;text-align:center;font-size:36px;color:#fff}
.icon.warn{background:#fa9d3b}
.icon.fail{background:#fa5151}`;

function layout(title: string, content: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style></head>
<body><header class="bar">${escapeHtml(title)}<span class="tag">沙箱</span></header>
<main>${content}</main></body></html>`;
}

const row = (label: string, value: string, id?: string, strong = false): string =>
  `<li><span class="label">${escapeHtml(label)}</span><span class="value${strong ? ' strong' : ''}"` +
  `${id === undefined ? '' : ` id="${id}"`}>${escapeHtml(value)}</span></li>`;

const hidden = (name: string, value: string | undefined): string =>
  value === undefined ? '' : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;

export interface LoginPageView {
  redirect: string;
  openid?: string;
  error?: string;
}

export function loginPage(view: LoginPageView): string {
  const error =
    view.error === undefined ? '' : `<p class="error" id="sandbox-login-error">${escapeHtml(view.error)}</p>`;
  return layout(
    '微信登录（沙箱）',
    `<section class="card">
<h1>登录到应用</h1>
<p>这个页面代替小程序里的 <code>wx.login</code>：确认后，应用会收到一个一次性的登录 code（5 分钟内有效），用它换取你的 openid。</p>
<p class="muted">登录后返回：${escapeHtml(new URL(view.redirect).host)}</p>
</section>
<form method="post" action="/sandbox/login" class="card">
<label for="sandbox-login-openid">openid（可选）
<input type="text" id="sandbox-login-openid" name="openid" value="${escapeHtml(view.openid ?? '')}"
 placeholder="留空即为一个新用户" autocomplete="off" autocapitalize="off" spellcheck="false" maxlength="64"></label>
<p class="muted">填入以前的 openid，可再次以同一个用户登录（6–64 位字母、数字、- 或 _）。</p>
${error}${hidden('redirect', view.redirect)}
<button type="submit" class="btn primary" id="sandbox-login-confirm" name="action" value="confirm">确认登录</button>
<button type="submit" class="btn secondary" id="sandbox-login-cancel" name="action" value="cancel">取消</button>
</form>`,
  );
}

export interface CashierView {
  merchant: string;
  outTradeNo: string;
  mixTradeNo?: string;
  totalFen: number;
  /** what WeChat Pay takes (自费) */
  cashFen: number;
  /** a med-ins order's insurance share: 统筹 (gov), 个人账户 (self), other funds */
  insurance?: { govFen: number; selfFen: number; otherFen: number };
  redirect: string;
  /** the pay parameters the page was opened with (appId … paySign), carried on to the confirmation */
  payParams?: Partial<
    Record<'appId' | 'timeStamp' | 'nonceStr' | 'package' | 'signType' | 'paySign', string>
  >;
}

function cashierRows(view: CashierView): string {
  const rows = [row('订单号', view.outTradeNo)];
  if (view.mixTradeNo !== undefined) rows.push(row('医保订单号', view.mixTradeNo));
  rows.push(row('订单总额', formatFen(view.totalFen), 'sandbox-cashier-total'));
  if (view.insurance) {
    rows.push(row('医保统筹', formatFen(view.insurance.govFen), 'sandbox-cashier-fund'));
    if (view.insurance.otherFen > 0)
      rows.push(row('其他医保基金', formatFen(view.insurance.otherFen), 'sandbox-cashier-other'));
    rows.push(row('个人账户', formatFen(view.insurance.selfFen), 'sandbox-cashier-account'));
  }
  rows.push(row('自费（微信支付）', formatFen(view.cashFen), 'sandbox-cashier-cash', true));
  return `<ul class="rows">${rows.join('')}</ul>`;
}

export function cashierPage(view: CashierView): string {
  const note =
    view.insurance && view.cashFen === 0
      ? '<p class="muted center">医保全额支付，无需自费</p>'
      : '<p class="muted center">需支付</p>';
  return layout(
    '微信支付（沙箱）',
    `<section class="card">
<p class="center" id="sandbox-cashier-merchant">${escapeHtml(view.merchant)}</p>
${note}<p class="amount">${escapeHtml(formatFen(view.cashFen))}</p>
</section>
<section class="card">${cashierRows(view)}</section>
<form method="post" action="/sandbox/cashier">
${hidden('outTradeNo', view.outTradeNo)}${hidden('mixTradeNo', view.mixTradeNo)}${hidden('redirect', view.redirect)}
${Object.entries(view.payParams ?? {})
  .map(([name, value]) => hidden(name, value))
  .join('')}
<button type="submit" class="btn primary" id="sandbox-pay-confirm" name="action" value="confirm">确认支付</button>
<button type="submit" class="btn secondary" id="sandbox-pay-cancel" name="action" value="cancel">取消</button>
</form>
<p class="muted center foot">这是模拟的微信支付收银台：确认即视为用户已在微信中完成支付（医保结算、扣款并发送回调）。</p>`,
  );
}

export interface MessageView {
  /** the page's bar; the cashier's unless said */
  header?: string;
  title: string;
  message: string;
  kind: 'warn' | 'fail';
  /** a way back to the app, when there is one */
  back?: { href: string; label: string };
}

export function messagePage(view: MessageView): string {
  const back =
    view.back === undefined
      ? ''
      : `<a class="btn primary" id="sandbox-back" href="${escapeHtml(view.back.href)}">${escapeHtml(view.back.label)}</a>`;
  return layout(
    view.header ?? '微信支付（沙箱）',
    `<section class="card center">
<div class="icon ${view.kind}">!</div>
<h1 id="sandbox-message-title">${escapeHtml(view.title)}</h1>
<p class="muted" id="sandbox-message">${escapeHtml(view.message)}</p>
</section>${back}`,
  );
}
