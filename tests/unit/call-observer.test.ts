/**
 * gateways/http.ts tells the registered observers of every attempt and every breaker change, and the metrics
 * observer turns them into outside_calls_total, outside_call_duration_seconds and circuit_breaker_state.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BREAKER_FAILURES_MAX, createHttpCaller, observeCalls } from '../../server/gateways/http';
import { callObserver, createMetrics } from '../../server/http/metrics';

let server: Server;
let base: string;
let answer = 200;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.statusCode = answer;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const value = async (metrics: ReturnType<typeof createMetrics>, series: string) => {
  const text = await metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

it('counts attempts per party and outcome, times them, and follows the breaker', async () => {
  const metrics = createMetrics();
  const stop = observeCalls(callObserver(metrics));
  try {
    const call = createHttpCaller('his');
    const request = { method: 'GET' as const, url: `${base}/x`, timeoutMs: 2000, idempotent: false };
    answer = 200;
    await call(request);
    answer = 503;
    for (let i = 0; i < BREAKER_FAILURES_MAX; i++) await expect(call(request)).rejects.toThrow();
    await expect(call(request)).rejects.toThrow(/circuit is open/);

    expect(await value(metrics, 'outside_calls_total{party="his",outcome="ok"}')).toBe(1);
    expect(await value(metrics, 'outside_calls_total{party="his",outcome="unavailable"}')).toBe(
      BREAKER_FAILURES_MAX,
    );
    expect(await value(metrics, 'outside_calls_total{party="his",outcome="circuit_open"}')).toBe(1);
    // the refused attempt was never sent: not timed
    expect(await value(metrics, 'outside_call_duration_seconds_count{party="his"}')).toBe(
      BREAKER_FAILURES_MAX + 1,
    );
    expect(await value(metrics, 'circuit_breaker_state{party="his"}')).toBe(2);
    expect(await value(metrics, 'circuit_breaker_state{party="wechatpay"}')).toBe(0);
  } finally {
    stop();
  }
  // unregistered: no longer told
  answer = 200;
  await createHttpCaller('his')({ method: 'GET', url: `${base}/y`, timeoutMs: 2000, idempotent: false });
  expect(await value(metrics, 'outside_calls_total{party="his",outcome="ok"}')).toBe(1);
});
