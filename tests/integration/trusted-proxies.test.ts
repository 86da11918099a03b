/**
 * TRUSTED_PROXIES on a whole stack, over HTTP. "Another client" is a client socket bound to another loopback
 * address (127.0.0.2, …), so the server's TCP peer really differs; X-Forwarded-For is only a header anyone can
 * write. With no trusted proxy (the default) the header changes nothing: rotating it does not escape a per-IP
 * limit or the login delay, and the audit log records the socket's address. With 127.0.0.1/32 trusted, the
 * forwarded address is the client — read right to left, so a forged left part is not believed either.
 */
import { callFrom } from '../helpers/fromAddress';
import { startStack, type Answer, type Stack } from '../helpers/stack';

const PER_MINUTE = 5;

/** POST /api/v1/session with a login code that does not exist: limited per client address (no user yet). */
const patientLogin = (stack: Stack, from: string, forwardedFor?: string): Promise<Answer> =>
  callFrom(from, stack.url, 'POST', '/api/v1/session', {
    body: { code: 'no-such-code' },
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });

const consoleLogin = (stack: Stack, from: string, username: string, forwardedFor?: string): Promise<Answer> =>
  callFrom(from, stack.url, 'POST', '/api/v1/console/session', {
    body: { username, password: 'not-the-password', otp: '000000' },
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });

async function auditedAddress(stack: Stack, username: string): Promise<unknown> {
  const rows = (await stack.db.db.query(
    `SELECT details->>'ip' AS ip FROM audit_log WHERE actor = $1 ORDER BY id DESC LIMIT 1`,
    [username],
  )) as { ip: string }[];
  return rows[0]?.ip;
}

describe('TRUSTED_PROXIES unset (the default): X-Forwarded-For is ignored', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { RATE_LIMIT_PER_MINUTE: String(PER_MINUTE) } });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('does not let a client escape the per-IP limit by rotating X-Forwarded-For', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= PER_MINUTE + 1; i++)
      statuses.push((await patientLogin(stack, '127.0.0.1', `203.0.113.${i}`)).status);
    expect(statuses.slice(0, PER_MINUTE)).not.toContain(429);
    expect(statuses[PER_MINUTE]).toBe(429);
    // a client at another address has its own budget
    expect((await patientLogin(stack, '127.0.0.2')).status).not.toBe(429);
  });

  it('records the socket address in the audit log, not the forged one', async () => {
    expect((await consoleLogin(stack, '127.0.0.3', 'ghost-a', '198.51.100.23')).status).toBe(401);
    expect(await auditedAddress(stack, 'ghost-a')).toBe('127.0.0.3');
  });

  it('keys the login delay by the socket address: rotating the header does not reset it', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 4; i++)
      statuses.push((await consoleLogin(stack, '127.0.0.4', 'admin', `192.0.2.${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});

describe('TRUSTED_PROXIES=127.0.0.1/32: the forwarded address is believed from that peer only', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      env: { RATE_LIMIT_PER_MINUTE: String(PER_MINUTE), TRUSTED_PROXIES: '127.0.0.1/32' },
    });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('limits each forwarded client on its own behind the trusted proxy', async () => {
    const rotating: number[] = [];
    for (let i = 1; i <= PER_MINUTE + 1; i++)
      rotating.push((await patientLogin(stack, '127.0.0.1', `203.0.113.${i}`)).status);
    expect(rotating).not.toContain(429);
    const same: number[] = [];
    for (let i = 1; i <= PER_MINUTE + 1; i++)
      same.push((await patientLogin(stack, '127.0.0.1', '203.0.113.99')).status);
    expect(same.slice(0, PER_MINUTE)).not.toContain(429);
    expect(same[PER_MINUTE]).toBe(429);
  });

  it('still ignores the header from a peer that is not trusted', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= PER_MINUTE + 1; i++)
      statuses.push((await patientLogin(stack, '127.0.0.2', `198.51.100.${i}`)).status);
    expect(statuses[PER_MINUTE]).toBe(429);
  });

  it('audits the forwarded address through the trusted proxy, and the socket otherwise', async () => {
    await consoleLogin(stack, '127.0.0.1', 'ghost-b', '203.0.113.50');
    expect(await auditedAddress(stack, 'ghost-b')).toBe('203.0.113.50');
    await consoleLogin(stack, '127.0.0.3', 'ghost-c', '203.0.113.51');
    expect(await auditedAddress(stack, 'ghost-c')).toBe('127.0.0.3');
  });

  it('reads X-Forwarded-For right to left: an untrusted hop ends the walk, whatever is written before it', async () => {
    // 127.0.0.9 is not a trusted proxy: it is the client, and "198.51.100.7" is whatever that client wrote
    await consoleLogin(stack, '127.0.0.1', 'ghost-d', '198.51.100.7, 127.0.0.9');
    expect(await auditedAddress(stack, 'ghost-d')).toBe('127.0.0.9');
  });
});
