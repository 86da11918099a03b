/**
 * Security headers and compression on every kind of answer of the public port (DESIGN 8): the H5 page, a hashed
 * asset, API JSON, a 404, a 400 and a 500 all carry the same Content-Security-Policy, frame-ancestors 'none' and
 * X-Frame-Options DENY, nosniff and Referrer-Policy. HSTS only over HTTPS, which behind a proxy means a trusted
 * proxy's X-Forwarded-Proto. The browser side (0 violations while the app runs) is in tests/e2e.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startStack, useStack, type Stack } from '../helpers/stack';
import { rawRequest as raw, tempFolder, type RawAnswer as Raw } from '../helpers/raw';

const INDEX = '<!doctype html><html><head><title>H5</title></head><body><div id="app"></div></body></html>';
/** big enough to be compressed (≥ 1 KiB), and compressible */
const APP_JS = `console.log(${JSON.stringify('医保缴费 '.repeat(400))});`;

const CSP =
  "default-src 'self';script-src 'self';script-src-attr 'none';style-src 'self' 'unsafe-inline';" +
  "img-src 'self' data:;font-src 'self' data:;connect-src 'self';manifest-src 'self';worker-src 'self';" +
  "frame-src 'none';object-src 'none';base-uri 'none';form-action 'self';frame-ancestors 'none'";

const tmp = tempFolder('h5-headers-', { 'index.html': INDEX, 'js/app.5f3c2a1b.js': APP_JS });
const stack = useStack({ env: { H5_DIR: tmp } });

function expectSecurityHeaders(res: Raw): void {
  expect(res.headers['content-security-policy']).toBe(CSP);
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
  expect(res.headers['x-powered-by']).toBeUndefined();
  // plain http: no HSTS
  expect(res.headers['strict-transport-security']).toBeUndefined();
}

describe('security headers on the public port', () => {
  it('on / (the H5 page), revalidated on every load', async () => {
    const res = await raw(stack.url, '/');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(INDEX);
    expect(res.headers['cache-control']).toBe('no-cache');
    expectSecurityHeaders(res);
  });

  it('on a hashed asset, cached for a year', async () => {
    const res = await raw(stack.url, '/js/app.5f3c2a1b.js');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expectSecurityHeaders(res);
  });

  it('on an API JSON answer', async () => {
    const res = await raw(stack.url, '/api/v1/client-config');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expectSecurityHeaders(res);
  });

  it('on a 404 of the API and of a file', async () => {
    for (const path of ['/api/v1/nope', '/js/nope.5f3c2a1b.js', '/readyz', '/metrics']) {
      const res = await raw(stack.url, path);
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body.toString())).toMatchObject({ code: 'NOT_FOUND' });
      expectSecurityHeaders(res);
    }
  });

  it('API answers are never stored (back-forward navigation served a stale order), but the client config may be', async () => {
    for (const path of ['/api/v1/orders', '/api/v1/nope', '/api/v1/console/orders?date=2026-12-01']) {
      const res = await raw(stack.url, path);
      expect([path, res.headers['cache-control']]).toEqual([path, 'no-store']);
    }
    const config = await raw(stack.url, '/api/v1/client-config');
    expect(config.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
  });

  it('on a 400 (bad JSON) and a 401', async () => {
    const bad = await raw(stack.url, '/api/v1/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"code":',
    });
    expect(bad.status).toBe(400);
    expectSecurityHeaders(bad);
    const anonymous = await raw(stack.url, '/api/v1/orders');
    expect(anonymous.status).toBe(401);
    expectSecurityHeaders(anonymous);
  });

  it('on a 500: the headers stay, the body says nothing inside', async () => {
    const spy = jest.spyOn(stack.store, 'consumeRate').mockRejectedValueOnce(new Error('store exploded'));
    try {
      const res = await raw(stack.url, '/api/v1/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"code":"x"}',
      });
      expect(res.status).toBe(500);
      expect(JSON.parse(res.body.toString())).toMatchObject({ code: 'INTERNAL' });
      expect(res.body.toString()).not.toContain('exploded');
      expectSecurityHeaders(res);
    } finally {
      spy.mockRestore();
    }
  });

  it('nosniff on the operations port too', async () => {
    for (const path of ['/readyz', '/metrics', '/nope'])
      expect((await raw(stack.opsUrl, path)).headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('compression', () => {
  it('sends a static file as br or gzip, as the client accepts, and as is to a client that asks for neither', async () => {
    const br = await raw(stack.url, '/js/app.5f3c2a1b.js', { headers: { 'accept-encoding': 'gzip, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/Accept-Encoding/i);
    expect(brotliDecompressSync(br.body).toString()).toBe(APP_JS);
    expect(br.body.length).toBeLessThan(Buffer.byteLength(APP_JS) / 4);

    const gzip = await raw(stack.url, '/js/app.5f3c2a1b.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).toString()).toBe(APP_JS);

    const plain = await raw(stack.url, '/js/app.5f3c2a1b.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(APP_JS);
    expect(plain.headers['content-length']).toBe(String(Buffer.byteLength(APP_JS)));
  });

  it('leaves small answers alone, and a 304 is still a 304', async () => {
    const small = await raw(stack.url, '/api/v1/client-config', { headers: { 'accept-encoding': 'br' } });
    expect(small.headers['content-encoding']).toBeUndefined();
    const first = await raw(stack.url, '/js/app.5f3c2a1b.js');
    const again = await raw(stack.url, '/js/app.5f3c2a1b.js', {
      headers: { 'accept-encoding': 'br', 'if-none-match': String(first.headers.etag) },
    });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });
});

describe('HSTS', () => {
  let behindProxy: Stack;
  beforeAll(async () => {
    behindProxy = await startStack({ env: { H5_DIR: tmp, TRUSTED_PROXIES: '127.0.0.1/32' } });
  });
  afterAll(async () => {
    await behindProxy?.stop();
  });

  it('is sent, with upgrade-insecure-requests, when a trusted proxy says the request came over HTTPS', async () => {
    for (const path of ['/', '/api/v1/client-config', '/api/v1/nope']) {
      const res = await raw(behindProxy.url, path, { headers: { 'x-forwarded-proto': 'https' } });
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(res.headers['content-security-policy']).toBe(`${CSP};upgrade-insecure-requests`);
    }
    const http = await raw(behindProxy.url, '/');
    expect(http.headers['strict-transport-security']).toBeUndefined();
  });

  it('is not sent when an untrusted client claims HTTPS', async () => {
    const res = await raw(stack.url, '/', { headers: { 'x-forwarded-proto': 'https' } });
    expectSecurityHeaders(res);
  });
});
