/**
 * Contract of the WeChat Pay mock and the server's adapter, talking over HTTP: the mock on port 0, a tiny fake
 * insurance platform answering the settle call, and a tiny callback receiver that records raw bodies and can
 * be told to fail. One ManualClock drives the mock and the adapter.
 */
import { createHash } from 'node:crypto';
import { cstDate } from '../../shared/clock';
import {
  aesGcmDecrypt,
  buildAuthorization,
  certificateSerial,
  privateKeyFromPem,
  publicKeyFromPem,
  randomNonce,
  requestMessage,
  rsaOaepEncrypt,
  signSha256Rsa,
} from '../../shared/crypto/wechatpay';
import { GatewayError, type MedInsOrder } from '../../server/gateways/ports';
import type { Split } from '../../shared/money';
import { testKeys } from '../../shared/crypto/keyring';
import { HttpWeChatPayGateway } from '../../server/gateways/wechatpay/client';
import { startWeChatPayRig, type WeChatPayRig } from '../helpers/wechatpayRig';

const START_MS = Date.parse('2026-11-23T10:00:00+08:00');

const keys = testKeys();
let rig: WeChatPayRig;
let clock: WeChatPayRig['clock'];
let receiver: WeChatPayRig['receiver'];
let insurance: WeChatPayRig['insurance'];
let mock: WeChatPayRig['mock'];
let mockUrl: string;
let receiverUrl: string;
let gateway: WeChatPayRig['gateway'];

beforeAll(async () => {
  rig = await startWeChatPayRig(START_MS);
  ({ clock, receiver, insurance, mock, mockUrl, receiverUrl, gateway } = rig);
});

afterAll(async () => {
  await rig.stop();
});

afterEach(async () => {
  receiver.failing = false;
  insurance.down = false;
  await admin('DELETE', '/faults');
  await admin('POST', '/signing', { mode: 'certificate' });
  await admin('POST', '/callbacks', { suppress: false });
});

// ───────────────────────────── helpers ─────────────────────────────

async function admin(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${mockUrl}/__admin${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const merchantKey = privateKeyFromPem(keys.server.wechat.merchant.privateKeyPem);

/** A hand-signed /v3 request, to send what the adapter never would. */
async function signedFetch(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  opts: {
    signWith?: string;
    tamper?: (body: string) => string;
    extraHeaders?: Record<string, string>;
    skewS?: number;
  } = {},
) {
  const bodyText = body === undefined ? '' : JSON.stringify(body);
  const timestampS = Math.floor(clock.now() / 1000) + (opts.skewS ?? 0);
  const nonce = randomNonce();
  const key = opts.signWith ? privateKeyFromPem(opts.signWith) : merchantKey;
  const signature = signSha256Rsa(requestMessage(method, path, timestampS, nonce, bodyText), key);
  const res = await fetch(`${mockUrl}${path}`, {
    method,
    headers: {
      Authorization: buildAuthorization({
        mchId: keys.server.wechat.mchId,
        serialNo: keys.server.wechat.merchant.serialNo,
        nonce,
        timestampS,
        signature,
      }),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...opts.extraHeaders,
    },
    body: body === undefined ? undefined : opts.tamper ? opts.tamper(bodyText) : bodyText,
  });
  const text = await res.text();
  const isJson = (res.headers.get('content-type') ?? '').includes('json') && text !== '';
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: isJson ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
}

let seq = 0;
const nextOrderNo = () => `ORD${START_MS}${String(++seq).padStart(4, '0')}`;
const openid = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';

async function jsapiOrder(
  amountFen: number,
  outTradeNo = nextOrderNo(),
  expireAtMs = clock.now() + 15 * 60_000,
) {
  const { prepayId } = await gateway.createJsapiOrder({
    outTradeNo,
    description: '门诊缴费',
    amountFen,
    openid,
    expireAtMs,
  });
  return { outTradeNo, prepayId };
}

const medInsOrder = (outTradeNo: string, split: Split, prepayId?: string): MedInsOrder =>
  rig.medInsOrder(outTradeNo, openid, split, prepayId);

async function expectGatewayError(
  promise: Promise<unknown>,
  kind: GatewayError['kind'],
  partyCode?: string,
): Promise<GatewayError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatewayError);
  const gatewayError = err as GatewayError;
  expect(gatewayError.kind).toBe(kind);
  if (partyCode !== undefined) expect(gatewayError.partyCode).toBe(partyCode);
  return gatewayError;
}

async function confirm(body: Record<string, unknown>) {
  const res = await admin('POST', '/payments/confirm', body);
  await mock.deliverDue();
  return res;
}

const mixedSplit: Split = { total: 10000, fund: 6000, account: 1500, cash: 2500 };

// ───────────────────────────── tests ─────────────────────────────

describe('login: jscode2session', () => {
  it('turns an admin login code into its openid, once', async () => {
    const { json } = await admin('POST', '/login-codes', { openid });
    const { code } = json as { code: string; openid: string };
    await expect(gateway.code2session(code)).resolves.toEqual({ openid });
    await expectGatewayError(gateway.code2session(code), 'rejected', 'INVALID_CODE');
    await expectGatewayError(gateway.code2session('never-issued'), 'rejected', 'INVALID_CODE');
  });

  it('generates an openid of the WeChat shape when none is given', async () => {
    const { json } = await admin('POST', '/login-codes', {});
    expect((json as { openid: string }).openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
  });

  it('refuses a wrong secret with errcode 40125', async () => {
    const res = await fetch(
      `${mockUrl}/sns/jscode2session?appid=${keys.server.wechat.appId}&secret=wrong&js_code=x&grant_type=authorization_code`,
    );
    expect(await res.json()).toEqual({ errcode: 40125, errmsg: 'invalid appsecret' });
  });
});

describe('JSAPI orders', () => {
  it('answers the same prepay_id for the same out_trade_no and body', async () => {
    const outTradeNo = nextOrderNo();
    const expireAtMs = clock.now() + 15 * 60_000;
    const first = await jsapiOrder(1230, outTradeNo, expireAtMs);
    const again = await jsapiOrder(1230, outTradeNo, expireAtMs);
    expect(again.prepayId).toBe(first.prepayId);
    expect(first.prepayId).toMatch(/^wx\d{14}[0-9a-f]{20}$/);
  });

  it('refuses the same out_trade_no with another amount: 400 INVALID_REQUEST', async () => {
    const outTradeNo = nextOrderNo();
    await jsapiOrder(1230, outTradeNo);
    const err = await expectGatewayError(jsapiOrder(1231, outTradeNo), 'rejected', 'INVALID_REQUEST');
    expect(err.httpStatus).toBe(400);
  });

  it('refuses amount.total 0 or fractional: 400 PARAM_ERROR', async () => {
    const base = {
      appid: keys.server.wechat.appId,
      mchid: keys.server.wechat.mchId,
      description: 'x',
      notify_url: `${receiverUrl}/notify`,
      payer: { openid },
    };
    for (const total of [0, 12.5]) {
      const res = await signedFetch('POST', '/v3/pay/transactions/jsapi', {
        ...base,
        out_trade_no: nextOrderNo(),
        amount: { total },
      });
      expect(res.status).toBe(400);
      expect(res.json?.code).toBe('PARAM_ERROR');
    }
  });

  it('queries NOTPAY, then CLOSED once time_expire has passed on the mock clock', async () => {
    const { outTradeNo } = await jsapiOrder(500, nextOrderNo(), clock.now() + 60_000);
    await expect(gateway.queryTransaction(outTradeNo)).resolves.toMatchObject({
      tradeState: 'NOTPAY',
      amountFen: 500,
    });
    clock.advance(60_000);
    await expect(gateway.queryTransaction(outTradeNo)).resolves.toMatchObject({ tradeState: 'CLOSED' });
  });

  it('answers null for an unknown order', async () => {
    await expect(gateway.queryTransaction('ORD-NEVER-CREATED')).resolves.toBeNull();
    await expect(gateway.queryMedInsOrder({ outTradeNo: 'ORD-NEVER-CREATED' })).resolves.toBeNull();
    await expect(gateway.queryRefund('RF-NEVER-CREATED')).resolves.toBeNull();
  });

  it('closes an unpaid order (204, again no-op) and refuses to close a paid one: ORDERPAID', async () => {
    const open = await jsapiOrder(300);
    await gateway.closeTransaction(open.outTradeNo);
    await gateway.closeTransaction(open.outTradeNo);
    await expect(gateway.queryTransaction(open.outTradeNo)).resolves.toMatchObject({ tradeState: 'CLOSED' });
    expect((await admin('POST', '/payments/confirm', { outTradeNo: open.outTradeNo })).status).toBe(409);

    const paid = await jsapiOrder(300);
    await confirm({ outTradeNo: paid.outTradeNo });
    await expectGatewayError(gateway.closeTransaction(paid.outTradeNo), 'rejected', 'ORDERPAID');
    // an order WeChat never received (our create failed before it): nothing to close, nobody can pay it
    await expect(gateway.closeTransaction('ORD-NEVER-CREATED')).resolves.toBeUndefined();
  });

  it('signs payParams locally for wx.requestPayment', () => {
    const params = gateway.payParams('wx123');
    expect(params).toMatchObject({
      appId: keys.server.wechat.appId,
      package: 'prepay_id=wx123',
      signType: 'RSA',
    });
    expect(params.timeStamp).toBe(String(Math.floor(clock.now() / 1000)));
  });
});

describe('payment confirmation and callbacks', () => {
  it('TRANSACTION.SUCCESS: the callback verifies with the adapter and carries the paid amount', async () => {
    const { outTradeNo } = await jsapiOrder(1230);
    const { json } = await confirm({ outTradeNo });
    const answer = json as { tradeState: string; notificationId: string };
    expect(answer.tradeState).toBe('SUCCESS');
    const cb = receiver.last('/notify');
    const n = await gateway.verifyNotification(cb.headers, cb.body, clock.now());
    expect(n.id).toBe(answer.notificationId);
    if (n.eventType !== 'TRANSACTION.SUCCESS') throw new Error(`unexpected ${n.eventType}`);
    expect(n.transaction).toMatchObject({ outTradeNo, tradeState: 'SUCCESS', amountFen: 1230 });
    expect(n.transaction.transactionId).toMatch(/^4200\d{24}$/);
    await expect(gateway.queryTransaction(outTradeNo)).resolves.toMatchObject({
      tradeState: 'SUCCESS',
      transactionId: n.transaction.transactionId,
      successTimeMs: Math.floor(clock.now() / 1000) * 1000,
    });
  });

  it('a failing receiver is retried 15 s later on the mock clock, not before, with a fresh signature', async () => {
    receiver.failing = true;
    const { outTradeNo } = await jsapiOrder(800);
    const { json } = await confirm({ outTradeNo });
    const id = (json as { notificationId: string }).notificationId;
    const view = async () =>
      (
        (await admin('GET', '/notifications')).json as {
          id: string;
          attempts: number;
          delivered: boolean;
          nextAttemptAtMs?: number;
          lastStatus?: number;
        }[]
      ).find((n) => n.id === id);
    expect(await view()).toMatchObject({
      attempts: 1,
      delivered: false,
      lastStatus: 500,
      nextAttemptAtMs: clock.now() + 15_000,
    });

    receiver.failing = false;
    clock.advance(14_999);
    await mock.deliverDue();
    expect((await view())?.attempts).toBe(1);

    clock.advance(1);
    await mock.deliverDue();
    expect(await view()).toMatchObject({ attempts: 2, delivered: true, lastStatus: 204 });
    const cb = receiver.last('/notify');
    expect(cb.headers['wechatpay-timestamp']).toBe(String(Math.floor(clock.now() / 1000)));
    expect((await gateway.verifyNotification(cb.headers, cb.body, clock.now())).id).toBe(id);
  });

  it('advancing the clock through the admin API delivers what became due', async () => {
    receiver.failing = true;
    const { outTradeNo } = await jsapiOrder(801);
    await confirm({ outTradeNo });
    receiver.failing = false;
    const before = receiver.received.length;
    await admin('POST', '/clock', { advanceMs: 15_000 });
    expect(receiver.received.length).toBe(before + 1);
    expect(receiver.last('/notify').body).toContain('TRANSACTION.SUCCESS');
  });

  it('replays a callback byte-identical: same body, same signature headers', async () => {
    const { outTradeNo } = await jsapiOrder(900);
    const { json } = await confirm({ outTradeNo });
    const id = (json as { notificationId: string }).notificationId;
    const original = receiver.last('/notify');
    const replay = await admin('POST', `/notifications/${id}/replay`);
    expect(replay.status).toBe(200);
    const replayed = receiver.last('/notify');
    expect(replayed.body).toBe(original.body);
    for (const h of ['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial']) {
      expect(replayed.headers[h]).toBe(original.headers[h]);
    }
  });

  it('paid but no callback: with callbacks suppressed, the money is taken and nothing is sent', async () => {
    await admin('POST', '/callbacks', { suppress: true });
    const { outTradeNo } = await jsapiOrder(700);
    const before = receiver.received.length;
    const { json } = await confirm({ outTradeNo });
    expect(json).toMatchObject({ tradeState: 'SUCCESS' });
    expect((json as { notificationId?: string }).notificationId).toBeUndefined();
    expect(receiver.received.length).toBe(before);
    await expect(gateway.queryTransaction(outTradeNo)).resolves.toMatchObject({ tradeState: 'SUCCESS' });
  });

  it('publicKey signing mode: answers and callbacks carry PUB_KEY_ID_ and verify', async () => {
    await admin('POST', '/signing', { mode: 'publicKey' });
    const { outTradeNo } = await jsapiOrder(600);
    await confirm({ outTradeNo });
    const cb = receiver.last('/notify');
    expect(cb.headers['wechatpay-serial']).toBe(keys.server.wechat.payPublicKey.id);
    expect((await gateway.verifyNotification(cb.headers, cb.body, clock.now())).eventType).toBe(
      'TRANSACTION.SUCCESS',
    );
    await expect(gateway.queryTransaction(outTradeNo)).resolves.toMatchObject({ tradeState: 'SUCCESS' });
  });
});

describe('medical-insurance orders', () => {
  it('CASH_AND_INSURANCE: insurance settles, cash is taken, one MEDICAL_INSURANCE.SUCCESS with the right amounts', async () => {
    const { outTradeNo, prepayId } = await jsapiOrder(mixedSplit.cash);
    const created = await gateway.createMedInsOrder(medInsOrder(outTradeNo, mixedSplit, prepayId));
    expect(created).toMatchObject({
      outTradeNo,
      mixPayStatus: 'MIX_PAY_CREATED',
      selfPayStatus: 'SELF_PAY_CREATED',
      medInsPayStatus: 'MED_INS_PAY_CREATED',
      split: mixedSplit,
    });

    const before = receiver.received.length;
    const { json } = await confirm({ mixTradeNo: created.mixTradeNo });
    expect(json).toMatchObject({
      outTradeNo,
      mixTradeNo: created.mixTradeNo,
      tradeState: 'SUCCESS',
      mixPayStatus: 'MIX_PAY_SUCCESS',
    });
    expect(insurance.calls).toContain(`PAYORD-${outTradeNo}`);
    expect(receiver.received.slice(before).map((r) => r.path)).toEqual(['/medins']);

    const cb = receiver.last('/medins');
    const n = await gateway.verifyNotification(cb.headers, cb.body, clock.now());
    if (n.eventType !== 'MEDICAL_INSURANCE.SUCCESS') throw new Error(`unexpected ${n.eventType}`);
    expect(n.medIns).toMatchObject({
      mixTradeNo: created.mixTradeNo,
      outTradeNo,
      mixPayStatus: 'MIX_PAY_SUCCESS',
      split: mixedSplit,
    });
    await expect(gateway.queryTransaction(outTradeNo)).resolves.toMatchObject({
      tradeState: 'SUCCESS',
      amountFen: 2500,
    });
    await expect(gateway.queryMedInsOrder({ outTradeNo: outTradeNo })).resolves.toMatchObject({
      mixPayStatus: 'MIX_PAY_SUCCESS',
      selfPayStatus: 'SELF_PAY_SUCCESS',
      medInsPayStatus: 'MED_INS_PAY_SUCCESS',
    });
  });

  it('INSURANCE_ONLY needs no prepay_id and pays with no cash', async () => {
    const outTradeNo = nextOrderNo();
    const split = { total: 7500, fund: 6000, account: 1500, cash: 0 };
    const created = await gateway.createMedInsOrder(medInsOrder(outTradeNo, split));
    expect(created.selfPayStatus).toBe('NO_SELF_PAY');
    const { json } = await confirm({ outTradeNo });
    expect(json).toMatchObject({ mixPayStatus: 'MIX_PAY_SUCCESS', tradeState: 'SUCCESS' });
    await expect(gateway.queryTransaction(outTradeNo)).resolves.toBeNull();
  });

  // WeChat's FAQ 5 / 排障手册 268512536; before, the mock answered the same body with the same order
  it('a repeated out_trade_no is 400 ALREADY_EXISTS, even with the same body', async () => {
    const { outTradeNo, prepayId } = await jsapiOrder(mixedSplit.cash);
    const serial = { 'Wechatpay-Serial': keys.server.wechat.platformCerts[0].serialNo };
    const body = rawMedInsBody(outTradeNo, prepayId);
    expect((await signedFetch('POST', '/v3/med-ins/orders', body, { extraHeaders: serial })).status).toBe(
      200,
    );
    const again = await signedFetch('POST', '/v3/med-ins/orders', body, { extraHeaders: serial });
    expect([again.status, again.json?.code]).toEqual([400, 'ALREADY_EXISTS']);
    expect(again.headers.get('request-id')).toMatch(/-268512536$/);
  });

  it('a create whose answer was lost is adopted on retry: queried by out_trade_no, amounts checked', async () => {
    const { outTradeNo, prepayId } = await jsapiOrder(mixedSplit.cash);
    const order = medInsOrder(outTradeNo, mixedSplit, prepayId);
    // the first create reached WeChat, its answer never reached us
    const lost = await signedFetch('POST', '/v3/med-ins/orders', rawMedInsBody(outTradeNo, prepayId), {
      extraHeaders: { 'Wechatpay-Serial': keys.server.wechat.platformCerts[0].serialNo },
    });
    const mixTradeNo = lost.json?.mix_trade_no;
    expect(typeof mixTradeNo).toBe('string');
    await expect(gateway.createMedInsOrder(order)).resolves.toMatchObject({
      mixTradeNo,
      mixPayStatus: 'MIX_PAY_CREATED',
      split: mixedSplit,
    });
    // an existing order with other amounts is never adopted
    await expectGatewayError(
      gateway.createMedInsOrder({ ...order, split: { ...mixedSplit, fund: 5999, account: 1501 } }),
      'invalid_response',
    );
  });

  it('an existing order that failed is not adopted: rejected ALREADY_EXISTS', async () => {
    insurance.down = true;
    const { outTradeNo, prepayId } = await jsapiOrder(mixedSplit.cash);
    const order = medInsOrder(outTradeNo, mixedSplit, prepayId);
    const created = await gateway.createMedInsOrder(order);
    await confirm({ mixTradeNo: created.mixTradeNo });
    await expectGatewayError(gateway.createMedInsOrder(order), 'rejected', 'ALREADY_EXISTS');
  });

  it('queries by mix_trade_no when the order holds it, and checks the answer is that order', async () => {
    const outTradeNo = nextOrderNo();
    const split = { total: 7500, fund: 6000, account: 1500, cash: 0 };
    const created = await gateway.createMedInsOrder(medInsOrder(outTradeNo, split));
    const before = (await admin('GET', '/journal?path=/v3/med-ins/orders/mix-trade-no')).json as unknown[];
    await expect(
      gateway.queryMedInsOrder({ outTradeNo, mixTradeNo: created.mixTradeNo }),
    ).resolves.toMatchObject({ mixTradeNo: created.mixTradeNo, mixPayStatus: 'MIX_PAY_CREATED' });
    const after = (await admin('GET', '/journal?path=/v3/med-ins/orders/mix-trade-no')).json as unknown[];
    expect(after.length).toBe(before.length + 1);
    await expectGatewayError(
      gateway.queryMedInsOrder({ outTradeNo: nextOrderNo(), mixTradeNo: created.mixTradeNo }),
      'invalid_response',
    );
  });

  it('sends no cash field at all for INSURANCE_ONLY and no passthrough that repeats top-level fields', async () => {
    const outTradeNo = nextOrderNo();
    await gateway.createMedInsOrder(
      medInsOrder(outTradeNo, { total: 7500, fund: 6000, account: 1500, cash: 0 }),
    );
    const sent = await sentMedInsBody(outTradeNo);
    expect(sent).toBeDefined();
    for (const field of ['wechat_pay_cash_fee', 'prepay_id', 'cash_add_detail', 'cash_reduce_detail'])
      expect(sent).not.toHaveProperty(field);
    expect(sent).toMatchObject({ med_ins_cash_fee: 0, mix_pay_type: 'INSURANCE_ONLY' });
    expect(sent).not.toHaveProperty('passthrough_request_content');
  });

  it('enforces WeChat’s field rules: lengths, +08:00 times, passthrough, mix_pay_type linkage, relatives', async () => {
    const serial = { 'Wechatpay-Serial': keys.server.wechat.platformCerts[0].serialNo };
    const refused = async (override: Record<string, unknown>, cash = true) => {
      const { outTradeNo, prepayId } = await jsapiOrder(mixedSplit.cash);
      const body = cash
        ? rawMedInsBody(outTradeNo, prepayId, override)
        : rawMedInsBody(outTradeNo, undefined, override);
      const res = await signedFetch('POST', '/v3/med-ins/orders', body, { extraHeaders: serial });
      return [res.status, res.json?.code, res.json?.message];
    };
    const param400 = [400, 'PARAM_ERROR', expect.any(String)];
    // string(20): our old 26-character order numbers were refused here
    expect(await refused({ serial_no: 'MO20261123100000123456' })).toEqual(param400);
    expect(await refused({ pay_auth_no: 'A'.repeat(41) })).toEqual(param400);
    expect(await refused({ city_id: '360100000' })).toEqual(param400);
    expect(await refused({ med_inst_no: 'H'.repeat(33) })).toEqual(param400);
    expect(await refused({ med_ins_order_create_time: '2026-11-23T02:00:00Z' })).toEqual(param400);
    expect(await refused({ med_ins_order_create_time: '2026-11-23T10:00:00.000+08:00' })).toEqual(param400);
    const passthrough = await refused({
      passthrough_request_content: JSON.stringify({ payAuthNo: 'AUTH-1', payOrdId: 'X' }),
    });
    expect(passthrough.slice(0, 2)).toEqual([400, 'PARAM_ERROR']);
    expect(String(passthrough[2])).toMatch(/pay_auth_no/);
    expect(await refused({ passthrough_request_content: '{"hisNote":"ok"}' })).toEqual([
      200,
      undefined,
      undefined,
    ]);
    // INSURANCE_ONLY: any cash field is refused, even a zero wechat_pay_cash_fee
    const insuranceOnly = {
      mix_pay_type: 'INSURANCE_ONLY',
      total_fee: 7500,
      med_ins_cash_fee: 0,
    };
    expect(await refused({ ...insuranceOnly, wechat_pay_cash_fee: 0 }, false)).toEqual(param400);
    expect(await refused({ ...insuranceOnly, med_ins_self_fee: undefined }, false)).toEqual(param400);
    // 代亲属支付: pay_for_relatives needs relative, and a relative needs pay_for_relatives
    expect(await refused({ pay_for_relatives: true })).toEqual([
      400,
      'PARAM_ERROR',
      '该订单属于代亲属支付，但缺少亲属信息',
    ]);
    const relative = {
      name: encryptForPlatform('李四'),
      id_digest: encryptForPlatform('fedcba9876543210fedcba9876543210'),
      card_type: 'ID_CARD',
    };
    expect(await refused({ relative })).toEqual(param400);
    expect(await refused({ relative, pay_for_relatives: true })).toEqual([200, undefined, undefined]);
  });

  it('the adapter sets pay_for_relatives with the relative encrypted, for a family member’s bill', async () => {
    const { outTradeNo, prepayId } = await jsapiOrder(mixedSplit.cash);
    const order = {
      ...medInsOrder(outTradeNo, mixedSplit, prepayId),
      relative: { name: '李小四', idNo: '36010220150101002X' },
    };
    await expect(gateway.createMedInsOrder(order)).resolves.toMatchObject({
      mixPayStatus: 'MIX_PAY_CREATED',
    });
    const sent = await sentMedInsBody(outTradeNo);
    expect(sent).toMatchObject({ pay_for_relatives: true, relative: { card_type: 'ID_CARD' } });
    const rel = sent?.relative as { name: string; id_digest: string };
    expect(rel.name).not.toContain('李小四');
    expect(rel.id_digest).not.toMatch(/^[0-9a-f]{32}$/);
  });

  it('breaking an amount invariant is 403 RULE_LIMIT with WeChat’s message and Request-ID suffix', async () => {
    const { outTradeNo, prepayId } = await jsapiOrder(mixedSplit.cash);
    const body = rawMedInsBody(outTradeNo, prepayId, { total_fee: 10001 });
    const res = await signedFetch('POST', '/v3/med-ins/orders', body, {
      extraHeaders: { 'Wechatpay-Serial': keys.server.wechat.platformCerts[0].serialNo },
    });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ code: 'RULE_LIMIT', message: '订单总金额校验不通过' });
    expect(res.headers.get('request-id')).toMatch(/-268529477$/);

    const selfPay = rawMedInsBody(outTradeNo, prepayId, {
      wechat_pay_cash_fee: 2400,
      med_ins_cash_fee: 2500,
    });
    const res2 = await signedFetch('POST', '/v3/med-ins/orders', selfPay, {
      extraHeaders: { 'Wechatpay-Serial': keys.server.wechat.platformCerts[0].serialNo },
    });
    expect(res2.status).toBe(403);
    expect(res2.json?.message).toBe('自费金额校验不通过');
  });

  it('requires prepay_id for cash, the JSAPI amount to equal wechat_pay_cash_fee, and the Wechatpay-Serial header', async () => {
    const serial = { 'Wechatpay-Serial': keys.server.wechat.platformCerts[0].serialNo };
    const { outTradeNo, prepayId } = await jsapiOrder(2400);
    const noPrepay = await signedFetch('POST', '/v3/med-ins/orders', rawMedInsBody(outTradeNo, undefined), {
      extraHeaders: serial,
    });
    expect([noPrepay.status, noPrepay.json?.code]).toEqual([400, 'PARAM_ERROR']);
    const wrongAmount = await signedFetch('POST', '/v3/med-ins/orders', rawMedInsBody(outTradeNo, prepayId), {
      extraHeaders: serial,
    });
    expect([wrongAmount.status, wrongAmount.json?.code]).toEqual([403, 'RULE_LIMIT']);
    const noSerial = await signedFetch('POST', '/v3/med-ins/orders', rawMedInsBody(outTradeNo, prepayId));
    expect([noSerial.status, noSerial.json?.code]).toEqual([400, 'PARAM_ERROR']);
  });

  it('an insurance failure fails the med-ins part and takes no cash', async () => {
    insurance.down = true;
    const { outTradeNo, prepayId } = await jsapiOrder(mixedSplit.cash);
    const created = await gateway.createMedInsOrder(medInsOrder(outTradeNo, mixedSplit, prepayId));
    const before = receiver.received.length;
    const { json } = await confirm({ mixTradeNo: created.mixTradeNo });
    expect(json).toMatchObject({ mixPayStatus: 'MIX_PAY_FAIL', tradeState: 'NOTPAY' });
    expect(receiver.received.length).toBe(before);
    await expect(gateway.queryMedInsOrder({ outTradeNo: outTradeNo })).resolves.toMatchObject({
      mixPayStatus: 'MIX_PAY_FAIL',
      medInsPayStatus: 'MED_INS_PAY_FAIL',
    });
    await expect(gateway.queryTransaction(outTradeNo)).resolves.toMatchObject({ tradeState: 'NOTPAY' });
  });

  it('notifies an insurance refund (204), RULE_LIMIT when total ≠ gov + self + other', async () => {
    const { outTradeNo, prepayId } = await jsapiOrder(mixedSplit.cash);
    const created = await gateway.createMedInsOrder(medInsOrder(outTradeNo, mixedSplit, prepayId));
    await confirm({ mixTradeNo: created.mixTradeNo });
    const bad = await signedFetch('POST', `/v3/med-ins/refunds/notify?mix_trade_no=${created.mixTradeNo}`, {
      med_refund_total_fee: 7000,
      med_refund_gov_fee: 6000,
      med_refund_self_fee: 1500,
      med_refund_other_fee: 0,
      refund_time: '2026-11-23T11:00:00+08:00',
      out_refund_no: 'RF-MED-1',
    });
    expect([bad.status, bad.json?.code]).toEqual([403, 'RULE_LIMIT']);
    await gateway.notifyMedInsRefund({
      mixTradeNo: created.mixTradeNo,
      outRefundNo: 'RF-MED-1',
      split: mixedSplit,
      fundOther: 0,
      refundedAtMs: clock.now(),
    });
    // the insurance part is back, the self-pay part is not: MIX_PAY_REFUND waits for both
    await expect(gateway.queryMedInsOrder({ outTradeNo: outTradeNo })).resolves.toMatchObject({
      mixPayStatus: 'MIX_PAY_SUCCESS',
      medInsPayStatus: 'MED_INS_PAY_REFUND',
    });
    const again = {
      mixTradeNo: created.mixTradeNo,
      outRefundNo: 'RF-MED-2',
      split: mixedSplit,
      fundOther: 0,
      refundedAtMs: clock.now(),
    };
    await expectGatewayError(gateway.notifyMedInsRefund(again), 'rejected', 'RULE_LIMIT');
  });
});

function rawMedInsBody(
  outTradeNo: string,
  prepayId: string | undefined,
  override: Record<string, unknown> = {},
) {
  return {
    mix_pay_type: 'CASH_AND_INSURANCE',
    order_type: 'DIAG_PAY',
    appid: keys.server.wechat.appId,
    openid,
    payer: {
      name: encryptForPlatform('张三'),
      id_digest: encryptForPlatform('0123456789abcdef0123456789abcdef'),
      card_type: 'ID_CARD',
    },
    out_trade_no: outTradeNo,
    serial_no: outTradeNo,
    pay_order_id: `PAYORD-${outTradeNo}`,
    pay_auth_no: 'AUTH-1',
    geo_location: '115.892151,28.676493',
    city_id: '360100',
    med_inst_name: '演示市第一人民医院',
    med_inst_no: 'H36010200001',
    med_ins_order_create_time: '2026-11-23T10:00:00+08:00',
    total_fee: 10000,
    med_ins_gov_fee: 6000,
    med_ins_self_fee: 1500,
    med_ins_other_fee: 0,
    med_ins_cash_fee: 2500,
    wechat_pay_cash_fee: 2500,
    callback_url: `${receiverUrl}/medins`,
    ...(prepayId ? { prepay_id: prepayId } : {}),
    ...override,
  };
}

/** The body the adapter sent to create a med-ins order, from the mock's journal. */
async function sentMedInsBody(outTradeNo: string): Promise<Record<string, unknown> | undefined> {
  const entries = (
    await admin('GET', `/journal?path=/v3/med-ins/orders&method=POST&tag=outTradeNo=${outTradeNo}`)
  ).json as { requestBody: string; status: number }[];
  const created = entries.find((e) => e.status === 200);
  return created && (JSON.parse(created.requestBody) as Record<string, unknown>);
}

function encryptForPlatform(plaintext: string): string {
  return rsaOaepEncrypt(plaintext, publicKeyFromPem(keys.server.wechat.platformCerts[0].certPem));
}

describe('refunds', () => {
  it('refunds within what was paid (idempotent by out_refund_no), refuses beyond, and calls back REFUND.SUCCESS', async () => {
    const { outTradeNo } = await jsapiOrder(1230);
    await confirm({ outTradeNo });
    const refund = {
      outTradeNo,
      outRefundNo: `RF-${outTradeNo}`,
      reason: '退费',
      refundFen: 500,
      totalFen: 1230,
    };
    const first = await gateway.refund(refund);
    expect(first).toMatchObject({ status: 'SUCCESS', refundFen: 500 });
    await expect(gateway.refund(refund)).resolves.toMatchObject({ refundId: first.refundId });
    await expectGatewayError(
      gateway.refund({ ...refund, outRefundNo: `RF2-${outTradeNo}`, refundFen: 731 }),
      'rejected',
      'INVALID_REQUEST',
    );
    await expect(
      gateway.refund({ ...refund, outRefundNo: `RF3-${outTradeNo}`, refundFen: 730 }),
    ).resolves.toMatchObject({ status: 'SUCCESS' });
    await expect(gateway.queryTransaction(outTradeNo)).resolves.toMatchObject({ tradeState: 'REFUND' });
    await expect(gateway.queryRefund(refund.outRefundNo)).resolves.toMatchObject({
      status: 'SUCCESS',
      refundFen: 500,
    });

    await mock.deliverDue();
    const callbacks = await Promise.all(
      receiver.received
        .filter((r) => r.body.includes('REFUND.SUCCESS'))
        .map((r) => gateway.verifyNotification(r.headers, r.body, clock.now())),
    );
    const ours = callbacks.filter(
      (n) => n.eventType === 'REFUND.SUCCESS' && n.refund.outTradeNo === outTradeNo,
    );
    expect(ours).toHaveLength(2);
  });

  it('PROCESSING mode: the refund succeeds later on the mock clock', async () => {
    await admin('POST', '/options', { refundMode: 'PROCESSING', refundProcessingMs: 60_000 });
    try {
      const { outTradeNo } = await jsapiOrder(400);
      await confirm({ outTradeNo });
      const refund = await gateway.refund({
        outTradeNo,
        outRefundNo: `RF-${outTradeNo}`,
        reason: 'x',
        refundFen: 400,
        totalFen: 400,
      });
      expect(refund.status).toBe('PROCESSING');
      await admin('POST', '/clock', { advanceMs: 60_000 });
      await expect(gateway.queryRefund(refund.outRefundNo)).resolves.toMatchObject({ status: 'SUCCESS' });
    } finally {
      await admin('POST', '/options', { refundMode: 'SUCCESS' });
    }
  });
});

describe('APIv3 security', () => {
  it('a request with a bad signature is 401 SIGN_ERROR (wrong key, or body changed after signing)', async () => {
    const wrongKey = await signedFetch(
      'GET',
      `/v3/pay/transactions/out-trade-no/X?mchid=${keys.server.wechat.mchId}`,
      undefined,
      {
        signWith: keys.mocks.wechat.platform.privateKeyPem,
      },
    );
    expect([wrongKey.status, wrongKey.json?.code]).toEqual([401, 'SIGN_ERROR']);
    const tampered = await signedFetch(
      'POST',
      '/v3/pay/transactions/jsapi',
      { amount: { total: 1 } },
      { tamper: (b) => b.replace('1', '2') },
    );
    expect([tampered.status, tampered.json?.code]).toEqual([401, 'SIGN_ERROR']);
    const unsigned = await fetch(`${mockUrl}/v3/certificates`);
    expect(unsigned.status).toBe(401);
  });

  it('a request timestamp more than 5 min from the mock clock is 401 SIGN_ERROR', async () => {
    expect((await signedFetch('GET', '/v3/certificates', undefined, { skewS: -301 })).status).toBe(401);
    expect((await signedFetch('GET', '/v3/certificates', undefined, { skewS: 301 })).status).toBe(401);
    expect((await signedFetch('GET', '/v3/certificates', undefined, { skewS: -300 })).status).toBe(200);
  });

  it('the adapter refuses an answer signed more than 5 min from its own clock: invalid_response', async () => {
    const skewed = new HttpWeChatPayGateway({
      baseUrl: mockUrl,
      keys: keys.server.wechat,
      timeoutMs: 5000,
      clock: { now: () => clock.now() + 301_000 },
      notifyUrl: `${receiverUrl}/notify`,
      medInsCallbackUrl: `${receiverUrl}/medins`,
    });
    const err = await expectGatewayError(skewed.queryTransaction('X'), 'invalid_response');
    expect(err.message).toMatch(/TIMESTAMP_SKEW/);
  });

  it('a badSignature fault makes the adapter refuse the answer: invalid_response', async () => {
    const { outTradeNo } = await jsapiOrder(100);
    await admin('POST', '/faults', {
      path: '/v3/pay/transactions/out-trade-no',
      kind: 'badSignature',
      count: 1,
    });
    const err = await expectGatewayError(gateway.queryTransaction(outTradeNo), 'invalid_response');
    expect(err.message).toMatch(/BAD_SIGNATURE/);
    expect(err.outcomeUnknown).toBe(true);
    await expect(gateway.queryTransaction(outTradeNo)).resolves.toMatchObject({ tradeState: 'NOTPAY' });
  });

  it('GET /v3/certificates answers the platform certificate encrypted with the APIv3 key', async () => {
    const res = await signedFetch('GET', '/v3/certificates');
    const [entry] = (
      res.json as {
        data: {
          serial_no: string;
          encrypt_certificate: { nonce: string; associated_data: string; ciphertext: string };
        }[];
      }
    ).data;
    const pem = aesGcmDecrypt(
      keys.server.wechat.apiV3Key,
      entry.encrypt_certificate.nonce,
      entry.encrypt_certificate.associated_data,
      entry.encrypt_certificate.ciphertext,
    );
    expect(pem).toBe(keys.mocks.wechat.platform.certPem);
    expect(certificateSerial(pem)).toBe(entry.serial_no);
    expect(entry.serial_no).toBe(keys.server.wechat.platformCerts[0].serialNo);
  });
});

describe('trade bill', () => {
  it('answers {hash_type, hash_value, download_url}; the download is unsigned CSV in yuan with backticks', async () => {
    const { outTradeNo } = await jsapiOrder(1205);
    await confirm({ outTradeNo });
    const billDate = cstDate(clock.now());
    const early = await signedFetch('GET', `/v3/bill/tradebill?bill_date=${billDate}&bill_type=ALL`);
    expect([early.status, early.json?.code]).toEqual([400, 'NO_STATEMENT_EXIST']);

    clock.advance(24 * 3600_000);
    const res = await signedFetch('GET', `/v3/bill/tradebill?bill_date=${billDate}&bill_type=ALL`);
    expect(res.json).toMatchObject({ hash_type: 'SHA1' });
    const { hash_value, download_url } = res.json as { hash_value: string; download_url: string };
    const url = new URL(download_url);
    const file = await signedFetch('GET', `${url.pathname}${url.search}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('wechatpay-signature')).toBeNull();
    expect(createHash('sha1').update(file.text, 'utf8').digest('hex')).toBe(hash_value);
    const lines = file.text.trim().split('\r\n');
    expect(lines[0]).toMatch(/^交易时间,公众账号ID,商户号/);
    const row = lines.find((l) => l.includes(outTradeNo));
    expect(row).toContain('`12.05');
    expect(row?.split(',').every((cell) => cell.startsWith('`'))).toBe(true);
    expect(lines[lines.length - 2]).toMatch(/^总交易单数,应结订单总金额/);
  });
});

describe('admin', () => {
  it('tags the journal with outTradeNo and shows an order with its notifications', async () => {
    const { outTradeNo } = await jsapiOrder(321);
    await confirm({ outTradeNo });
    const journal = (await admin('GET', `/journal?tag=outTradeNo=${outTradeNo}`)).json as { path: string }[];
    expect(journal.map((e) => e.path)).toContain('/v3/pay/transactions/jsapi');
    const order = (await admin('GET', `/orders/${outTradeNo}`)).json as {
      trade: { trade_state: string };
      notifications: unknown[];
    };
    expect(order.trade.trade_state).toBe('SUCCESS');
    expect(order.notifications).toHaveLength(1);
    const spec = (await admin('GET', '/openapi.json')).json as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/__admin/payments/confirm', '/__admin/notifications/{id}/replay']),
    );
  });

  it('reset empties the state but keeps the keys', async () => {
    const { outTradeNo } = await jsapiOrder(111);
    await admin('POST', '/reset');
    await expect(gateway.queryTransaction(outTradeNo)).resolves.toBeNull();
    expect((await admin('GET', '/notifications')).json).toEqual([]);
    await expect(jsapiOrder(111)).resolves.toMatchObject({ prepayId: expect.stringMatching(/^wx/) });
  });
});
