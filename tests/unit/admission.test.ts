/**
 * Admission control's two signals (server/http/admission.ts): requests in flight, and the event loop's delay
 * (handed in here; in the server it is Node's own histogram).
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

  it('refuses while the event loop lags beyond the limit, and admits again when it recovers', async () => {
    let delayMs = 12;
    const a = createAdmission({
      maxInflight: 0,
      maxLoopDelayMs: 100,
      retryAfterS: 1,
      loopDelayP99Ms: () => delayMs,
    });
    expect((await pass(a, '/api/v1/patients')).ran).toBe(true);
    delayMs = 150;
    expect((await pass(a, '/api/v1/patients')).ctx.status).toBe(503);
    expect(a.stats()).toMatchObject({ loopDelayP99Ms: 150, overloaded: true });
    delayMs = 40;
    expect((await pass(a, '/api/v1/patients')).ran).toBe(true);
    a.stop();
  });
});
