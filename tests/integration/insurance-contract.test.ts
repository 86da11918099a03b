/**
 * The insurance adapter against the insurance mock over real HTTP: authorization, 1101 per person state,
 * 6201 → 6202 → settle (as the WeChat Pay mock does) → 6301 → 6203, revoke, idempotency, refusals and faults.
 */
import { systemClock } from '../../shared/clock';
import { INSURANCE_PATHS, settleAdminPath } from '../../shared/protocol/insurance';
import { createInsuranceMock, type InsuranceMock } from '../../mocks/insurance';
import { HttpInsuranceGateway } from '../../server/gateways/insurance/client';
import { type FeeLine, type SettlementRef } from '../../server/gateways/ports';
import { testKeys } from '../../shared/crypto/keyring';
import {
  adminClient,
  gatewayRejection as rejection,
  feeLine as line,
  feeUploadFor,
} from '../helpers/gateway';
import { useServed } from '../helpers/served';

const keys = testKeys();
let mock: InsuranceMock;
const served = useServed(() => {
  mock = createInsuranceMock({ keys: keys.mocks.insurance });
  return mock.app;
});
let gateway: HttpInsuranceGateway;

const ZHANG_SAN = {
  name: '张三',
  idNo: '360102198503122015',
  authCode: 'AUTH-EMPLOYEE',
  psnNo: '36010000000000000001',
};

function gatewayFor(over: { timeoutMs?: number; paasToken?: string } = {}): HttpInsuranceGateway {
  return new HttpInsuranceGateway({
    baseUrl: served.url,
    keys: { ...keys.server.insurance, paasToken: over.paasToken ?? keys.server.insurance.paasToken },
    timeoutMs: over.timeoutMs ?? 5_000,
    clock: systemClock,
  });
}

const admin = adminClient(() => served.url);

/** Clears faults, then waits (bounded) until the mock has finished every request it was told to hang. */
async function drainFaultedRequests(): Promise<void> {
  const faults = await admin<{ hits: number }[]>('GET', '/__admin/faults');
  const hits = faults.body.reduce((sum, f) => sum + f.hits, 0);
  await admin('DELETE', '/__admin/faults');
  for (let waitedMs = 0; waitedMs < 5_000; waitedMs += 100) {
    const journal = await admin<{ fault?: string }[]>('GET', '/__admin/journal');
    if (journal.body.filter((e) => e.fault !== undefined).length >= hits) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The worked example of the README: total 498.00, fund 79.24 on the first visit of the year. */
const VISIT: FeeLine[] = [
  line('210300001', 'CT平扫（头颅）', 30_000),
  line('250101015', '血常规（五分类）', 2_500),
  line('XJ01DDA087', '头孢克肟胶囊', 2_400, 2),
  line('XJ01CRA001', '进口阿莫西林克拉维酸钾片', 12_000),
  line('110100001', '普通门诊挂号费', 500),
];

let orderSeq = 0;
async function uploadFor(
  person: { name: string; idNo: string; authCode: string },
  lines = VISIT,
  medOrgOrd = `MO${Date.now()}${++orderSeq}`,
) {
  return feeUploadFor(gateway, person, lines, { medOrgOrd, openid: 'openid-test' });
}

async function preSettled(person = ZHANG_SAN) {
  const { upload, identity } = await uploadFor(person);
  const uploaded = await gateway.uploadFees(upload);
  const ref: SettlementRef = {
    payOrdId: uploaded.payOrdId,
    payToken: uploaded.payToken,
    idNo: person.idNo,
    name: person.name,
  };
  const pre = await gateway.preSettle({
    ...ref,
    payAuthNo: identity.payAuthNo,
    medOrgOrd: upload.medOrgOrd,
    accountUsed: true,
    totalFen: upload.totalFen,
  });
  return { ref, pre, upload, payAuthNo: identity.payAuthNo };
}

beforeAll(() => {
  gateway = gatewayFor();
});

beforeEach(async () => {
  expect((await admin('POST', '/__admin/reset')).status).toBe(200);
});

describe('exchangeAuthCode', () => {
  test('a seeded authCode gives a payAuthNo and the identity', async () => {
    const identity = await gateway.exchangeAuthCode(ZHANG_SAN.authCode, 'openid-1');
    expect(identity).toMatchObject({
      name: '张三',
      idNo: ZHANG_SAN.idNo,
      cityId: '360100',
      geoLocation: '115.858198,28.682892',
    });
    expect(identity.payAuthNo).toMatch(/^PAN\d+/);
  });

  test('an unknown authCode is rejected AUTH_CODE_INVALID', async () => {
    expect(await rejection(gateway.exchangeAuthCode('nope', 'openid-1'))).toMatchObject({
      kind: 'rejected',
      partyCode: 'AUTH_CODE_INVALID',
    });
  });
});

describe('queryPerson (1101)', () => {
  test.each([
    ['张三', 'ACTIVE', '360102198503122015', '310', 150_000],
    ['李梅', 'ACTIVE', '360102199207183029', '390', 0],
    ['王强', 'SUSPENDED', '360103197801054016', '310', 50_000],
    ['赵丽', 'ARREARS', '360104198811225027', '310', 20_000],
    ['钱进', 'OUT_OF_AREA', '440305199506066017', '390', 0],
  ])('%s is %s', async (name, status, idNo, insutype, balance) => {
    expect(await gateway.queryPerson(idNo, name)).toMatchObject({
      name,
      status,
      insutype,
      accountBalanceFen: balance,
    });
  });

  test('an unknown person, or a name that does not match, is rejected PERSON_NOT_FOUND', async () => {
    expect(await rejection(gateway.queryPerson('110101199001011237', '无此人'))).toMatchObject({
      kind: 'rejected',
      partyCode: 'PERSON_NOT_FOUND',
    });
    expect(await rejection(gateway.queryPerson(ZHANG_SAN.idNo, '李四'))).toMatchObject({
      partyCode: 'PERSON_NOT_FOUND',
    });
  });

  test('wrong x-tif credentials are rejected TIF_AUTH_FAILED (HTTP 401)', async () => {
    const err = await rejection(
      gatewayFor({ paasToken: 'wrong' }).queryPerson(ZHANG_SAN.idNo, ZHANG_SAN.name),
    );
    expect(err).toMatchObject({ kind: 'rejected', partyCode: 'TIF_AUTH_FAILED', httpStatus: 401 });
  });
});

describe('upload → pre-settle → settle → query → refund', () => {
  test('the full flow moves the money once and the refund puts it back', async () => {
    const { ref, pre, payAuthNo } = await preSettled();
    expect(pre.split).toEqual({ total: 49_800, fund: 7_924, account: 41_876, cash: 0 });

    // pre-settlement deducts nothing
    const before = await admin<{ balance: number; usageThisYear: unknown }>(
      'GET',
      `/__admin/persons/${ZHANG_SAN.psnNo}`,
    );
    expect(before.body).toMatchObject({
      balance: 150_000,
      usageThisYear: { deductibleUsedFen: 0, capUsedFen: 0 },
    });
    const presettled = await gateway.querySettlement(ref);
    expect(presettled).toMatchObject({ status: 'PRESETTLED', split: pre.split });
    expect(presettled.accountBalanceFen).toBeUndefined(); // nothing settled: no balance after it

    const settled = await admin('POST', settleAdminPath(ref.payOrdId), {});
    expect(settled.status).toBe(200);
    expect(settled.body).toMatchObject({ payOrdId: ref.payOrdId, status: 'SETTLED', split: pre.split });
    const again = await admin('POST', settleAdminPath(ref.payOrdId), {});
    expect(again.body).toEqual(settled.body);

    const state = await gateway.querySettlement(ref);
    expect(state).toMatchObject({ status: 'SETTLED', split: pre.split, setlId: settled.body.setlId });
    expect(state.settledAtMs).toBeGreaterThan(0);
    // 6301 extData.setlinfo[0].balc: the balance the settlement left
    expect(state.accountBalanceFen).toBe(150_000 - 41_876);
    const after = await admin('GET', `/__admin/persons/${ZHANG_SAN.psnNo}`);
    expect(after.body).toMatchObject({
      balance: 150_000 - 41_876,
      usageThisYear: { deductibleUsedFen: 20_000, capUsedFen: 7_924 },
    });

    const refund = {
      payOrdId: ref.payOrdId,
      payAuthNo,
      refundNo: 'RF0001',
      split: pre.split,
      requestedAtMs: Date.now(),
    };
    expect(await gateway.refund(refund)).toEqual({ status: 'SUCCEEDED' });
    expect(await gateway.refund(refund)).toEqual({ status: 'SUCCEEDED' }); // replay: same answer, no second credit
    // the settlement's record does not change with the refund: its balc is still the one it left
    expect(await gateway.querySettlement(ref)).toMatchObject({
      status: 'REFUNDED',
      accountBalanceFen: 150_000 - 41_876,
    });
    const restored = await admin('GET', `/__admin/persons/${ZHANG_SAN.psnNo}`);
    expect(restored.body).toMatchObject({
      balance: 150_000,
      usageThisYear: { deductibleUsedFen: 0, capUsedFen: 0 },
    });
  });

  test('a partial refund keeps the order settled; more than is left is rejected per leg', async () => {
    const { ref, payAuthNo } = await preSettled();
    await admin('POST', settleAdminPath(ref.payOrdId), {});
    const part = { total: 10_000, fund: 0, account: 10_000, cash: 0 };
    expect(
      await gateway.refund({
        payOrdId: ref.payOrdId,
        payAuthNo,
        refundNo: 'RF-P1',
        split: part,
        requestedAtMs: Date.now(),
      }),
    ).toEqual({ status: 'SUCCEEDED' });
    expect(await gateway.querySettlement(ref)).toMatchObject({ status: 'SETTLED' });
    const tooMuch = { total: 40_000, fund: 0, account: 40_000, cash: 0 };
    const err = await rejection(
      gateway.refund({
        payOrdId: ref.payOrdId,
        payAuthNo,
        refundNo: 'RF-P2',
        split: tooMuch,
        requestedAtMs: Date.now(),
      }),
    );
    expect(err).toMatchObject({ kind: 'rejected', partyCode: 'REFUND_EXCEEDS_SETTLED' });
    const reused = await rejection(
      gateway.refund({
        payOrdId: ref.payOrdId,
        payAuthNo,
        refundNo: 'RF-P1',
        split: { ...part, total: 1, account: 1 },
        requestedAtMs: Date.now(),
      }),
    );
    expect(reused.partyCode).toBe('REFUND_SN_CONFLICT');
  });

  test('a pre-settlement gone stale (balance changed) fails at settlement instead of paying a different split', async () => {
    const { ref } = await preSettled();
    await admin('PATCH', `/__admin/persons/${ZHANG_SAN.psnNo}`, { balance: 100 });
    const settled = await admin('POST', settleAdminPath(ref.payOrdId), {});
    expect(settled.body).toMatchObject({ status: 'FAILED' });
    expect(await gateway.querySettlement(ref)).toMatchObject({ status: 'FAILED' });
  });

  test('settling an order that was only uploaded is 409 NOT_PRESETTLED', async () => {
    const { upload } = await uploadFor(ZHANG_SAN);
    const uploaded = await gateway.uploadFees(upload);
    const answer = await admin('POST', settleAdminPath(uploaded.payOrdId), {});
    expect(answer).toMatchObject({ status: 409, body: { code: 'NOT_PRESETTLED' } });
    expect((await admin('GET', `/__admin/settlements/${uploaded.payOrdId}`)).body).toMatchObject({
      status: 'UPLOADED',
      ordStas: '0',
    });
  });
});

describe('revokeUpload (6401)', () => {
  test('revokes before settlement; the revoked order cannot be settled', async () => {
    const { ref } = await preSettled();
    await gateway.revokeUpload(ref);
    await gateway.revokeUpload(ref); // again: a no-op
    expect(await gateway.querySettlement(ref)).toMatchObject({ status: 'REVOKED' });
    expect(await admin('POST', settleAdminPath(ref.payOrdId), {})).toMatchObject({
      status: 409,
      body: { code: 'ORDER_REVOKED' },
    });
  });

  test('a settled order cannot be revoked', async () => {
    const { ref } = await preSettled();
    await admin('POST', settleAdminPath(ref.payOrdId), {});
    expect(await rejection(gateway.revokeUpload(ref))).toMatchObject({
      kind: 'rejected',
      partyCode: 'ORDER_ALREADY_SETTLED',
    });
  });
});

describe('uploadFees (6201)', () => {
  test('is idempotent by medOrgOrd: the same upload gives the same payOrdId', async () => {
    const { upload } = await uploadFor(ZHANG_SAN);
    const first = await gateway.uploadFees(upload);
    expect(await gateway.uploadFees(upload)).toEqual(first);
  });

  test('the same medOrgOrd with other lines is rejected MED_ORG_ORD_CONFLICT', async () => {
    const { upload } = await uploadFor(ZHANG_SAN);
    await gateway.uploadFees(upload);
    const other = { ...upload, lines: VISIT.slice(1), totalFen: upload.totalFen - VISIT[0].amountFen };
    expect(await rejection(gateway.uploadFees(other))).toMatchObject({
      kind: 'rejected',
      partyCode: 'MED_ORG_ORD_CONFLICT',
    });
  });

  test.each([
    ['王强', 'PERSON_SUSPENDED', '360103197801054016', 'AUTH-SUSPENDED'],
    ['赵丽', 'PERSON_ARREARS', '360104198811225027', 'AUTH-ARREARS'],
    ['钱进', 'PERSON_OUT_OF_AREA', '440305199506066017', 'AUTH-OUT-OF-AREA'],
  ])('%s cannot use insurance: rejected %s with a reason', async (name, code, idNo, authCode) => {
    const { upload } = await uploadFor({ name, idNo, authCode });
    const err = await rejection(gateway.uploadFees(upload));
    expect(err).toMatchObject({ kind: 'rejected', partyCode: code });
    expect(err.message).toMatch(/自费/);
  });
});

describe('faults', () => {
  test('an answer signed over something else is invalid_response BAD_SIGNATURE', async () => {
    const { ref } = await preSettled();
    await admin('POST', '/__admin/faults', {
      path: INSURANCE_PATHS.queryOrder,
      kind: 'badSignature',
      count: 1,
    });
    expect(await rejection(gateway.querySettlement(ref))).toMatchObject({
      kind: 'invalid_response',
      partyCode: 'BAD_SIGNATURE',
    });
  });

  test('a hanging platform gives a timeout', async () => {
    const { ref } = await preSettled();
    await admin('POST', '/__admin/faults', {
      path: INSURANCE_PATHS.queryOrder,
      kind: 'timeout',
      latencyMs: 2_000,
    });
    const err = await rejection(gatewayFor({ timeoutMs: 300 }).querySettlement(ref));
    expect(err).toMatchObject({ kind: 'timeout', outcomeUnknown: true });
    await drainFaultedRequests();
  });
});

describe('admin API', () => {
  test('POST /__admin/persons gives an authCode that works for the exchange and 1101', async () => {
    const created = await admin<{ psnNo: string; authCode: string }>('POST', '/__admin/persons', {
      name: '周九',
      idNo: '360102199001011234',
      insutype: '390',
      balance: 500,
    });
    expect(created.status).toBe(201);
    expect(await gateway.exchangeAuthCode(created.body.authCode, 'o')).toMatchObject({ name: '周九' });
    expect(await gateway.queryPerson('360102199001011234', '周九')).toMatchObject({
      psnNo: created.body.psnNo,
      status: 'ACTIVE',
      accountBalanceFen: 500,
    });
    expect(
      (
        await admin('POST', '/__admin/persons', {
          name: '周九',
          idNo: '360102199001011234',
          insutype: '390',
          balance: 0,
        })
      ).status,
    ).toBe(409);
  });

  test('the catalogue shows self-pay ratios in [0, 1]; policies can be edited and reset restores them', async () => {
    const catalogue = await admin<{ code: string; class: string; selfPayRatio: number }[]>(
      'GET',
      '/__admin/catalogue',
    );
    expect(catalogue.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'XJ01DDA087', class: 'B', selfPayRatio: 0.1 }),
        expect.objectContaining({ code: '210300001', class: 'B', selfPayRatio: 0.2 }),
        expect.objectContaining({ code: 'XJ01CRA001', class: 'C', selfPayRatio: 1 }),
      ]),
    );
    const edited = await admin('PUT', '/__admin/policies', { insutypes: { '310': { fundRatio: 0.8 } } });
    expect(edited.body).toMatchObject({
      insutypes: { '310': { deductibleFen: 20_000, fundRatio: 0.8, annualCapFen: 500_000 } },
    });
    await admin('POST', '/__admin/reset');
    expect((await admin('GET', '/__admin/policies')).body).toMatchObject({
      classBSelfPayRatio: 0.1,
      insutypes: { '310': { fundRatio: 0.7 }, '390': { fundRatio: 0.5 } },
    });
  });

  test('the journal is searchable by payOrdId, and the OpenAPI lists the admin routes', async () => {
    const { ref } = await preSettled();
    const journal = await admin<{ path: string; tags: Record<string, string> }[]>(
      'GET',
      `/__admin/journal?tag=payOrdId=${ref.payOrdId}`,
    );
    expect(journal.body.map((e) => e.tags.infno).sort()).toEqual(['6201', '6202']);
    const openapi = await admin<{ paths: Record<string, unknown> }>('GET', '/__admin/openapi.json');
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining([
        '/__admin/persons',
        '/__admin/catalogue',
        '/__admin/policies',
        '/__admin/settlements/{payOrdId}/settle',
      ]),
    );
  });
});

describe('authorization page', () => {
  test('lists the persons and redirects to redirectUrl with the chosen authCode', async () => {
    const redirectUrl = 'http://localhost:3000/pages/auth/index?from=insurance';
    const page = await fetch(
      `${served.url}${INSURANCE_PATHS.authPage}?authType=2&redirectUrl=${encodeURIComponent(redirectUrl)}`,
    );
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('张三');
    // issue 11: nobody is pre-selected for the patient (before, the first person was checked)
    expect(html).not.toMatch(/<input[^>]* checked/);
    const confirm = await fetch(`${served.url}${INSURANCE_PATHS.authConfirm}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ authCode: 'AUTH-EMPLOYEE', redirectUrl, action: 'confirm' }).toString(),
      redirect: 'manual',
    });
    expect(confirm.status).toBe(302);
    expect(confirm.headers.get('location')).toBe(`${redirectUrl}&authCode=AUTH-EMPLOYEE`);
  });
});
