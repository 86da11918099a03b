/**
 * The HIS side of daily reconciliation over real HTTP: the daily list read page by page (dailyRecords), the
 * mock's paging (page_size, cursor), and the admin injections testers use for discrepancies. The mock clock
 * moves; nothing sleeps.
 */
import { ManualClock } from '../../shared/clock';
import { cashOnlySplit, type Split } from '../../shared/money';
import { HIS_PATHS } from '../../shared/protocol/his';
import { HttpHisGateway } from '../../server/gateways/his/client';
import { type HisDayRecord } from '../../server/gateways/ports';
import { createHisMock } from '../../mocks/his';
import type { Charge } from '../../mocks/his/state';
import { adminClient, collect, gatewayRejection as rejection } from '../helpers/gateway';
import { useServed } from '../helpers/served';

// 2026-11-23 10:00:00 China time
const START_MS = Date.UTC(2026, 10, 23, 2, 0, 0);
const DAY = '2026-11-23';
const NEXT_DAY = '2026-11-24';
const MINUTE_MS = 60_000;
const ZHANG = 'P100001';

const clock = new ManualClock(START_MS);
const mock = createHisMock({ clock });
const served = useServed(mock.app);

function gateway(dailyPageSize?: number): HttpHisGateway {
  return new HttpHisGateway({ baseUrl: served.url, timeoutMs: 2_000, dailyPageSize });
}

const admin = adminClient(() => `${served.url}/__admin`);

const keyOf = (r: HisDayRecord) => (r.kind === 'CHARGE' ? `C:${r.orderNo}` : `R:${r.refundNo}`);

let billSeq = 0;
/** A new bill for Zhang of `amount` fen, charged through the adapter (lock + confirm) at the clock's time. */
async function charged(orderNo: string, amount = 1_000 + ++billSeq, split?: Split): Promise<void> {
  const bill = await admin<{ billNo: string }>('POST', '/bills', {
    patientId: ZHANG,
    items: [{ code: '110200002', name: '诊查费', price: amount, qty: 1 }],
  });
  const his = gateway();
  await his.lockBills(orderNo, ZHANG, [bill.body.billNo]);
  await his.confirmCharge({
    orderNo,
    hisPatientId: ZHANG,
    billNos: [bill.body.billNo],
    split: split ?? cashOnlySplit(amount),
    transactionId: `4200${orderNo}`,
    paidAtMs: clock.now() - MINUTE_MS,
  });
}

/** 7 charges and 4 refunds (two of one order, one whole), a minute apart. */
async function busyDay(): Promise<void> {
  for (let i = 1; i <= 7; i++) {
    await charged(`ORD${i}`, 1_000 * i);
    clock.advance(MINUTE_MS);
  }
  const his = gateway();
  await his.refundCharge('ORD2', 'RF2A', 500);
  clock.advance(MINUTE_MS);
  await his.refundCharge('ORD2', 'RF2B', 1_500);
  await his.refundCharge('ORD5', 'RF5', 5_000);
  await his.refundCharge('ORD7', 'RF7', 1);
}

beforeEach(async () => {
  clock.set(START_MS);
  expect((await admin('POST', '/reset')).status).toBe(200);
});

describe('dailyRecords', () => {
  test.each([1, 3, 7, 11, 500])('pages of %i yield every charge, then every refund, once', async (size) => {
    await busyDay();
    const sinceMs = clock.now();
    const records = await collect(gateway(size).dailyRecords(DAY));
    expect(records.map(keyOf)).toEqual([
      ...[1, 2, 3, 4, 5, 6, 7].map((i) => `C:ORD${i}`),
      'R:RF2A',
      'R:RF2B',
      'R:RF5',
      'R:RF7',
    ]);
    const pages = await admin<{ query: string }[]>(
      'GET',
      `/journal?path=${HIS_PATHS.dailyCharges}&sinceMs=${sinceMs}`,
    );
    expect(pages.body).toHaveLength(Math.ceil(11 / size));
    expect(pages.body.every((p) => p.query.includes(`page_size=${size}`))).toBe(true);
  });

  test('records carry the amounts, numbers and times of the HIS, in fen', async () => {
    const split: Split = { total: 12_345, fund: 4_000, account: 3_000, cash: 5_345 };
    await charged('ORD-MIX', 12_345, split);
    clock.advance(MINUTE_MS);
    const { refundReceiptNo } = await gateway().refundCharge('ORD-MIX', 'RF-MIX', 345);
    const [charge, refund] = await collect(gateway().dailyRecords(DAY));
    expect(charge).toMatchObject({
      kind: 'CHARGE',
      orderNo: 'ORD-MIX',
      hisPatientId: ZHANG,
      split,
      transactionId: '4200ORD-MIX',
      paidAtMs: START_MS - MINUTE_MS,
      chargedAtMs: START_MS,
      receiptNo: expect.stringMatching(/^SJ\d{8}$/),
    });
    expect(refund).toEqual({
      kind: 'REFUND',
      orderNo: 'ORD-MIX',
      refundNo: 'RF-MIX',
      refundReceiptNo,
      amountFen: 345,
      refundedAtMs: START_MS + MINUTE_MS,
    });
  });

  test('agrees with listDailyCharges, which stays as it was', async () => {
    await busyDay();
    const whole = await gateway().listDailyCharges(DAY);
    const paged = await collect(gateway(2).dailyRecords(DAY));
    expect(paged.filter((r) => r.kind === 'CHARGE').map(({ kind: _, ...rest }) => rest)).toEqual(
      whole.charges,
    );
    expect(paged.filter((r) => r.kind === 'REFUND').map(({ kind: _, ...rest }) => rest)).toEqual(
      whole.refunds,
    );
  });

  test('cut at midnight China time: charged at 23:59:59, refunded next day, each on its own day', async () => {
    clock.set(Date.UTC(2026, 10, 23, 15, 59, 59));
    await charged('ORD-LATE', 2_000);
    clock.advance(2_000);
    await gateway().refundCharge('ORD-LATE', 'RF-LATE', 2_000);
    expect((await collect(gateway().dailyRecords(DAY))).map(keyOf)).toEqual(['C:ORD-LATE']);
    expect((await collect(gateway().dailyRecords(NEXT_DAY))).map(keyOf)).toEqual(['R:RF-LATE']);
  });

  test('a day with nothing is one empty page', async () => {
    expect(await collect(gateway(3).dailyRecords('2026-11-22'))).toEqual([]);
  });

  test('a charge deleted while the pages are read shifts nothing: the rest still come once', async () => {
    await busyDay();
    const seen: string[] = [];
    for await (const record of gateway(2).dailyRecords(DAY)) {
      seen.push(keyOf(record));
      if (seen.length === 3) {
        // one already read, one not yet: the walk neither repeats nor skips
        expect((await admin('DELETE', '/charges/ORD1')).status).toBe(204);
        expect((await admin('DELETE', '/charges/ORD5')).status).toBe(204);
      }
    }
    expect(seen).toEqual([
      'C:ORD1',
      'C:ORD2',
      'C:ORD3',
      'C:ORD4',
      'C:ORD6',
      'C:ORD7',
      'R:RF2A',
      'R:RF2B',
      'R:RF5',
      'R:RF7',
    ]);
  });

  test('a page size out of bounds or a bad date is a programming error', () => {
    expect(() => gateway(0).dailyRecords(DAY)).toThrow(RangeError);
    expect(() => gateway(1_001).dailyRecords(DAY)).toThrow(RangeError);
    expect(() => gateway().dailyRecords('2026-13-01')).toThrow(RangeError);
  });

  test('a tampered page is invalid_response', async () => {
    await charged('ORD-T', 1_000);
    await admin('POST', '/faults', { path: HIS_PATHS.dailyCharges, kind: 'malformed', count: 1 });
    expect(await rejection(collect(gateway().dailyRecords(DAY)))).toMatchObject({ kind: 'invalid_response' });
  });
});

describe('GET /his/charges/daily paging on the wire', () => {
  const get = async (query: string) => {
    const response = await fetch(`${served.url}${HIS_PATHS.dailyCharges}?${query}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  test('without page_size and cursor the whole day comes at once, with no cursor', async () => {
    await busyDay();
    const answer = await get(`date=${DAY}`);
    expect(answer.body).toMatchObject({ code: '1' });
    const data = answer.body.data as { charges: unknown[]; refunds: unknown[]; next_cursor?: string };
    expect([data.charges.length, data.refunds.length, data.next_cursor]).toEqual([7, 4, undefined]);
  });

  test('page_size defaults to 500 with a cursor; bad page sizes and cursors are 400 PARAM_ERROR', async () => {
    await busyDay();
    const first = await get(`date=${DAY}&page_size=4`);
    const cursor = (first.body.data as { next_cursor: string }).next_cursor;
    const rest = await get(`date=${DAY}&cursor=${cursor}`);
    const data = rest.body.data as { charges: unknown[]; refunds: unknown[]; next_cursor?: string };
    expect([data.charges.length, data.refunds.length, data.next_cursor]).toEqual([3, 4, undefined]);
    for (const query of [
      `date=${DAY}&page_size=0`,
      `date=${DAY}&page_size=1001`,
      `date=${DAY}&page_size=x`,
      `date=${DAY}&cursor=garbage`,
      `date=${NEXT_DAY}&cursor=${cursor}`,
    ]) {
      expect(await get(query)).toMatchObject({ status: 400, body: { code: 'PARAM_ERROR' } });
    }
  });
});

describe('admin injections', () => {
  test('POST /charges: a charge with no payment behind it is in the daily list', async () => {
    const chargedAt = new Date(START_MS - 30 * MINUTE_MS).toISOString();
    const created = await admin('POST', '/charges', {
      orderNo: 'GHOST1',
      total: 5_000,
      fund: 1_000,
      account: 1_500,
      cash: 2_500,
      chargedAt,
      transactionId: '4200GHOST',
    });
    expect(created).toEqual({ status: 201, body: { orderNo: 'GHOST1', receiptNo: 'SJ00000001' } });
    const [record] = await collect(gateway().dailyRecords(DAY));
    expect(record).toMatchObject({
      kind: 'CHARGE',
      orderNo: 'GHOST1',
      receiptNo: 'SJ00000001',
      hisPatientId: ZHANG,
      split: { total: 5_000, fund: 1_000, account: 1_500, cash: 2_500 },
      transactionId: '4200GHOST',
      chargedAtMs: Date.parse(chargedAt),
    });
    // it paid a bill made for it; the same order number cannot be confirmed by a real payment any more
    const bill = await admin<{ status: string; paidOrderId: string; amount: number }>(
      'GET',
      `/bills/${record.kind === 'CHARGE' ? record.billNos[0] : ''}`,
    );
    expect(bill.body).toMatchObject({ status: 'PAID', paidOrderId: 'GHOST1', amount: 5_000 });
    expect(
      await rejection(
        gateway().confirmCharge({
          orderNo: 'GHOST1',
          hisPatientId: ZHANG,
          billNos: ['MZ000001'],
          split: cashOnlySplit(7_560),
          paidAtMs: START_MS,
        }),
      ),
    ).toMatchObject({ partyCode: 'ORDER_MISMATCH' });
  });

  test('POST /charges on given bills pays them; refusals are 409, 422, 404', async () => {
    const created = await admin('POST', '/charges', {
      orderNo: 'GHOST2',
      patientId: ZHANG,
      billNos: ['MZ000001'],
      total: 7_560,
      fund: 0,
      account: 0,
      cash: 7_560,
      receiptNo: 'SJ-MANUAL',
    });
    expect(created.body).toEqual({ orderNo: 'GHOST2', receiptNo: 'SJ-MANUAL' });
    expect((await admin('GET', '/bills/MZ000001')).body).toMatchObject({
      status: 'PAID',
      paidOrderId: 'GHOST2',
    });
    const base = { total: 100, fund: 0, account: 0, cash: 100 };
    expect(await admin('POST', '/charges', { ...base, orderNo: 'GHOST2' })).toMatchObject({
      status: 409,
      body: { code: 'ORDER_EXISTS' },
    });
    expect(await admin('POST', '/charges', { ...base, orderNo: 'G3', cash: 99 })).toMatchObject({
      status: 422,
      body: { code: 'AMOUNT_MISMATCH' },
    });
    expect(await admin('POST', '/charges', { ...base, orderNo: 'G4', patientId: 'P999' })).toMatchObject({
      status: 404,
    });
    expect(await admin('POST', '/charges', { ...base, orderNo: 'G5', billNos: ['MZ999'] })).toMatchObject({
      status: 404,
    });
    expect(await admin('POST', '/charges', { ...base, orderNo: 'G6', total: -1 })).toMatchObject({
      status: 400,
    });
    expect((await collect(gateway().dailyRecords(DAY))).map(keyOf)).toEqual(['C:GHOST2']);
  });

  test('PATCH /charges/:orderNo: the amounts the HIS shows differ from what was paid', async () => {
    await charged('ORD-P', 10_000);
    const patched = await admin('PATCH', '/charges/ORD-P', { cash: 9_000 });
    expect(patched).toMatchObject({ status: 200, body: { total: 9_000, cash: 9_000 } });
    expect(await collect(gateway().dailyRecords(DAY))).toMatchObject([
      { kind: 'CHARGE', orderNo: 'ORD-P', split: { total: 9_000, fund: 0, account: 0, cash: 9_000 } },
    ]);
    expect(await admin('PATCH', '/charges/ORD-P', { total: 9_500 })).toMatchObject({
      status: 422,
      body: { code: 'AMOUNT_MISMATCH' },
    });
    expect(await admin('PATCH', '/charges/ORD-P', { total: 9_500, fund: 500 })).toMatchObject({
      status: 200,
      body: { total: 9_500, fund: 500, cash: 9_000 },
    });
    await gateway().refundCharge('ORD-P', 'RF-P', 9_000);
    expect(await admin('PATCH', '/charges/ORD-P', { cash: 0, fund: 0 })).toMatchObject({
      status: 422,
      body: { code: 'REFUND_EXCEEDS_CHARGED' },
    });
    expect(await admin('PATCH', '/charges/NOPE', { cash: 1 })).toMatchObject({
      status: 404,
      body: { code: 'CHARGE_NOT_FOUND' },
    });
    expect(await admin('PATCH', '/charges/ORD-P', {})).toMatchObject({ status: 400 });
  });

  test('DELETE /charges/:orderNo: the HIS lost the charge; its bill is unpaid again', async () => {
    await charged('ORD-LOST', 3_000);
    await charged('ORD-KEPT', 4_000);
    const billNo = (await admin<{ billNos: string[] }>('GET', '/charges/ORD-LOST')).body.billNos[0];
    expect((await admin('DELETE', '/charges/ORD-LOST')).status).toBe(204);
    expect((await collect(gateway().dailyRecords(DAY))).map(keyOf)).toEqual(['C:ORD-KEPT']);
    expect((await admin('GET', `/bills/${billNo}`)).body).toMatchObject({ status: 'UNPAID' });
    expect((await admin('DELETE', '/charges/ORD-LOST')).status).toBe(404);
    expect(await rejection(gateway().refundCharge('ORD-LOST', 'RF-L', 1))).toMatchObject({
      partyCode: 'CHARGE_NOT_FOUND',
    });
  });

  test('POST /charges/:orderNo/refunds: a refund recorded at the HIS only', async () => {
    await charged('ORD-R', 6_000);
    clock.advance(10 * MINUTE_MS);
    const refundedAt = new Date(clock.now() - MINUTE_MS).toISOString();
    const created = await admin('POST', '/charges/ORD-R/refunds', {
      refundNo: 'HIS-RF1',
      amount: 2_000,
      refundedAt,
    });
    expect(created).toMatchObject({
      status: 201,
      body: { orderNo: 'ORD-R', refundNo: 'HIS-RF1', amount: 2_000, refundedAt, injected: true },
    });
    expect(await collect(gateway().dailyRecords(DAY))).toMatchObject([
      { kind: 'CHARGE', orderNo: 'ORD-R' },
      {
        kind: 'REFUND',
        orderNo: 'ORD-R',
        refundNo: 'HIS-RF1',
        amountFen: 2_000,
        refundedAtMs: Date.parse(refundedAt),
      },
    ]);
    expect(
      await admin('POST', '/charges/ORD-R/refunds', { refundNo: 'HIS-RF2', amount: 4_001 }),
    ).toMatchObject({ status: 422, body: { code: 'REFUND_EXCEEDS_CHARGED' } });
    expect(await admin('POST', '/charges/ORD-R/refunds', { refundNo: 'HIS-RF1', amount: 1 })).toMatchObject({
      status: 409,
    });
    expect(await admin('POST', '/charges/NOPE/refunds', { refundNo: 'X', amount: 1 })).toMatchObject({
      status: 404,
    });
    expect(
      await admin('POST', '/charges/ORD-R/refunds', {
        refundNo: 'EARLY',
        amount: 1,
        refundedAt: new Date(START_MS - 1).toISOString(),
      }),
    ).toMatchObject({ status: 422 });
    // a refund dated the next day is listed on that day
    const tomorrow = new Date(Date.UTC(2026, 10, 24, 1)).toISOString();
    await admin('POST', '/charges/ORD-R/refunds', { refundNo: 'HIS-RF3', amount: 1, refundedAt: tomorrow });
    expect((await collect(gateway().dailyRecords(NEXT_DAY))).map(keyOf)).toEqual(['R:HIS-RF3']);
  });

  test('the admin routes are in the OpenAPI document', async () => {
    const openapi = await admin<{ paths: Record<string, Record<string, unknown>> }>('GET', '/openapi.json');
    expect(Object.keys(openapi.body.paths['/__admin/charges'])).toEqual(['get', 'post']);
    expect(Object.keys(openapi.body.paths['/__admin/charges/{orderNo}']).sort()).toEqual([
      'delete',
      'get',
      'patch',
    ]);
    expect(openapi.body.paths['/__admin/charges/{orderNo}/refunds']).toHaveProperty('post');
  });
});

describe('a day of 20 000 charges (100 000 in npm run bench)', () => {
  test('pages through (page size 500) in linear time, every charge once', async () => {
    const N = 20_000;
    const chargedAtMs = clock.now();
    for (let i = 0; i < N; i++) {
      const charge: Charge = {
        orderNo: `BULK${i}`,
        receiptNo: `SJB${i}`,
        patientId: ZHANG,
        billNos: [`MZB${i}`],
        total: 100,
        fund: 0,
        account: 0,
        cash: 100,
        payTime: '2026-11-23 09:59:00',
        chargedAtMs,
        refundedFen: 0,
        fingerprint: `bulk${i}`,
        seq: mock.state.nextRecordSeq(),
      };
      mock.state.recordCharge(charge);
    }
    const sinceMs = clock.now();
    let count = 0;
    let inOrder = 0;
    let totalFen = 0;
    for await (const record of gateway().dailyRecords(DAY)) {
      count++;
      if (record.kind === 'CHARGE' && record.orderNo === `BULK${inOrder}`) inOrder++;
      if (record.kind === 'CHARGE') totalFen += record.split.total;
    }
    expect({ count, inOrder, totalFen }).toEqual({ count: N, inOrder: N, totalFen: N * 100 });
    const pages = await admin<unknown[]>(
      'GET',
      `/journal?path=${HIS_PATHS.dailyCharges}&sinceMs=${sinceMs}&limit=1000`,
    );
    expect(pages.body).toHaveLength(N / 500);
  });
});
