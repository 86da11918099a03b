/**
 * Daily reconciliation with the insurance platform over real HTTP: 3202 → 9102 detail file read as a stream
 * (dayRecords), 3201 totals (checkDayTotals), and the admin injections testers use for discrepancies. The mock
 * clock moves; nothing sleeps.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock, cstDate } from '../../shared/clock';
import { tifHeaders } from '../../shared/crypto/smEnvelope';
import { DAY_FILE, INSURANCE_PATHS, settleAdminPath } from '../../shared/protocol/insurance';
import type { Split } from '../../shared/money';
import { createInsuranceMock, type InsuranceMock } from '../../mocks/insurance';
import { HttpInsuranceGateway } from '../../server/gateways/insurance/client';
import { type FeeLine, type InsuranceDayRecord, type InsuranceDayTotals } from '../../server/gateways/ports';
import { testKeys } from '../../shared/crypto/keyring';
import { bulkSettler } from '../helpers/insuranceBulk';
import {
  adminClient,
  collect,
  gatewayRejection as rejection,
  feeLine as line,
  feeUploadFor,
} from '../helpers/gateway';
import { useServed } from '../helpers/served';

const keys = testKeys();
// 2026-11-23 10:00:00 China time
const DAY = '2026-11-23';
const NEXT_DAY = '2026-11-24';
const START_MS = Date.UTC(2026, 10, 23, 2, 0, 0);
const HOUR_MS = 3600_000;
const clock = new ManualClock(START_MS);

let mock: InsuranceMock;
const served = useServed(() => {
  mock = createInsuranceMock({ keys: keys.mocks.insurance, clock });
  return mock.app;
});
let gateway: HttpInsuranceGateway;

const ZHANG_SAN = { name: '张三', idNo: '360102198503122015', authCode: 'AUTH-EMPLOYEE' };
const LI_MEI = { name: '李梅', idNo: '360102199207183029', authCode: 'AUTH-RESIDENT' };

const admin = adminClient(() => served.url);

/** Our totals as 3201 wants them, net of refunds, from records. */
function totalsOf(date: string, records: InsuranceDayRecord[]): InsuranceDayTotals {
  const totals: InsuranceDayTotals = { date, count: 0, totalFen: 0, fundFen: 0, accountFen: 0, cashFen: 0 };
  for (const r of records) {
    const sign = r.kind === 'SETTLEMENT' ? 1 : -1;
    totals.count += sign;
    totals.totalFen += sign * r.split.total;
    totals.fundFen += sign * r.split.fund;
    totals.accountFen += sign * r.split.account;
    totals.cashFen += sign * r.split.cash;
  }
  return totals;
}

const VISIT: FeeLine[] = [
  line('210300001', 'CT平扫（头颅）', 30_000),
  line('250101015', '血常规（五分类）', 2_500),
  line('XJ01CRA001', '进口阿莫西林克拉维酸钾片', 12_000),
];

let orderSeq = 0;

interface Settled {
  payOrdId: string;
  payToken: string;
  idNo: string;
  name: string;
  medOrgOrd: string;
  setlId: string;
  split: Split;
  payAuthNo: string;
  settledAtMs: number;
}

/** 6201 → 6202 → settle (as the WeChat Pay mock does), at the mock clock's time. */
async function settled(person = ZHANG_SAN, lines = VISIT, accountUsed = true): Promise<Settled> {
  const medOrgOrd = `MO-RECON-${++orderSeq}`;
  const { upload, identity } = await feeUploadFor(gateway, person, lines, {
    medOrgOrd,
    openid: 'openid-recon',
    accountUsed,
  });
  const { totalFen } = upload;
  const uploaded = await gateway.uploadFees(upload);
  const ref = {
    payOrdId: uploaded.payOrdId,
    payToken: uploaded.payToken,
    idNo: person.idNo,
    name: person.name,
  };
  await gateway.preSettle({ ...ref, payAuthNo: identity.payAuthNo, medOrgOrd, accountUsed, totalFen });
  const answer = await admin<{ setlId: string; split: Split; status: string }>(
    'POST',
    settleAdminPath(uploaded.payOrdId),
    {},
  );
  expect(answer.body.status).toBe('SETTLED');
  return {
    ...ref,
    medOrgOrd,
    setlId: answer.body.setlId,
    split: answer.body.split,
    payAuthNo: identity.payAuthNo,
    settledAtMs: clock.now(),
  };
}

async function refund(of: Settled, refundNo: string, split: Split): Promise<number> {
  const atMs = clock.now();
  expect(
    await gateway.refund({
      payOrdId: of.payOrdId,
      payAuthNo: of.payAuthNo,
      refundNo,
      split,
      requestedAtMs: atMs,
    }),
  ).toEqual({ status: 'SUCCEEDED' });
  return atMs;
}

const settlementRecord = (s: Settled): InsuranceDayRecord => ({
  kind: 'SETTLEMENT',
  medOrgOrd: s.medOrgOrd,
  payOrdId: s.payOrdId,
  setlId: s.setlId,
  split: s.split,
  atMs: s.settledAtMs,
});

const refundRecord = (s: Settled, refundNo: string, split: Split, atMs: number): InsuranceDayRecord => ({
  kind: 'REFUND',
  medOrgOrd: s.medOrgOrd,
  payOrdId: s.payOrdId,
  setlId: s.setlId,
  refundNo,
  split,
  atMs,
});

/** A standard-envelope call as the hospital would send it, for what the adapter never sends. */
async function callStandard(infno: string, input: Record<string, unknown>): Promise<Response> {
  const body = {
    infno,
    msgid: `${keys.server.insurance.orgCodg}202611231000000001`.slice(0, 30),
    mdtrtarea_admvs: '360100',
    recer_sys_code: 'FSI_LOCAL',
    infver: 'V1.0',
    opter_type: '3',
    opter: 'T',
    opter_name: 'T',
    inf_time: '2026-11-23 10:00:00',
    fixmedins_code: keys.server.insurance.orgCodg,
    fixmedins_name: 'T',
    input,
  };
  return fetch(`${served.url}${INSURANCE_PATHS.standard}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...tifHeaders(keys.server.insurance.paasId, keys.server.insurance.paasToken, clock.now()),
    },
    body: JSON.stringify(body),
  });
}

beforeAll(() => {
  gateway = new HttpInsuranceGateway({
    baseUrl: served.url,
    keys: keys.server.insurance,
    timeoutMs: 5_000,
    clock,
  });
});

beforeEach(async () => {
  clock.set(START_MS);
  expect((await admin('POST', '/__admin/reset')).status).toBe(200);
});

describe('dayRecords (3202 → 9102)', () => {
  test('every settlement and refund of the day appears exactly once, with its fen and time', async () => {
    const a = await settled();
    clock.advance(5 * 60_000);
    const b = await settled(LI_MEI, VISIT, false);
    clock.advance(HOUR_MS);
    const partial: Split = { total: 10_000, fund: 0, account: 10_000, cash: 0 };
    const partialAt = await refund(a, 'RF-A-1', partial);
    clock.advance(HOUR_MS);
    // the server's reversal of an order that did not complete: the whole of it back
    const reversalAt = await refund(b, 'RV-B', b.split);
    // a replayed 6203 is the same refund, not a second line
    await gateway.refund({
      payOrdId: b.payOrdId,
      payAuthNo: b.payAuthNo,
      refundNo: 'RV-B',
      split: b.split,
      requestedAtMs: 0,
    });
    const records = await collect(gateway.dayRecords(DAY));
    expect(records).toEqual([
      settlementRecord(a),
      settlementRecord(b),
      refundRecord(a, 'RF-A-1', partial, partialAt),
      refundRecord(b, 'RV-B', b.split, reversalAt),
    ]);
    expect(b.split.cash).toBeGreaterThan(0);
    // nothing on the day before or after
    expect(await collect(gateway.dayRecords('2026-11-22'))).toEqual([]);
  });

  test('orders that never settled (failed, revoked, only pre-settled) are not in the file', async () => {
    const done = await settled();
    const identity = await gateway.exchangeAuthCode(ZHANG_SAN.authCode, 'o');
    const insured = await gateway.queryPerson(ZHANG_SAN.idNo, ZHANG_SAN.name);
    const preSettledOnly = async (medOrgOrd: string) => {
      const uploaded = await gateway.uploadFees({
        medOrgOrd,
        psnNo: insured.psnNo,
        insutype: insured.insutype,
        payAuthNo: identity.payAuthNo,
        idNo: ZHANG_SAN.idNo,
        name: ZHANG_SAN.name,
        totalFen: 30_000,
        accountUsed: true,
        geoLocation: identity.geoLocation,
        lines: [VISIT[0]],
      });
      const ref = { ...uploaded, idNo: ZHANG_SAN.idNo, name: ZHANG_SAN.name };
      await gateway.preSettle({ ...ref, payAuthNo: identity.payAuthNo, medOrgOrd, accountUsed: true });
      return ref;
    };
    const revoked = await preSettledOnly('MO-REVOKED');
    await gateway.revokeUpload(revoked);
    const failed = await preSettledOnly('MO-FAILED');
    expect((await admin('POST', settleAdminPath(failed.payOrdId), { result: 'FAIL' })).body).toMatchObject({
      status: 'FAILED',
    });
    await preSettledOnly('MO-PENDING');
    expect(await collect(gateway.dayRecords(DAY))).toEqual([settlementRecord(done)]);
  });

  test('cut at midnight China time: settled at 23:59:59, refunded next day, each on its own day', async () => {
    clock.set(Date.UTC(2026, 10, 23, 15, 59, 59)); // 2026-11-23 23:59:59 CST
    const late = await settled();
    expect(cstDate(late.settledAtMs)).toBe(DAY);
    clock.advance(2_000); // 00:00:01 the next day
    const refundedAt = await refund(late, 'RF-MIDNIGHT', late.split);
    expect(await collect(gateway.dayRecords(DAY))).toEqual([settlementRecord(late)]);
    expect(await collect(gateway.dayRecords(NEXT_DAY))).toEqual([
      refundRecord(late, 'RF-MIDNIGHT', late.split, refundedAt),
    ]);
  });

  test('a day that has not come yet is rejected STATEMENT_NOT_READY', async () => {
    const err = await rejection(collect(gateway.dayRecords(NEXT_DAY)));
    expect(err).toMatchObject({ kind: 'rejected', partyCode: 'STATEMENT_NOT_READY' });
  });

  test('a bad date is a programming error, thrown when asked', () => {
    expect(() => gateway.dayRecords('2026-02-30')).toThrow(RangeError);
  });

  test('the file is plain text with a header and a totals line that sums the lines', async () => {
    const a = await settled();
    await refund(a, 'RF-TXT', { total: 100, fund: 0, account: 100, cash: 0 });
    const fileinfo = await callStandard('3202', {
      data: { setl_optins: '360100', file_qury_no: '', stmt_begndate: DAY, stmt_enddate: DAY },
    });
    const info = ((await fileinfo.json()) as { output: { fileinfo: Record<string, string> } }).output
      .fileinfo;
    expect(info.dld_endtime).toBe('2026-11-24 10:00:00');
    const file = await callStandard('9102', {
      fsDownloadIn: { ...info, fixmedins_code: keys.server.insurance.orgCodg },
    });
    expect(file.headers.get('content-type')).toBe(DAY_FILE.contentType);
    const lines = (await file.text()).split('\n');
    expect(lines[0]).toBe(DAY_FILE.columns.join('\t'));
    expect(lines).toHaveLength(5); // header, 2 records, totals, "" after the last \n
    expect(lines[1].split('\t').slice(0, 4)).toEqual(['0', a.setlId, a.payOrdId, a.medOrgOrd]);
    expect(lines[3]).toBe(
      `TOTAL\t${DAY}\t${DAY}\t2\t1\t${(a.split.total / 100).toFixed(2)}\t${(a.split.fund / 100).toFixed(2)}\t${(a.split.account / 100).toFixed(2)}\t${(a.split.cash / 100).toFixed(2)}\t1\t1.00\t0.00\t1.00\t0.00`,
    );
    // the file can be fetched until dld_endtime, then it is gone
    clock.advance(24 * HOUR_MS + 1);
    const late = await callStandard('9102', { fsDownloadIn: { ...info, fixmedins_code: 'x' } });
    expect(await late.json()).toMatchObject({ infcode: -1, err_msg: expect.stringMatching(/过期/) });
    const unknown = await callStandard('9102', {
      fsDownloadIn: { file_qury_no: 'fsi/none', filename: 'x.txt', fixmedins_code: 'x' },
    });
    expect(await unknown.json()).toMatchObject({ infcode: -1, err_msg: expect.stringMatching(/文件不存在/) });
  });
});

describe('checkDayTotals (3201)', () => {
  test('our totals equal to the platform’s are balanced, and its totals come back', async () => {
    const a = await settled();
    await settled(LI_MEI, VISIT, false);
    await refund(a, 'RF-T1', { total: 5_000, fund: 0, account: 5_000, cash: 0 });
    const ours = totalsOf(DAY, await collect(gateway.dayRecords(DAY)));
    expect(ours.count).toBe(1);
    expect(await gateway.checkDayTotals(ours)).toEqual({ balanced: true, theirs: ours, message: '对账平' });
  });

  test('totals that differ are unbalanced, with the platform’s numbers and which field differs', async () => {
    await settled();
    const theirs = totalsOf(DAY, await collect(gateway.dayRecords(DAY)));
    const ours = { ...theirs, fundFen: theirs.fundFen + 1, cashFen: theirs.cashFen - 1 };
    const check = await gateway.checkDayTotals(ours);
    expect(check).toMatchObject({ balanced: false, theirs });
    expect(check.message).toMatch(/基金支付总额/);
    const fewer = await gateway.checkDayTotals({ ...theirs, count: 0 });
    expect(fewer.message).toMatch(/结算笔数 机构 0 \/ 中心 1/);
  });

  test('a day with only refunds of earlier settlements has negative totals, and balances', async () => {
    const a = await settled();
    clock.advance(24 * HOUR_MS);
    await refund(a, 'RF-NEXT', a.split);
    const ours = totalsOf(NEXT_DAY, await collect(gateway.dayRecords(NEXT_DAY)));
    expect(ours).toMatchObject({ count: -1, totalFen: -a.split.total });
    expect(await gateway.checkDayTotals(ours)).toMatchObject({ balanced: true, theirs: ours });
  });

  test('an empty day balances at zero; a future day is rejected', async () => {
    const zero = { date: DAY, count: 0, totalFen: 0, fundFen: 0, accountFen: 0, cashFen: 0 };
    expect(await gateway.checkDayTotals(zero)).toMatchObject({ balanced: true });
    const err = await rejection(gateway.checkDayTotals({ ...zero, date: NEXT_DAY }));
    expect(err).toMatchObject({ kind: 'rejected', partyCode: 'STATEMENT_NOT_READY' });
  });
});

describe('admin injections', () => {
  test('a refund made at the platform only is in the file and unbalances our totals', async () => {
    const a = await settled();
    const ours = totalsOf(DAY, await collect(gateway.dayRecords(DAY)));
    clock.advance(HOUR_MS);
    const refundedAt = new Date(clock.now() - 30 * 60_000).toISOString();
    const answer = await admin('POST', `/__admin/settlements/${a.payOrdId}/refunds`, {
      refundNo: 'PLAT-1',
      fund: 0,
      account: 2_000,
      refundedAt,
    });
    expect(answer).toMatchObject({
      status: 201,
      body: { refundNo: 'PLAT-1', split: { total: 2_000, fund: 0, account: 2_000, cash: 0 } },
    });
    const records = await collect(gateway.dayRecords(DAY));
    expect(records[1]).toEqual(
      refundRecord(a, 'PLAT-1', { total: 2_000, fund: 0, account: 2_000, cash: 0 }, Date.parse(refundedAt)),
    );
    const check = await gateway.checkDayTotals(ours);
    expect(check.balanced).toBe(false);
    expect(check.theirs).toMatchObject({ count: 0, totalFen: ours.totalFen - 2_000 });
    // and the platform's state moved as for a 6203: the order is partly refunded
    expect((await admin('GET', `/__admin/settlements/${a.payOrdId}`)).body).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      refunds: [{ appRefdSn: 'PLAT-1', origin: 'ADMIN' }],
    });
  });

  test('platform refunds are refused beyond a leg (422), reused (409), on unknown (404) or unsettled orders (409)', async () => {
    const a = await settled();
    const tooMuch = await admin('POST', `/__admin/settlements/${a.payOrdId}/refunds`, {
      refundNo: 'PLAT-X',
      fund: a.split.fund + 1,
      account: 0,
    });
    expect(tooMuch).toMatchObject({ status: 422, body: { code: 'REFUND_EXCEEDS_SETTLED' } });
    await refund(a, 'RF-USED', { total: 1, fund: 0, account: 1, cash: 0 });
    const reused = await admin('POST', `/__admin/settlements/${a.payOrdId}/refunds`, {
      refundNo: 'RF-USED',
      fund: 0,
      account: 2,
    });
    expect(reused).toMatchObject({ status: 409, body: { code: 'REFUND_SN_CONFLICT' } });
    const before = await admin('POST', `/__admin/settlements/${a.payOrdId}/refunds`, {
      refundNo: 'PLAT-EARLY',
      fund: 0,
      account: 1,
      refundedAt: new Date(a.settledAtMs - 1_000).toISOString(),
    });
    expect(before.status).toBe(422);
    const unknown = await admin('POST', '/__admin/settlements/NOPE/refunds', {
      refundNo: 'P',
      fund: 0,
      account: 1,
    });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'ORDER_NOT_FOUND' } });
    const bad = await admin('POST', `/__admin/settlements/${a.payOrdId}/refunds`, {
      refundNo: 'P',
      fund: -1,
    });
    expect(bad.status).toBe(400);
  });

  test('PATCH of a settlement changes what the books show, not the settlement', async () => {
    const a = await settled();
    const patched = await admin('PATCH', `/__admin/settlements/${a.payOrdId}`, { fund: a.split.fund + 100 });
    const shown = { ...a.split, fund: a.split.fund + 100, total: a.split.total + 100 };
    expect(patched).toMatchObject({ status: 200, body: { split: a.split, reportedSplit: shown } });
    expect(await collect(gateway.dayRecords(DAY))).toEqual([{ ...settlementRecord(a), split: shown }]);
    const ours = totalsOf(DAY, [settlementRecord(a)]);
    expect(await gateway.checkDayTotals(ours)).toMatchObject({
      balanced: false,
      theirs: { totalFen: shown.total, fundFen: shown.fund },
    });
    // 6301 still reports the real settlement
    expect(await gateway.querySettlement({ ...a })).toMatchObject({ status: 'SETTLED', split: a.split });
    expect((await admin('PATCH', '/__admin/settlements/NOPE', { fund: 1 })).status).toBe(404);
    expect((await admin('PATCH', `/__admin/settlements/${a.payOrdId}`, {})).status).toBe(400);
  });

  test('the admin routes are in the OpenAPI document', async () => {
    const openapi = await admin<{ paths: Record<string, Record<string, unknown>> }>(
      'GET',
      '/__admin/openapi.json',
    );
    expect(openapi.body.paths['/__admin/settlements/{payOrdId}']).toHaveProperty('patch');
    expect(openapi.body.paths['/__admin/settlements/{payOrdId}/refunds']).toHaveProperty('post');
  });
});

describe('a file cut off midway', () => {
  /** A platform that answers 3202, then sends the header and one line of the file and drops the connection. */
  async function cuttingPlatform(): Promise<{ url: string; close: () => Promise<void> }> {
    const fake = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      req.on('end', () => {
        const { infno } = JSON.parse(raw) as { infno: string };
        if (infno === '3202') {
          res.setHeader('content-type', 'application/json');
          res.end(
            JSON.stringify({
              infcode: 0,
              inf_refmsgid: 'x',
              refmsg_time: 'x',
              respond_time: 'x',
              output: {
                fileinfo: { file_qury_no: 'q', filename: 'f.txt', dld_endtime: '2026-11-24 10:00:00' },
              },
            }),
          );
          return;
        }
        res.setHeader('content-type', DAY_FILE.contentType);
        res.write(
          `${DAY_FILE.columns.join('\t')}\n0\tS1\tP1\tM1\t\tPSN\t310\t${DAY} 10:00:00\t1.00\t0.00\t1.00\t0.00\n`,
        );
        setImmediate(() => res.socket?.destroy());
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(fake.address() as AddressInfo).port}`,
      close: () => new Promise((resolve) => fake.close(() => resolve())),
    };
  }

  test('is an error, never a shorter day', async () => {
    const fake = await cuttingPlatform();
    try {
      const cut = new HttpInsuranceGateway({
        baseUrl: fake.url,
        keys: keys.server.insurance,
        timeoutMs: 2_000,
        clock,
      });
      const err = await rejection(collect(cut.dayRecords(DAY)));
      expect(['timeout', 'invalid_response']).toContain(err.kind);
    } finally {
      await fake.close();
    }
  });
});

describe('a day of 20 000 settlements (100 000 in npm run bench)', () => {
  /** n settled orders of one line (5.00, all cash): BULK0 settles the normal way, the others are copies. */
  function settleInBulk(n: number): void {
    const settler = bulkSettler(mock.state, '2026-11-23');
    expect(settler.settlement.result.split).toEqual({ total: 500, fund: 0, account: 0, cash: 500 });
    for (let i = 1; i < n; i++) {
      settler.book({
        payOrdId: `BULKORD${i}`,
        medOrgOrd: `BULK${i}`,
        setlId: `BULKSETL${i}`,
        settledAtMs: settler.settlement.settledAtMs,
      });
    }
  }

  test('streams through, every record once, and 3201 agrees with the sum', async () => {
    const N = 20_000;
    const a = await settled();
    settleInBulk(N);
    await refund(a, 'RF-BULK', { total: 1_000, fund: 0, account: 1_000, cash: 0 });
    const totals: InsuranceDayTotals = {
      date: DAY,
      count: 0,
      totalFen: 0,
      fundFen: 0,
      accountFen: 0,
      cashFen: 0,
    };
    const seen = { settlements: 0, refunds: 0, bulkInOrder: 0, bulkOutOfOrder: 0 };
    for await (const record of gateway.dayRecords(DAY)) {
      if (record.kind === 'SETTLEMENT') seen.settlements++;
      else seen.refunds++;
      // the bulk in the order it was recorded, each once
      if (record.medOrgOrd === `BULK${seen.bulkInOrder}`) seen.bulkInOrder++;
      else if (record.medOrgOrd.startsWith('BULK')) seen.bulkOutOfOrder++;
      const sign = record.kind === 'SETTLEMENT' ? 1 : -1;
      totals.count += sign;
      totals.totalFen += sign * record.split.total;
      totals.fundFen += sign * record.split.fund;
      totals.accountFen += sign * record.split.account;
      totals.cashFen += sign * record.split.cash;
    }
    expect(seen).toEqual({ settlements: N + 1, refunds: 1, bulkInOrder: N, bulkOutOfOrder: 0 });
    expect(totals).toMatchObject({ count: N, totalFen: N * 500 + a.split.total - 1_000, cashFen: N * 500 });
    expect(await gateway.checkDayTotals(totals)).toMatchObject({ balanced: true, theirs: totals });
  });

  test('a consumer may stop early', async () => {
    settleInBulk(20_000);
    let taken = 0;
    for await (const record of gateway.dayRecords(DAY)) {
      expect(record.kind).toBe('SETTLEMENT');
      if (++taken === 3) break;
    }
    expect(taken).toBe(3);
    // the mock still answers (the abandoned download did not wedge it)
    const zero = { date: DAY, count: 0, totalFen: 0, fundFen: 0, accountFen: 0, cashFen: 0 };
    expect(await gateway.checkDayTotals(zero)).toMatchObject({
      balanced: false,
      theirs: { count: 20_000, totalFen: 20_000 * 500 },
    });
  });
});
