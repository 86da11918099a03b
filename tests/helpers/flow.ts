/** Steps of a patient's journey, as the mini-program performs them, for the integration tests and the bench. */
import { randomUUID } from 'node:crypto';
import type { ClaimedJob } from '../../server/db/outbox';
import { OUTBOX_LEASE_MS, workJob } from '../../server/jobs/outboxWorker';
import { INSURANCE_PATHS } from '../../shared/protocol/insurance';
import { adminGet, adminPost, call, seedPatient, type SeededPatient, type Stack } from './stack';

export interface OrderAnswer {
  id: string;
  orderNo: string;
  status: string;
  split: { total: number; fund: number; account: number; cash: number };
  receiptNo?: string;
  billNos: string[];
  mixPayType: string;
  paidAt?: string;
}

export async function authorize(stack: Stack, p: SeededPatient) {
  const answer = await call<{ eligible: boolean; reason?: string }>(
    stack.url,
    'POST',
    `/api/v1/patients/${p.patientId}/insurance-authorizations`,
    {
      token: p.token,
      body: { authCode: p.authCode },
    },
  );
  if (answer.status !== 201)
    throw new Error(`authorization failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export async function checkout(stack: Stack, p: SeededPatient, useInsurance: boolean, key = randomUUID()) {
  return call<OrderAnswer>(stack.url, 'POST', '/api/v1/orders', {
    token: p.token,
    headers: { 'idempotency-key': key },
    body: { patientId: p.patientId, billNos: [p.billNo], useInsurance },
  });
}

export async function pay(stack: Stack, p: SeededPatient, orderId: string) {
  return call<{
    status: string;
    outTradeNo?: string;
    mixTradeNo?: string;
    payParams?: Record<string, string>;
  }>(stack.url, 'POST', `/api/v1/orders/${orderId}/payments`, {
    token: p.token,
  });
}

export async function getOrder(stack: Stack, p: SeededPatient, orderId: string) {
  return call<OrderAnswer>(stack.url, 'GET', `/api/v1/orders/${orderId}`, { token: p.token });
}

/** The patient confirms in the WeChat sheet (the mock settles insurance, takes the cash and sends the callback). */
export async function confirmAtWeChat(
  stack: Stack,
  outTradeNo: string,
  result: 'SUCCESS' | 'FAIL' = 'SUCCESS',
) {
  return adminPost<{ tradeState?: string; notificationId?: string }>(
    stack.wechat.url,
    '/__admin/payments/confirm',
    { outTradeNo, result },
  );
}

/**
 * Works the order's own due outbox jobs once (its `confirm_payment` first of all): what a running server's kick
 * does right after a commit queued them — a payment callback is answered before it is applied. The stack's
 * jobs do not run by themselves, and other orders' jobs are left alone, so a test holding back another order's
 * HIS confirm still holds it back.
 */
export async function workOrderJobs(stack: Stack, orderId: string): Promise<void> {
  const deps = stack.server.deps;
  const now = deps.clock.now();
  const [jobs] = (await deps.db.query(
    `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $3, updated_at = $2
      WHERE id IN (SELECT id FROM outbox WHERE order_id = $1 AND status = 'PENDING' AND next_attempt_at <= $2
                    ORDER BY next_attempt_at, id FOR UPDATE SKIP LOCKED)
      RETURNING id, kind, order_id AS "orderId", dedupe_key AS "dedupeKey", payload, attempts`,
    [orderId, new Date(now), new Date(now + OUTBOX_LEASE_MS)],
  )) as [ClaimedJob[], number];
  for (const job of jobs.sort((a, b) => Number(a.id) - Number(b.id))) await workJob(deps, job);
}

/**
 * Polls our API until the order reaches one of the states (bounded; no fixed sleeps). Between two looks it works
 * the order's own due outbox jobs (workOrderJobs), as the server's kick would: PAID comes from the callback's
 * `confirm_payment` job. The janitor and other orders' jobs are not run: tests move the clock and call
 * runJobs() for those.
 */
export async function waitForStatus(
  stack: Stack,
  p: SeededPatient,
  orderId: string,
  statuses: string[],
  timeoutMs = 5000,
): Promise<OrderAnswer> {
  const deadline = Date.now() + timeoutMs;
  let last: OrderAnswer | undefined;
  while (Date.now() < deadline) {
    last = (await getOrder(stack, p, orderId)).body;
    if (statuses.includes(last.status)) return last;
    await workOrderJobs(stack, orderId);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`order ${orderId} stayed ${last?.status}, expected ${statuses.join('/')}`);
}

export async function hisBill(stack: Stack, billNo: string) {
  return adminGet<{ billNo: string; status: string; paidOrderId?: string; lockedBy?: string }>(
    stack.his.url,
    `/__admin/bills/${billNo}`,
  );
}

/** Whole journey to COMPLETED; returns the final order. */
export async function payInFull(stack: Stack, p: SeededPatient, useInsurance: boolean): Promise<OrderAnswer> {
  if (useInsurance) await authorize(stack, p);
  const order = await checkout(stack, p, useInsurance);
  if (order.status !== 201) throw new Error(`checkout failed: ${JSON.stringify(order.body)}`);
  const payment = await pay(stack, p, order.body.id);
  if (payment.status !== 200) throw new Error(`pay failed: ${JSON.stringify(payment.body)}`);
  await confirmAtWeChat(stack, order.body.orderNo);
  await waitForStatus(stack, p, order.body.id, ['PAID', 'COMPLETED']);
  await stack.runJobs();
  return waitForStatus(stack, p, order.body.id, ['COMPLETED']);
}

/** The order's raw status changes with actor and reason, as the console sees them (the patient sees a timeline). */
export async function orderEvents(
  stack: Stack,
  orderId: string,
): Promise<{ from: string | null; to: string; actor: string; reason: string }[]> {
  return (await stack.db.db.query(
    `SELECT from_status AS "from", to_status AS "to", actor, reason FROM order_events WHERE order_id = $1 ORDER BY id`,
    [orderId],
  )) as { from: string | null; to: string; actor: string; reason: string }[];
}

/**
 * An insured patient, authorized, checks out while the insurance platform's pre-settlement (6202) has `fault`
 * (the mock's fault: kind, count, …). The checkout's answer is the caller's to judge.
 */
export async function checkoutWhileInsuranceFails(
  stack: Stack,
  fault: { kind: string } & Record<string, unknown>,
) {
  const p = await seedPatient(stack, { insured: { insutype: '310', balance: 3000 } });
  await authorize(stack, p);
  await adminPost(stack.insurance.url, '/__admin/faults', { path: INSURANCE_PATHS.payOrder, ...fault });
  return { p, answer: await checkout(stack, p, true) };
}
