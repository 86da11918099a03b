/**
 * The operations listener (DESIGN 12): `/readyz` and `/metrics` live there, bound to loopback by default; the
 * public port keeps only the cheap `/healthz`. `/readyz` answers from the background probe cache: a burst of
 * 300 makes no outside call; a party failing shows at the next round.
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadSettings } from '../../config/settings';
import { call, useStack } from '../helpers/stack';

const stack = useStack();

function get(base: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the public port', () => {
  it('answers /healthz, and 404 for /readyz and /metrics', async () => {
    expect(await call(stack.url, 'GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    for (const path of ['/readyz', '/metrics', '/readyz?x=1', '/metrics/'])
      expect(await call(stack.url, 'GET', path)).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
  });
});

describe('the operations port', () => {
  it('listens on OPS_HOST (loopback unless told otherwise), OPS_PORT 9464 by default', async () => {
    expect(loadSettings({})).toMatchObject({ OPS_PORT: 9464, OPS_HOST: '127.0.0.1' });
    const server = await stack.server.listenOps(0, '127.0.0.1');
    const { address, port } = server.address() as AddressInfo;
    expect(address).toBe('127.0.0.1');
    expect((await get(`http://127.0.0.1:${port}`, '/readyz')).status).toBe(200);
  });

  it('/readyz names every party, from the last round', async () => {
    const ready = await call<{ status: string; checks: Record<string, string>; ageMs: number }>(
      stack.opsUrl,
      'GET',
      '/readyz',
    );
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({
      postgres: 'ok',
      store: 'ok',
      insurance: 'ok',
      his: 'ok',
      wechatpay: 'ok',
    });
    expect(ready.body.ageMs).toBeGreaterThanOrEqual(0);
  });

  it('a burst of 300 /readyz makes no outside call and starts no probe round', async () => {
    const refresh = jest.spyOn(stack.server.readiness, 'refresh');
    const fetches = jest.spyOn(globalThis, 'fetch');
    try {
      const answers = await Promise.all(Array.from({ length: 300 }, () => get(stack.opsUrl, '/readyz')));
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(refresh).not.toHaveBeenCalled();
      expect(fetches).not.toHaveBeenCalled();
    } finally {
      refresh.mockRestore();
      fetches.mockRestore();
    }
  });

  it('a failing party makes /readyz 503 from the next round on, and ready again after', async () => {
    const broken = jest.spyOn(stack.store, 'get').mockRejectedValueOnce(new Error('redis is down'));
    try {
      await stack.server.readiness.refresh();
      const down = await call<{ status: string; checks: Record<string, string> }>(
        stack.opsUrl,
        'GET',
        '/readyz',
      );
      expect(down).toMatchObject({
        status: 503,
        body: { status: 'not ready', checks: { store: 'redis is down' } },
      });
      const metrics = await get(stack.opsUrl, '/metrics');
      await stack.server.readiness.refresh();
      expect((await get(stack.opsUrl, '/readyz')).status).toBe(200);
      // the first scrape of this stack: rendered now, after the failing round
      expect(metrics.body).toContain('readiness_check_up{check="store"} 0');
      expect(metrics.body).toContain('readiness_check_up{check="postgres"} 1');
    } finally {
      broken.mockRestore();
    }
  });

  it('/metrics is Prometheus text; other paths and methods are refused', async () => {
    const metrics = await call<string>(stack.opsUrl, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(metrics.body).toContain('http_request_duration_seconds');
    expect(await call(stack.opsUrl, 'GET', '/api/v1/client-config')).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND' },
    });
    expect(await call(stack.opsUrl, 'POST', '/readyz')).toMatchObject({
      status: 405,
      body: { code: 'METHOD_NOT_ALLOWED' },
    });
  });
});
