/**
 * The WeChat Pay mock's refund rules over HTTP (开发参数与业务规则 §七, 排障手册 2.5, 回调处理 前提条件):
 * - POST /v3/med-ins/refunds/notify: total = gov + self + other, an order without insurance refused, never more
 *   than insurance paid, refund_time RFC 3339 +08:00, the latest notice of an out_refund_no replaces the earlier;
 * - the med-ins order's statuses: *_REFUND per part once all of it is back, MIX_PAY_REFUND only when both are;
 * - the refund's notify_url: http and internal hosts only in sandbox mode, a query never.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../../shared/clock';
import {
  buildAuthorization,
  privateKeyFromPem,
  randomNonce,
  requestMessage,
  signSha256Rsa,
} from '../../shared/crypto/wechatpay';
import type { Split } from '../../shared/money';
import { testKeys } from '../../shared/crypto/keyring';
import { createWeChatPayMock, type WeChatPayMock } from '../../mocks/wechatpay';
import { startWeChatPayRig, type WeChatPayRig } from '../helpers/wechatpayRig';

const START_MS = Date.parse('2026-11-23T10:00:00+08:00');
const keys = testKeys();
const merchantKey = privateKeyFromPem(keys.server.wechat.merchant.privateKeyPem);
const openid = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';
/** total 100.00 = 统筹 60.00 + 个账 15.00 + 自费 25.00 */
const MIXED: Split = { total: 10000, fund: 6000, account: 1500, cash: 2500 };

let rig: WeChatPayRig;

beforeAll(async () => {
  rig = await startWeChatPayRig(START_MS);
});
afterAll(async () => {
  await rig.stop();
});

interface Answer {
  status: number;
  json?: Record<string, unknown>;
}

/** A hand-signed /v3 request to the mock at `base`. */
async function signed(base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
  const text = body === undefined ? '' : JSON.stringify(body);
  const timestampS = Math.floor(rig.clock.now() / 1000);
  const nonce = randomNonce();
  const signature = signSha256Rsa(requestMessage(method, path, timestampS, nonce, text), merchantKey);
  const res = await fetch(`${base}${path}`, {
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
    },
    body: body === undefined ? undefined : text,
  });
  const answer = await res.text();
  return {
    status: res.status,
    json: answer === '' ? undefined : (JSON.parse(answer) as Record<string, unknown>),
  };
}

async function admin<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/__admin${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${path} → ${res.status} ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

let seq = 0;
const nextOrderNo = () => `MIR${rig.clock.now()}${String(++seq).padStart(4, '0')}`;

/** A paid med-ins order of this split (the patient confirmed). */
async function paidOrder(split: Split): Promise<{ outTradeNo: string; mixTradeNo: string }> {
  const outTradeNo = nextOrderNo();
  let prepayId: string | undefined;
  if (split.cash > 0) {
    ({ prepayId } = await rig.gateway.createJsapiOrder({
      outTradeNo,
      description: '门诊缴费',
      amountFen: split.cash,
      openid,
      expireAtMs: rig.clock.now() + 15 * 60_000,
    }));
  }
  const { mixTradeNo } = await rig.gateway.createMedInsOrder(
    rig.medInsOrder(outTradeNo, openid, split, prepayId),
  );
  await admin(rig.mockUrl, 'POST', '/payments/confirm', { mixTradeNo });
  return { outTradeNo, mixTradeNo };
}

interface Fees {
  gov: number;
  self: number;
  other?: number;
}

const noticeBody = (outRefundNo: string, fees: Fees, refundTime = '2026-11-23T11:00:00+08:00') => ({
  med_refund_total_fee: fees.gov + fees.self + (fees.other ?? 0),
  med_refund_gov_fee: fees.gov,
  med_refund_self_fee: fees.self,
  med_refund_other_fee: fees.other ?? 0,
  refund_time: refundTime,
  out_refund_no: outRefundNo,
});

const notify = (mixTradeNo: string, body: unknown) =>
  signed(rig.mockUrl, 'POST', `/v3/med-ins/refunds/notify?mix_trade_no=${mixTradeNo}`, body);

const cashRefund = (outTradeNo: string, outRefundNo: string, refundFen: number, totalFen: number) =>
  signed(rig.mockUrl, 'POST', '/v3/refund/domestic/refunds', {
    out_trade_no: outTradeNo,
    out_refund_no: outRefundNo,
    notify_url: `${rig.receiverUrl}/notify`,
    amount: { refund: refundFen, total: totalFen, currency: 'CNY' },
  });

async function statuses(outTradeNo: string) {
  const { medIns } = await admin<{ medIns: Record<string, unknown> }>(
    rig.mockUrl,
    'GET',
    `/orders/${outTradeNo}`,
  );
  return [medIns.mix_pay_status, medIns.self_pay_status, medIns.med_ins_pay_status];
}

async function journalTags(path: string, tag: string): Promise<Record<string, string>[]> {
  const entries = await admin<{ seq: number; path: string; tags: Record<string, string> }[]>(
    rig.mockUrl,
    'GET',
    `/journal?path=${encodeURIComponent(path)}&tag=${encodeURIComponent(tag)}`,
  );
  return entries.sort((a, b) => a.seq - b.seq).map((e) => e.tags);
}

describe('POST /v3/med-ins/refunds/notify', () => {
  it('403 RULE_LIMIT when med_refund_total_fee ≠ gov + self + other', async () => {
    const { mixTradeNo } = await paidOrder(MIXED);
    const res = await notify(mixTradeNo, {
      ...noticeBody('RF-A1', { gov: 6000, self: 1500 }),
      med_refund_total_fee: 7000,
    });
    expect([res.status, res.json?.code]).toEqual([403, 'RULE_LIMIT']);
  });

  it('refuses an order with no insurance part: 混合单中没有医保订单', async () => {
    const { mixTradeNo } = await paidOrder({ total: 2500, fund: 0, account: 0, cash: 2500 });
    const res = await notify(mixTradeNo, noticeBody('RF-B1', { gov: 100, self: 0 }));
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ code: 'RULE_LIMIT', message: '混合单中没有医保订单' });
  });

  it('never lets the notices of an order exceed what insurance paid: in all, from 个账, from the funds', async () => {
    const { mixTradeNo } = await paidOrder(MIXED);
    expect((await notify(mixTradeNo, noticeBody('RF-C1', { gov: 4000, self: 1000 }))).status).toBe(204);
    const overFunds = await notify(mixTradeNo, noticeBody('RF-C2', { gov: 1000, self: 0, other: 1001 }));
    expect([overFunds.status, overFunds.json?.code]).toEqual([403, 'RULE_LIMIT']);
    const overAccount = await notify(mixTradeNo, noticeBody('RF-C3', { gov: 0, self: 501 }));
    expect([overAccount.status, overAccount.json?.code]).toEqual([403, 'RULE_LIMIT']);
    // 统筹 and the other funds count together (how a fund refund divides between them is the platform's)
    expect(
      (await notify(mixTradeNo, noticeBody('RF-C4', { gov: 1000, self: 500, other: 1000 }))).status,
    ).toBe(204);
    const more = await notify(mixTradeNo, noticeBody('RF-C5', { gov: 1, self: 0 }));
    expect([more.status, more.json?.code]).toEqual([403, 'RULE_LIMIT']);
  });

  it('takes refund_time only as RFC 3339 in China time (+08:00), a real instant', async () => {
    const { mixTradeNo } = await paidOrder(MIXED);
    for (const refundTime of [
      '2026-11-23T03:00:00Z',
      '2026-11-23T03:00:00+00:00',
      '2026-11-23T11:00:00',
      '2026-11-23 11:00:00+08:00',
      '2026-02-30T11:00:00+08:00',
      '20261123110000',
    ]) {
      const res = await notify(mixTradeNo, noticeBody('RF-D1', { gov: 100, self: 0 }, refundTime));
      expect([refundTime, res.status, res.json?.code]).toEqual([refundTime, 400, 'PARAM_ERROR']);
    }
    expect((await notify(mixTradeNo, noticeBody('RF-D1', { gov: 100, self: 0 }))).status).toBe(204);
    const fractional = noticeBody('RF-D2', { gov: 100, self: 0 }, '2026-11-23T11:00:00.250+08:00');
    expect((await notify(mixTradeNo, fractional)).status).toBe(204);
  });

  it('keeps the latest notice of an out_refund_no: a repeat never counts twice, a correction replaces', async () => {
    const { outTradeNo, mixTradeNo } = await paidOrder(MIXED);
    const full = noticeBody('RF-E1', { gov: 6000, self: 1500 });
    expect((await notify(mixTradeNo, full)).status).toBe(204);
    expect((await notify(mixTradeNo, full)).status).toBe(204); // had it been added: 15000 > 7500
    expect((await notify(mixTradeNo, noticeBody('RF-E1', { gov: 1000, self: 0 }))).status).toBe(204);
    expect(await statuses(outTradeNo)).toEqual([
      'MIX_PAY_SUCCESS',
      'SELF_PAY_SUCCESS',
      'MED_INS_PAY_SUCCESS',
    ]);
    // RF-E1 now says 10.00: the other 65.00 may still be told, and no more
    expect((await notify(mixTradeNo, noticeBody('RF-E2', { gov: 5000, self: 1500 }))).status).toBe(204);
    expect((await notify(mixTradeNo, noticeBody('RF-E3', { gov: 1, self: 0 }))).status).toBe(403);
    expect((await statuses(outTradeNo))[2]).toBe('MED_INS_PAY_REFUND');
  });

  it('refuses an out_refund_no that is a self-pay refund of another order', async () => {
    const a = await paidOrder(MIXED);
    const b = await paidOrder(MIXED);
    expect((await cashRefund(a.outTradeNo, 'RF-F1', 2500, 2500)).status).toBe(200);
    const res = await notify(b.mixTradeNo, noticeBody('RF-F1', { gov: 6000, self: 1500 }));
    expect([res.status, res.json?.code]).toEqual([400, 'INVALID_REQUEST']);
  });
});

describe('the med-ins order after refunds', () => {
  it('reads MIX_PAY_REFUND only when the self-pay part is refunded and the insurance part told, whatever the order', async () => {
    const { outTradeNo, mixTradeNo } = await paidOrder(MIXED);
    // the insurance part told, the cash not yet refunded
    expect((await notify(mixTradeNo, noticeBody('RF-G1', { gov: 6000, self: 1500 }))).status).toBe(204);
    expect(await statuses(outTradeNo)).toEqual(['MIX_PAY_SUCCESS', 'SELF_PAY_SUCCESS', 'MED_INS_PAY_REFUND']);
    // part of the cash
    expect((await cashRefund(outTradeNo, 'RF-G1', 1000, 2500)).status).toBe(200);
    expect(await statuses(outTradeNo)).toEqual(['MIX_PAY_SUCCESS', 'SELF_PAY_SUCCESS', 'MED_INS_PAY_REFUND']);
    // the rest of the cash
    expect((await cashRefund(outTradeNo, 'RF-G2', 1500, 2500)).status).toBe(200);
    expect(await statuses(outTradeNo)).toEqual(['MIX_PAY_REFUND', 'SELF_PAY_REFUND', 'MED_INS_PAY_REFUND']);
    // the journal shows the wrong order: RF-G1's notice came before its self-pay refund
    expect(await journalTags('/v3/med-ins/refunds/notify', `mixTradeNo=${mixTradeNo}`)).toEqual([
      expect.objectContaining({ outRefundNo: 'RF-G1', selfPayRefund: 'NONE' }),
    ]);
    expect(await journalTags('/v3/refund/domestic/refunds', `outRefundNo=RF-G1`)).toEqual([
      expect.objectContaining({ medInsNoticeFirst: 'true' }),
    ]);
  });

  it('the documented order: cash first, then the notice under its number (tagged with the refund status)', async () => {
    const { outTradeNo, mixTradeNo } = await paidOrder(MIXED);
    expect((await cashRefund(outTradeNo, 'RF-H1', 2500, 2500)).status).toBe(200);
    expect(await statuses(outTradeNo)).toEqual(['MIX_PAY_SUCCESS', 'SELF_PAY_REFUND', 'MED_INS_PAY_SUCCESS']);
    expect((await notify(mixTradeNo, noticeBody('RF-H1', { gov: 6000, self: 1500 }))).status).toBe(204);
    expect(await statuses(outTradeNo)).toEqual(['MIX_PAY_REFUND', 'SELF_PAY_REFUND', 'MED_INS_PAY_REFUND']);
    const [tags] = await journalTags('/v3/med-ins/refunds/notify', `mixTradeNo=${mixTradeNo}`);
    expect(tags).toMatchObject({ outRefundNo: 'RF-H1', selfPayRefund: 'SUCCESS', outTradeNo });
    expect(
      (await journalTags('/v3/refund/domestic/refunds', 'outRefundNo=RF-H1'))[0].medInsNoticeFirst,
    ).toBeUndefined();
  });

  it('an insurance-only order is refunded by the notice alone; a cash-only one by its refund alone', async () => {
    const insured = await paidOrder({ total: 7500, fund: 6000, account: 1500, cash: 0 });
    expect((await notify(insured.mixTradeNo, noticeBody('RF-I1', { gov: 6000, self: 1500 }))).status).toBe(
      204,
    );
    expect(await statuses(insured.outTradeNo)).toEqual([
      'MIX_PAY_REFUND',
      'NO_SELF_PAY',
      'MED_INS_PAY_REFUND',
    ]);

    const cash = await paidOrder({ total: 2500, fund: 0, account: 0, cash: 2500 });
    expect((await cashRefund(cash.outTradeNo, 'RF-I2', 2500, 2500)).status).toBe(200);
    expect(await statuses(cash.outTradeNo)).toEqual(['MIX_PAY_REFUND', 'SELF_PAY_REFUND', 'NO_MED_INS_PAY']);
  });
});

describe('the refund notify_url', () => {
  let strict: WeChatPayMock;
  let strictServer: Server;
  let strictUrl: string;

  beforeAll(async () => {
    strict = createWeChatPayMock({
      keys: keys.mocks.wechat,
      clock: new ManualClock(START_MS),
      sandbox: false,
    });
    strictServer = createServer(strict.app.callback());
    await new Promise<void>((resolve) => strictServer.listen(0, '127.0.0.1', resolve));
    strictUrl = `http://127.0.0.1:${(strictServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    strict.stop();
    strictServer.closeAllConnections();
    await new Promise<void>((resolve) => strictServer.close(() => resolve()));
  });

  const refundWith = async (base: string, notifyUrl: string) => {
    const outTradeNo = nextOrderNo();
    await admin(base, 'POST', '/trades', { outTradeNo, amountFen: 1000 });
    return signed(base, 'POST', '/v3/refund/domestic/refunds', {
      out_trade_no: outTradeNo,
      out_refund_no: `RF-${outTradeNo}`,
      notify_url: notifyUrl,
      amount: { refund: 1000, total: 1000, currency: 'CNY' },
    });
  };

  it('strict mode refuses http and internal hosts with PARAM_ERROR naming notify_url; https public passes', async () => {
    for (const url of [
      'http://hospital.example.com/notify',
      'https://127.0.0.1/notify',
      'https://localhost/notify',
      'https://192.168.1.10/notify',
      'https://10.1.2.3/notify',
      'https://172.20.0.1/notify',
      'https://169.254.1.1/notify',
      'https://[::1]/notify',
      'https://[fd12::1]/notify',
      'https://[fe80::1]/notify',
    ]) {
      const res = await refundWith(strictUrl, url);
      expect([url, res.status, res.json?.code]).toEqual([url, 400, 'PARAM_ERROR']);
      expect(String(res.json?.message)).toContain('notify_url');
    }
    expect((await refundWith(strictUrl, 'https://hospital.example.com/api/v1/notify/wechatpay')).status).toBe(
      200,
    );
  });

  it('sandbox mode (the default) accepts http and loopback', async () => {
    expect((await refundWith(rig.mockUrl, 'http://127.0.0.1:3000/api/v1/notify/wechatpay')).status).toBe(200);
    expect((await refundWith(rig.mockUrl, 'http://localhost:3000/notify')).status).toBe(200);
  });

  it('a query, spaces or no path are refused in both modes', async () => {
    for (const base of [rig.mockUrl, strictUrl]) {
      for (const url of [
        'https://hospital.example.com/notify?from=wx',
        'https://hospital.example.com/notify?',
        ' https://hospital.example.com/notify',
        'https://hospital.example.com',
      ]) {
        const res = await refundWith(base, url);
        expect([url, res.status, res.json?.code]).toEqual([url, 400, 'PARAM_ERROR']);
      }
    }
  });
});
