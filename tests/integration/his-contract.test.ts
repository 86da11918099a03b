/**
 * The HIS adapter against the HIS mock over real HTTP: every port call, the idempotency and refusal rules
 * of the protocol, and the fault kinds the adapter must classify.
 */
import { ManualClock, cstDate } from '../../shared/clock';
import { cashOnlySplit, type Split } from '../../shared/money';
import { HttpHisGateway } from '../../server/gateways/his/client';
import { type HisCharge } from '../../server/gateways/ports';
import { createHisMock } from '../../mocks/his';
import { adminClient, gatewayRejection as rejection } from '../helpers/gateway';
import { useServed } from '../helpers/served';

// 2026-11-23 10:00:00 China time
const START_MS = Date.UTC(2026, 10, 23, 2, 0, 0);
const ZHANG = { name: '张伟', idNo: '360102198503121231', patientId: 'P100001' };
const LI = { name: '李娜', idNo: '360102199007182427', patientId: 'P100002' };
// MZ000001 = 挂号费 500 + 诊查费 2000 + 血常规 2500 + 阿莫西林 1280 × 2
const BILL1 = { billNo: 'MZ000001', amountFen: 7560 };
const BILL2 = { billNo: 'MZ000002', amountFen: 24000 };

const clock = new ManualClock(START_MS);
const mock = createHisMock({ clock });
const served = useServed(mock.app);
let his: HttpHisGateway;

const admin = adminClient(() => `${served.url}/__admin`);

async function billStatus(billNo: string) {
  return (await admin('GET', `/bills/${billNo}`)).body as {
    status: string;
    lockedBy?: string;
    paidOrderId?: string;
  };
}

function charge(orderNo: string, billNos: string[], split: Split): HisCharge {
  return {
    orderNo,
    hisPatientId: ZHANG.patientId,
    billNos,
    split,
    transactionId: `4200${orderNo}`,
    paidAtMs: clock.now(),
  };
}

beforeAll(() => {
  his = new HttpHisGateway({ baseUrl: served.url, timeoutMs: 2_000 });
});

beforeEach(async () => {
  clock.set(START_MS);
  expect((await admin('POST', '/reset')).status).toBe(200);
});

describe('findPatient(name, idNo)', () => {
  test('finds a seeded patient', async () => {
    expect(await his.findPatient(ZHANG.name, ZHANG.idNo)).toEqual({
      hisPatientId: ZHANG.patientId,
      name: ZHANG.name,
      phone: '13800000001',
    });
  });

  test('is null for an unknown ID number, and for a known one with another name', async () => {
    expect(await his.findPatient('赵六', '110101199003070011')).toBeNull();
    expect(await his.findPatient('张三', ZHANG.idNo)).toBeNull();
  });

  test('finds a patient added through the admin API', async () => {
    const added = await admin('POST', '/patients', { name: '孙丽', idNo: '360102199204150061' });
    expect(added.status).toBe(201);
    expect(await his.findPatient('孙丽', '360102199204150061')).toMatchObject({
      hisPatientId: added.body.patientId,
    });
  });
});

describe('listUnpaidBills(hisPatientId) and getBill(billNo)', () => {
  test('lists the unpaid bills with items whose amounts add up', async () => {
    const bills = await his.listUnpaidBills(ZHANG.patientId);
    expect(bills.map((b) => [b.billNo, b.amountFen, b.status])).toEqual([
      [BILL1.billNo, BILL1.amountFen, 'UNPAID'],
      [BILL2.billNo, BILL2.amountFen, 'UNPAID'],
    ]);
    expect(bills[0].items).toContainEqual({
      code: 'XC01AAA001',
      name: '阿莫西林胶囊',
      spec: '0.25g×24粒/盒',
      priceFen: 1280,
      qty: 2,
      amountFen: 2560,
      insuranceClass: 'A',
    });
    expect(bills[0].createdAtMs).toBeLessThan(START_MS);
  });

  test('lists a bill added through the admin API; amount = Σ price × qty', async () => {
    const added = await admin('POST', '/bills', {
      patientId: LI.patientId,
      items: [
        { code: '110200001', name: '挂号费', price: 500, qty: 1 },
        { code: 'XJ01DCA001', name: '头孢呋辛酯片', price: 3560, qty: 3, insuranceClass: 'B' },
      ],
    });
    expect(added).toEqual({ status: 201, body: { billNo: 'MZ000007', amount: 11180 } });
    const bills = await his.listUnpaidBills(LI.patientId);
    expect(bills.find((b) => b.billNo === 'MZ000007')?.amountFen).toBe(11180);
  });

  test('an unknown patient is refused PATIENT_NOT_FOUND', async () => {
    const err = await rejection(his.listUnpaidBills('P999999'));
    expect([err.kind, err.partyCode]).toEqual(['rejected', 'PATIENT_NOT_FOUND']);
  });

  test('getBill gives any bill, and null for an unknown one', async () => {
    expect(await his.getBill(BILL2.billNo)).toMatchObject({
      billNo: BILL2.billNo,
      hisPatientId: ZHANG.patientId,
    });
    expect(await his.getBill('MZ999999')).toBeNull();
  });

  test('bad admin input is 400 with a code', async () => {
    const badId = await admin('POST', '/patients', { name: '某人', idNo: '360102198503121232' });
    expect([badId.status, badId.body.code]).toEqual([400, 'PARAM_ERROR']);
    const badQty = await admin('POST', '/bills', {
      patientId: ZHANG.patientId,
      items: [{ code: 'x', name: 'y', price: 1, qty: 0.5 }],
    });
    expect([badQty.status, badQty.body.code]).toEqual([400, 'PARAM_ERROR']);
    const noPatient = await admin('POST', '/bills', {
      patientId: 'P0',
      items: [{ code: 'x', name: 'y', price: 1, qty: 1 }],
    });
    expect([noPatient.status, noPatient.body.code]).toEqual([404, 'PATIENT_NOT_FOUND']);
  });
});

describe('lockBills(orderNo, hisPatientId, billNos) / unlockBills(orderNo, billNos)', () => {
  test('locking twice with the same order is fine', async () => {
    await his.lockBills('ORD1', ZHANG.patientId, [BILL1.billNo, BILL2.billNo]);
    await his.lockBills('ORD1', ZHANG.patientId, [BILL1.billNo, BILL2.billNo]);
    expect(await billStatus(BILL1.billNo)).toMatchObject({ status: 'LOCKED', lockedBy: 'ORD1' });
    expect((await his.getBill(BILL1.billNo))?.status).toBe('LOCKED');
  });

  test('a bill locked by another order is refused BILL_NOT_PAYABLE, and nothing is locked', async () => {
    await his.lockBills('ORD1', ZHANG.patientId, [BILL1.billNo]);
    const err = await rejection(his.lockBills('ORD2', ZHANG.patientId, [BILL2.billNo, BILL1.billNo]));
    expect([err.kind, err.partyCode]).toEqual(['rejected', 'BILL_NOT_PAYABLE']);
    expect((await billStatus(BILL2.billNo)).status).toBe('UNPAID');
  });

  test("another patient's bill is refused ORDER_MISMATCH", async () => {
    const err = await rejection(his.lockBills('ORD1', LI.patientId, [BILL1.billNo]));
    expect(err.partyCode).toBe('ORDER_MISMATCH');
  });

  test('unlock releases only what the order holds', async () => {
    await his.lockBills('ORD1', ZHANG.patientId, [BILL1.billNo]);
    await his.unlockBills('ORD2', [BILL1.billNo]);
    expect((await billStatus(BILL1.billNo)).status).toBe('LOCKED');
    await his.unlockBills('ORD1', [BILL1.billNo]);
    await his.unlockBills('ORD1', [BILL1.billNo]);
    expect((await billStatus(BILL1.billNo)).status).toBe('UNPAID');
    await his.lockBills('ORD2', ZHANG.patientId, [BILL1.billNo]);
    expect(await billStatus(BILL1.billNo)).toMatchObject({ status: 'LOCKED', lockedBy: 'ORD2' });
  });

  test('a bill paid at the cashier window can no longer be locked', async () => {
    expect((await admin('POST', `/bills/${BILL1.billNo}/pay-at-window`)).body).toMatchObject({
      status: 'PAID',
      paidBy: 'WINDOW',
    });
    const err = await rejection(his.lockBills('ORD1', ZHANG.patientId, [BILL1.billNo]));
    expect(err.partyCode).toBe('BILL_NOT_PAYABLE');
    expect((await his.listUnpaidBills(ZHANG.patientId)).map((b) => b.billNo)).toEqual([BILL2.billNo]);
    expect((await admin('POST', `/bills/${BILL1.billNo}/pay-at-window`)).status).toBe(409);
  });
});

describe('confirmCharge(charge)', () => {
  const split: Split = { total: BILL1.amountFen, fund: 3000, account: 1560, cash: 3000 };

  test('marks the bills PAID; confirming again gives the same receipt', async () => {
    await his.lockBills('ORD1', ZHANG.patientId, [BILL1.billNo]);
    const first = await his.confirmCharge(charge('ORD1', [BILL1.billNo], split));
    const again = await his.confirmCharge(charge('ORD1', [BILL1.billNo], split));
    expect(first.receiptNo).toMatch(/^SJ\d{8}$/);
    expect(again).toEqual(first);
    expect(await billStatus(BILL1.billNo)).toMatchObject({
      status: 'PAID',
      paidOrderId: 'ORD1',
      receiptNo: first.receiptNo,
    });
  });

  test('confirms an unpaid bill that was never locked', async () => {
    const receipt = await his.confirmCharge(charge('ORD1', [BILL2.billNo], cashOnlySplit(BILL2.amountFen)));
    expect(receipt.receiptNo).toBeTruthy();
  });

  test('an amount that is not the sum of the bills is refused AMOUNT_MISMATCH; the bill stays locked', async () => {
    await his.lockBills('ORD1', ZHANG.patientId, [BILL1.billNo]);
    const err = await rejection(
      his.confirmCharge(charge('ORD1', [BILL1.billNo], cashOnlySplit(BILL1.amountFen - 1))),
    );
    expect([err.kind, err.partyCode]).toEqual(['rejected', 'AMOUNT_MISMATCH']);
    expect(await billStatus(BILL1.billNo)).toMatchObject({ status: 'LOCKED', lockedBy: 'ORD1' });
  });

  test('the same order number with other bills is refused ORDER_MISMATCH', async () => {
    await his.confirmCharge(charge('ORD1', [BILL1.billNo], split));
    const err = await rejection(
      his.confirmCharge(charge('ORD1', [BILL2.billNo], cashOnlySplit(BILL2.amountFen))),
    );
    expect(err.partyCode).toBe('ORDER_MISMATCH');
  });

  test('a bill locked by another order, or paid at the window, is refused BILL_NOT_PAYABLE', async () => {
    await his.lockBills('ORD1', ZHANG.patientId, [BILL1.billNo]);
    expect((await rejection(his.confirmCharge(charge('ORD2', [BILL1.billNo], split)))).partyCode).toBe(
      'BILL_NOT_PAYABLE',
    );
    await admin('POST', `/bills/${BILL1.billNo}/pay-at-window`);
    expect((await rejection(his.confirmCharge(charge('ORD1', [BILL1.billNo], split)))).partyCode).toBe(
      'BILL_NOT_PAYABLE',
    );
  });
});

describe('refundCharge(orderNo, refundNo, amountFen)', () => {
  beforeEach(async () => {
    await his.confirmCharge(charge('ORD1', [BILL1.billNo], cashOnlySplit(BILL1.amountFen)));
  });

  test('refunds in parts, up to the charge, idempotent by refund number', async () => {
    const part = await his.refundCharge('ORD1', 'RF1', 2000);
    expect(await his.refundCharge('ORD1', 'RF1', 2000)).toEqual(part);
    expect((await billStatus(BILL1.billNo)).status).toBe('PAID');
    const rest = await his.refundCharge('ORD1', 'RF2', BILL1.amountFen - 2000);
    expect(rest.refundReceiptNo).not.toBe(part.refundReceiptNo);
    expect((await billStatus(BILL1.billNo)).status).toBe('REFUNDED');
    const err = await rejection(his.refundCharge('ORD1', 'RF3', 1));
    expect([err.kind, err.partyCode]).toEqual(['rejected', 'REFUND_EXCEEDS_CHARGED']);
  });

  test('more than was charged is refused at once', async () => {
    const err = await rejection(his.refundCharge('ORD1', 'RF1', BILL1.amountFen + 1));
    expect(err.partyCode).toBe('REFUND_EXCEEDS_CHARGED');
    expect((await billStatus(BILL1.billNo)).status).toBe('PAID');
  });

  test('a refund number reused with another amount is refused ORDER_MISMATCH; an unknown order CHARGE_NOT_FOUND', async () => {
    await his.refundCharge('ORD1', 'RF1', 100);
    expect((await rejection(his.refundCharge('ORD1', 'RF1', 200))).partyCode).toBe('ORDER_MISMATCH');
    expect((await rejection(his.refundCharge('ORD9', 'RF9', 100))).partyCode).toBe('CHARGE_NOT_FOUND');
  });
});

describe('listDailyCharges(date)', () => {
  test("lists the day's charges and refunds, cut on China time", async () => {
    const split: Split = { total: BILL1.amountFen, fund: 3000, account: 1560, cash: 3000 };
    await his.confirmCharge({ ...charge('ORD1', [BILL1.billNo], split), payOrdId: 'PO1', setlId: 'SETL1' });
    await his.refundCharge('ORD1', 'RF1', 500);
    const today = cstDate(START_MS);
    const day = await his.listDailyCharges(today);
    expect(day.date).toBe(today);
    expect(day.charges).toEqual([
      expect.objectContaining({
        orderNo: 'ORD1',
        billNos: [BILL1.billNo],
        split,
        payOrdId: 'PO1',
        setlId: 'SETL1',
      }),
    ]);
    expect(day.charges[0].chargedAtMs).toBe(START_MS);
    expect(day.refunds).toEqual([
      expect.objectContaining({ orderNo: 'ORD1', refundNo: 'RF1', amountFen: 500 }),
    ]);

    clock.advance(24 * 3600_000);
    await his.refundCharge('ORD1', 'RF2', 100);
    const tomorrow = await his.listDailyCharges(cstDate(clock.now()));
    expect([tomorrow.charges.length, tomorrow.refunds.map((r) => r.refundNo)]).toEqual([0, ['RF2']]);
  });

  test('a malformed date is refused PARAM_ERROR', async () => {
    const err = await rejection(his.listDailyCharges('2026-02-30'));
    expect([err.kind, err.partyCode, err.httpStatus]).toEqual(['rejected', 'PARAM_ERROR', 400]);
  });
});

describe('faults', () => {
  test('a 503 is unavailable, with the outcome unknown', async () => {
    await admin('POST', '/faults', { path: '/his/patients/query', kind: 'error5xx', status: 503 });
    const err = await rejection(
      new HttpHisGateway({ baseUrl: served.url, timeoutMs: 2_000 }).findPatient(ZHANG.name, ZHANG.idNo),
    );
    expect([err.party, err.kind, err.httpStatus, err.outcomeUnknown]).toEqual([
      'his',
      'unavailable',
      503,
      true,
    ]);
  });

  test('a hang beyond the adapter timeout is timeout', async () => {
    await admin('POST', '/faults', { path: '/his/charges/confirm', kind: 'timeout', latencyMs: 400 });
    const slow = new HttpHisGateway({ baseUrl: served.url, timeoutMs: 50 });
    const err = await rejection(
      slow.confirmCharge(charge('ORD1', [BILL1.billNo], cashOnlySplit(BILL1.amountFen))),
    );
    expect(err.kind).toBe('timeout');
    expect((await billStatus(BILL1.billNo)).status).toBe('UNPAID');
  });

  test('a truncated body is invalid_response', async () => {
    await admin('POST', '/faults', { path: '/his/bills/', kind: 'malformed' });
    const err = await rejection(his.getBill(BILL1.billNo));
    expect(err.kind).toBe('invalid_response');
  });
});

describe('the mock', () => {
  test('reset restores the seed', async () => {
    await his.confirmCharge(charge('ORD1', [BILL1.billNo], cashOnlySplit(BILL1.amountFen)));
    await admin('POST', '/patients', { name: '孙丽', idNo: '360102199204150061' });
    await admin('POST', '/reset');
    expect((await billStatus(BILL1.billNo)).status).toBe('UNPAID');
    expect((await admin('GET', '/patients')).body).toHaveLength(5);
    expect(await his.listDailyCharges(cstDate(START_MS))).toMatchObject({ charges: [], refunds: [] });
  });

  test('tags the journal with order and bill numbers', async () => {
    await his.lockBills('ORD1', ZHANG.patientId, [BILL1.billNo]);
    const entries = (
      await admin<{ path: string; tags: Record<string, string> }[]>('GET', '/journal?tag=orderNo=ORD1')
    ).body;
    expect(entries).toEqual([
      expect.objectContaining({
        path: '/his/bills/lock',
        tags: expect.objectContaining({ billNo: BILL1.billNo }),
      }),
    ]);
  });

  test('publishes its admin routes in the OpenAPI document', async () => {
    const paths = Object.keys((await admin<{ paths: object }>('GET', '/openapi.json')).body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/__admin/patients',
        '/__admin/bills',
        '/__admin/bills/{billNo}',
        '/__admin/bills/{billNo}/pay-at-window',
      ]),
    );
  });
});
