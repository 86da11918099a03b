import { randomUUID } from 'node:crypto';
import { adminPost, call, seedPatient, useStack, type SeededPatient } from '../helpers/stack';
import { checkout } from '../helpers/flow';

const stack = useStack();
let alice: SeededPatient;
let bob: SeededPatient;
let aliceOrderId: string;

beforeAll(async () => {
  alice = await seedPatient(stack);
  bob = await seedPatient(stack);
  aliceOrderId = (await checkout(stack, alice, false)).body.id;
});

function expectError(answer: { status: number; body: unknown }, status: number, code: string) {
  expect({ status: answer.status, code: (answer.body as { code?: string }).code }).toEqual({ status, code });
  const message = (answer.body as { message?: unknown }).message;
  expect(typeof message).toBe('string');
  // every message is Chinese (shared/messages.ts): no English word reaches a patient or a cashier
  expect(String(message).match(/[A-Za-z]{3,}/g) ?? []).toEqual([]);
}

describe('sessions', () => {
  it('refuses a login code that is unknown or already used', async () => {
    expectError(
      await call(stack.url, 'POST', '/api/v1/session', { body: { code: 'not-a-real-code' } }),
      401,
      'INVALID_LOGIN_CODE',
    );
    const { code } = await adminPost<{ code: string }>(stack.wechat.url, '/__admin/login-codes');
    expect((await call(stack.url, 'POST', '/api/v1/session', { body: { code } })).status).toBe(200);
    expectError(
      await call(stack.url, 'POST', '/api/v1/session', { body: { code } }),
      401,
      'INVALID_LOGIN_CODE',
    );
  });

  it('refuses calls without a valid session', async () => {
    expectError(await call(stack.url, 'GET', '/api/v1/patients'), 401, 'UNAUTHENTICATED');
    expectError(
      await call(stack.url, 'GET', '/api/v1/patients', { token: 'x'.repeat(43) }),
      401,
      'UNAUTHENTICATED',
    );
  });
});

describe("another user's data is 404, never the data", () => {
  it('hides patients', async () => {
    expectError(
      await call(stack.url, 'GET', `/api/v1/patients/${alice.patientId}/bills`, { token: bob.token }),
      404,
      'PATIENT_NOT_FOUND',
    );
    expectError(
      await call(stack.url, 'POST', `/api/v1/patients/${alice.patientId}/insurance-authorizations`, {
        token: bob.token,
        body: { authCode: 'x' },
      }),
      404,
      'PATIENT_NOT_FOUND',
    );
    const list = await call<{ id: string }[]>(stack.url, 'GET', '/api/v1/patients', { token: bob.token });
    expect(list.body.map((p) => p.id)).not.toContain(alice.patientId);
  });

  it('hides orders', async () => {
    expectError(
      await call(stack.url, 'GET', `/api/v1/orders/${aliceOrderId}`, { token: bob.token }),
      404,
      'ORDER_NOT_FOUND',
    );
    expectError(
      await call(stack.url, 'POST', `/api/v1/orders/${aliceOrderId}/payments`, { token: bob.token }),
      404,
      'ORDER_NOT_FOUND',
    );
    expectError(
      await call(stack.url, 'POST', `/api/v1/orders/${aliceOrderId}/cancel`, { token: bob.token }),
      404,
      'ORDER_NOT_FOUND',
    );
    const list = await call<{ id: string }[]>(stack.url, 'GET', '/api/v1/orders', { token: bob.token });
    expect(list.body.map((o) => o.id)).not.toContain(aliceOrderId);
  });

  it("refuses to check out with another user's patient card or bill", async () => {
    const withAlicesCard = await call(stack.url, 'POST', '/api/v1/orders', {
      token: bob.token,
      headers: { 'idempotency-key': randomUUID() },
      body: { patientId: alice.patientId, billNos: [alice.billNo], useInsurance: false },
    });
    expectError(withAlicesCard, 404, 'PATIENT_NOT_FOUND');
    const withAlicesBill = await call(stack.url, 'POST', '/api/v1/orders', {
      token: bob.token,
      headers: { 'idempotency-key': randomUUID() },
      body: { patientId: bob.patientId, billNos: [alice.billNo], useInsurance: false },
    });
    expectError(withAlicesBill, 404, 'BILL_NOT_FOUND');
  });

  it('answers 400 INVALID_ID for ids that are not ids, 404 for ids of nothing', async () => {
    expectError(
      await call(stack.url, 'GET', '/api/v1/orders/not-a-uuid', { token: alice.token }),
      400,
      'INVALID_ID',
    );
    expectError(
      await call(stack.url, 'GET', `/api/v1/orders/${randomUUID()}`, { token: alice.token }),
      404,
      'ORDER_NOT_FOUND',
    );
  });
});

describe('bad input is a 4xx with a code, never a 500 or a half-written order', () => {
  const order = (
    body: unknown,
    key: string = randomUUID(),
    rawBody?: string,
    contentType = 'application/json',
  ) =>
    call(stack.url, 'POST', '/api/v1/orders', {
      token: alice.token,
      headers: { 'idempotency-key': key, 'content-type': contentType },
      body,
      rawBody,
    });

  async function orderCount(): Promise<number> {
    const rows = (await stack.db.db.query(`SELECT count(*)::int AS n FROM orders`)) as { n: number }[];
    return rows[0].n;
  }

  it.each<[string, unknown, string | undefined]>([
    ['malformed JSON', undefined, '{"patientId": '],
    ['an array body', undefined, '[1,2]'],
    ['billNos not an array', { billNos: 'B1', useInsurance: false }, undefined],
    ['useInsurance a string', { billNos: ['B1'], useInsurance: 'yes' }, undefined],
    ['an empty bill list', { billNos: [], useInsurance: false }, undefined],
    ['21 bills', { billNos: Array.from({ length: 21 }, (_, i) => `B${i}`), useInsurance: false }, undefined],
    [
      'a bill number with odd characters',
      { billNos: ['B1; DROP TABLE orders'], useInsurance: false },
      undefined,
    ],
    [
      'an amount the client should not send',
      { billNos: ['B1'], useInsurance: false, amount: -100 },
      undefined,
    ],
    ['a huge amount', { billNos: ['B1'], useInsurance: false, amount: 1e20 }, undefined],
  ])('refuses %s with 400 VALIDATION_FAILED', async (_name, body, raw) => {
    const before = await orderCount();
    const answer = await order(
      body === undefined ? undefined : { patientId: alice.patientId, ...(body as object) },
      randomUUID(),
      raw,
    );
    expectError(answer, 400, 'VALIDATION_FAILED');
    expect(await orderCount()).toBe(before);
  });

  it('refuses a non-JSON media type with 415', async () => {
    expectError(
      await order(undefined, randomUUID(), 'patientId=1', 'application/x-www-form-urlencoded'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('refuses a body over the size limit with 413', async () => {
    const big = JSON.stringify({
      patientId: alice.patientId,
      billNos: ['B1'],
      useInsurance: false,
      pad: 'x'.repeat(400_000),
    });
    const answer = await order(undefined, randomUUID(), big);
    expect(answer.status).toBe(413);
  });

  it('refuses an unknown bill with 404 BILL_NOT_FOUND and writes no order', async () => {
    const before = await orderCount();
    expectError(
      await order({ patientId: alice.patientId, billNos: ['NOSUCHBILL1'], useInsurance: false }),
      404,
      'BILL_NOT_FOUND',
    );
    expect(await orderCount()).toBe(before);
  });

  it('refuses a malformed ID number, and answers an unknown person like a known one (no card, no hint)', async () => {
    expectError(
      await call(stack.url, 'POST', '/api/v1/patients', {
        token: alice.token,
        body: { name: '张三', idNo: '12345' },
      }),
      400,
      'VALIDATION_FAILED',
    );
    const stranger = await call(stack.url, 'POST', '/api/v1/patients', {
      token: alice.token,
      body: { name: '无此人', idNo: '110101199001011237' },
    });
    expect(stranger.status).toBe(202);
    expect(stranger.body).toMatchObject({ status: 'VERIFICATION_REQUIRED', channel: 'sms' });
  });

  it('refuses insurance checkout before authorization', async () => {
    expectError(
      await order({ patientId: bob.patientId, billNos: [bob.billNo], useInsurance: true }),
      404,
      'PATIENT_NOT_FOUND',
    );
    const carol = await seedPatient(stack);
    const answer = await call(stack.url, 'POST', '/api/v1/orders', {
      token: carol.token,
      headers: { 'idempotency-key': randomUUID() },
      body: { patientId: carol.patientId, billNos: [carol.billNo], useInsurance: true },
    });
    expectError(answer, 422, 'INSURANCE_NOT_AUTHORIZED');
  });

  it('answers unknown routes with 404 NOT_FOUND', async () => {
    expectError(
      await call(stack.url, 'GET', '/api/v1/nothing-here', { token: alice.token }),
      404,
      'NOT_FOUND',
    );
  });
});

describe('Idempotency-Key', () => {
  it('is required on checkout', async () => {
    const answer = await call(stack.url, 'POST', '/api/v1/orders', {
      token: bob.token,
      body: { patientId: bob.patientId, billNos: [bob.billNo], useInsurance: false },
    });
    expectError(answer, 400, 'IDEMPOTENCY_KEY_REQUIRED');
  });

  it('replays the same answer for the same key and body, and refuses the key with another body', async () => {
    const dave = await seedPatient(stack);
    const key = randomUUID();
    const body = { patientId: dave.patientId, billNos: [dave.billNo], useInsurance: false };
    const first = await call<{ id: string }>(stack.url, 'POST', '/api/v1/orders', {
      token: dave.token,
      headers: { 'idempotency-key': key },
      body,
    });
    const second = await call<{ id: string }>(stack.url, 'POST', '/api/v1/orders', {
      token: dave.token,
      headers: { 'idempotency-key': key },
      body: { useInsurance: false, billNos: [dave.billNo], patientId: dave.patientId },
    });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    const other = await call(stack.url, 'POST', '/api/v1/orders', {
      token: dave.token,
      headers: { 'idempotency-key': key },
      body: { ...body, useInsurance: true },
    });
    expectError(other, 422, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('creates one order when the same key is sent twice at the same time', async () => {
    const hana = await seedPatient(stack);
    const key = randomUUID();
    const body = { patientId: hana.patientId, billNos: [hana.billNo], useInsurance: false };
    const answers = await Promise.all(
      [1, 2, 3].map(() =>
        call<{ id: string }>(stack.url, 'POST', '/api/v1/orders', {
          token: hana.token,
          headers: { 'idempotency-key': key },
          body,
        }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual(expect.arrayContaining([201]));
    for (const a of answers) expect([201, 409]).toContain(a.status);
    const ids = new Set(answers.filter((a) => a.status === 201).map((a) => a.body.id));
    expect(ids.size).toBe(1);
    const rows = (await stack.db.db.query(`SELECT count(*)::int AS n FROM orders WHERE patient_id = $1`, [
      hana.patientId,
    ])) as { n: number }[];
    expect(rows[0].n).toBe(1);
  });

  it('is honoured on other writes when sent: a retried bind with its key answers the same', async () => {
    const key = randomUUID();
    const idNo = '110101199003071234';
    const body = { name: '重试者', idNo };
    const first = await call(stack.url, 'POST', '/api/v1/patients', {
      token: alice.token,
      headers: { 'idempotency-key': key },
      body,
    });
    const second = await call(stack.url, 'POST', '/api/v1/patients', {
      token: alice.token,
      headers: { 'idempotency-key': key },
      body,
    });
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const other = await call(stack.url, 'POST', '/api/v1/patients', {
      token: alice.token,
      headers: { 'idempotency-key': key },
      body: { ...body, name: '别人' },
    });
    expectError(other, 422, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('belongs to one user: the same key from another user is a different request', async () => {
    const erin = await seedPatient(stack);
    const frank = await seedPatient(stack);
    const key = randomUUID();
    const a = await call<{ id: string }>(stack.url, 'POST', '/api/v1/orders', {
      token: erin.token,
      headers: { 'idempotency-key': key },
      body: { patientId: erin.patientId, billNos: [erin.billNo], useInsurance: false },
    });
    const b = await call<{ id: string }>(stack.url, 'POST', '/api/v1/orders', {
      token: frank.token,
      headers: { 'idempotency-key': key },
      body: { patientId: frank.patientId, billNos: [frank.billNo], useInsurance: false },
    });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(a.body.id).not.toBe(b.body.id);
  });
});

describe('cancel', () => {
  it('cancels an unpaid order, unlocks the bill, and refuses to cancel twice into another state', async () => {
    const gina = await seedPatient(stack);
    const order = await checkout(stack, gina, false);
    const cancelled = await call<{ status: string }>(
      stack.url,
      'POST',
      `/api/v1/orders/${order.body.id}/cancel`,
      { token: gina.token },
    );
    expect(cancelled.body.status).toBe('CANCELLED');
    await stack.runJobs();
    const again = await call<{ status: string }>(
      stack.url,
      'POST',
      `/api/v1/orders/${order.body.id}/cancel`,
      { token: gina.token },
    );
    expect(again.body.status).toBe('CANCELLED');
    const paying = await call(stack.url, 'POST', `/api/v1/orders/${order.body.id}/payments`, {
      token: gina.token,
    });
    expectError(paying, 409, 'ORDER_STATE_CONFLICT');
    expect((await checkout(stack, gina, false)).status).toBe(201);
  });
});

describe('operations endpoints', () => {
  it('answers /healthz on the public port, and /readyz with every dependency and Prometheus /metrics on the operations port only', async () => {
    expect((await call(stack.url, 'GET', '/healthz')).status).toBe(200);
    for (const path of ['/readyz', '/metrics'])
      expect(await call(stack.url, 'GET', path)).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    const ready = await call<{ status: string; checks: Record<string, string> }>(
      stack.opsUrl,
      'GET',
      '/readyz',
    );
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.body.checks).sort()).toEqual([
      'his',
      'insurance',
      'postgres',
      'store',
      'wechatpay',
    ]);
    await stack.runJobs();
    const metrics = await call<string>(stack.opsUrl, 'GET', '/metrics');
    expect(metrics.body).toContain('http_request_duration_seconds_bucket');
    expect(metrics.body).toMatch(/orders_by_state\{state="PRESETTLED"\} \d+/);
    expect(metrics.body).toContain('outbox_pending');
  });

  it('echoes a request id, or makes one', async () => {
    const given = await call(stack.url, 'GET', '/healthz', { headers: { 'x-request-id': 'req-12345678' } });
    expect(given.headers.get('x-request-id')).toBe('req-12345678');
    expect((await call(stack.url, 'GET', '/healthz')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
