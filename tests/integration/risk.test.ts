/**
 * The risk engine wired (issue 13 item 1), over HTTP: the rules judge binding, checkout and payment; every
 * decision is an event the console reads; a held order waits for a cashier; a blocked user is refused.
 * Thresholds are lowered through the settings (RISK_*) so a few calls cross them.
 */
import { randomUUID } from 'node:crypto';
import type { OrderView, RiskEventView, RiskReviewView, RiskRuleStatView } from '../../shared/api';
import { consoleToken } from '../helpers/console';
import { getOrder, hisBill, pay, type OrderAnswer } from '../helpers/flow';
import {
  adminPost,
  bindWithCode,
  call,
  newIdNo,
  newPhone,
  seedPatient,
  useStack,
  type SeededPatient,
  type Stack,
} from '../helpers/stack';

/** Another card for the same WeChat user: a HIS patient of its own, bound with the texted code. */
async function bindAnother(stack: Stack, token: string, deviceId?: string) {
  const name = `风险${randomUUID().slice(0, 4)}`;
  const idNo = newIdNo();
  const phone = newPhone();
  await adminPost(stack.his.url, '/__admin/patients', { name, idNo, phone });
  const started = await call<{ status: string; verificationId: string; code?: string }>(
    stack.url,
    'POST',
    '/api/v1/patients',
    { token, body: { name, idNo }, headers: deviceId ? { 'x-device-id': deviceId } : undefined },
  );
  return { name, idNo, phone, started };
}

async function events(stack: Stack, token: string, query: string) {
  const answer = await call<RiskEventView[]>(stack.url, 'GET', `/api/v1/console/risk/events?${query}`, {
    token,
  });
  expect(answer.status).toBe(200);
  return answer.body;
}

/** A second unpaid bill for the seeded patient. */
async function anotherBill(stack: Stack, p: SeededPatient): Promise<string> {
  const { billNo } = await adminPost<{ billNo: string }>(stack.his.url, '/__admin/bills', {
    patientId: p.hisPatientId,
    items: [{ code: '110200002', name: '诊查费', price: 2000, qty: 1 }],
  });
  return billNo;
}

const checkoutBill = (stack: Stack, p: SeededPatient, billNo: string, deviceId?: string) =>
  call<OrderAnswer & { code?: string; message?: string }>(stack.url, 'POST', '/api/v1/orders', {
    token: p.token,
    headers: { 'idempotency-key': randomUUID(), ...(deviceId ? { 'x-device-id': deviceId } : {}) },
    body: { patientId: p.patientId, billNos: [billNo], useInsurance: false },
  });

describe('risk rules (step_up on too many cards)', () => {
  const stack = useStack({ env: { RISK_CARDS_PER_USER_PER_DAY: '2', RISK_ORDERS_PER_CARD_PER_HOUR: '1' } });
  let supervisor: string;
  beforeAll(async () => {
    supervisor = await consoleToken(stack);
  });

  it('binding a card beyond the day’s limit is stepped up: the texted code is still what binds it', async () => {
    const p = await seedPatient(stack); // card 1
    const device = `dev-${randomUUID()}`;
    const second = await bindAnother(stack, p.token, device);
    expect(second.started.status).toBe(202);
    expect((await bindWithCode(stack, p.token, second.name, second.idNo, second.phone)).status).toBe(201); // card 2 (its own verification)
    const third = await bindAnother(stack, p.token, device);
    expect(third.started.status).toBe(202);
    expect(third.started.body.status).toBe('VERIFICATION_REQUIRED');

    const binds = await events(stack, supervisor, `userId=${p.openid}&action=bind`);
    expect(binds[0]).toMatchObject({
      action: 'bind',
      decision: 'step_up',
      rules: ['cards_per_user_per_day'],
      deviceId: device,
    });
    expect(binds[0].inputs).toMatchObject({
      cards_per_user_per_day: { decision: 'step_up', cardsBoundToday: 2, limit: 2 },
    });
    expect(binds.some((e) => e.decision === 'allow')).toBe(true);
  });

  it('a bad X-Device-Id is refused (400), never stored', async () => {
    const p = await seedPatient(stack);
    const answer = await checkoutBill(stack, p, p.billNo, 'x'.repeat(65));
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
  });

  it('a checkout held for review cannot be paid (409 RISK_REVIEW) until a cashier approves; then it pays', async () => {
    const p = await seedPatient(stack);
    const first = await checkoutBill(stack, p, p.billNo);
    expect(first.status).toBe(201);
    const held = await checkoutBill(stack, p, await anotherBill(stack, p));
    expect(held.status).toBe(201);
    expect(held.body.status).toBe('PRESETTLED');

    const refused = await pay(stack, p, held.body.id);
    expect(refused.status).toBe(409);
    expect((refused.body as unknown as { code: string }).code).toBe('RISK_REVIEW');
    const heldView = (await getOrder(stack, p, held.body.id)).body as unknown as OrderView;
    expect(heldView.status).toBe('PRESETTLED');
    expect(heldView.heldForReview).toBe(true);
    expect(heldView.allowedActions).toEqual(['cancel']);

    const queue = await call<RiskReviewView[]>(stack.url, 'GET', '/api/v1/console/risk/reviews', {
      token: supervisor,
    });
    const item = queue.body.find((r) => r.orderId === held.body.id);
    expect(item).toMatchObject({ orderNo: held.body.orderNo, rules: ['orders_per_card_per_hour'] });
    expect(queue.body.some((r) => r.orderId === first.body.id)).toBe(false);

    const approved = await call(stack.url, 'POST', `/api/v1/console/risk/reviews/${held.body.id}/approve`, {
      token: supervisor,
      body: {},
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ decision: 'APPROVED' });
    const again = await call(stack.url, 'POST', `/api/v1/console/risk/reviews/${held.body.id}/approve`, {
      token: supervisor,
      body: {},
    });
    expect(again.status).toBe(409);

    const released = (await getOrder(stack, p, held.body.id)).body as unknown as OrderView;
    expect(released.heldForReview).toBeUndefined();
    expect(released.allowedActions).toEqual(['pay', 'cancel']);
    const paid = await pay(stack, p, held.body.id);
    expect(paid.status).toBe(200);
    expect(paid.body.status).toBe('AWAITING_PAYMENT');

    const checkouts = await events(stack, supervisor, `userId=${p.openid}&action=checkout`);
    expect(checkouts.map((e) => e.decision)).toEqual(['review', 'allow']);
    expect(checkouts[0]).toMatchObject({ orderId: held.body.id, rules: ['orders_per_card_per_hour'] });
  });

  it('rejecting a held order cancels it and releases the bill', async () => {
    const p = await seedPatient(stack);
    expect((await checkoutBill(stack, p, p.billNo)).status).toBe(201);
    const billNo = await anotherBill(stack, p);
    const held = await checkoutBill(stack, p, billNo);
    expect(held.status).toBe(201);
    expect((await hisBill(stack, billNo)).status).toBe('LOCKED');

    const noReason = await call(stack.url, 'POST', `/api/v1/console/risk/reviews/${held.body.id}/reject`, {
      token: supervisor,
      body: {},
    });
    expect(noReason.status).toBe(400);
    const rejected = await call(stack.url, 'POST', `/api/v1/console/risk/reviews/${held.body.id}/reject`, {
      token: supervisor,
      body: { reason: '同一张卡短时间内多次下单' },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ decision: 'REJECTED', status: 'CANCELLED' });
    expect((await getOrder(stack, p, held.body.id)).body.status).toBe('CANCELLED');
    await stack.runJobs();
    expect((await hisBill(stack, billNo)).status).toBe('UNPAID');

    const audit = await call<{ action: string; description: string }[]>(
      stack.url,
      'GET',
      '/api/v1/console/audit?limit=50',
      { token: supervisor },
    );
    const entry = audit.body.find((e) => e.action === 'risk.review_reject');
    expect(entry?.description).toContain(held.body.orderNo);
  });

  it('a blocked user gets 403 RISK_BLOCKED at checkout and at payment; unblocking lets them pay', async () => {
    const p = await seedPatient(stack);
    const billNo = await anotherBill(stack, p);
    const before = await checkoutBill(stack, p, p.billNo);
    expect(before.status).toBe(201);

    const block = await call(stack.url, 'POST', '/api/v1/console/risk/blocks', {
      token: supervisor,
      body: { openid: p.openid, reason: '疑似盗用' },
    });
    expect(block.status).toBe(201);

    const atCheckout = await checkoutBill(stack, p, billNo);
    // refused before the HIS is asked: even a bill locked by the earlier order gives RISK_BLOCKED
    expect((await checkoutBill(stack, p, p.billNo)).body.code).toBe('RISK_BLOCKED');
    expect(atCheckout.status).toBe(403);
    expect(atCheckout.body.code).toBe('RISK_BLOCKED');
    expect(atCheckout.body.message).not.toMatch(/[A-Za-z]{3,}/);
    expect((await hisBill(stack, billNo)).status).toBe('UNPAID'); // nothing locked
    const orders = await call<OrderAnswer[]>(stack.url, 'GET', '/api/v1/orders', { token: p.token });
    expect(orders.body.map((o) => o.id)).toEqual([before.body.id]);

    const atPayment = await pay(stack, p, before.body.id);
    expect(atPayment.status).toBe(403);
    expect((atPayment.body as unknown as { code: string }).code).toBe('RISK_BLOCKED');
    expect((await getOrder(stack, p, before.body.id)).body.status).toBe('PRESETTLED');

    const blocked = await events(stack, supervisor, `userId=${p.openid}&decision=block`);
    expect(blocked.map((e) => [e.action, e.rules])).toEqual([
      ['pay', ['user_blocked']],
      ['checkout', ['user_blocked']],
      ['checkout', ['user_blocked']],
    ]);
    expect(blocked.filter((e) => e.action === 'checkout').map((e) => e.orderId)).toEqual([null, null]);

    const rules = await call<RiskRuleStatView[]>(stack.url, 'GET', '/api/v1/console/risk/rules', {
      token: supervisor,
    });
    expect(rules.body.find((r) => r.rule === 'user_blocked')?.hits).toBeGreaterThanOrEqual(2);

    const unblock = await call(stack.url, 'DELETE', `/api/v1/console/risk/blocks/${p.openid}`, {
      token: supervisor,
    });
    expect(unblock.status).toBe(204);
    expect(
      (await call(stack.url, 'DELETE', `/api/v1/console/risk/blocks/${p.openid}`, { token: supervisor }))
        .status,
    ).toBe(404);
    const paid = await pay(stack, p, before.body.id);
    expect(paid.status).toBe(200);

    const audit = await call<{ action: string; description: string }[]>(
      stack.url,
      'GET',
      '/api/v1/console/audit?limit=50',
      { token: supervisor },
    );
    expect(audit.body.map((e) => e.action)).toEqual(expect.arrayContaining(['risk.block', 'risk.unblock']));
  });

  it('validates the events query and keeps blocks to supervisors', async () => {
    expect(
      (await call(stack.url, 'GET', '/api/v1/console/risk/events?decision=maybe', { token: supervisor }))
        .status,
    ).toBe(400);
    expect(
      (await call(stack.url, 'GET', '/api/v1/console/risk/events?from=yesterday', { token: supervisor }))
        .status,
    ).toBe(400);
    const page = await call<RiskEventView[]>(stack.url, 'GET', '/api/v1/console/risk/events?limit=1', {
      token: supervisor,
    });
    expect(page.body).toHaveLength(1);
    const cursor = page.headers.get('x-next-cursor');
    expect(cursor).toBe(page.body[0].id);
    const next = await call<RiskEventView[]>(
      stack.url,
      'GET',
      `/api/v1/console/risk/events?limit=1&cursor=${cursor}`,
      { token: supervisor },
    );
    expect(Number(next.body[0].id)).toBeLessThan(Number(cursor));
    expect(
      (await call(stack.url, 'POST', '/api/v1/console/risk/blocks', { body: { openid: 'x', reason: 'y' } }))
        .status,
    ).toBe(401);
  });
});

describe('risk rules (block on too many cards, as configured)', () => {
  const stack = useStack({
    env: { RISK_CARDS_PER_USER_PER_DAY: '1', RISK_CARDS_PER_USER_DECISION: 'block' },
  });

  it('refuses binding a card beyond the day’s limit with 403 RISK_BLOCKED', async () => {
    const p = await seedPatient(stack);
    const second = await bindAnother(stack, p.token);
    expect(second.started.status).toBe(403);
    expect(second.started.body.code).toBe('RISK_BLOCKED');
    const supervisor = await consoleToken(stack);
    const binds = await events(stack, supervisor, `userId=${p.openid}&action=bind&decision=block`);
    expect(binds).toHaveLength(1);
    expect(binds[0].rules).toEqual(['cards_per_user_per_day']);
  });
});
