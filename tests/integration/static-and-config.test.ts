/**
 * The server as the H5 build meets it: the built files served at / (types, caching, SPA fallback, never over
 * the API, never outside the folder) and GET /api/v1/client-config. The build is a tiny fake in a temp folder,
 * with a file beside it that no URL may reach.
 */
import { join } from 'node:path';
import type { ClientConfigView } from '../../shared/api';
import { testKeys } from '../../shared/crypto/keyring';
import { cacheControlOf, isHashedAsset, resolveInside } from '../../server/http/static';
import { startStack, useStack, type Stack } from '../helpers/stack';
import { rawRequest, tempFolder } from '../helpers/raw';

const INDEX = '<!doctype html><html><head><title>H5</title></head><body><div id="app"></div></body></html>';
const SECRET = 'TOP SECRET, outside the build';
const IMMUTABLE = 'public, max-age=31536000, immutable';

const FILES: Record<string, string | Buffer> = {
  'index.html': INDEX,
  'app.js': 'console.log("app")',
  'static/js/app.5f3c2a1b.js': 'console.log("hashed")',
  'static/js/app.5f3c2a1b.js.map': '{"version":3}',
  'static/css/app.0a1b2c3d.css': 'body{margin:0}',
  'static/images/logo.4e5f6a7b.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'static/images/icon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  'static/fonts/iconfont.9a8b7c6d.woff2': Buffer.from('wOF2'),
  'favicon.ico': Buffer.from([0, 0, 1, 0]),
  'manifest.json': '{"name":"h5"}',
  '.env': SECRET,
};

// the build in h5/, and beside it a file no URL may reach
const tmp = tempFolder('h5-test-', {
  ...Object.fromEntries(Object.entries(FILES).map(([name, content]) => [`h5/${name}`, content])),
  'secret.txt': SECRET,
});
const stack = useStack({ env: { H5_DIR: join(tmp, 'h5') } });

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http sends the path byte for byte; fetch would normalise `%2e%2e` away before it left. */
async function raw(path: string, method = 'GET', headers: Record<string, string> = {}): Promise<Raw> {
  const answer = await rawRequest(stack.url, path, { method, headers });
  return { ...answer, body: answer.body.toString() };
}

function expectJsonNotFound(res: Raw) {
  expect(res.status).toBe(404);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(JSON.parse(res.body)).toMatchObject({ code: 'NOT_FOUND' });
}

describe('the H5 build at /', () => {
  it('serves index.html at / and /index.html, revalidated on every load', async () => {
    for (const path of ['/', '/index.html']) {
      const res = await raw(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.body).toBe(INDEX);
    }
  });

  it('sends /console to the cashier console, a hash route of the same build', async () => {
    for (const path of ['/console', '/console/']) {
      const res = await raw(path);
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe('/#/pages/console/login/index');
    }
  });

  it.each([
    ['/app.js', 'text/javascript; charset=utf-8', 'no-cache'],
    ['/static/js/app.5f3c2a1b.js', 'text/javascript; charset=utf-8', IMMUTABLE],
    ['/static/js/app.5f3c2a1b.js.map', 'application/json; charset=utf-8', IMMUTABLE],
    ['/static/css/app.0a1b2c3d.css', 'text/css; charset=utf-8', IMMUTABLE],
    ['/static/images/logo.4e5f6a7b.png', 'image/png', IMMUTABLE],
    ['/static/images/icon.svg', 'image/svg+xml', 'no-cache'],
    ['/static/fonts/iconfont.9a8b7c6d.woff2', 'font/woff2', IMMUTABLE],
    ['/favicon.ico', 'image/x-icon', 'no-cache'],
    ['/manifest.json', 'application/json; charset=utf-8', 'no-cache'],
  ])('serves %s as %s with Cache-Control %s', async (path, type, cache) => {
    const res = await raw(path);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expect(res.headers['cache-control']).toBe(cache);
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(FILES[path.slice(1)]));
  });

  it('answers a client-side route without an extension with index.html (SPA fallback)', async () => {
    for (const path of ['/pages/home/index', '/pages/bills/detail?billNo=B1', '/static']) {
      const res = await raw(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toBe(INDEX);
    }
  });

  it('answers 404 JSON for a missing file that has an extension', async () => {
    expectJsonNotFound(await raw('/static/js/missing.js'));
    expectJsonNotFound(await raw('/pages/home/index.html'));
  });

  it('never answers for the API or the ops paths: 404 JSON, not index.html', async () => {
    for (const path of ['/api/v1/nope', '/api', '/api/', '/api/v2/pages/home', '/healthz/x', '/metrics/x'])
      expectJsonNotFound(await raw(path));
    expect(JSON.parse((await raw('/healthz')).body)).toEqual({ status: 'ok' });
  });

  it('answers HEAD with the headers and no body, and serves nothing to other methods', async () => {
    const head = await raw('/', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(INDEX));
    expect(head.body).toBe('');
    expectJsonNotFound(await raw('/', 'DELETE'));
    expectJsonNotFound(await raw('/pages/home/index', 'POST'));
  });

  it('answers 304 to a request carrying the ETag it was given', async () => {
    const first = await raw('/static/js/app.5f3c2a1b.js');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\/"[0-9a-f]+-[0-9a-f]+"$/);
    expect(first.headers['last-modified']).toBeDefined();
    const again = await raw('/static/js/app.5f3c2a1b.js', 'GET', { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
  });

  it.each([
    '/..%2f..%2fetc/passwd',
    '/%2e%2e/package.json',
    '/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/%2e%2e%2fsecret.txt',
    '/../secret.txt',
    '/static/..%2f..%2fsecret.txt',
    '/static/%2e%2e/%2e%2e/secret.txt',
    '/%2e%2e%5csecret.txt',
    '/.env',
    '/%2eenv',
    '/index.html%00.png',
    '/%00',
    '/%E0%A4%A',
  ])('refuses %s with 404 and nothing from outside the build', async (path) => {
    const res = await raw(path);
    expectJsonNotFound(res);
    expect(res.body).not.toContain(SECRET);
  });
});

describe('resolveInside(root, urlPath)', () => {
  const root = '/srv/h5';
  it('decodes once: %252e%252e stays a harmless name', () => {
    expect(resolveInside(root, '/%252e%252e/x')).toBe('/srv/h5/%2e%2e/x');
    expect(resolveInside(root, '/pages/%E9%A6%96%E9%A1%B5')).toBe('/srv/h5/pages/首页');
  });
  it('refuses reserved paths even when encoded', () => {
    expect(resolveInside(root, '/%61pi/v1/orders')).toBeNull();
  });
});

describe('cache rules', () => {
  it('takes a hex hash with a digit for a content hash, and a plain word for none', () => {
    expect(isHashedAsset('/js/app.5f3c2a1b.js')).toBe(true);
    expect(isHashedAsset('/js/vendors-3e9d0c7a41.css')).toBe(true);
    expect(isHashedAsset('/js/app-component.js')).toBe(false);
    expect(isHashedAsset('/js/app.deadbeef.js')).toBe(false);
    expect(isHashedAsset('/app.js')).toBe(false);
    expect(cacheControlOf('/index.5f3c2a1b.html')).toBe('no-cache');
  });
});

describe('GET /api/v1/client-config', () => {
  it('answers appId, hospital name and the sandbox and authorization URLs, without auth, cacheable 60 s', async () => {
    const res = await fetch(`${stack.url}/api/v1/client-config`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(await res.json()).toEqual({
      appId: testKeys().server.wechat.appId,
      hospitalName: '演示市第一人民医院',
      wechatSandboxUrl: stack.wechat.url,
      insuranceAuthUrl: `${stack.insurance.url}/oauth/code`,
    } satisfies ClientConfigView);
  });

  it('points at pages that are there', async () => {
    const config = (await (await fetch(`${stack.url}/api/v1/client-config`)).json()) as ClientConfigView;
    const back = encodeURIComponent(`${stack.url}/`);
    const login = await fetch(`${config.wechatSandboxUrl}/sandbox/login?redirect=${back}`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('id="sandbox-login-confirm"');
    const auth = await fetch(`${config.insuranceAuthUrl}?authType=2&redirectUrl=${back}`);
    expect(auth.status).toBe(200);
    expect(auth.headers.get('content-type')).toMatch(/^text\/html/);
  });
});

describe('with the URLs configured and no build', () => {
  let other: Stack;
  beforeAll(async () => {
    other = await startStack({
      env: {
        H5_DIR: join(tmp, 'not-built'),
        HOSPITAL_NAME: '另一家医院',
        WECHATPAY_SANDBOX_URL: 'https://pay-sandbox.example.test/',
        INSURANCE_AUTH_URL: 'https://mitest.example.test/oauth/code',
      },
    });
  });
  afterAll(async () => {
    await other?.stop();
  });

  it('answers the configured URLs', async () => {
    const res = await fetch(`${other.url}/api/v1/client-config`);
    expect(await res.json()).toMatchObject({
      hospitalName: '另一家医院',
      wechatSandboxUrl: 'https://pay-sandbox.example.test',
      insuranceAuthUrl: 'https://mitest.example.test/oauth/code',
    });
  });

  it('answers 404 JSON at / while the folder does not exist', async () => {
    const res = await fetch(`${other.url}/`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND' });
  });
});
