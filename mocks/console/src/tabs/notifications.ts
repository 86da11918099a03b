/**
 * 微信通知 WeChat notifications: the callbacks WeChat Pay sent (attempts, history, delivered, next retry);
 * replay one byte for byte; its attempts, plaintext and headers; a custom callback (valid, invalid or SIGNTEST
 * signature); rotate the platform certificate.
 */
import { cstText } from '../../../common/admin-client/format';
import type {
  CallbackSignature,
  NotificationDetail,
  NotificationView,
} from '../../../common/admin-client/types';
import { admin, deliver, quiet, showProblem } from '../api';
import { bi, clip, errorBox, field, fill, form, h, pretty, table, val, type Child } from '../dom';
import { render } from '../shell';

const EVENTS = [
  'TRANSACTION.SUCCESS',
  'MEDICAL_INSURANCE.SUCCESS',
  'REFUND.SUCCESS',
  'REFUND.ABNORMAL',
  'REFUND.CLOSED',
];

const lastAttempt = (n: NotificationView) => n.history[n.history.length - 1];

/** The newest attempt failed (4xx/5xx, no answer, not acknowledged): a delivered one may still fail on replay. */
function lastAttemptFailed(n: NotificationView): boolean {
  const at = lastAttempt(n);
  return Boolean(at && (at.error || (typeof at.status === 'number' && at.status >= 300)));
}

function lastAttemptText(n: NotificationView): string {
  const at = lastAttempt(n);
  return [at.status === undefined ? null : `HTTP ${at.status}`, at.error, at.replay ? '(重放 replay)' : null]
    .filter(Boolean)
    .join(' ');
}

function detailOf(n: NotificationView, d: NotificationDetail): HTMLElement {
  return h(
    'div',
    {},
    h('h3', {}, `${n.id} ${n.eventType}`),
    h('h3', {}, bi('尝试记录', 'Attempts')),
    table(
      ['#', ['时间', 'At'], ['状态', 'Status'], ['错误', 'Error'], ['重放', 'Replay']],
      d.history.map((at, i) =>
        h(
          'tr',
          {},
          h('td', {}, i + 1),
          h('td', {}, cstText(at.atMs)),
          h('td', {}, at.status ?? ''),
          h('td', {}, at.error ?? ''),
          h('td', {}, at.replay ? '是 yes' : ''),
        ),
      ),
    ),
    h('h3', {}, bi('明文', 'Plaintext')),
    h('pre', {}, pretty(d.plaintext)),
    h('h3', {}, bi('最后一次请求头', 'Last headers')),
    h('pre', {}, pretty(d.lastHeaders)),
  );
}

function notificationRow(n: NotificationView, detail: HTMLElement): HTMLTableRowElement {
  const replay = async () => {
    // the history grows whatever the merchant answered
    if (await deliver((c) => c.replayNotification(n.id), {})) await render();
  };
  const show = async () => {
    const x = await admin.notification(n.id);
    fill(detail, x.ok ? detailOf(n, x.body) : errorBox(x));
  };
  return h(
    'tr',
    { 'data-id': n.id },
    h('td', { class: 'mono' }, clip(n.id), h('div', { class: 'muted event' }, n.eventType)),
    h(
      'td',
      { class: 'mono' },
      clip(n.outTradeNo ?? ''),
      n.outRefundNo ? clip(n.outRefundNo) : null,
      clip(n.url, 'muted'),
    ),
    h('td', { class: 'attempts' }, n.attempts),
    h('td', { class: 'history' }, n.history.length),
    h(
      'td',
      {},
      n.delivered
        ? h('span', { class: 'ok' }, '已送达 delivered')
        : h('span', { class: 'bad' }, '未送达 not delivered'),
      lastAttemptFailed(n)
        ? h(
            'div',
            { class: 'bad last-failed', title: lastAttemptText(n) },
            `最近 last ✗ ${lastAttempt(n).status ?? '—'}`,
          )
        : n.lastStatus !== undefined
          ? h('div', { class: 'muted' }, `HTTP ${n.lastStatus}`)
          : null,
    ),
    h('td', { class: 'nowrap' }, n.nextAttemptAtMs ? cstText(n.nextAttemptAtMs).slice(5, 16) : '—'),
    h(
      'td',
      { class: 'actions' },
      h('button', { class: 'btn small replay', onclick: replay }, '重放 Replay'),
      h('button', { class: 'btn small secondary', onclick: show }, '详情 Detail'),
    ),
  );
}

function sendForm(): HTMLFormElement {
  const submit = async () => {
    let resource: Record<string, unknown>;
    try {
      resource = JSON.parse(val('cb-resource') || '{}') as Record<string, unknown>;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return showProblem('wechatpay', 'POST', 'callbacks/send', `resource 不是 JSON is not JSON: ${why}`);
    }
    const send = {
      url: val('cb-url'),
      eventType: val('cb-event'),
      resource,
      signature: val('cb-signature') as CallbackSignature,
    };
    if (await deliver((c) => c.sendCallback(send), send)) await render();
  };
  return form(
    { id: 'callback-form' },
    submit,
    field(
      '回调地址',
      'URL',
      h('input', {
        id: 'cb-url',
        size: 34,
        required: true,
        placeholder: 'http://127.0.0.1:3000/api/v1/notify/wechatpay',
      }),
    ),
    field(
      '事件',
      'Event type',
      h(
        'select',
        { id: 'cb-event' },
        EVENTS.map((x) => h('option', { value: x }, x)),
      ),
    ),
    field(
      '签名',
      'Signature',
      h(
        'select',
        { id: 'cb-signature' },
        h('option', { value: 'valid' }, '有效 valid'),
        h('option', { value: 'invalid' }, '无效 invalid'),
        h('option', { value: 'signtest' }, '签名探测 signtest'),
      ),
    ),
    field(
      '明文资源（JSON）',
      'Resource plaintext (JSON)',
      h(
        'textarea',
        { id: 'cb-resource', rows: 3, cols: 40 },
        '{"out_trade_no": "T1", "trade_state": "SUCCESS"}',
      ),
    ),
    h('button', { class: 'btn' }, '发送 Send'),
  );
}

export async function notifications(): Promise<Child[]> {
  const r = await quiet.notifications();
  const detail = h(
    'div',
    { id: 'notification-detail', class: 'card' },
    h('div', { class: 'muted' }, '点击“详情”查看尝试记录与报文 · Detail shows the attempts and the message'),
  );
  const rows = (r.ok ? r.body : []).map((n) => notificationRow(n, detail));
  return [
    h('h2', {}, bi('微信支付通知', 'WeChat Pay notifications (callbacks)')),
    h(
      'div',
      { class: 'card' },
      h(
        'h3',
        {},
        bi('通知', 'Notifications, newest first'),
        ' ',
        h(
          'button',
          { class: 'btn small secondary', id: 'notifications-refresh', onclick: () => render() },
          '刷新 Refresh',
        ),
      ),
      r.ok ? null : errorBox(r),
      table(
        [
          ['通知 id · 事件', 'Event'],
          ['商户单号 · 回调地址', 'outTradeNo · URL'],
          ['尝试', 'Tries'],
          ['记录', 'Hist.'],
          ['送达', 'Delivered'],
          ['下次', 'Next'],
          '',
        ],
        rows,
        { id: 'notifications-table' },
      ),
    ),
    detail,
    h('div', { class: 'card' }, h('h3', {}, bi('发送自定义通知', 'Send a custom callback')), sendForm()),
    h(
      'div',
      { class: 'card' },
      h('h3', {}, bi('平台证书', 'Platform certificates')),
      h(
        'button',
        { class: 'btn secondary', id: 'cert-rotate', onclick: () => admin.rotateCertificates() },
        '轮换证书 Rotate certificates',
      ),
    ),
  ];
}
