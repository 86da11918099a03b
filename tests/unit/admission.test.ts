/**
 * Admission control's two signals (server/http/admission.ts): requests in flight, and the event loop's delay.
 * The delay is measured in real time by Node's own histogram, so that test blocks the loop and waits (bounded)
 * for the next sampling window to see it.
 */
import type Koa from 'koa';
import { createAdmission, type Admission } from '../../server/http/admission';

function fakeCtx(path: string) {
  const headers: Record<string, string> = {};
  return {
    path,
    status: 404,
    body: undefined as unknown,
    set: (k: string, v: string) => (headers[k] = v),
    headers,
  };
}

async function pass(a: Admission, path: string, hold?: Promise<void>) {
  const ctx = fakeCtx(path);
  let ran = false;
  await a.middleware(ctx as unknown as Koa.Context, async () => {
    ran = true;
    await hold;
  });
  return { ran, ctx };
}

describe('admission control', () => {
  it('refuses API requests beyond the in-flight limit, and admits again when they finish', async () => {
    const a = createAdmission({ maxInflight: 2, maxLoopDelayMs: 0, retryAfterS: 3 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = pass(a, '/api/v1/orders', held);
    const second = pass(a, '/api/v1/orders', held);
    const refused = await pass(a, '/api/v1/orders');
    expect(refused.ran).toBe(false);
    expect(refused.ctx.status).toBe(503);
    expect(refused.ctx.headers['Retry-After']).toBe('3');
    expect(refused.ctx.body).toMatchObject({ code: 'OVERLOADED' });
    // callbacks, health and the H5 files are always admitted
    expect((await pass(a, '/api/v1/notify/wechatpay')).ran).toBe(true);
    expect((await pass(a, '/healthz')).ran).toBe(true);
    expect((await pass(a, '/index.html')).ran).toBe(true);
    expect(a.stats()).toMatchObject({ inflight: 2, shed: 1, overloaded: true });
    release();
    await Promise.all([first, second]);
    expect((await pass(a, '/api/v1/orders')).ran).toBe(true);
    expect(a.stats()).toMatchObject({ inflight: 0, overloaded: false });
    a.stop();
  });

  it('refuses while the event loop lags beyond the limit', async () => {
    const a = createAdmission({ maxInflight: 0, maxLoopDelayMs: 30, retryAfterS: 1, windowMs: 40 });
    // the histogram measures from its first tick on: let it tick before blocking
    await new Promise((r) => setTimeout(r, 30));
    const until = Date.now() + 150;
    while (Date.now() < until); // the loop is blocked for 150 ms
    const deadline = Date.now() + 2000;
    while (!a.stats().overloaded && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(a.stats().loopDelayP99Ms).toBeGreaterThan(30);
    expect((await pass(a, '/api/v1/patients')).ctx.status).toBe(503);
    a.stop();
  });
});
