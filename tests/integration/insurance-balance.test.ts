/**
 * The 个人账户 balance on the patient's card (issue 13 item 5), over HTTP on the whole stack: read by 1101 at
 * authorization, kept current by the settlement (6301's setlinfo balc) and by a refund of the account leg (1101
 * asked again), each with the time it was true.
 */
import type { PatientView } from '../../shared/api';
import { recordBalance } from '../../server/db/insuranceBalances';
import { useRefundApi } from '../helpers/refundApi';
import { authorize, checkout, confirmAtWeChat, pay, waitForStatus } from '../helpers/flow';
import { adminGet, call, seedPatient, useStack, type SeededPatient } from '../helpers/stack';

const stack = useStack();
const { refund } = useRefundApi(stack);

const MINUTE_MS = 60_000;
/** a small bill (under any refund-approval threshold): the account pays 30.00 of it, cash the rest */
const ITEMS = [
  { code: '110200002', name: '诊查费', price: 2000, qty: 1, insuranceClass: 'A' },
  { code: 'ZZ9999001', name: '进口营养剂', price: 12000, qty: 1, insuranceClass: 'C' },
];

async function card(p: SeededPatient): Promise<PatientView> {
  const answer = await call<PatientView>(stack.url, 'GET', `/api/v1/patients/${p.patientId}`, {
    token: p.token,
  });
  expect(answer.status).toBe(200);
  return answer.body;
}

async function listed(p: SeededPatient): Promise<PatientView> {
  const answer = await call<PatientView[]>(stack.url, 'GET', '/api/v1/patients', { token: p.token });
  expect(answer.status).toBe(200);
  const found = answer.body.find((c) => c.id === p.patientId);
  if (!found) throw new Error('the card is not in the list');
  return found;
}

async function platformBalance(p: SeededPatient): Promise<number> {
  const persons = await adminGet<{ idNo: string; balance: number }[]>(
    stack.insurance.url,
    '/__admin/persons',
  );
  return persons.find((x) => x.idNo === p.idNo)!.balance;
}

async function payMixed(p: SeededPatient) {
  const order = await checkout(stack, p, true);
  expect(order.status).toBe(201);
  const payment = await pay(stack, p, order.body.id);
  expect(payment.status).toBe(200);
  await confirmAtWeChat(stack, order.body.orderNo);
  await waitForStatus(stack, p, order.body.id, ['PAID', 'COMPLETED']);
  await stack.runJobs();
  return waitForStatus(stack, p, order.body.id, ['COMPLETED']);
}

describe('the 个人账户 balance on the card', () => {
  it('shows after authorization, drops by the account part of a mixed order, and comes back with its refund', async () => {
    const p = await seedPatient(stack, { insured: { insutype: '310', balance: 3000 }, items: ITEMS });
    expect((await card(p)).insurance).toBeUndefined();

    await authorize(stack, p);
    const authorized = (await card(p)).insurance!;
    expect(authorized.balance).toBe(3000);
    expect(authorized.balanceAsOf).toBe(authorized.authorizedAt);
    expect((await listed(p)).insurance).toMatchObject({ balance: 3000, balanceAsOf: authorized.balanceAsOf });

    stack.clock.advance(3 * MINUTE_MS);
    const order = await payMixed(p);
    expect(order.split.account).toBe(3000);
    expect(order.split.cash).toBeGreaterThan(0);
    const afterPayment = (await card(p)).insurance!;
    expect(afterPayment.balance).toBe(0);
    expect(afterPayment.balance).toBe(await platformBalance(p));
    expect(Date.parse(afterPayment.balanceAsOf!)).toBeGreaterThan(Date.parse(authorized.balanceAsOf!));
    // the authorization itself is unchanged
    expect(afterPayment.authorizedAt).toBe(authorized.authorizedAt);
    expect((await listed(p)).insurance).toMatchObject({ balance: 0, balanceAsOf: afterPayment.balanceAsOf });

    stack.clock.advance(5 * MINUTE_MS);
    const asked = await refund(order.id, { reason: '患者退费' });
    expect(asked.status).toBe(201);
    await stack.runJobs();
    await waitForStatus(stack, p, order.id, ['REFUNDED']);
    const afterRefund = (await card(p)).insurance!;
    expect(afterRefund.balance).toBe(3000);
    expect(afterRefund.balance).toBe(await platformBalance(p));
    expect(Date.parse(afterRefund.balanceAsOf!)).toBeGreaterThan(Date.parse(afterPayment.balanceAsOf!));
  });

  it('keeps the newer reading when an older one arrives late', async () => {
    const p = await seedPatient(stack, { insured: { insutype: '310', balance: 5000 } });
    await authorize(stack, p);
    const before = (await card(p)).insurance!;
    const [row] = (await stack.db.db.query(
      `SELECT psn_no FROM insurance_authorizations WHERE patient_id = $1`,
      [p.patientId],
    )) as { psn_no: string }[];
    const older = new Date(Date.parse(before.balanceAsOf!) - 10 * MINUTE_MS);
    const taken = await recordBalance(stack.db.db, {
      patientId: p.patientId,
      psnNo: row.psn_no,
      balanceFen: 1,
      asOf: older,
    });
    expect(taken).toBe(0);
    expect((await card(p)).insurance).toMatchObject({ balance: 5000, balanceAsOf: before.balanceAsOf });
  });
});
