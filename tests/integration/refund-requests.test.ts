/**
 * Patients' refund requests on a whole stack: a patient asks over the patient API, a cashier (enrolled by the
 * supervisor, logged in with TOTP at the stack's clock) approves — the refund runs through the outbox — or
 * rejects with a reason the patient sees. One refund per request, whatever happens at once or in between.
 */
import { NO_APPROVAL_ENV } from '../helpers/refundApi';
import { randomUUID } from 'node:crypto';
import { call, seedPatient, useStack, type SeededPatient } from '../helpers/stack';
import { checkout, getOrder, payInFull, type OrderAnswer } from '../helpers/flow';
import { ADMIN, auditEntries, consoleToken } from '../helpers/console';
import { requestRefund } from '../../server/services/refund/refunds';
import { REFUND_REQUEST_CLAIM_MS, refundReasonPrefix } from '../../server/services/refund/requests';
import { readTrialBalance } from '../../server/db/ledger';
import type { ConsoleEnrolmentView, OrderView, RefundRequestView } from '../../shared/api';

const CASHIER_PASSWORD = 'Cashier#2026!';

// the requests' flow, not the four-eyes rule (refund-approval.test.ts): no cashier refund here waits for approval
const stack = useStack({ env: { ...NO_APPROVAL_ENV } });
let adminToken: string;
let cashierToken: string;

type Answer<T> = { status: number; body: T & { code?: string; message?: string; details?: unknown } };

beforeAll(async () => {
  adminToken = await consoleToken(stack, ADMIN);
  const enrolled = await call<ConsoleEnrolmentView>(stack.url, 'POST', '/api/v1/console/users', {
    token: adminToken,
    body: { username: 'wang', password: CASHIER_PASSWORD, role: 'cashier' },
  });
  expect(enrolled.status).toBe(201);
  cashierToken = await consoleToken(stack, {
    username: 'wang',
    password: CASHIER_PASSWORD,
    secret: enrolled.body.secret,
  });
});

const ask = (p: SeededPatient, orderId: string, body: unknown, headers: Record<string, string> = {}) =>
  call<RefundRequestView>(stack.url, 'POST', `/api/v1/orders/${orderId}/refund-requests`, {
    token: p.token,
    body,
    headers,
  }) as Promise<Answer<RefundRequestView>>;

const decide = (id: string, verb: 'approve' | 'reject', body: unknown = {}, token = cashierToken) =>
  call<RefundRequestView>(stack.url, 'POST', `/api/v1/console/refund-requests/${id}/${verb}`, {
    token,
    body,
  }) as Promise<Answer<RefundRequestView>>;

const orderOf = async (p: SeededPatient, id: string) =>
  (await getOrder(stack, p, id)).body as unknown as OrderView;

function expectError(answer: { status: number; body: unknown }, status: number, code: string) {
  expect({ status: answer.status, code: (answer.body as { code?: string }).code }).toEqual({ status, code });
}

async function refundsOf(orderId: string) {
  return (await stack.db.db.query(
    `SELECT id, status, total_fen::int AS total, reason, actor FROM refunds WHERE order_id = $1 ORDER BY sequence`,
    [orderId],
  )) as { id: string; status: string; total: number; reason: string; actor: string }[];
}

/** Works the outbox until every refund of the order is final (bounded). */
async function settleRefunds(orderId: string): Promise<void> {
  for (let round = 0; round < 6; round++) {
    await stack.runJobs();
    const refunds = await refundsOf(orderId);
    if (refunds.every((r) => r.status === 'SUCCEEDED' || r.status === 'FAILED')) return;
  }
  throw new Error(`refunds of ${orderId} did not settle: ${JSON.stringify(await refundsOf(orderId))}`);
}

const audit = (action: string) => auditEntries(stack, adminToken, action);

describe('POST /api/v1/orders/:id/refund-requests', () => {
  let alice: SeededPatient;
  let bob: SeededPatient;
  let order: OrderAnswer;
  let request: RefundRequestView;

  beforeAll(async () => {
    alice = await seedPatient(stack, { insured: { insutype: '310', balance: 3000 } });
    bob = await seedPatient(stack);
    order = await payInFull(stack, alice, true);
  });

  it('takes a patient’s request for part of a completed order, and shows it pending on the order', async () => {
    const answer = await ask(alice, order.id, { amount: 1000, reason: '  CT 检查取消  ' });
    expect(answer.status).toBe(201);
    request = answer.body;
    expect(request).toEqual({
      id: expect.any(String),
      orderId: order.id,
      orderNo: order.orderNo,
      amount: 1000,
      reason: 'CT 检查取消',
      status: 'PENDING',
      createdAt: expect.any(String),
    });
    const view = await orderOf(alice, order.id);
    expect(view.status).toBe('COMPLETED');
    expect(view.refundRequests).toEqual([request]);
    const list = (await call<OrderView[]>(stack.url, 'GET', '/api/v1/orders', { token: alice.token })).body;
    expect(list.find((o) => o.id === order.id)?.refundRequests).toEqual([request]);
  });

  it('answers 404 for another patient’s order and 400 INVALID_ID for a malformed id', async () => {
    expectError(await ask(bob, order.id, { reason: '不是我的' }), 404, 'ORDER_NOT_FOUND');
    expectError(await ask(alice, 'not-a-uuid', { reason: 'x' }), 400, 'INVALID_ID');
    expect((await orderOf(bob, order.id)) as unknown).toMatchObject({ code: 'ORDER_NOT_FOUND' });
  });

  it('refuses a second request while one is pending: 409 REFUND_REQUEST_PENDING', async () => {
    expectError(
      await ask(alice, order.id, { amount: 500, reason: '再退一点' }),
      409,
      'REFUND_REQUEST_PENDING',
    );
    expect((await orderOf(alice, order.id)).refundRequests).toHaveLength(1);
  });

  it('refuses more than is left (422 REFUND_EXCEEDS_PAID), an unpaid order (409) and a bad body (400)', async () => {
    const carol = await seedPatient(stack);
    const paid = await payInFull(stack, carol, false);
    const tooMuch = await ask(carol, paid.id, { amount: paid.split.total + 1, reason: '全部退' });
    expectError(tooMuch, 422, 'REFUND_EXCEEDS_PAID');
    expect(tooMuch.body.details).toEqual({ leftFen: paid.split.total });
    for (const body of [
      { amount: 0, reason: 'x' },
      { amount: 1.5, reason: 'x' },
      { amount: 100 },
      { reason: '' },
    ])
      expectError(await ask(carol, paid.id, body), 400, 'VALIDATION_FAILED');
    expect((await orderOf(carol, paid.id)).refundRequests).toEqual([]);

    const dan = await seedPatient(stack);
    const unpaid = (await checkout(stack, dan, false)).body;
    expectError(await ask(dan, unpaid.id, { reason: '还没付' }), 409, 'REFUND_NOT_ALLOWED');
  });

  it('replays the answer for the same Idempotency-Key and body, and refuses the key with another body', async () => {
    const erin = await seedPatient(stack);
    const paid = await payInFull(stack, erin, false);
    const key = { 'idempotency-key': randomUUID() };
    const first = await ask(erin, paid.id, { reason: '重复提交' }, key);
    const again = await call(stack.url, 'POST', `/api/v1/orders/${paid.id}/refund-requests`, {
      token: erin.token,
      body: { reason: '重复提交' },
      headers: key,
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expectError(await ask(erin, paid.id, { reason: '另一个' }, key), 422, 'IDEMPOTENCY_KEY_REUSED');
    expect((await orderOf(erin, paid.id)).refundRequests).toHaveLength(1);
  });

  describe('a cashier decides', () => {
    it('lists requests newest first, by status, for cashiers only', async () => {
      const pending = await call<RefundRequestView[]>(
        stack.url,
        'GET',
        '/api/v1/console/refund-requests?status=PENDING',
        { token: cashierToken },
      );
      expect(pending.status).toBe(200);
      expect(pending.body.every((r) => r.status === 'PENDING')).toBe(true);
      expect(pending.body.map((r) => r.id)).toContain(request.id);
      const times = pending.body.map((r) => Date.parse(r.createdAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expectError(
        await call(stack.url, 'GET', '/api/v1/console/refund-requests', { token: alice.token }),
        401,
        'UNAUTHENTICATED',
      );
      expectError(
        await call(stack.url, 'GET', '/api/v1/console/refund-requests?status=MAYBE', { token: cashierToken }),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('approves: the refund runs through the outbox, the order is partly refunded, the request APPROVED and audited', async () => {
      const approved = await decide(request.id, 'approve');
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({
        id: request.id,
        status: 'APPROVED',
        decidedBy: 'wang',
        decidedAt: expect.any(String),
        refundId: expect.any(String),
      });
      const [refund] = await refundsOf(order.id);
      expect(refund).toMatchObject({ id: approved.body.refundId, total: 1000, actor: 'wang' });
      expect(refund.reason).toBe(`${refundReasonPrefix(request.id)}CT 检查取消`);

      await settleRefunds(order.id);
      const view = await orderOf(alice, order.id);
      expect(view.status).toBe('PARTIALLY_REFUNDED');
      expect(view.refunds).toHaveLength(1);
      expect(view.refunds[0]).toMatchObject({ id: refund.id, status: 'SUCCEEDED', split: { total: 1000 } });
      expect(view.refundRequests).toEqual([
        { ...request, status: 'APPROVED', decidedAt: expect.any(String), refundId: refund.id },
      ]);
      expect((await readTrialBalance(stack.db.db)).net).toBe(0);

      const rows = await audit('refund_request.approve');
      expect(rows.find((e) => e.target === request.id)).toMatchObject({
        actor: 'wang',
        role: 'cashier',
        details: { orderId: order.id, refundId: refund.id, amount: 1000 },
      });
    });

    it('refuses to decide a request twice: 409 REFUND_REQUEST_DECIDED', async () => {
      expectError(await decide(request.id, 'approve'), 409, 'REFUND_REQUEST_DECIDED');
      expectError(await decide(request.id, 'reject', { reason: '改主意' }), 409, 'REFUND_REQUEST_DECIDED');
      expect(await refundsOf(order.id)).toHaveLength(1);
    });

    it('rejects with a reason the patient sees; the patient may then ask again', async () => {
      const again = await ask(alice, order.id, { reason: '剩下的也退' });
      expect(again.status).toBe(201);
      const rejected = await decide(again.body.id, 'reject', { reason: '药品已取，不能退' });
      expect(rejected.status).toBe(200);
      expect(rejected.body).toMatchObject({
        status: 'REJECTED',
        decidedBy: 'wang',
        decisionReason: '药品已取，不能退',
      });
      const view = await orderOf(alice, order.id);
      expect(view.refundRequests?.map((r) => [r.status, r.decisionReason])).toEqual([
        ['REJECTED', '药品已取，不能退'],
        ['APPROVED', undefined],
      ]);
      expect(view.refundRequests?.[0].decidedBy).toBeUndefined();
      expect(await refundsOf(order.id)).toHaveLength(1);
      expect((await audit('refund_request.reject')).find((e) => e.target === again.body.id)).toMatchObject({
        actor: 'wang',
        details: { orderId: order.id, reason: '药品已取，不能退' },
      });
      expect((await ask(alice, order.id, { reason: '第三次' })).status).toBe(201);
    });

    it('answers 404 for an unknown id, 400 INVALID_ID for a malformed one and 400 for a bad body', async () => {
      const unknown = randomUUID();
      expectError(await decide(unknown, 'approve'), 404, 'NOT_FOUND');
      expectError(await decide(unknown, 'reject', { reason: 'x' }), 404, 'NOT_FOUND');
      expectError(await decide('nope', 'approve'), 400, 'INVALID_ID');
      expectError(await decide('nope', 'reject', { reason: 'x' }), 400, 'INVALID_ID');
      const pending = (await orderOf(alice, order.id)).refundRequests?.[0];
      expectError(await decide(pending!.id, 'reject', {}), 400, 'VALIDATION_FAILED');
      expectError(await decide(pending!.id, 'approve', { amount: 1 }), 400, 'VALIDATION_FAILED');
      expectError(await decide(pending!.id, 'approve', {}, alice.token), 401, 'UNAUTHENTICATED');
    });
  });
});

describe('approving at once, and after an interrupted approval', () => {
  it('makes exactly one refund when two approvals of one request arrive together', async () => {
    const p = await seedPatient(stack, { insured: { insutype: '310', balance: 3000 } });
    const order = await payInFull(stack, p, true);
    const req = (await ask(p, order.id, { reason: '全部退' })).body;
    const answers = await Promise.all([decide(req.id, 'approve'), decide(req.id, 'approve', {}, adminToken)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const refunds = await refundsOf(order.id);
    expect(refunds).toHaveLength(1);
    expect(refunds[0].total).toBe(order.split.total);
    await settleRefunds(order.id);
    const view = await orderOf(p, order.id);
    expect(view.status).toBe('REFUNDED');
    expect(view.refundRequests?.[0]).toMatchObject({ status: 'APPROVED', refundId: refunds[0].id });
  });

  it('gives the request back when the refund is refused, so it can still be rejected at once', async () => {
    const p = await seedPatient(stack);
    const order = await payInFull(stack, p, false);
    const req = (await ask(p, order.id, { amount: 100, reason: '退一点' })).body;
    // meanwhile the cashier refunds part of the order by hand: the order is REFUNDING until that is done
    await requestRefund(stack.server.deps, order.id, {
      amount: 500,
      reason: '窗口退费',
      actor: 'wang',
      role: 'supervisor',
    });
    expectError(await decide(req.id, 'approve'), 409, 'REFUND_NOT_ALLOWED');
    expect((await decide(req.id, 'reject', { reason: '已在窗口退费' })).status).toBe(200);
    expect(await refundsOf(order.id)).toHaveLength(1);
  });

  it('adopts the refund of an approval that stopped before it finished, instead of refunding again', async () => {
    const p = await seedPatient(stack);
    const order = await payInFull(stack, p, false);
    const req = (await ask(p, order.id, { amount: 2000, reason: '多收了' })).body;
    // an approver claimed the request, made its refund, and died before marking the request APPROVED
    await stack.db.db.query(
      `UPDATE refund_requests SET decided_by = 'ghost', decided_at = $2 WHERE id = $1`,
      [req.id, new Date(stack.clock.now())],
    );
    const made = await requestRefund(stack.server.deps, order.id, {
      amount: 2000,
      reason: `${refundReasonPrefix(req.id)}多收了`,
      actor: 'ghost',
      role: 'cashier',
      requestId: req.id,
    });
    // asked again for the same request (a second approver after the claim lapsed): the same refund, no second one
    const again = await requestRefund(stack.server.deps, order.id, {
      amount: 2000,
      reason: 'again',
      actor: 'other',
      role: 'cashier',
      requestId: req.id,
    });
    expect(again.id).toBe(made.id);

    // while its claim lives nobody else decides; the patient still sees the request pending, undecided
    expectError(await decide(req.id, 'approve'), 409, 'CONCURRENT_REQUEST');
    expectError(await decide(req.id, 'reject', { reason: '不退' }), 409, 'CONCURRENT_REQUEST');
    expect((await orderOf(p, order.id)).refundRequests).toEqual([req]);

    stack.clock.advance(REFUND_REQUEST_CLAIM_MS + 1_000);
    // the money has gone back for it: it cannot be rejected any more
    expectError(await decide(req.id, 'reject', { reason: '不退' }), 409, 'REFUND_REQUEST_DECIDED');
    const approved = await decide(req.id, 'approve');
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'APPROVED', refundId: made.id, decidedBy: 'wang' });
    expect(await refundsOf(order.id)).toHaveLength(1);
    await settleRefunds(order.id);
    expect((await orderOf(p, order.id)).status).toBe('PARTIALLY_REFUNDED');
  });
});
