/**
 * The mini-program server API adapter (server/gateways/wechat) against the WeChat mock over real HTTP: the access
 * token and its retirement, subscribeMessage.send and each errcode WeChat answers — the mock is at least as strict
 * as WeChat (keyword rules, template ids, pages, consent).
 */
import { ManualClock } from '../../shared/clock';
import { testKeys } from '../../shared/crypto/keyring';
import { SUBSCRIBE_TEMPLATES, type SubscribeSendBody } from '../../shared/protocol/wechat/subscribe';
import { HttpMiniProgramGateway } from '../../server/gateways/wechat/client';
import { GatewayError } from '../../server/gateways/ports';
import { createWeChatPayMock } from '../../mocks/wechatpay';
import { useServed } from '../helpers/served';

const keys = testKeys();
const clock = new ManualClock(Date.UTC(2026, 11, 7, 2, 0, 0));
const mock = createWeChatPayMock({ keys: keys.mocks.wechat, clock });
const served = useServed(mock.app);
afterAll(() => mock.stop());

const gateway = () =>
  new HttpMiniProgramGateway({
    baseUrl: served.url,
    appId: keys.server.wechat.appId,
    appSecret: keys.server.wechat.appSecret,
    timeoutMs: 2000,
  });

const OPENID = 'oTester_subscribe01';
const PAY = SUBSCRIBE_TEMPLATES.payment_success;

function paymentBody(overrides: Partial<SubscribeSendBody> = {}): SubscribeSendBody {
  return {
    touser: OPENID,
    template_id: PAY.templateId,
    page: 'pages/order/index?orderId=1',
    data: {
      thing1: { value: '张*' },
      amount2: { value: '¥120.00' },
      amount3: { value: '¥80.00' },
      character_string4: { value: 'SJ00000001' },
      time5: { value: '2026年12月7日 10:00' },
    },
    miniprogram_state: 'formal',
    lang: 'zh_CN',
    ...overrides,
  };
}

async function consent(decision: 'accept' | 'reject' | 'ban', templateId = PAY.templateId) {
  const res = await fetch(`${served.url}/__admin/subscriptions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ openid: OPENID, templateId, decision }),
  });
  expect(res.status).toBe(200);
}

describe('access token', () => {
  it('issues a 7,200 s token; a new one retires the last after 5 minutes', async () => {
    const first = await gateway().fetchAccessToken();
    expect(first.expiresInS).toBe(7200);
    await consent('accept');
    expect(await gateway().sendSubscribeMessage(first.token, paymentBody())).toMatchObject({ ok: true });
    const second = await gateway().fetchAccessToken();
    expect(second.token).not.toBe(first.token);
    // the old one still works for a while …
    clock.advance(4 * 60_000);
    expect(await gateway().sendSubscribeMessage(first.token, paymentBody())).toMatchObject({ ok: true });
    // … then WeChat answers 42001
    clock.advance(2 * 60_000);
    expect(await gateway().sendSubscribeMessage(first.token, paymentBody())).toEqual({
      ok: false,
      errcode: 42001,
      errmsg: 'access_token expired',
    });
    expect(await gateway().sendSubscribeMessage(second.token, paymentBody())).toMatchObject({ ok: true });
    expect(await gateway().sendSubscribeMessage('not-a-token', paymentBody())).toMatchObject({
      ok: false,
      errcode: 40001,
    });
  });

  it('refuses a wrong secret as WeChat does', async () => {
    const wrong = new HttpMiniProgramGateway({
      baseUrl: served.url,
      appId: keys.server.wechat.appId,
      appSecret: 'wrong',
      timeoutMs: 2000,
    });
    const err = await wrong.fetchAccessToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).partyCode).toBe('ERRCODE_40125');
  });

  it('stable_token answers the current token unless forced', async () => {
    const post = async (force: boolean) =>
      (await (
        await fetch(`${served.url}/cgi-bin/stable_token`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            grant_type: 'client_credential',
            appid: keys.server.wechat.appId,
            secret: keys.server.wechat.appSecret,
            force_refresh: force,
          }),
        })
      ).json()) as { access_token: string };
    const a = await post(false);
    const b = await post(false);
    expect(b.access_token).toBe(a.access_token);
    expect((await post(true)).access_token).not.toBe(a.access_token);
  });
});

describe('subscribeMessage.send', () => {
  let token: string;
  beforeAll(async () => {
    token = (await gateway().fetchAccessToken()).token;
  });

  it.each([
    [
      'a keyword missing',
      paymentBody({ data: { ...paymentBody().data, time5: undefined as never } }),
      47003,
      /time5/,
    ],
    [
      'a thing over 20 characters',
      paymentBody({
        data: { ...paymentBody().data, thing1: { value: '一二三四五六七八九十一二三四五六七八九十一' } },
      }),
      47003,
      /thing1/,
    ],
    [
      'an amount without a currency',
      paymentBody({ data: { ...paymentBody().data, amount2: { value: '120' } } }),
      47003,
      /amount2/,
    ],
    [
      'a Chinese receipt number',
      paymentBody({ data: { ...paymentBody().data, character_string4: { value: '收据1' } } }),
      47003,
      /character_string4/,
    ],
    ['an unknown template', paymentBody({ template_id: 'unknownTemplate' }), 40037, /template_id/],
    ['a page with a leading slash', paymentBody({ page: '/pages/order/index' }), 41030, /page/],
    ['an openid that is not one', paymentBody({ touser: 'x' }), 40003, /openid/],
    [
      'a bad miniprogram_state',
      paymentBody({ miniprogram_state: 'beta' as never }),
      47003,
      /miniprogram_state/,
    ],
  ])('refuses %s', async (_what, body, errcode, errmsg) => {
    await consent('accept');
    const answer = await gateway().sendSubscribeMessage(token, body);
    expect(answer).toMatchObject({ ok: false, errcode });
    if (!answer.ok) expect(answer.errmsg).toMatch(errmsg);
  });

  it('answers 43101 to a user who rejected, banned, or was never asked — and keeps nothing', async () => {
    const before = mock.subscribe.messages.length;
    for (const decision of ['reject', 'ban'] as const) {
      await consent(decision);
      expect(await gateway().sendSubscribeMessage(token, paymentBody())).toMatchObject({
        ok: false,
        errcode: 43101,
      });
    }
    const never = paymentBody({ touser: 'oNeverAsked_000001' });
    expect(await gateway().sendSubscribeMessage(token, never)).toMatchObject({ ok: false, errcode: 43101 });
    expect(mock.subscribe.messages.length).toBe(before);
  });

  it('keeps what it sent for testers: GET /__admin/messages?touser=', async () => {
    await consent('accept');
    const answer = await gateway().sendSubscribeMessage(token, paymentBody());
    expect(answer.ok).toBe(true);
    const res = await fetch(`${served.url}/__admin/messages?touser=${OPENID}`);
    const listed = (await res.json()) as {
      touser: string;
      templateId: string;
      page: string;
      data: unknown;
      sentAt: string;
    }[];
    expect(listed.length).toBeGreaterThan(0);
    expect(listed[listed.length - 1]).toEqual({
      touser: OPENID,
      templateId: PAY.templateId,
      page: 'pages/order/index?orderId=1',
      data: paymentBody().data,
      sentAt: expect.stringMatching(/\+08:00$/),
    });
    const none = await (await fetch(`${served.url}/__admin/messages?touser=oSomebodyElse01`)).json();
    expect(none).toEqual([]);
  });
});
