/**
 * Admission control over HTTP (issue 14, server/http/admission.ts): with ADMISSION_MAX_INFLIGHT requests already
 * in flight (held up by a slow HIS), the next API requests are refused at once with 503 OVERLOADED and
 * Retry-After — having done nothing (no order written) — while WeChat Pay's callbacks are still admitted; once the
 * load is gone, requests are served again.
 */
import { randomUUID } from 'node:crypto';
import { adminPost, call, seedPatient, useStack } from '../helpers/stack';

const stack = useStack({
  env: { ADMISSION_MAX_INFLIGHT: '3', ADMISSION_RETRY_AFTER_S: '2', BILLS_CACHE_TTL_MS: '1' },
});

afterEach(async () => {
  await call(stack.his.url, 'DELETE', '/__admin/faults');
});

async function ordersCount(): Promise<number> {
  const rows = (await stack.db.db.query(`SELECT count(*)::int AS n FROM orders`)) as { n: number }[];
  return rows[0].n;
}

describe('admission control', () => {
  it('refuses the excess at once with 503 OVERLOADED and Retry-After, writing nothing; callbacks still pass', async () => {
    const p = await seedPatient(stack);
    const before = await ordersCount();
    // every HIS call takes 800 ms: three bill listings fill the instance
    await adminPost(stack.his.url, '/__admin/faults', { path: '/', kind: 'latency', latencyMs: 800 });
    const slow = [1, 2, 3].map(() =>
      call(stack.url, 'GET', `/api/v1/patients/${p.patientId}/bills`, { token: p.token }),
    );
    // once the three are in, a cheap read is refused too (bounded: the three take 800 ms)
    const deadline = performance.now() + 700;
    let probe = await call(stack.url, 'GET', '/api/v1/patients', { token: p.token });
    while (probe.status !== 503 && performance.now() < deadline)
      probe = await call(stack.url, 'GET', '/api/v1/patients', { token: p.token });
    expect(probe.status).toBe(503);

    const started = performance.now();
    const refused = await call<{ code: string; message: string }>(stack.url, 'POST', '/api/v1/orders', {
      token: p.token,
      headers: { 'idempotency-key': randomUUID() },
      body: { patientId: p.patientId, billNos: [p.billNo], useInsurance: false },
    });
    const tookMs = performance.now() - started;
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('OVERLOADED');
    expect(refused.body.message).toMatch(/[\u4e00-\u9fff]/);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(tookMs).toBeLessThan(500);

    // WeChat Pay's callback path is never shed (an unsigned one is refused by its own checks, not by load)
    const callback = await call(stack.url, 'POST', '/api/v1/notify/wechatpay', { body: { id: 'x' } });
    expect(callback.status).not.toBe(503);

    const served = await Promise.all(slow);
    expect(served.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(await ordersCount()).toBe(before);

    // the load is gone: served again
    await call(stack.his.url, 'DELETE', '/__admin/faults');
    const again = await call(stack.url, 'POST', '/api/v1/orders', {
      token: p.token,
      headers: { 'idempotency-key': randomUUID() },
      body: { patientId: p.patientId, billNos: [p.billNo], useInsurance: false },
    });
    expect(again.status).toBe(201);
    const metrics = await (await fetch(`${stack.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(/^http_requests_shed_total [1-9]/m);
  });
});
