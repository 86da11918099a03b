/**
 * Step-up at checkout (issue 13): a checkout the rules step up (here: too many cancelled orders today) is held;
 * paying answers 403 RISK_STEP_UP until the patient proves the card with the code texted to the HIS phone; a
 * wrong code counts down, the right one releases the order, which then pays. Another user's order is a 404.
 */
import { randomUUID } from 'node:crypto';
import type { OrderView, StepUpView } from '../../shared/api';
import { getOrder, pay, type OrderAnswer } from '../helpers/flow';
import { call, lastCodeTo, seedPatient, useStack, type SeededPatient } from '../helpers/stack';

const stack = useStack({ env: { RISK_CANCELLED_PER_DAY: '1' } });

const checkout = (p: SeededPatient) =>
  call<OrderAnswer & { code?: string }>(stack.url, 'POST', '/api/v1/orders', {
    token: p.token,
    headers: { 'idempotency-key': randomUUID() },
    body: { patientId: p.patientId, billNos: [p.billNo], useInsurance: false },
  });

/** One cancelled order today: the next checkout is stepped up (RISK_CANCELLED_PER_DAY=1). */
async function steppedUpOrder(p: SeededPatient): Promise<OrderAnswer> {
  const first = await checkout(p);
  expect(first.status).toBe(201);
  expect(
    (await call(stack.url, 'POST', `/api/v1/orders/${first.body.id}/cancel`, { token: p.token })).status,
  ).toBe(200);
  await stack.runJobs(); // the bill is released at the HIS
  const held = await checkout(p);
  expect(held.status).toBe(201);
  return held.body;
}

describe('checkout step-up', () => {
  it('holds the order until the texted code proves the card; then it pays', async () => {
    const p = await seedPatient(stack);
    const held = await steppedUpOrder(p);
    const view = (await getOrder(stack, p, held.id)).body as unknown as OrderView;
    expect(view).toMatchObject({ status: 'PRESETTLED', stepUpRequired: true, allowedActions: ['cancel'] });
    expect(view.heldForReview).toBeUndefined();

    const refused = await pay(stack, p, held.id);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'RISK_STEP_UP' });
    expect((refused.body as unknown as { message: string }).message).toMatch(/验证/);

    const started = await call<StepUpView>(stack.url, 'POST', `/api/v1/orders/${held.id}/step-up`, {
      token: p.token,
    });
    expect(started.status).toBe(202);
    expect(started.body.phoneMasked).toBe(`${p.phone.slice(0, 3)}****${p.phone.slice(-4)}`);
    // a second code within 60 s is refused
    const again = await call<{ code: string }>(stack.url, 'POST', `/api/v1/orders/${held.id}/step-up`, {
      token: p.token,
    });
    expect(again.status).toBe(429);
    expect(again.body.code).toBe('VERIFICATION_RATE_LIMITED');

    await stack.runJobs();
    const code = await lastCodeTo(stack, p.phone);
    const wrong = code === '000000' ? '111111' : '000000';
    const verifyUrl = `/api/v1/orders/${held.id}/step-up/${started.body.stepUpId}`;
    const miss = await call<{ code: string; message: string }>(stack.url, 'POST', verifyUrl, {
      token: p.token,
      body: { code: wrong },
    });
    expect(miss.status).toBe(422);
    expect(miss.body).toMatchObject({ code: 'VERIFICATION_CODE_INVALID' });
    expect(miss.body.message).toContain('还可以再试 4 次');

    const stranger = await seedPatient(stack);
    const notYours = await call(stack.url, 'POST', verifyUrl, { token: stranger.token, body: { code } });
    expect(notYours.status).toBe(404);
    expect(
      (await call(stack.url, 'POST', `/api/v1/orders/${held.id}/step-up`, { token: stranger.token })).status,
    ).toBe(404);

    const proven = await call<OrderView>(stack.url, 'POST', verifyUrl, { token: p.token, body: { code } });
    expect(proven.status).toBe(200);
    expect(proven.body.stepUpRequired).toBeUndefined();
    expect(proven.body.allowedActions).toEqual(['pay', 'cancel']);
    const paid = await pay(stack, p, held.id);
    expect(paid.status).toBe(200);
    expect(paid.body.status).toBe('AWAITING_PAYMENT');
    // nothing to prove any more
    expect(
      (await call(stack.url, 'POST', `/api/v1/orders/${held.id}/step-up`, { token: p.token })).status,
    ).toBe(409);
  });

  it('five wrong codes end the code and the order stays unpayable', async () => {
    const p = await seedPatient(stack);
    const held = await steppedUpOrder(p);
    const started = await call<StepUpView>(stack.url, 'POST', `/api/v1/orders/${held.id}/step-up`, {
      token: p.token,
    });
    await stack.runJobs();
    const code = await lastCodeTo(stack, p.phone);
    const wrong = code === '000000' ? '111111' : '000000';
    const url = `/api/v1/orders/${held.id}/step-up/${started.body.stepUpId}`;
    const answers: number[] = [];
    for (let i = 0; i < 5; i += 1)
      answers.push((await call(stack.url, 'POST', url, { token: p.token, body: { code: wrong } })).status);
    expect(answers).toEqual([422, 422, 422, 422, 422]);
    const late = await call<{ code: string }>(stack.url, 'POST', url, { token: p.token, body: { code } });
    expect(late.body.code).toBe('VERIFICATION_EXPIRED');
    expect((await pay(stack, p, held.id)).status).toBe(403);
  });
});
