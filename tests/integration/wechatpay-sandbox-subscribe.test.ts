/**
 * The WeChat mock's subscribe-message sheet (/sandbox/subscribe, the H5 build's wx.requestSubscribeMessage),
 * driven as a browser would: the sandbox login sets the user's cookie, the sheet shows one row per template,
 * its form records each decision as POST /__admin/subscriptions does and goes back with `subscribeResult`.
 * Nothing is followed (redirect: 'manual'); consent is read back through subscribeMessage.send (43101 or ok).
 */
import { SUBSCRIBE_TEMPLATES } from '../../shared/protocol/wechat/subscribe';
import { startWeChatPayRig, type WeChatPayRig } from '../helpers/wechatpayRig';

const START_MS = Date.parse('2026-12-07T10:00:00+08:00');
const APP = 'http://app.test:10086/#/pages/messages/index';
const PAID = SUBSCRIBE_TEMPLATES.payment_success;
const REFUND = SUBSCRIBE_TEMPLATES.refund_result;
const FAILED = SUBSCRIBE_TEMPLATES.payment_failed;
const REMINDER = SUBSCRIBE_TEMPLATES.bill_reminder;
const ALL = [PAID, REFUND, FAILED, REMINDER].map((t) => t.templateId);

let rig: WeChatPayRig;
let mockUrl: string;

beforeAll(async () => {
  rig = await startWeChatPayRig(START_MS);
  ({ mockUrl } = rig);
});

afterAll(async () => {
  await rig.stop();
});

interface Page {
  status: number;
  html: string;
  location: string | null;
  setCookie: string | null;
}

async function page(
  method: 'GET' | 'POST',
  path: string,
  form?: URLSearchParams | Record<string, string>,
  cookie?: string,
): Promise<Page> {
  const res = await fetch(`${mockUrl}${path}`, {
    method,
    redirect: 'manual',
    headers: cookie === undefined ? {} : { cookie },
    body: form === undefined ? undefined : new URLSearchParams(form),
  });
  return {
    status: res.status,
    html: await res.text(),
    location: res.headers.get('location'),
    setCookie: res.headers.get('set-cookie'),
  };
}

const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
const sheetUrl = (ids: string[], redirect = APP) =>
  `/sandbox/subscribe?${q({ tmplIds: ids.join(','), redirect })}`;

/** Logs in through the sandbox page as `openid`; answers the cookie the page set ("name=value"). */
async function login(openid: string): Promise<string> {
  const res = await page('POST', '/sandbox/login', { redirect: APP, openid, action: 'confirm' });
  expect(res.status).toBe(302);
  const cookie = res.setCookie ?? '';
  expect(cookie).toMatch(new RegExp(`^wx_sandbox_openid=${openid};`));
  return cookie.split(';')[0];
}

/** The sheet's form: the templates asked for, the allowed ones, the button. */
function sheetForm(ids: string[], allow: string[], extra: Record<string, string> = {}): URLSearchParams {
  const form = new URLSearchParams({ tmplIds: ids.join(','), redirect: APP, ...extra });
  for (const id of allow) form.append('allow', id);
  return form;
}

/** subscribeResult of a redirect back to the app, decoded. */
function resultOf(location: string | null): Record<string, string> {
  const url = new URL(location ?? '');
  // hash routing without a fragment query: the result goes into the main query
  const param = url.searchParams.get('subscribeResult') ?? '';
  return JSON.parse(Buffer.from(param, 'base64url').toString('utf8')) as Record<string, string>;
}

/** What WeChat answers when the server sends `templateId` to `openid`: 0 with consent, 43101 without. */
async function sendErrcode(openid: string, templateId: string): Promise<number> {
  const { appId, appSecret } = rig.keys.mocks.wechat;
  const token = (await (
    await fetch(
      `${mockUrl}/cgi-bin/token?${q({ grant_type: 'client_credential', appid: appId, secret: appSecret })}`,
    )
  ).json()) as { access_token: string };
  const template = Object.values(SUBSCRIBE_TEMPLATES).find((t) => t.templateId === templateId)!;
  const sample: Record<string, string> = {
    thing: '门诊缴费',
    amount: '¥12.30',
    character_string: 'R20261207001',
    time: '2026年12月7日 10:00',
    phrase: '已到账',
  };
  const data = Object.fromEntries(
    Object.entries(template.keywords).map(([key, type]) => [key, { value: sample[type] ?? '门诊缴费' }]),
  );
  const res = await fetch(`${mockUrl}/cgi-bin/message/subscribe/send?access_token=${token.access_token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ touser: openid, template_id: templateId, page: 'pages/messages/index', data }),
  });
  return ((await res.json()) as { errcode: number }).errcode;
}

describe('the sandbox login remembers the user for the sheet', () => {
  it('sets wx_sandbox_openid HttpOnly, SameSite=Lax, for /sandbox only', async () => {
    const res = await page('POST', '/sandbox/login', { redirect: APP, openid: 'oSubscriber_cookie1' });
    const cookie = res.setCookie ?? '';
    expect(cookie).toMatch(/^wx_sandbox_openid=oSubscriber_cookie1;/);
    expect(cookie).toMatch(/path=\/sandbox/i);
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).toMatch(/samesite=lax/i);
  });

  it('a cancelled login sets no cookie', async () => {
    const res = await page('POST', '/sandbox/login', { redirect: APP, action: 'cancel' });
    expect(res.setCookie).toBeNull();
  });
});

describe('GET /sandbox/subscribe', () => {
  it('shows one row per template with its title, checked, the user, and both buttons, in Chinese', async () => {
    const cookie = await login('oSubscriber_show01');
    const res = await page('GET', sheetUrl(ALL.slice(0, 3)), undefined, cookie);
    expect(res.status).toBe(200);
    expect(res.html).toContain('<meta name="viewport" content="width=device-width,initial-scale=1');
    expect(res.html).toContain('小程序申请向你发送以下消息');
    ['缴费成功通知', '退款结果通知', '缴费未成功通知'].forEach((title, i) => {
      expect(res.html).toContain(`id="sandbox-subscribe-title-${i}">${title}<`);
      expect(res.html).toMatch(
        new RegExp(`id="sandbox-subscribe-${i}" name="allow" value="${ALL[i]}"[^>]*checked`),
      );
    });
    expect(res.html).toContain('当前用户：oSubscriber_show01');
    expect(res.html).not.toContain('id="sandbox-subscribe-openid"');
    for (const id of ['sandbox-subscribe-allow', 'sandbox-subscribe-cancel', 'sandbox-subscribe-keep'])
      expect(res.html).toContain(`id="${id}"`);
  });

  it('asks for the openid without the login cookie', async () => {
    const res = await page('GET', sheetUrl([PAID.templateId]));
    expect(res.status).toBe(200);
    expect(res.html).toContain('id="sandbox-subscribe-openid"');
  });

  it('answers a 400 page in Chinese for an unknown template, a bad redirect, no templates', async () => {
    const unknown = await page('GET', sheetUrl([PAID.templateId, 'NoSuchTemplate_1']));
    expect(unknown.status).toBe(400);
    expect(unknown.html).toContain('小程序没有这个订阅消息模板：NoSuchTemplate_1');
    const badRedirect = await page('GET', sheetUrl([PAID.templateId], 'javascript:alert(1)'));
    expect(badRedirect.status).toBe(400);
    expect(badRedirect.html).toContain('redirect 必须是 http 或 https 地址');
    expect((await page('GET', `/sandbox/subscribe?${q({ redirect: APP })}`)).status).toBe(400);
    expect((await page('GET', sheetUrl([' , ']))).status).toBe(400);
    // more than three at once: WeChat refuses the call (20003), so does the sheet
    const four = await page('GET', sheetUrl(ALL));
    expect(four.status).toBe(400);
    expect(four.html).toContain('一次最多申请 3 种订阅消息');
  });

  it('is listed in the OpenAPI document', async () => {
    const spec = (await (await fetch(`${mockUrl}/__admin/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(spec.paths)).toContain('/sandbox/subscribe');
  });
});

describe('POST /sandbox/subscribe', () => {
  it('allow records each switch as the user left it and goes back with subscribeResult', async () => {
    const openid = 'oSubscriber_allow1';
    const cookie = await login(openid);
    const res = await page(
      'POST',
      '/sandbox/subscribe',
      sheetForm(
        [PAID, REFUND, FAILED].map((t) => t.templateId),
        [PAID.templateId, REFUND.templateId],
      ),
      cookie,
    );
    expect(res.status).toBe(302);
    expect(res.location?.startsWith('http://app.test:10086/?subscribeResult=')).toBe(true);
    expect(res.location).toMatch(/#\/pages\/messages\/index$/);
    expect(resultOf(res.location)).toEqual({
      [PAID.templateId]: 'accept',
      [REFUND.templateId]: 'accept',
      [FAILED.templateId]: 'reject',
    });
    expect(await sendErrcode(openid, PAID.templateId)).toBe(0);
    expect(await sendErrcode(openid, REFUND.templateId)).toBe(0);
    expect(await sendErrcode(openid, FAILED.templateId)).toBe(43101);
    // never asked: no consent either
    expect(await sendErrcode(openid, REMINDER.templateId)).toBe(43101);
  });

  it('取消 rejects every template, whatever the switches say', async () => {
    const openid = 'oSubscriber_cancel';
    const cookie = await login(openid);
    await page('POST', '/sandbox/subscribe', sheetForm([PAID.templateId], [PAID.templateId]), cookie);
    expect(await sendErrcode(openid, PAID.templateId)).toBe(0);
    const res = await page(
      'POST',
      '/sandbox/subscribe',
      sheetForm([PAID.templateId, REFUND.templateId], [PAID.templateId], { action: 'cancel' }),
      cookie,
    );
    expect(res.status).toBe(302);
    expect(resultOf(res.location)).toEqual({ [PAID.templateId]: 'reject', [REFUND.templateId]: 'reject' });
    expect(await sendErrcode(openid, PAID.templateId)).toBe(43101);
  });

  it('总是保持以上选择 turns each refusal into ban', async () => {
    const cookie = await login('oSubscriber_keep01');
    const res = await page(
      'POST',
      '/sandbox/subscribe',
      sheetForm([PAID.templateId, REMINDER.templateId], [PAID.templateId], { keep: '1' }),
      cookie,
    );
    expect(resultOf(res.location)).toEqual({ [PAID.templateId]: 'accept', [REMINDER.templateId]: 'ban' });
  });

  it('without the cookie takes the openid from the form, and asks again (400) for a missing or bad one', async () => {
    const missing = await page('POST', '/sandbox/subscribe', sheetForm([PAID.templateId], [PAID.templateId]));
    expect(missing.status).toBe(400);
    expect(missing.html).toContain('请填写 openid');
    const bad = await page(
      'POST',
      '/sandbox/subscribe',
      sheetForm([PAID.templateId], [PAID.templateId], { openid: 'no spaces!' }),
    );
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('openid 须为 6–64 位字母、数字、- 或 _');
    const ok = await page(
      'POST',
      '/sandbox/subscribe',
      sheetForm([PAID.templateId], [PAID.templateId], { openid: 'oSubscriber_typed1' }),
    );
    expect(ok.status).toBe(302);
    expect(await sendErrcode('oSubscriber_typed1', PAID.templateId)).toBe(0);
  });

  it('refuses an unknown template with a 400 page and records nothing', async () => {
    const openid = 'oSubscriber_unknwn';
    const cookie = await login(openid);
    const res = await page(
      'POST',
      '/sandbox/subscribe',
      sheetForm([PAID.templateId, 'NoSuchTemplate_2'], [PAID.templateId]),
      cookie,
    );
    expect(res.status).toBe(400);
    expect(res.html).toContain('小程序没有这个订阅消息模板：NoSuchTemplate_2');
    expect(await sendErrcode(openid, PAID.templateId)).toBe(43101);
  });

  it('puts subscribeResult into the fragment query of a hash-routed redirect that has one', async () => {
    const cookie = await login('oSubscriber_hashq1');
    const form = sheetForm([PAID.templateId], [PAID.templateId]);
    form.set('redirect', 'http://app.test:10086/#/pages/messages/index?from=x');
    const res = await page('POST', '/sandbox/subscribe', form, cookie);
    expect(res.location).toMatch(
      /^http:\/\/app\.test:10086\/#\/pages\/messages\/index\?from=x&subscribeResult=/,
    );
  });
});
