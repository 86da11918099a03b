/**
 * The patient's order history over HTTP (GET /api/v1/orders): each order names its card and department, a
 * checkout the insurance platform refused reads as such, and the filters (card, status group, month in China
 * time) narrow the list without ever reaching another user's orders. This file owns its stack and its data.
 */
import { randomUUID } from 'node:crypto';
import {
  adminPost,
  bindWithCode,
  call,
  newIdNo,
  newPhone,
  seedPatient,
  useStack,
  DEFAULT_ITEMS,
  type SeededPatient,
} from '../helpers/stack';
import { authorize, confirmAtWeChat, payInFull, pay, waitForStatus } from '../helpers/flow';
import { requestRefund } from '../../server/services/refund/refunds';
import type { OrderView, PatientView } from '../../shared/api';

const stack = useStack();

const CST_OFFSET_MS = 8 * 3600_000;
/** yyyy-MM of an instant in China time, `back` months earlier */
function cstMonth(ms: number, back = 0): string {
  const d = new Date(ms + CST_OFFSET_MS);
  const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1));
  return `${m.getUTCFullYear()}-${String(m.getUTCMonth() + 1).padStart(2, '0')}`;
}

async function history(p: SeededPatient, query = ''): Promise<{ status: number; body: OrderView[] }> {
  return call<OrderView[]>(stack.url, 'GET', `/api/v1/orders${query}`, { token: p.token });
}

const idsOf = async (p: SeededPatient, query = '') => {
  const answer = await history(p, query);
  expect(answer.status).toBe(200);
  return answer.body.map((o) => o.id);
};

async function newBill(hisPatientId: string, dept: string): Promise<string> {
  const bill = await adminPost<{ billNo: string }>(stack.his.url, '/__admin/bills', {
    patientId: hisPatientId,
    items: DEFAULT_ITEMS.slice(0, 2),
    dept,
  });
  return bill.billNo;
}

async function checkoutBills(p: SeededPatient, billNos: string[], useInsurance: boolean) {
  return call<OrderView & { code?: string }>(stack.url, 'POST', '/api/v1/orders', {
    token: p.token,
    headers: { 'idempotency-key': randomUUID() },
    body: { patientId: p.patientId, billNos, useInsurance },
  });
}

/** checkout → pay → confirm at WeChat → COMPLETED */
async function payBills(p: SeededPatient, billNos: string[]): Promise<OrderView> {
  const order = await checkoutBills(p, billNos, false);
  expect(order.status).toBe(201);
  expect((await pay(stack, p, order.body.id)).status).toBe(200);
  await confirmAtWeChat(stack, order.body.orderNo);
  await waitForStatus(stack, p, order.body.id, ['PAID', 'COMPLETED']);
  await stack.runJobs();
  await waitForStatus(stack, p, order.body.id, ['COMPLETED']);
  return order.body;
}

/** A second, insured card on `owner`'s WeChat user: a family member with one bill of `dept`. */
async function bindFamilyCard(owner: SeededPatient, dept: string) {
  const idNo = newIdNo();
  const phone = newPhone();
  const name = '李小红';
  const { patientId: hisPatientId } = await adminPost<{ patientId: string }>(
    stack.his.url,
    '/__admin/patients',
    {
      name,
      idNo,
      phone,
    },
  );
  const billNo = await newBill(hisPatientId, dept);
  const person = await adminPost<{ psnNo: string; authCode: string }>(
    stack.insurance.url,
    '/__admin/persons',
    {
      name,
      idNo,
      insutype: '310',
      balance: 3000,
    },
  );
  const bound = await bindWithCode(stack, owner.token, name, idNo, phone);
  expect(bound.status).toBe(201);
  const card: SeededPatient = {
    ...owner,
    patientId: bound.body.id,
    hisPatientId,
    idNo,
    name,
    billNo,
    authCode: person.authCode,
    phone,
  };
  return { card, psnNo: person.psnNo };
}

describe('GET /api/v1/orders: the patient’s history', () => {
  let alice: SeededPatient; // card A, her own
  let family: SeededPatient; // card B, bound by alice for a relative
  let bob: SeededPatient;
  let cards: PatientView[];
  let paidA: OrderView; // A: two bills of two departments, completed
  let openA: OrderView; // A: pre-settled, created last month
  let refusedB: OrderView; // B: the insurance platform refused the settlement
  let refundedB: OrderView; // B: paid in cash, then partly refunded
  let lastMonth: string;
  let thisMonth: string;

  beforeAll(async () => {
    alice = await seedPatient(stack);
    bob = await seedPatient(stack);
    await payInFull(stack, bob, false);
    const bound = await bindFamilyCard(alice, '放射科');
    family = bound.card;

    paidA = await payBills(alice, [
      await newBill(alice.hisPatientId, '内科门诊'),
      await newBill(alice.hisPatientId, '检验科'),
    ]);

    // eligible when authorized; suspended by the time of checkout: 6201 refuses, the order is closed
    expect((await authorize(stack, family)).eligible).toBe(true);
    const patched = await call(stack.insurance.url, 'PATCH', `/__admin/persons/${bound.psnNo}`, {
      body: { status: 'SUSPENDED' },
    });
    expect(patched.status).toBe(200);
    const refused = await checkoutBills(family, [family.billNo], true);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('INSURANCE_REJECTED');
    const [refusedRow] = (await stack.db.db.query(
      `SELECT id FROM orders WHERE patient_id = $1 AND status = 'CANCELLED'`,
      [family.patientId],
    )) as { id: string }[];
    await stack.runJobs(); // the release unlocks the bill again

    refundedB = await payBills(family, [family.billNo]);
    await requestRefund(stack.server.deps, refundedB.id, {
      amount: 500,
      reason: '检查取消',
      actor: 'wang',
      role: 'supervisor',
    });
    await stack.runJobs();

    const open = await checkoutBills(alice, [alice.billNo], false);
    expect(open.status).toBe(201);
    openA = open.body;
    thisMonth = cstMonth(stack.clock.now());
    lastMonth = cstMonth(stack.clock.now(), 1);
    // the first instant of last month in China time (a bound of the range, included)
    await stack.db.db.query(`UPDATE orders SET created_at = $2 WHERE id = $1`, [
      openA.id,
      new Date(`${lastMonth}-01T00:00:00+08:00`),
    ]);

    const all = await history(alice);
    refusedB = all.body.find((o) => o.id === refusedRow.id)!;
    paidA = all.body.find((o) => o.id === paidA.id)!;
    refundedB = all.body.find((o) => o.id === refundedB.id)!;
    cards = (await call<PatientView[]>(stack.url, 'GET', '/api/v1/patients', { token: alice.token })).body;
  });

  it('lists every order of both cards, newest first, without another user’s', async () => {
    expect(await idsOf(alice)).toEqual([refundedB.id, refusedB.id, paidA.id, openA.id]);
    expect(await idsOf(bob)).toHaveLength(1);
  });

  it('names each order’s card as the card list does, and its department(s)', async () => {
    const nameOf = (id: string) => cards.find((c) => c.id === id)!.name;
    expect(nameOf(family.patientId)).toBe('李*红');
    const all = (await history(alice)).body;
    expect(all.map((o) => [o.patientName, o.dept])).toEqual([
      [nameOf(family.patientId), '放射科'],
      [nameOf(family.patientId), '放射科'],
      [nameOf(alice.patientId), '内科门诊、检验科'],
      [nameOf(alice.patientId), '普通内科'],
    ]);
    const one = await call<OrderView>(stack.url, 'GET', `/api/v1/orders/${paidA.id}`, { token: alice.token });
    expect(one.body).toMatchObject({ patientName: nameOf(alice.patientId), dept: '内科门诊、检验科' });
  });

  it('says a checkout the insurance platform refused was refused, on the list and on the order', async () => {
    expect(refusedB).toMatchObject({ status: 'CANCELLED', useInsurance: true, outcome: 'INSURANCE_REFUSED' });
    const one = await call<OrderView>(stack.url, 'GET', `/api/v1/orders/${refusedB.id}`, {
      token: alice.token,
    });
    expect(one.body.outcome).toBe('INSURANCE_REFUSED');
    const others = (await history(alice)).body.filter((o) => o.id !== refusedB.id);
    expect(others.map((o) => o.outcome)).toEqual([undefined, undefined, undefined]);
  });

  it('filters by card', async () => {
    expect(await idsOf(alice, `?patientId=${alice.patientId}`)).toEqual([paidA.id, openA.id]);
    expect(await idsOf(alice, `?patientId=${family.patientId}`)).toEqual([refundedB.id, refusedB.id]);
  });

  it('answers an empty list for another user’s card or a card nobody has, never their orders', async () => {
    expect(await idsOf(alice, `?patientId=${bob.patientId}`)).toEqual([]);
    expect(await idsOf(bob, `?patientId=${alice.patientId}`)).toEqual([]);
    expect(await idsOf(alice, `?patientId=${randomUUID()}`)).toEqual([]);
  });

  it.each([
    ['unpaid', () => [openA.id]],
    ['paid', () => [paidA.id]],
    ['refund', () => [refundedB.id]],
    ['closed', () => [refusedB.id]],
  ])('filters by the status group %s', async (group, expected) => {
    expect(await idsOf(alice, `?status=${group}`)).toEqual(expected());
  });

  it('filters by month in China time, the first instant of the month included', async () => {
    expect(await idsOf(alice, `?month=${lastMonth}`)).toEqual([openA.id]);
    expect(await idsOf(alice, `?month=${thisMonth}`)).toEqual([refundedB.id, refusedB.id, paidA.id]);
    expect(await idsOf(alice, `?month=${cstMonth(stack.clock.now(), 2)}`)).toEqual([]);
  });

  it('combines the filters', async () => {
    expect(await idsOf(alice, `?patientId=${alice.patientId}&month=${thisMonth}`)).toEqual([paidA.id]);
    expect(await idsOf(alice, `?patientId=${family.patientId}&status=closed&month=${thisMonth}`)).toEqual([
      refusedB.id,
    ]);
    expect(await idsOf(alice, `?status=unpaid&month=${thisMonth}`)).toEqual([]);
  });

  it('leaves the department out of an order made before it was recorded', async () => {
    await stack.db.db.query(`UPDATE orders SET dept = NULL WHERE id = $1`, [openA.id]);
    const old = (await history(alice, `?month=${lastMonth}`)).body[0];
    expect(old.id).toBe(openA.id);
    expect('dept' in old).toBe(false);
    expect(old.patientName).toBe(cards.find((c) => c.id === alice.patientId)!.name);
  });

  it.each([
    ['a month that is not yyyy-MM', '?month=2026-3'],
    ['month 13', '?month=2026-13'],
    ['a month given twice', `?month=2026-01&month=2026-02`],
    ['a status that is not a group', '?status=PAID'],
    ['a card id that is not a UUID', '?patientId=42'],
    ['an unknown filter', '?page=2'],
  ])('refuses %s with 400 VALIDATION_FAILED', async (_what, query) => {
    const answer = await call<{ code: string; message: string }>(stack.url, 'GET', `/api/v1/orders${query}`, {
      token: alice.token,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
  });
});
