/**
 * The WeChat Pay mock's sandbox pages (the H5 build's wx.login and payment sheet), driven as a browser would:
 * GET the page, POST its form, follow nothing (redirect: 'manual'). Orders are made through the server's
 * adapter; a tiny fake insurance platform answers the settle call and a tiny receiver takes the callbacks.
 */
import type { Split } from '../../shared/money';
import { paySignMessage, privateKeyFromPem, signSha256Rsa } from '../../shared/crypto/wechatpay';
import { withReturnParams } from '../../mocks/wechatpay/sandbox';
import { testKeys } from '../../shared/crypto/keyring';
import { startWeChatPayRig, type WeChatPayRig } from '../helpers/wechatpayRig';

const START_MS = Date.parse('2026-11-23T10:00:00+08:00');
const APP = 'http://app.test:10086/pages/result/index';

const keys = testKeys();
let rig: WeChatPayRig;
let clock: WeChatPayRig['clock'];
let insurance: WeChatPayRig['insurance'];
let mock: WeChatPayRig['mock'];
let mockUrl: string;
let gateway: WeChatPayRig['gateway'];

beforeAll(async () => {
  rig = await startWeChatPayRig(START_MS);
  ({ clock, insurance, mock, mockUrl, gateway } = rig);
});

afterAll(async () => {
  await rig.stop();
});

afterEach(() => {
  insurance.down = false;
});

// ───────────────────────────── helpers ─────────────────────────────

interface Page {
  status: number;
  type: string;
  html: string;
  location: string | null;
}

async function page(method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<Page> {
  const res = await fetch(`${mockUrl}${path}`, {
    method,
    redirect: 'manual',
    body: form === undefined ? undefined : new URLSearchParams(form),
  });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    html: await res.text(),
    location: res.headers.get('location'),
  };
}

const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

/** the text of the element with that id */
function textOf(html: string, id: string): string | undefined {
  return new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html)?.[1];
}

async function jscode2session(code: string): Promise<Record<string, unknown>> {
  const { appId, appSecret } = keys.mocks.wechat;
  const res = await fetch(
    `${mockUrl}/sns/jscode2session?${q({ appid: appId, secret: appSecret, js_code: code, grant_type: 'authorization_code' })}`,
  );
  return (await res.json()) as Record<string, unknown>;
}

async function admin<T>(method: string, path: string): Promise<T> {
  const res = await fetch(`${mockUrl}/__admin${path}`, { method });
  return (await res.json()) as T;
}

let seq = 0;
const nextOrderNo = () => `SBX${clock.now()}${String(++seq).padStart(4, '0')}`;
const openid = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';

async function jsapiOrder(amountFen: number, description = '演示市第一人民医院-门诊缴费') {
  const outTradeNo = nextOrderNo();
  const { prepayId } = await gateway.createJsapiOrder({
    outTradeNo,
    description,
    amountFen,
    openid,
    expireAtMs: clock.now() + 15 * 60_000,
  });
  return { outTradeNo, prepayId, pay: payQuery(prepayId) };
}

/** The pay parameters the server signs for the sheet (what the H5 bridge passes on to the cashier page). */
function payQuery(prepayId: string): Record<string, string> {
  return { ...gateway.payParams(prepayId) };
}

/** a CASH_AND_INSURANCE order: total 100.00 = fund 60.00 + account 15.00 + cash 25.00 */
async function mixedOrder() {
  const split: Split = { total: 10000, fund: 6000, account: 1500, cash: 2500 };
  const { outTradeNo, prepayId, pay } = await jsapiOrder(split.cash);
  const order = rig.medInsOrder(outTradeNo, openid, split, prepayId);
  const { mixTradeNo } = await gateway.createMedInsOrder(order);
  return { outTradeNo, mixTradeNo, pay };
}

async function notificationsOf(outTradeNo: string) {
  const all = await admin<{ outTradeNo: string; eventType: string }[]>('GET', '/notifications');
  return all.filter((n) => n.outTradeNo === outTradeNo);
}

// ───────────────────────────── tests ─────────────────────────────

describe('withReturnParams(url, params)', () => {
  it('starts a query with ? and extends one with &', () => {
    expect(withReturnParams('http://a.test/p', { code: 'c1' })).toBe('http://a.test/p?code=c1');
    expect(withReturnParams('http://a.test/p?x=1', { code: 'c1' })).toBe('http://a.test/p?x=1&code=c1');
    expect(withReturnParams('http://a.test/p?', { code: 'c1' })).toBe('http://a.test/p?code=c1');
  });

  it('puts the params into the fragment when the fragment has its own query (hash routing)', () => {
    expect(withReturnParams('http://a.test/#/pages/login/index?from=x', { code: 'c1' })).toBe(
      'http://a.test/#/pages/login/index?from=x&code=c1',
    );
    expect(withReturnParams('http://a.test/?v=2#/pages/login/index?', { code: 'c1' })).toBe(
      'http://a.test/?v=2#/pages/login/index?code=c1',
    );
  });

  it('keeps a fragment without a query after the query it extends', () => {
    expect(withReturnParams('http://a.test/app?v=2#/home', { result: 'ok' })).toBe(
      'http://a.test/app?v=2&result=ok#/home',
    );
  });

  it('replaces an earlier parameter of the same name and leaves the others as they were', () => {
    expect(withReturnParams('http://a.test/p?code=old&q=a%20b+c', { code: 'new' })).toBe(
      'http://a.test/p?q=a%20b+c&code=new',
    );
  });
});

describe('GET /sandbox/login', () => {
  it('renders a phone-first Chinese page with the openid field and both buttons', async () => {
    const res = await page('GET', `/sandbox/login?${q({ redirect: APP })}`);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/html; charset=utf-8/);
    expect(res.html).toContain('<meta name="viewport" content="width=device-width,initial-scale=1');
    expect(res.html).toContain('box-sizing:border-box');
    expect(res.html).toContain('微信登录（沙箱）');
    expect(res.html).toContain('wx.login');
    for (const id of ['sandbox-login-openid', 'sandbox-login-confirm', 'sandbox-login-cancel'])
      expect(res.html).toContain(`id="${id}"`);
  });

  it('refuses a redirect that is not http(s) with 400 and no Location', async () => {
    for (const redirect of ['javascript:alert(1)', 'ftp://app.test/x', 'not a url', '']) {
      const res = await page('GET', `/sandbox/login?${q({ redirect })}`);
      expect(res.status).toBe(400);
      expect(res.location).toBeNull();
      expect(res.html).toContain('redirect 必须是 http 或 https 地址');
    }
    expect((await page('GET', '/sandbox/login')).status).toBe(400);
  });
});

describe('POST /sandbox/login', () => {
  it('answers 302 to redirect with a code usable once at jscode2session, for a new user when openid is blank', async () => {
    const res = await page('POST', '/sandbox/login', { redirect: APP, openid: '', action: 'confirm' });
    expect(res.status).toBe(302);
    const location = new URL(res.location ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(APP);
    const code = location.searchParams.get('code') ?? '';
    expect(code).toMatch(/^[0-9a-f]{32}$/);
    const session = await jscode2session(code);
    expect(session.openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    expect(await jscode2session(code)).toEqual({ errcode: 40163, errmsg: 'code been used' });
  });

  it('logs in as the openid given, appending with & to a redirect that has a query', async () => {
    const redirect = `${APP}?from=login`;
    const res = await page('POST', '/sandbox/login', { redirect, openid: ' oSandboxUser_01 ' });
    expect(res.location).toMatch(new RegExp(`^${redirect.replace(/[?.]/g, '\\$&')}&code=[0-9a-f]{32}$`));
    const code = new URL(res.location ?? '').searchParams.get('code') ?? '';
    expect((await jscode2session(code)).openid).toBe('oSandboxUser_01');
  });

  it('appends the code to the fragment query of a hash-routed app', async () => {
    const redirect = 'http://app.test:10086/#/pages/login/index?from=sandbox';
    const res = await page('POST', '/sandbox/login', { redirect, action: 'confirm' });
    expect(res.status).toBe(302);
    const match = /^http:\/\/app\.test:10086\/#\/pages\/login\/index\?from=sandbox&code=([0-9a-f]{32})$/.exec(
      res.location ?? '',
    );
    expect(match).not.toBeNull();
    expect((await jscode2session(match?.[1] ?? '')).openid).toBeDefined();
  });

  it('cancel answers 302 with error=user_cancelled and issues no code', async () => {
    const codesBefore = mock.state.loginCodes.size;
    const res = await page('POST', '/sandbox/login', { redirect: APP, action: 'cancel' });
    expect(res.status).toBe(302);
    expect(res.location).toBe(`${APP}?error=user_cancelled`);
    expect(mock.state.loginCodes.size).toBe(codesBefore);
  });

  it('shows the form again with 400 for an openid of the wrong shape', async () => {
    const res = await page('POST', '/sandbox/login', { redirect: APP, openid: 'a<b>' });
    expect(res.status).toBe(400);
    expect(res.location).toBeNull();
    expect(textOf(res.html, 'sandbox-login-error')).toContain('openid');
    expect(res.html).toContain('value="a&#60;b&#62;"');
  });

  it('refuses a javascript: redirect with 400', async () => {
    const res = await page('POST', '/sandbox/login', { redirect: 'javascript:alert(1)', action: 'confirm' });
    expect(res.status).toBe(400);
    expect(res.location).toBeNull();
  });
});

describe('GET /sandbox/cashier', () => {
  it('shows a med-ins order: merchant, numbers, total and the split into 统筹, 个人账户 and 自费', async () => {
    const { outTradeNo, mixTradeNo, pay } = await mixedOrder();
    const refs: Record<string, string>[] = [{ mixTradeNo }, { outTradeNo }, { outTradeNo, mixTradeNo }];
    for (const ref of refs) {
      const res = await page('GET', `/sandbox/cashier?${q({ ...ref, ...pay, redirect: APP })}`);
      expect(res.status).toBe(200);
      expect(res.html).toContain('微信支付（沙箱）');
      expect(textOf(res.html, 'sandbox-cashier-merchant')).toBe('演示市第一人民医院-门诊缴费');
      expect(res.html).toContain(outTradeNo);
      expect(res.html).toContain(mixTradeNo);
      expect(textOf(res.html, 'sandbox-cashier-total')).toBe('¥100.00');
      expect(textOf(res.html, 'sandbox-cashier-fund')).toBe('¥60.00');
      expect(textOf(res.html, 'sandbox-cashier-account')).toBe('¥15.00');
      expect(textOf(res.html, 'sandbox-cashier-cash')).toBe('¥25.00');
      expect(res.html).toContain('id="sandbox-pay-confirm"');
      expect(res.html).toContain('id="sandbox-pay-cancel"');
    }
  });

  it('shows a plain JSAPI order with its amount and no insurance lines', async () => {
    const { outTradeNo, pay } = await jsapiOrder(1234);
    const res = await page('GET', `/sandbox/cashier?${q({ outTradeNo, ...pay, redirect: APP })}`);
    expect(res.status).toBe(200);
    expect(textOf(res.html, 'sandbox-cashier-total')).toBe('¥12.34');
    expect(textOf(res.html, 'sandbox-cashier-cash')).toBe('¥12.34');
    expect(res.html).not.toContain('sandbox-cashier-fund');
    expect(res.html).not.toContain('sandbox-cashier-account');
  });

  it('escapes a description carrying markup', async () => {
    const { outTradeNo, pay } = await jsapiOrder(100, '<script>alert("x")</script>&');
    const redirect = `${APP}?a="><script>alert(1)</script>`;
    const res = await page('GET', `/sandbox/cashier?${q({ outTradeNo, ...pay, redirect })}`);
    expect(res.status).toBe(200);
    expect(res.html).not.toContain('<script');
    expect(textOf(res.html, 'sandbox-cashier-merchant')).toBe(
      '&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#38;',
    );
  });

  it('answers a friendly 404 page for an unknown order, or numbers of two different orders', async () => {
    const res = await page('GET', `/sandbox/cashier?${q({ outTradeNo: 'NEVER-MADE', redirect: APP })}`);
    expect(res.status).toBe(404);
    expect(res.type).toMatch(/^text\/html/);
    expect(textOf(res.html, 'sandbox-message-title')).toBe('找不到该订单');
    const { mixTradeNo } = await mixedOrder();
    const { outTradeNo } = await jsapiOrder(100);
    const crossed = await page('GET', `/sandbox/cashier?${q({ outTradeNo, mixTradeNo, redirect: APP })}`);
    expect(crossed.status).toBe(404);
  });

  it('refuses a bad redirect with 400, and no order number with 400', async () => {
    const { outTradeNo } = await jsapiOrder(100);
    const bad = await page('GET', `/sandbox/cashier?${q({ outTradeNo, redirect: 'javascript:alert(1)' })}`);
    expect(bad.status).toBe(400);
    const none = await page('GET', `/sandbox/cashier?${q({ redirect: APP })}`);
    expect(none.status).toBe(400);
    expect(textOf(none.html, 'sandbox-message')).toContain('缺少订单号');
  });

  it('tags the journal with outTradeNo and lists both pages in the OpenAPI document', async () => {
    const { outTradeNo, pay } = await jsapiOrder(100);
    await page('GET', `/sandbox/cashier?${q({ outTradeNo, ...pay, redirect: APP })}`);
    const journal = await admin<{ path: string }[]>('GET', `/journal?tag=outTradeNo=${outTradeNo}`);
    expect(journal.map((e) => e.path)).toContain('/sandbox/cashier');
    const spec = await admin<{ paths: Record<string, unknown> }>('GET', '/openapi.json');
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/sandbox/login', '/sandbox/cashier']));
  });
});

describe('POST /sandbox/cashier', () => {
  it('confirm pays a med-ins order like POST /__admin/payments/confirm: 302 result=ok, paid, callback queued', async () => {
    const { outTradeNo, mixTradeNo, pay } = await mixedOrder();
    const res = await page('POST', '/sandbox/cashier', {
      mixTradeNo,
      ...pay,
      redirect: APP,
      action: 'confirm',
    });
    expect(res.status).toBe(302);
    expect(res.location).toBe(`${APP}?result=ok`);
    await expect(gateway.queryMedInsOrder({ outTradeNo: outTradeNo })).resolves.toMatchObject({
      mixPayStatus: 'MIX_PAY_SUCCESS',
    });
    await expect(gateway.queryTransaction(outTradeNo)).resolves.toMatchObject({ tradeState: 'SUCCESS' });
    expect((await notificationsOf(outTradeNo)).map((n) => n.eventType)).toEqual([
      'MEDICAL_INSURANCE.SUCCESS',
    ]);
  });

  it('confirm pays a JSAPI order: 302 result=ok into a hash-routed app, TRANSACTION.SUCCESS queued', async () => {
    const { outTradeNo, pay } = await jsapiOrder(1234);
    const redirect = 'http://app.test/#/pages/result/index?orderId=42';
    const res = await page('POST', '/sandbox/cashier', { outTradeNo, ...pay, redirect });
    expect(res.location).toBe(`${redirect}&result=ok`);
    await expect(gateway.queryTransaction(outTradeNo)).resolves.toMatchObject({
      tradeState: 'SUCCESS',
      amountFen: 1234,
    });
    expect((await notificationsOf(outTradeNo)).map((n) => n.eventType)).toEqual(['TRANSACTION.SUCCESS']);
  });

  it('cancel answers 302 result=cancel and the order stays NOTPAY, payable later', async () => {
    const { outTradeNo, mixTradeNo, pay } = await mixedOrder();
    const res = await page('POST', '/sandbox/cashier', { mixTradeNo, redirect: APP, action: 'cancel' });
    expect(res.status).toBe(302);
    expect(res.location).toBe(`${APP}?result=cancel`);
    await expect(gateway.queryTransaction(outTradeNo)).resolves.toMatchObject({ tradeState: 'NOTPAY' });
    await expect(gateway.queryMedInsOrder({ outTradeNo: outTradeNo })).resolves.toMatchObject({
      mixPayStatus: 'MIX_PAY_CREATED',
    });
    expect(await notificationsOf(outTradeNo)).toEqual([]);
    expect((await page('GET', `/sandbox/cashier?${q({ mixTradeNo, ...pay, redirect: APP })}`)).status).toBe(
      200,
    );
  });

  it('under the wechat-user-cancels scenario, confirming ends as a cancel: 302 result=cancel, nothing taken', async () => {
    const { outTradeNo, pay } = await jsapiOrder(700);
    const select = await fetch(`${mockUrl}/__admin/scenario`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'wechat-user-cancels' }),
    });
    expect(select.status).toBe(200);
    try {
      const res = await page('POST', '/sandbox/cashier', { outTradeNo, ...pay, redirect: APP });
      expect(res.location).toBe(`${APP}?result=cancel`);
      await expect(gateway.queryTransaction(outTradeNo)).resolves.toMatchObject({ tradeState: 'NOTPAY' });
    } finally {
      await fetch(`${mockUrl}/__admin/scenario`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: null }),
      });
    }
  });

  it('an order no longer payable gets a 409 page with a link back carrying result=error', async () => {
    const { outTradeNo, pay } = await jsapiOrder(500);
    await page('POST', '/sandbox/cashier', { outTradeNo, ...pay, redirect: APP });
    for (const res of [
      await page('GET', `/sandbox/cashier?${q({ outTradeNo, ...pay, redirect: APP })}`),
      await page('POST', '/sandbox/cashier', { outTradeNo, ...pay, redirect: APP }),
    ]) {
      expect(res.status).toBe(409);
      expect(textOf(res.html, 'sandbox-message-title')).toBe('订单无法支付');
      expect(textOf(res.html, 'sandbox-message')).toContain('已支付');
      expect(res.html).toContain(`href="${APP}?result=error"`);
    }
    expect(await notificationsOf(outTradeNo)).toHaveLength(1);
  });

  it('a closed order is not payable', async () => {
    const { outTradeNo } = await jsapiOrder(500);
    await gateway.closeTransaction(outTradeNo);
    const res = await page('GET', `/sandbox/cashier?${q({ outTradeNo, redirect: APP })}`);
    expect(res.status).toBe(409);
    expect(textOf(res.html, 'sandbox-message')).toContain('已关闭');
  });

  it('a failed insurance settlement shows why, with a link back carrying result=fail; no cash is taken', async () => {
    insurance.down = true;
    const { outTradeNo, mixTradeNo, pay } = await mixedOrder();
    const res = await page('POST', '/sandbox/cashier', { mixTradeNo, ...pay, redirect: APP });
    expect(res.status).toBe(200);
    expect(textOf(res.html, 'sandbox-message-title')).toBe('支付失败');
    expect(textOf(res.html, 'sandbox-message')).toContain('医保结算失败');
    expect(res.html).toContain(`href="${APP}?result=fail"`);
    await expect(gateway.queryTransaction(outTradeNo)).resolves.toMatchObject({ tradeState: 'NOTPAY' });
  });

  it('refuses a bad redirect with 400 and changes nothing', async () => {
    const { outTradeNo } = await jsapiOrder(500);
    const res = await page('POST', '/sandbox/cashier', { outTradeNo, redirect: 'javascript:alert(1)' });
    expect(res.status).toBe(400);
    expect(res.location).toBeNull();
    await expect(gateway.queryTransaction(outTradeNo)).resolves.toMatchObject({ tradeState: 'NOTPAY' });
  });
});

describe('the cashier checks the pay parameters as WeChat does (paySign)', () => {
  const merchantKey = privateKeyFromPem(keys.server.wechat.merchant.privateKeyPem);
  const otherKey = privateKeyFromPem(keys.mocks.wechat.platform.privateKeyPem);

  /** pay parameters signed with `key` over (possibly changed) fields */
  function signedPay(base: Record<string, string>, change: Record<string, string> = {}, key = merchantKey) {
    const p = { ...base, ...change };
    const paySign = signSha256Rsa(paySignMessage(p.appId, p.timeStamp, p.nonceStr, p.package), key);
    return { ...p, paySign };
  }

  function expectSignFailed(res: Page, messagePart: string | RegExp) {
    expect(res.status).toBe(400);
    expect(res.location).toBeNull();
    expect(textOf(res.html, 'sandbox-message-title')).toBe('支付验证签名失败');
    expect(textOf(res.html, 'sandbox-message')).toMatch(messagePart);
    expect(res.html).toContain(`href="${APP}?result=error"`);
  }

  it('a paySign not made with the merchant key is refused on the page and on confirm; nothing is paid', async () => {
    const { outTradeNo, pay } = await jsapiOrder(1234);
    const forged = signedPay(pay, {}, otherKey);
    expectSignFailed(
      await page('GET', `/sandbox/cashier?${q({ outTradeNo, ...forged, redirect: APP })}`),
      /paySign/,
    );
    const flipped = { ...pay, paySign: `${pay.paySign.slice(0, -4)}AAA=` };
    expectSignFailed(
      await page('POST', '/sandbox/cashier', { outTradeNo, ...flipped, redirect: APP }),
      /paySign/,
    );
    await expect(gateway.queryTransaction(outTradeNo)).resolves.toMatchObject({ tradeState: 'NOTPAY' });
    expect(await notificationsOf(outTradeNo)).toEqual([]);
    const journal = await admin<{ tags: Record<string, string> }[]>(
      'GET',
      `/journal?path=/sandbox/cashier&tag=outTradeNo=${outTradeNo}`,
    );
    expect(journal.map((e) => e.tags.paySign)).toEqual(['refused', 'refused']);

    // the right one: the page carries it to the confirmation, which pays
    const shown = await page('GET', `/sandbox/cashier?${q({ outTradeNo, ...pay, redirect: APP })}`);
    expect(shown.status).toBe(200);
    expect(shown.html).toContain(`name="paySign" value="${pay.paySign}"`);
    const paid = await page('POST', '/sandbox/cashier', { outTradeNo, ...pay, redirect: APP });
    expect(paid.location).toBe(`${APP}?result=ok`);
    await expect(gateway.queryTransaction(outTradeNo)).resolves.toMatchObject({ tradeState: 'SUCCESS' });
  });

  it('a mixed order with a wrong paySign settles nothing; with the right one it pays', async () => {
    const { outTradeNo, mixTradeNo, pay } = await mixedOrder();
    const settleCalls = insurance.calls.length;
    const wrong = signedPay(pay, {}, otherKey);
    expectSignFailed(
      await page('POST', '/sandbox/cashier', { mixTradeNo, ...wrong, redirect: APP }),
      /paySign/,
    );
    expect(insurance.calls.length).toBe(settleCalls);
    await expect(gateway.queryMedInsOrder({ outTradeNo })).resolves.toMatchObject({
      mixPayStatus: 'MIX_PAY_CREATED',
    });
    const res = await page('POST', '/sandbox/cashier', { mixTradeNo, ...pay, redirect: APP });
    expect(res.location).toBe(`${APP}?result=ok`);
    await expect(gateway.queryMedInsOrder({ outTradeNo })).resolves.toMatchObject({
      mixPayStatus: 'MIX_PAY_SUCCESS',
    });
  });

  it('refuses missing fields, signType other than RSA, another appId, another or malformed package, a changed field', async () => {
    const { outTradeNo, pay } = await jsapiOrder(800);
    const other = await jsapiOrder(900);
    const otherPrepay = other.pay.package;
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /缺少支付参数 appId、timeStamp、nonceStr、package、signType、paySign/],
      [{ ...pay, paySign: '' }, /缺少支付参数 paySign/],
      [{ ...pay, signType: 'HMAC-SHA256' }, /signType 必须为 RSA/],
      [signedPay(pay, { appId: 'wx0000000000000000' }), /appId 与下单时的 appid 不一致/],
      [signedPay(pay, { package: otherPrepay }), /prepay_id 不属于该订单/],
      [signedPay(pay, { package: 'prepay_id=wx-never-issued' }), /prepay_id 不存在/],
      [signedPay(pay, { package: pay.package.slice('prepay_id='.length) }), /total_fee/],
      [signedPay(pay, { timeStamp: '17000' }), /timeStamp/],
      [{ ...pay, timeStamp: String(Number(pay.timeStamp) + 1) }, /paySign/],
      [{ ...pay, nonceStr: `${pay.nonceStr.slice(1)}x` }, /paySign/],
    ];
    for (const [params, why] of cases) {
      expectSignFailed(await page('POST', '/sandbox/cashier', { outTradeNo, ...params, redirect: APP }), why);
      expectSignFailed(
        await page('GET', `/sandbox/cashier?${q({ outTradeNo, ...params, redirect: APP })}`),
        why,
      );
    }
    await expect(gateway.queryTransaction(outTradeNo)).resolves.toMatchObject({ tradeState: 'NOTPAY' });
  });

  it('an insurance-only order is paid without cash fields, and refuses them when they come', async () => {
    const split: Split = { total: 7500, fund: 6000, account: 1500, cash: 0 };
    const outTradeNo = nextOrderNo();
    const { mixTradeNo } = await gateway.createMedInsOrder(rig.medInsOrder(outTradeNo, openid, split));
    const { pay } = await jsapiOrder(100);
    expectSignFailed(
      await page('GET', `/sandbox/cashier?${q({ mixTradeNo, ...pay, redirect: APP })}`),
      /没有自费部分/,
    );
    expectSignFailed(
      await page('GET', `/sandbox/cashier?${q({ mixTradeNo, appId: 'wx0000000000000000', redirect: APP })}`),
      /appId/,
    );
    expect(
      (await page('GET', `/sandbox/cashier?${q({ mixTradeNo, appId: pay.appId, redirect: APP })}`)).status,
    ).toBe(200);
    const res = await page('POST', '/sandbox/cashier', { mixTradeNo, redirect: APP });
    expect(res.location).toBe(`${APP}?result=ok`);
  });
});
