/**
 * Console users on a whole stack: the supervisor lists users and enrols new ones (a fresh 20-byte TOTP secret,
 * shown once, with its otpauth:// URI); the enrolled user logs in with password + TOTP (codes computed at the
 * stack's clock); only supervisors manage users; a one-time code is accepted once.
 */
import { call, startStack, type Stack } from '../helpers/stack';
import { totpCode } from '../../server/services/console/credentials';
import type {
  AuditEntryView,
  ConsoleEnrolmentView,
  ConsoleSessionView,
  ConsoleUserView,
} from '../../shared/api';

const ADMIN_PASSWORD = 'Admin#2026';
const ADMIN_SECRET = 'JBSWY3DPEHPK3PXP';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

let stack: Stack;
let adminToken: string;

const now = () => stack.clock.now();
const login = (username: string, password: string, otp: string) =>
  call<ConsoleSessionView & { code?: string; message?: string }>(
    stack.url,
    'POST',
    '/api/v1/console/session',
    { body: { username, password, otp } },
  );
const createUser = (body: unknown, token = adminToken) =>
  call<ConsoleEnrolmentView & { code?: string }>(stack.url, 'POST', '/api/v1/console/users', {
    token,
    body,
  });

function expectError(answer: { status: number; body: unknown }, status: number, code: string) {
  expect({ status: answer.status, code: (answer.body as { code?: string }).code }).toEqual({ status, code });
}

function base32Bytes(secret: string): number {
  return Math.floor((secret.length * 5) / 8);
}

beforeAll(async () => {
  stack = await startStack();
  const answer = await login('admin', ADMIN_PASSWORD, totpCode(ADMIN_SECRET, now()));
  expect(answer.status).toBe(200);
  adminToken = answer.body.token;
});
afterAll(async () => {
  await stack.stop();
});

describe('POST /api/v1/console/users', () => {
  let enrolment: ConsoleEnrolmentView;
  let cashierToken: string;

  it('enrols a cashier with a fresh 20-byte TOTP secret and its otpauth:// URI, shown once', async () => {
    const answer = await createUser({ username: 'li.na', password: 'Cashier#2026', role: 'cashier' });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    enrolment = answer.body;
    expect(enrolment).toEqual({
      username: 'li.na',
      role: 'cashier',
      secret: expect.stringMatching(/^[A-Z2-7]{32}$/),
      otpauthUri: expect.any(String),
    });
    expect([...enrolment.secret].every((c) => BASE32.includes(c))).toBe(true);
    expect(base32Bytes(enrolment.secret)).toBe(20);
    expect(enrolment.secret).not.toBe(ADMIN_SECRET);

    const issuer = stack.server.deps.settings.HOSPITAL_NAME;
    const uri = new URL(enrolment.otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe(`/${issuer}:li.na`);
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret: enrolment.secret,
      issuer,
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
    // non-ASCII issuers are percent-encoded, never raw
    expect(enrolment.otpauthUri).toMatch(
      /^otpauth:\/\/totp\/[A-Za-z0-9%._~-]+:li\.na\?secret=[A-Z2-7]{32}&issuer=/,
    );
  });

  it('lets the new cashier log in with the password and a code of the enrolled secret', async () => {
    const answer = await login('li.na', 'Cashier#2026', totpCode(enrolment.secret, now()));
    expect(answer.status).toBe(200);
    expect(answer.body.role).toBe('cashier');
    cashierToken = answer.body.token;
    const me = await call(stack.url, 'GET', '/api/v1/console/session', { token: cashierToken });
    expect(me.body).toEqual({ username: 'li.na', role: 'cashier' });
  });

  it('audits the creation without the secret or the password', async () => {
    const answer = await call<AuditEntryView[]>(stack.url, 'GET', '/api/v1/console/audit?limit=100', {
      token: adminToken,
    });
    const created = answer.body.filter((e) => e.action === 'console.user_create');
    expect(created).toEqual([
      expect.objectContaining({
        actor: 'admin',
        role: 'supervisor',
        target: 'console_user:li.na',
        details: { username: 'li.na', role: 'cashier' },
        requestId: expect.any(String),
      }),
    ]);
    const text = JSON.stringify(answer.body);
    expect(text).not.toContain(enrolment.secret);
    expect(text).not.toContain('Cashier#2026');
  });

  it('refuses a cashier (403) and a caller without a console session (401)', async () => {
    expectError(
      await createUser({ username: 'zhao', password: 'Cashier#2026', role: 'cashier' }, cashierToken),
      403,
      'FORBIDDEN',
    );
    expectError(
      await call(stack.url, 'GET', '/api/v1/console/users', { token: cashierToken }),
      403,
      'FORBIDDEN',
    );
    expectError(
      await call(stack.url, 'POST', '/api/v1/console/users', {
        body: { username: 'zhao', password: 'Cashier#2026', role: 'cashier' },
      }),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('refuses a taken username with 409 USERNAME_TAKEN, changing nothing', async () => {
    for (const username of ['li.na', 'admin'])
      expectError(
        await createUser({ username, password: 'Another#2026', role: 'supervisor' }),
        409,
        'USERNAME_TAKEN',
      );
    // the first enrolment still holds: same password, same secret
    stack.clock.advance(30_000);
    expect((await login('li.na', 'Cashier#2026', totpCode(enrolment.secret, now()))).status).toBe(200);
  });

  it('refuses a bad body with 400 VALIDATION_FAILED', async () => {
    for (const body of [
      {},
      { username: 'Upper', password: 'Cashier#2026', role: 'cashier' },
      { username: 'ab', password: 'Cashier#2026', role: 'cashier' },
      { username: 'zhou', password: 'short', role: 'cashier' },
      { username: 'zhou', password: 'Cashier#2026', role: 'root' },
      { username: 'zhou', password: 'Cashier#2026', role: 'cashier', totpSecret: ADMIN_SECRET },
    ])
      expectError(await createUser(body), 400, 'VALIDATION_FAILED');
  });
});

describe('GET /api/v1/console/users', () => {
  it('lists every console user with their role, and nothing secret', async () => {
    const answer = await call<ConsoleUserView[]>(stack.url, 'GET', '/api/v1/console/users', {
      token: adminToken,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(
      expect.arrayContaining([
        { username: 'admin', role: 'supervisor' },
        { username: 'li.na', role: 'cashier' },
      ]),
    );
    for (const user of answer.body) expect(Object.keys(user).sort()).toEqual(['role', 'username']);
  });
});

describe('one-time codes are accepted once', () => {
  let secret: string;
  beforeAll(async () => {
    secret = (await createUser({ username: 'once', password: 'Once#2026!!', role: 'cashier' })).body.secret;
    // time moves only when a test moves it, so no step boundary passes between two logins by chance
    stack.clock.freeze();
    stack.clock.advance(30_000);
  });
  afterAll(() => {
    stack.clock.unfreeze();
  });

  it('refuses the same code again within its window, with the one message of any wrong factor', async () => {
    const code = totpCode(secret, now());
    expect((await login('once', 'Once#2026!!', code)).status).toBe(200);
    const replay = await login('once', 'Once#2026!!', code);
    const wrongPassword = await login('once', 'not-the-password', code);
    expectError(replay, 401, 'CONSOLE_LOGIN_FAILED');
    expect(replay.body.message).toBe(wrongPassword.body.message);
  });

  it('refuses a code of an earlier step once a later one was accepted, and takes the next step’s code', async () => {
    stack.clock.advance(30_000);
    expect((await login('once', 'Once#2026!!', totpCode(secret, now()))).status).toBe(200);
    // the previous step's code is inside the ±1 window but older than the one just accepted
    expectError(
      await login('once', 'Once#2026!!', totpCode(secret, now() - 30_000)),
      401,
      'CONSOLE_LOGIN_FAILED',
    );
    // a phone running ahead: the next step's code is accepted, then the current one no longer is
    expect((await login('once', 'Once#2026!!', totpCode(secret, now() + 30_000))).status).toBe(200);
    stack.clock.advance(30_000);
    expectError(await login('once', 'Once#2026!!', totpCode(secret, now())), 401, 'CONSOLE_LOGIN_FAILED');
    stack.clock.advance(30_000);
    expect((await login('once', 'Once#2026!!', totpCode(secret, now()))).status).toBe(200);
  });

  it('lets exactly one of two logins with one fresh code through', async () => {
    stack.clock.advance(60_000);
    const code = totpCode(secret, now());
    const answers = await Promise.all([
      login('once', 'Once#2026!!', code),
      login('once', 'Once#2026!!', code),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401]);
  });

  it('does not spend a code on a wrong password', async () => {
    stack.clock.advance(60_000);
    const code = totpCode(secret, now());
    expectError(await login('once', 'not-the-password', code), 401, 'CONSOLE_LOGIN_FAILED');
    expect((await login('once', 'Once#2026!!', code)).status).toBe(200);
  });
});
