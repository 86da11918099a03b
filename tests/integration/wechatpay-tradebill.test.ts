/**
 * The WeChat Pay side of daily reconciliation, over HTTP: the mock's trade bill (what happened, cut by CST day,
 * available from 09:00 the next day), the adapter's tradeBill (signed request, GZIP download to a temporary file,
 * SHA1, streamed rows, summary check) and the admin APIs that plant discrepancies. One ManualClock drives both
 * sides; time only moves when a test moves it.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GatewayError, type TradeBillRow } from '../../server/gateways/ports';
import { HttpWeChatPayGateway } from '../../server/gateways/wechatpay/client';
import type { Split } from '../../shared/money';
import { startWeChatPayRig, type WeChatPayRig } from '../helpers/wechatpayRig';

/** D = 2026-11-23 (China time); the stack starts at 10:00 that day. */
const D = '2026-11-23';
const D1 = '2026-11-24';
const D2 = '2026-11-25';
const at = (cst: string): number => Date.parse(`${cst}+08:00`);
const START_MS = at(`${D}T10:00:00`);
const MINUTE_MS = 60_000;

let rig: WeChatPayRig;
let gateway: HttpWeChatPayGateway;
const openid = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';
/** this file's own temporary directory for the adapter, so no other test's bill shows up in it */
let ownTmp: string;

/** The real adapter on the rig's mock and clock (or through another base URL), with its own temporary directory. */
const adapter = (baseUrl = rig.mockUrl): HttpWeChatPayGateway =>
  new HttpWeChatPayGateway({
    baseUrl,
    keys: rig.keys.server.wechat,
    timeoutMs: 5000,
    clock: rig.clock,
    notifyUrl: `${rig.receiverUrl}/notify`,
    medInsCallbackUrl: `${rig.receiverUrl}/medins`,
    tempDir: ownTmp,
  });

beforeAll(async () => {
  ownTmp = mkdtempSync(join(tmpdir(), 'tradebill-test-'));
  rig = await startWeChatPayRig(START_MS);
  gateway = adapter();
});

afterAll(async () => {
  await rig.stop();
  rmSync(ownTmp, { recursive: true, force: true });
});

beforeEach(async () => {
  await admin('POST', '/reset');
  rig.clock.set(START_MS);
});

// ───────────────────────────── helpers ─────────────────────────────

async function admin<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  const res = await fetch(`${rig.mockUrl}/__admin${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : undefined) as T };
}

let seq = 0;
const nextOrderNo = () => `ORD${START_MS}${String(++seq).padStart(4, '0')}`;

/** A JSAPI order the patient pays at the current mock-clock instant; → its transaction id. */
/** The first refund (`RF-<out_trade_no>-1`) of a payment: `refundFen` of its `totalFen`. */
function refundFirst(paid: { outTradeNo: string }, refundFen: number, totalFen: number) {
  return gateway.refund({
    outTradeNo: paid.outTradeNo,
    outRefundNo: `RF-${paid.outTradeNo}-1`,
    reason: '退费',
    refundFen,
    totalFen,
  });
}

async function paidJsapi(amountFen: number): Promise<{ outTradeNo: string; transactionId: string }> {
  const outTradeNo = nextOrderNo();
  await gateway.createJsapiOrder({
    outTradeNo,
    description: '门诊缴费',
    amountFen,
    openid,
    expireAtMs: rig.clock.now() + 15 * MINUTE_MS,
  });
  expect((await admin('POST', '/payments/confirm', { outTradeNo })).status).toBe(200);
  await rig.mock.deliverDue();
  return { outTradeNo, transactionId: await transactionIdOf(outTradeNo) };
}

async function transactionIdOf(outTradeNo: string): Promise<string> {
  const state = await gateway.queryTransaction(outTradeNo);
  if (!state?.transactionId) throw new Error(`${outTradeNo} has no transaction id`);
  return state.transactionId;
}

/** A med-ins order paid now: CASH_AND_INSURANCE when split.cash > 0 (with its JSAPI self-pay order), else INSURANCE_ONLY. */
async function paidMedIns(split: Split): Promise<{ outTradeNo: string; mixTradeNo: string }> {
  const outTradeNo = nextOrderNo();
  let prepayId: string | undefined;
  if (split.cash > 0) {
    ({ prepayId } = await gateway.createJsapiOrder({
      outTradeNo,
      description: '门诊缴费',
      amountFen: split.cash,
      openid,
      expireAtMs: rig.clock.now() + 15 * MINUTE_MS,
    }));
  }
  const created = await gateway.createMedInsOrder(rig.medInsOrder(outTradeNo, openid, split, prepayId));
  const confirmed = await admin('POST', '/payments/confirm', { mixTradeNo: created.mixTradeNo });
  expect(confirmed.json).toMatchObject({ mixPayStatus: 'MIX_PAY_SUCCESS' });
  await rig.mock.deliverDue();
  return { outTradeNo, mixTradeNo: created.mixTradeNo };
}

async function billRows(date: string, gw: HttpWeChatPayGateway = gateway): Promise<TradeBillRow[]> {
  const rows: TradeBillRow[] = [];
  for await (const row of gw.tradeBill(date)) rows.push(row);
  return rows;
}

/** Runs the bill to its error; the rows yielded before it come back too. */
async function billError(
  date: string,
  gw: HttpWeChatPayGateway = gateway,
): Promise<{ error: GatewayError; rows: TradeBillRow[] }> {
  const rows: TradeBillRow[] = [];
  try {
    for await (const row of gw.tradeBill(date)) rows.push(row);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return { error: err as GatewayError, rows };
  }
  throw new Error(`the bill of ${date} was read without error`);
}

/** what the adapter left in the temporary directory */
const tempBills = () => readdirSync(ownTmp);

// ───────────────────────────── tests ─────────────────────────────

describe('the trade bill is what happened, cut by China-time day', () => {
  it('payments on the day they succeeded, refunds on the day they succeeded, across midnight', async () => {
    const p1 = await paidJsapi(1205);

    rig.clock.advance(MINUTE_MS);
    const mixed = await paidMedIns({ total: 10000, fund: 6000, account: 1500, cash: 2500 });
    // the cash leg of a mixed order is its JSAPI self-pay order: same out_trade_no, its own transaction id
    const mixedTransactionId = await transactionIdOf(mixed.outTradeNo);
    const insuranceOnly = await paidMedIns({ total: 5000, fund: 3000, account: 2000, cash: 0 });

    rig.clock.advance(MINUTE_MS);
    const p2 = await paidJsapi(1000);
    rig.clock.advance(MINUTE_MS);
    const r1 = await refundFirst(p2, 300, 1000);
    expect(r1.status).toBe('SUCCESS');

    // a payment at 23:59:59 is on D; its refund, asked at once but PROCESSING for 60 s, lands on D+1
    rig.clock.set(at(`${D}T23:59:59`));
    const p3 = await paidJsapi(999);
    await admin('POST', '/options', { refundMode: 'PROCESSING', refundProcessingMs: MINUTE_MS });
    const r2 = await refundFirst(p3, 999, 999);
    expect(r2.status).toBe('PROCESSING');
    rig.clock.advance(MINUTE_MS);
    await rig.mock.deliverDue();
    await expect(gateway.queryRefund(r2.outRefundNo)).resolves.toMatchObject({ status: 'SUCCESS' });

    // before 09:00 the next day: still being made; the day itself: no bill yet
    rig.clock.set(at(`${D1}T08:59:59`));
    const creating = await billError(D);
    expect(creating.error).toMatchObject({
      kind: 'rejected',
      partyCode: 'STATEMENT_CREATING',
      httpStatus: 400,
    });
    expect((await billError(D1)).error).toMatchObject({ kind: 'rejected', partyCode: 'NO_STATEMENT_EXIST' });

    rig.clock.set(at(`${D1}T09:00:00`));
    expect(await billRows(D)).toEqual([
      {
        kind: 'PAYMENT',
        atMs: at(`${D}T10:00:00`),
        transactionId: p1.transactionId,
        outTradeNo: p1.outTradeNo,
        amountFen: 1205,
        feeFen: 7,
      },
      {
        kind: 'PAYMENT',
        atMs: at(`${D}T10:01:00`),
        transactionId: mixedTransactionId,
        outTradeNo: mixed.outTradeNo,
        amountFen: 2500,
        feeFen: 15,
      },
      {
        kind: 'PAYMENT',
        atMs: at(`${D}T10:02:00`),
        transactionId: p2.transactionId,
        outTradeNo: p2.outTradeNo,
        amountFen: 1000,
        feeFen: 6,
      },
      {
        kind: 'REFUND',
        atMs: at(`${D}T10:03:00`),
        transactionId: p2.transactionId,
        outTradeNo: p2.outTradeNo,
        amountFen: 300,
        feeFen: -2,
        refundId: r1.refundId,
        outRefundNo: r1.outRefundNo,
      },
      {
        kind: 'PAYMENT',
        atMs: at(`${D}T23:59:59`),
        transactionId: p3.transactionId,
        outTradeNo: p3.outTradeNo,
        amountFen: 999,
        feeFen: 6,
      },
    ]);
    expect((await billRows(D)).some((r) => r.outTradeNo === insuranceOnly.outTradeNo)).toBe(false);

    rig.clock.set(at(`${D2}T09:00:00`));
    expect(await billRows(D1)).toEqual([
      {
        kind: 'REFUND',
        atMs: at(`${D1}T00:00:59`),
        transactionId: p3.transactionId,
        outTradeNo: p3.outTradeNo,
        amountFen: 999,
        feeFen: -6,
        refundId: r2.refundId,
        outRefundNo: r2.outRefundNo,
      },
    ]);
    expect(tempBills()).toEqual([]);
  });

  it('asks for ALL as GZIP, then downloads the file once with a signed request (the mock refuses unsigned ones)', async () => {
    await paidJsapi(1205);
    rig.clock.set(at(`${D1}T09:00:00`));
    expect(await billRows(D)).toHaveLength(1);
    const journal = (path: string) =>
      admin<{ query: string; status: number }[]>('GET', `/journal?path=${encodeURIComponent(path)}`);
    const asked = (await journal('/v3/bill/tradebill')).json;
    expect(asked.map((e) => [e.status, new URLSearchParams(e.query).toString()])).toEqual([
      [200, `bill_date=${D}&bill_type=ALL&tar_type=GZIP`],
    ]);
    const downloads = (await journal('/v3/billdownload/file')).json;
    expect(downloads.map((e) => e.status)).toEqual([200]);
  });

  it('a day of 20,000 rows (10,000 payments and their refunds) is made by the mock and streamed by the adapter, summary checked', async () => {
    const { state } = rig.mock;
    const dayStartMs = at(`${D}T00:00:00`);
    const count = 10_000;
    for (let i = 0; i < count; i++) {
      const outTradeNo = `BULK${String(i).padStart(8, '0')}`;
      const successTimeMs = dayStartMs + Math.floor((i * 86_000_000) / count);
      const transactionId = `4200${String(i).padStart(24, '0')}`;
      state.trades.set(outTradeNo, {
        outTradeNo,
        appid: rig.keys.server.wechat.appId,
        mchid: rig.keys.server.wechat.mchId,
        description: '门诊缴费',
        notifyUrl: '',
        totalFen: 100 + i,
        openid,
        createdAtMs: successTimeMs,
        prepayId: `wx${i}`,
        prepayCreatedAtMs: successTimeMs,
        requestKey: '',
        state: 'REFUND',
        transactionId,
        successTimeMs,
        refundedFen: 50,
      });
      state.refunds.set(`RF${outTradeNo}`, {
        refundId: `5030${String(i).padStart(25, '0')}`,
        outRefundNo: `RF${outTradeNo}`,
        outTradeNo,
        transactionId,
        refundFen: 50,
        totalFen: 100 + i,
        status: 'SUCCESS',
        createdAtMs: successTimeMs + 1000,
        successTimeMs: successTimeMs + 1000,
        requestKey: '',
      });
    }
    rig.clock.set(at(`${D1}T09:00:00`));
    const seen = { PAYMENT: 0, REFUND: 0 };
    let paymentFen = 0;
    let refundFen = 0;
    let lastAtMs = 0;
    let outOfOrder = 0;
    for await (const row of gateway.tradeBill(D)) {
      seen[row.kind]++;
      if (row.kind === 'PAYMENT') paymentFen += row.amountFen;
      else refundFen += row.amountFen;
      if (row.atMs < lastAtMs) outOfOrder++;
      lastAtMs = row.atMs;
    }
    expect(seen).toEqual({ PAYMENT: count, REFUND: count });
    expect(paymentFen).toBe(100 * count + (count * (count - 1)) / 2);
    expect(refundFen).toBe(50 * count);
    expect(outOfOrder).toBe(0);
    expect(tempBills()).toEqual([]);
  });
});

describe('a bill that cannot be trusted is refused before any row', () => {
  it('a download that is not the file WeChat hashed (malformed fault): invalid_response, no row', async () => {
    await paidJsapi(1205);
    rig.clock.set(at(`${D1}T09:00:00`));
    await admin('POST', '/faults', { path: '/v3/billdownload/file', kind: 'malformed', count: 1 });
    const { error, rows } = await billError(D);
    expect(error.kind).toBe('invalid_response');
    expect(error.message).toMatch(
      /SHA1 of the \d+ bytes downloaded is [0-9a-f]{40}, WeChat said [0-9a-f]{40}/,
    );
    expect(rows).toEqual([]);
    expect(tempBills()).toEqual([]);
    // the next try is fine
    expect(await billRows(D)).toHaveLength(1);
  });

  it('a tampered amount in a well-formed gzip (intercepted on the way): invalid_response, no row', async () => {
    await paidJsapi(1205);
    await paidJsapi(800);
    rig.clock.set(at(`${D1}T09:00:00`));
    const proxy = await startTamperingProxy(rig.mockUrl, (csv) => csv.replace('`12.05', '`12.06'));
    try {
      const intercepted = adapter(proxy.url);
      const { error, rows } = await billError(D, intercepted);
      expect(proxy.tampered).toBe(1);
      expect(error.kind).toBe('invalid_response');
      expect(error.message).toMatch(/SHA1/);
      expect(rows).toEqual([]);
      expect(tempBills()).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });

  it('a consumer that stops early leaves no temporary file', async () => {
    await paidJsapi(100);
    await paidJsapi(200);
    rig.clock.set(at(`${D1}T09:00:00`));
    for await (const row of gateway.tradeBill(D)) {
      expect(row.amountFen).toBe(100);
      // the file is read from the temporary directory while rows come
      expect(tempBills()).toEqual([expect.stringMatching(/^wechatpay-tradebill-/)]);
      break;
    }
    expect(tempBills()).toEqual([]);
  });
});

describe('admin APIs that plant discrepancies, and the bill shows them', () => {
  it('a payment nobody announced, an amount that differs, a refund on one side only', async () => {
    const known = await paidJsapi(1000);
    const before = rig.receiver.received.length;

    rig.clock.set(at(`${D}T12:00:00`));
    const unknown = await admin<{ outTradeNo: string; transactionId: string; successTime: string }>(
      'POST',
      '/trades',
      { outTradeNo: 'WXONLY20261123001', amountFen: 4321 },
    );
    expect(unknown.status).toBe(201);
    expect(unknown.json).toEqual({
      outTradeNo: 'WXONLY20261123001',
      transactionId: expect.stringMatching(/^4200\d{24}$/),
      successTime: '2026-11-23T12:00:00+08:00',
    });
    const late = await admin<{ successTime: string }>('POST', '/trades', {
      outTradeNo: 'WXONLY20261123002',
      amountFen: 777,
      successTime: `${D}T23:59:59+08:00`,
      openid: 'oOtherPatient00000000000000x',
      description: '挂号费',
    });
    expect(late.json.successTime).toBe('2026-11-23T23:59:59+08:00');

    const amended = await admin('PATCH', `/trades/${known.outTradeNo}`, { amountFen: 1100 });
    expect(amended).toEqual({
      status: 200,
      json: {
        outTradeNo: known.outTradeNo,
        transactionId: known.transactionId,
        amountFen: 1100,
        previousAmountFen: 1000,
      },
    });
    await expect(gateway.queryTransaction(known.outTradeNo)).resolves.toMatchObject({ amountFen: 1100 });

    rig.clock.set(at(`${D1}T08:00:00`));
    const oneSided = await admin<{ outRefundNo: string; refundId: string; successTime: string }>(
      'POST',
      '/refunds',
      { outTradeNo: known.outTradeNo, refundFen: 600, outRefundNo: 'RF-WX-ONLY-1' },
    );
    expect(oneSided).toEqual({
      status: 201,
      json: {
        outRefundNo: 'RF-WX-ONLY-1',
        refundId: expect.stringMatching(/^5030\d{25}$/),
        successTime: '2026-11-24T08:00:00+08:00',
      },
    });
    const defaulted = await admin<{ outRefundNo: string; refundId: string }>('POST', '/refunds', {
      outTradeNo: 'WXONLY20261123001',
      refundFen: 21,
      successTime: `${D1}T08:30:00+08:00`,
    });
    expect(defaulted.status).toBe(201);
    expect(defaulted.json.outRefundNo).toMatch(/^RF-WX-[0-9a-f]{16}$/);
    await expect(gateway.queryRefund('RF-WX-ONLY-1')).resolves.toMatchObject({
      status: 'SUCCESS',
      refundFen: 600,
    });
    await expect(gateway.queryTransaction(known.outTradeNo)).resolves.toMatchObject({ tradeState: 'REFUND' });

    // nothing of it was announced
    await rig.mock.deliverDue();
    expect(rig.receiver.received.length).toBe(before);

    rig.clock.set(at(`${D2}T09:00:00`));
    expect(await billRows(D)).toEqual([
      {
        kind: 'PAYMENT',
        atMs: at(`${D}T10:00:00`),
        transactionId: known.transactionId,
        outTradeNo: known.outTradeNo,
        amountFen: 1100,
        feeFen: 7,
      },
      {
        kind: 'PAYMENT',
        atMs: at(`${D}T12:00:00`),
        transactionId: unknown.json.transactionId,
        outTradeNo: 'WXONLY20261123001',
        amountFen: 4321,
        feeFen: 26,
      },
      {
        kind: 'PAYMENT',
        atMs: at(`${D}T23:59:59`),
        transactionId: expect.stringMatching(/^4200/),
        outTradeNo: 'WXONLY20261123002',
        amountFen: 777,
        feeFen: 5,
      },
    ]);
    expect(await billRows(D1)).toEqual([
      {
        kind: 'REFUND',
        atMs: at(`${D1}T08:00:00`),
        transactionId: known.transactionId,
        outTradeNo: known.outTradeNo,
        amountFen: 600,
        feeFen: -4,
        refundId: oneSided.json.refundId,
        outRefundNo: 'RF-WX-ONLY-1',
      },
      {
        kind: 'REFUND',
        atMs: at(`${D1}T08:30:00`),
        transactionId: unknown.json.transactionId,
        outTradeNo: 'WXONLY20261123001',
        amountFen: 21,
        feeFen: 0,
        refundId: defaulted.json.refundId,
        outRefundNo: defaulted.json.outRefundNo,
      },
    ]);
  });

  it('refuses what cannot be: duplicates, unknown trades, more than is left, bad bodies', async () => {
    const paid = await paidJsapi(1000);
    const expectRefusal = async (
      method: string,
      path: string,
      body: unknown,
      status: number,
      code: string,
    ) => {
      const res = await admin<{ code: string; message: string }>(method, path, body);
      expect([res.status, res.json.code]).toEqual([status, code]);
    };
    await expectRefusal(
      'POST',
      '/trades',
      { outTradeNo: paid.outTradeNo, amountFen: 1 },
      409,
      'ORDER_EXISTS',
    );
    await expectRefusal('POST', '/trades', { outTradeNo: 'X', amountFen: 1 }, 400, 'PARAM_ERROR');
    await expectRefusal(
      'POST',
      '/trades',
      { outTradeNo: 'WXONLY000001', amountFen: 1.5 },
      400,
      'PARAM_ERROR',
    );
    await expectRefusal(
      'POST',
      '/trades',
      { outTradeNo: 'WXONLY000001', amountFen: 1, successTime: 'now' },
      400,
      'PARAM_ERROR',
    );
    await expectRefusal('PATCH', '/trades/NEVER-CREATED', { amountFen: 1 }, 404, 'ORDER_NOT_EXIST');
    await expectRefusal('PATCH', `/trades/${paid.outTradeNo}`, { amountFen: 0 }, 400, 'PARAM_ERROR');
    await expectRefusal(
      'POST',
      '/refunds',
      { outTradeNo: 'NEVER-CREATED', refundFen: 1 },
      404,
      'ORDER_NOT_EXIST',
    );
    await expectRefusal(
      'POST',
      '/refunds',
      { outTradeNo: paid.outTradeNo, refundFen: 1001 },
      422,
      'REFUND_EXCEEDS_PAID',
    );
    await expectRefusal(
      'POST',
      '/refunds',
      { outTradeNo: paid.outTradeNo, refundFen: 1, successTime: `${D}T09:59:59+08:00` },
      422,
      'REFUND_BEFORE_PAYMENT',
    );
    expect(
      (await admin('POST', '/refunds', { outTradeNo: paid.outTradeNo, refundFen: 400, outRefundNo: 'RF-1' }))
        .status,
    ).toBe(201);
    await expectRefusal(
      'POST',
      '/refunds',
      { outTradeNo: paid.outTradeNo, refundFen: 1, outRefundNo: 'RF-1' },
      409,
      'REFUND_EXISTS',
    );
    await expectRefusal(
      'POST',
      '/refunds',
      { outTradeNo: paid.outTradeNo, refundFen: 601 },
      422,
      'REFUND_EXCEEDS_PAID',
    );
    await expectRefusal(
      'PATCH',
      `/trades/${paid.outTradeNo}`,
      { amountFen: 399 },
      422,
      'AMOUNT_BELOW_REFUNDED',
    );

    const unpaid = nextOrderNo();
    await gateway.createJsapiOrder({
      outTradeNo: unpaid,
      description: 'x',
      amountFen: 5,
      openid,
      expireAtMs: START_MS + MINUTE_MS,
    });
    await expectRefusal('PATCH', `/trades/${unpaid}`, { amountFen: 6 }, 409, 'ORDER_NOT_PAID');
    await expectRefusal('POST', '/refunds', { outTradeNo: unpaid, refundFen: 1 }, 409, 'ORDER_NOT_PAID');
  });

  it('the three are in the admin OpenAPI', async () => {
    const spec = (await admin<{ paths: Record<string, Record<string, unknown>> }>('GET', '/openapi.json'))
      .json;
    expect(Object.keys(spec.paths['/__admin/trades'])).toEqual(['post']);
    expect(Object.keys(spec.paths['/__admin/trades/{outTradeNo}'])).toEqual(['patch']);
    expect(Object.keys(spec.paths['/__admin/refunds'])).toEqual(['post']);
  });
});

// ───────────────────────────── the intercepting proxy ─────────────────────────────

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/**
 * Forwards everything to the mock, Host header included (so the mock's download_url points back here), and
 * rewrites the gzipped bill on its way: a man in the middle, or a corrupted transfer, that still gunzips.
 */
async function startTamperingProxy(target: string, tamper: (csv: string) => string) {
  const targetUrl = new URL(target);
  const proxy = {
    tampered: 0,
    url: '',
    server: undefined as Server | undefined,
    stop: async () => {
      proxy.server?.closeAllConnections();
      await new Promise((resolve) => proxy.server?.close(resolve));
    },
  };
  proxy.server = createServer((req, res) => {
    void readAll(req).then((body) => {
      const upstream = request(
        {
          host: targetUrl.hostname,
          port: targetUrl.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          void readAll(answer).then((content) => {
            let out = content;
            if ((req.url ?? '').startsWith('/v3/billdownload/file') && answer.statusCode === 200) {
              out = gzipSync(Buffer.from(tamper(gunzipSync(content).toString('utf8')), 'utf8'));
              proxy.tampered++;
            }
            const headers = { ...answer.headers, 'content-length': String(out.length) };
            delete headers['transfer-encoding'];
            res.writeHead(answer.statusCode ?? 502, headers).end(out);
          });
        },
      );
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.server?.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
  return proxy;
}
