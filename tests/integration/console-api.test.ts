/**
 * The cashier console API on a whole stack: login with password + TOTP (codes computed by otplib at the stack's
 * clock), one answer for every wrong factor, the per-(account, address) delay and lockout timed by the clock,
 * roles, tokens that are not interchangeable with the patients', a day's orders with the patient masked, one
 * order's history, the audit. Client addresses come as X-Forwarded-For from the loopback, a trusted proxy here
 * (TRUSTED_PROXIES=127.0.0.1/32); tests/integration/trusted-proxies.test.ts covers the untrusted case.
 */
import { createGuardrails, generateSync } from 'otplib';
import { call, seedPatient, useStack, type SeededPatient } from '../helpers/stack';
import { checkout, getOrder, payInFull, type OrderAnswer } from '../helpers/flow';
import { cstDate } from '../../shared/clock';
import { maskIdNo, maskName } from '../../server/security/pii';
import { createConsoleUser } from '../../server/services/console/accounts';
import type {
  AuditEntryView,
  ConsoleOrderDetail,
  ConsoleOrderSummary,
  ConsoleSessionView,
} from '../../shared/api';

const ADMIN_PASSWORD = 'Admin#2026';
const ADMIN_SECRET = 'JBSWY3DPEHPK3PXP';
/** otplib 13 wants 16-byte secrets by default; authenticators (and our demo secret) use 10 */
const guardrails = createGuardrails({ MIN_SECRET_BYTES: 10 });
const totp = (secret: string, atMs: number) =>
  generateSync({ secret, epoch: Math.floor(atMs / 1000), guardrails });

const stack = useStack({ env: { TRUSTED_PROXIES: '127.0.0.1/32' } });
let alice: SeededPatient;
let bob: SeededPatient;
let paid: OrderAnswer;
let open: OrderAnswer;
let adminToken: string;

const now = () => stack.clock.now();
/** a one-time code is accepted once: a user logging in again waits for the next step, as with any authenticator */
const nextStep = () => stack.clock.advance(30_000);
/** each test logs in from its own address, so the per-address login limit counts one test's attempts only */
let testNo = 0;
beforeEach(() => {
  testNo++;
});
const fromAddress = () => ({ 'x-forwarded-for': `198.51.100.${testNo % 250}` });
const login = (username: string, password: string, otp: string, headers: Record<string, string> = {}) =>
  call<ConsoleSessionView & { code?: string; message?: string }>(
    stack.url,
    'POST',
    '/api/v1/console/session',
    {
      body: { username, password, otp },
      headers: { ...fromAddress(), ...headers },
    },
  );

async function loginOk(username: string, password: string, secret: string): Promise<string> {
  const answer = await login(username, password, totp(secret, now()));
  if (answer.status !== 200)
    throw new Error(`console login: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.token;
}

function expectError(answer: { status: number; body: unknown }, status: number, code: string) {
  expect({ status: answer.status, code: (answer.body as { code?: string }).code }).toEqual({ status, code });
  const message = (answer.body as { message?: unknown }).message;
  expect(typeof message).toBe('string');
  // every message is Chinese (shared/messages.ts): no English word reaches a patient or a cashier
  expect(String(message).match(/[A-Za-z]{3,}/g) ?? []).toEqual([]);
}

beforeAll(async () => {
  alice = await seedPatient(stack);
  bob = await seedPatient(stack);
  paid = await payInFull(stack, alice, false);
  open = (await checkout(stack, bob, false)).body;
  adminToken = await loginOk('admin', ADMIN_PASSWORD, ADMIN_SECRET);
});

describe('POST /api/v1/console/session', () => {
  it('logs in the seeded supervisor with the password and the code of the moment', async () => {
    nextStep();
    const answer = await login('admin', ADMIN_PASSWORD, totp(ADMIN_SECRET, now()));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      role: 'supervisor',
      expiresInS: 7200,
      mustChangePassword: false,
    });
  });

  it('accepts the previous step’s code and refuses one two steps old', async () => {
    nextStep();
    nextStep();
    expect((await login('admin', ADMIN_PASSWORD, totp(ADMIN_SECRET, now() - 30_000))).status).toBe(200);
    expectError(
      await login('admin', ADMIN_PASSWORD, totp(ADMIN_SECRET, now() - 60_000)),
      401,
      'CONSOLE_LOGIN_FAILED',
    );
  });

  it('gives one answer whichever factor is wrong, or when the user does not exist', async () => {
    const code = totp(ADMIN_SECRET, now());
    const wrongOtp = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const answers = [
      await login('admin', 'not-the-password', code),
      await login('admin', ADMIN_PASSWORD, wrongOtp),
      await login('admin', ADMIN_PASSWORD, 'abc'),
      await login('nobody', ADMIN_PASSWORD, code),
    ];
    for (const a of answers) expectError(a, 401, 'CONSOLE_LOGIN_FAILED');
    expect(new Set(answers.map((a) => a.body.message)).size).toBe(1);
    // three failures from this address: the next try from it waits 2 s; then the right login clears the count
    stack.clock.advance(2_000);
    expect((await login('admin', ADMIN_PASSWORD, code)).status).toBe(200);
  });

  it('refuses a body without the one-time code', async () => {
    expectError(
      await call(stack.url, 'POST', '/api/v1/console/session', {
        body: { username: 'admin', password: 'x' },
      }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('makes an address wait 2 s, then 4 s, from its 3rd failure, refusing tries meanwhile unchecked (429)', async () => {
    const { totpSecret } = await createConsoleUser(
      stack.server.deps,
      { username: 'waity', password: 'Waity#20266', role: 'cashier' },
      { username: 'test', role: 'system' },
    );
    stack.clock.freeze();
    try {
      for (let i = 1; i <= 3; i++)
        expectError(
          await login('waity', 'wrong-password', totp(totpSecret, now())),
          401,
          'CONSOLE_LOGIN_FAILED',
        );
      // even the right password is not tried while the address waits
      const waiting = await login('waity', 'Waity#20266', totp(totpSecret, now()));
      expectError(waiting, 429, 'LOGIN_THROTTLED');
      expect(waiting.headers.get('retry-after')).toBe('2');
      expect(waiting.body.message).toMatch(/请 2 秒后再试/);
      stack.clock.advance(2_000);
      expectError(
        await login('waity', 'wrong-password', totp(totpSecret, now())),
        401,
        'CONSOLE_LOGIN_FAILED',
      );
      const longer = await login('waity', 'wrong-password', totp(totpSecret, now()));
      expectError(longer, 429, 'LOGIN_THROTTLED');
      expect(longer.headers.get('retry-after')).toBe('4');
      stack.clock.advance(4_000);
      expect((await login('waity', 'Waity#20266', totp(totpSecret, now()))).status).toBe(200);
    } finally {
      stack.clock.unfreeze();
    }
  });

  it('locks the (account, address) pair at the 5th failure, for 15 minutes, even for the right credentials; not the account', async () => {
    const secret = (
      await createConsoleUser(
        stack.server.deps,
        { username: 'locky', password: 'Locky#2026!', role: 'supervisor' },
        { username: 'test', role: 'system' },
      )
    ).totpSecret;
    stack.clock.freeze();
    try {
      for (let i = 1; i <= 4; i++) {
        expectError(await login('locky', 'wrong-password', totp(secret, now())), 401, 'CONSOLE_LOGIN_FAILED');
        stack.clock.advance(5_000);
      }
      const fifth = await login('locky', 'wrong-password', totp(secret, now()));
      expectError(fifth, 423, 'ACCOUNT_LOCKED');
      expect(fifth.headers.get('retry-after')).toBe('900');
      expect(fifth.body.message).toMatch(/已暂时锁定.*联系主管解锁/);
      expectError(await login('locky', 'Locky#2026!', totp(secret, now())), 423, 'ACCOUNT_LOCKED');
      // the owner, from another address, is not locked out
      const owner = await login('locky', 'Locky#2026!', totp(secret, now()), {
        'x-forwarded-for': '192.0.2.10',
      });
      expect(owner.status).toBe(200);

      stack.clock.advance(15 * 60_000 - 5_000);
      expectError(await login('locky', 'Locky#2026!', totp(secret, now())), 423, 'ACCOUNT_LOCKED');
      stack.clock.advance(5_000);
      expect((await login('locky', 'Locky#2026!', totp(secret, now()))).status).toBe(200);
    } finally {
      stack.clock.unfreeze();
    }
  });

  it('counts consecutive failures only: a success in between starts the count afresh', async () => {
    const { totpSecret } = await createConsoleUser(
      stack.server.deps,
      { username: 'steady', password: 'Steady#2026', role: 'cashier' },
      { username: 'test', role: 'system' },
    );
    const fail = async () => {
      expectError(
        await login('steady', 'wrong-password', totp(totpSecret, now())),
        401,
        'CONSOLE_LOGIN_FAILED',
      );
      stack.clock.advance(5_000); // past the longest wait before the lock
    };
    for (let i = 0; i < 4; i++) await fail();
    expect((await login('steady', 'Steady#2026', totp(totpSecret, now()))).status).toBe(200);
    // four more: 8 in all, but never 5 in a row, so no lock
    for (let i = 0; i < 4; i++) await fail();
    nextStep();
    expect((await login('steady', 'Steady#2026', totp(totpSecret, now()))).status).toBe(200);
  });

  it('counts failures arriving together one by one: the 3rd makes the rest wait, the 5th locks once', async () => {
    const { totpSecret } = await createConsoleUser(
      stack.server.deps,
      { username: 'racer', password: 'Racer#20266', role: 'cashier' },
      { username: 'test', role: 'system' },
    );
    const burst = async () =>
      (
        await Promise.all(
          Array.from({ length: 8 }, () => login('racer', 'wrong-password', totp(totpSecret, now()))),
        )
      )
        .map((a) => a.status)
        .sort();
    stack.clock.freeze();
    try {
      expect(await burst()).toEqual([401, 401, 401, 429, 429, 429, 429, 429]);
      stack.clock.advance(2_000);
      expectError(
        await login('racer', 'wrong-password', totp(totpSecret, now())),
        401,
        'CONSOLE_LOGIN_FAILED',
      );
      stack.clock.advance(4_000);
      expect(await burst()).toEqual([423, 423, 423, 423, 423, 423, 423, 423]);
    } finally {
      stack.clock.unfreeze();
    }
    const locks = (await stack.db.db.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'console.locked' AND actor = 'racer'`,
    )) as { n: number }[];
    expect(locks[0].n).toBe(1);
    const failures = (await stack.db.db.query(
      `SELECT failures FROM console_login_failures f JOIN console_users u ON u.id = f.user_id
        WHERE u.username = 'racer'`,
    )) as { failures: number }[];
    expect(failures).toEqual([{ failures: 5 }]);
  });

  it('limits login attempts per client address', async () => {
    const from = { 'x-forwarded-for': '203.0.113.77' };
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await login('nobody', 'x', '000000', from)).status);
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
    // another address is not affected
    expect((await login('nobody', 'x', '000000', { 'x-forwarded-for': '203.0.113.78' })).status).toBe(401);
  });
});

describe('requireConsole(deps)(role?)', () => {
  let cashierToken: string;
  let cashierTotp: string;
  beforeAll(async () => {
    ({ totpSecret: cashierTotp } = await createConsoleUser(
      stack.server.deps,
      { username: 'cashier1', password: 'Cashier#2026', role: 'cashier' },
      { username: 'admin', role: 'supervisor' },
    ));
    cashierToken = await loginOk('cashier1', 'Cashier#2026', cashierTotp);
  });

  it('refuses calls without a console session', async () => {
    expectError(
      await call(stack.url, 'GET', `/api/v1/console/orders?date=2026-01-01`),
      401,
      'UNAUTHENTICATED',
    );
    expectError(
      await call(stack.url, 'GET', `/api/v1/console/orders?date=2026-01-01`, { token: 'x'.repeat(43) }),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('refuses a patient’s token on console routes', async () => {
    expectError(
      await call(stack.url, 'GET', `/api/v1/console/orders?date=2026-01-01`, { token: alice.token }),
      401,
      'UNAUTHENTICATED',
    );
    expectError(
      await call(stack.url, 'GET', `/api/v1/console/session`, { token: alice.token }),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('refuses a console token on patient routes', async () => {
    expectError(
      await call(stack.url, 'GET', '/api/v1/patients', { token: adminToken }),
      401,
      'UNAUTHENTICATED',
    );
    expectError(
      await call(stack.url, 'GET', '/api/v1/orders', { token: cashierToken }),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('lets a cashier read orders but not the audit (supervisor only): 403', async () => {
    const day = cstDate(now());
    expect(
      (await call(stack.url, 'GET', `/api/v1/console/orders?date=${day}`, { token: cashierToken })).status,
    ).toBe(200);
    expectError(
      await call(stack.url, 'GET', '/api/v1/console/audit', { token: cashierToken }),
      403,
      'FORBIDDEN',
    );
    expect((await call(stack.url, 'GET', '/api/v1/console/audit', { token: adminToken })).status).toBe(200);
  });

  it('says who is logged in', async () => {
    const me = await call(stack.url, 'GET', '/api/v1/console/session', { token: cashierToken });
    expect(me.body).toEqual({ username: 'cashier1', role: 'cashier' });
  });

  it('ends the session on logout', async () => {
    nextStep();
    const token = await loginOk('cashier1', 'Cashier#2026', cashierTotp);
    expect((await call(stack.url, 'DELETE', '/api/v1/console/session', { token })).status).toBe(204);
    expectError(await call(stack.url, 'GET', '/api/v1/console/session', { token }), 401, 'UNAUTHENTICATED');
    // the other session of the same user lives on
    expect((await call(stack.url, 'GET', '/api/v1/console/session', { token: cashierToken })).status).toBe(
      200,
    );
  });
});

describe('GET /api/v1/console/orders?date=&status=', () => {
  /** the business day the orders were made on (not "today": the lockout tests moved the clock) */
  let day: string;
  beforeAll(async () => {
    const created = (await getOrder(stack, alice, paid.id)).body as OrderAnswer & { createdAt: string };
    day = cstDate(Date.parse(created.createdAt));
  });
  const list = (query: string) =>
    call<ConsoleOrderSummary[]>(stack.url, 'GET', `/api/v1/console/orders?${query}`, { token: adminToken });

  it('lists the day’s orders (China time), newest first, the patient masked, amounts in fen', async () => {
    const answer = await list(`date=${day}`);
    expect(answer.status).toBe(200);
    expect(answer.body.map((o) => o.id)).toEqual([open.id, paid.id]);
    const [b, a] = answer.body;
    expect(a).toMatchObject({
      id: paid.id,
      orderNo: paid.orderNo,
      status: 'COMPLETED',
      split: paid.split,
      billNos: [alice.billNo],
      patientName: maskName(alice.name),
      idNoMasked: maskIdNo(alice.idNo),
      paidAt: expect.any(String),
    });
    expect(b).toMatchObject({
      status: 'PRESETTLED',
      patientName: maskName(bob.name),
      idNoMasked: maskIdNo(bob.idNo),
    });
    expect(b.paidAt).toBeUndefined();
    const text = JSON.stringify(answer.body);
    for (const p of [alice, bob]) {
      expect(text).not.toContain(p.name);
      expect(text).not.toContain(p.idNo);
    }
  });

  it('is empty for another day', async () => {
    const answer = await list(`date=${cstDate(Date.parse(`${day}T12:00:00+08:00`) - 24 * 3600_000)}`);
    expect(answer).toMatchObject({ status: 200, body: [] });
  });

  it('filters by status', async () => {
    const answer = await list(`date=${day}&status=COMPLETED`);
    expect(answer.body.map((o) => o.id)).toEqual([paid.id]);
  });

  it('pages with limit and the X-Next-Cursor header', async () => {
    const first = await list(`date=${day}&limit=1`);
    expect(first.body.map((o) => o.id)).toEqual([open.id]);
    const cursor = first.headers.get('x-next-cursor');
    expect(cursor).toBeTruthy();
    const second = await list(`date=${day}&limit=1&cursor=${cursor}`);
    expect(second.body.map((o) => o.id)).toEqual([paid.id]);
    expect(second.headers.get('x-next-cursor')).toBeNull();
  });

  it('refuses a malformed or impossible date and an unknown status', async () => {
    for (const q of ['', 'date=2026-1-1', 'date=2026-02-30', 'date=today', `date=${day}&status=NOPE`]) {
      expectError(await list(q), 400, 'VALIDATION_FAILED');
    }
  });
});

describe('GET /api/v1/console/orders/:id', () => {
  it('shows the order with its events, outbox rows and balanced ledger entries', async () => {
    const answer = await call<ConsoleOrderDetail>(stack.url, 'GET', `/api/v1/console/orders/${paid.id}`, {
      token: adminToken,
    });
    expect(answer.status).toBe(200);
    const d = answer.body;
    expect(d).toMatchObject({ id: paid.id, status: 'COMPLETED', patientName: maskName(alice.name) });
    expect(d.events.map((e) => e.to)).toEqual(
      expect.arrayContaining(['CREATED', 'PRESETTLED', 'PAID', 'COMPLETED']),
    );
    expect(d.events[0]).toMatchObject({ from: null, to: 'CREATED' });
    expect(d.outbox.length).toBeGreaterThan(0);
    for (const o of d.outbox)
      expect(o).toEqual({
        kind: expect.any(String),
        status: expect.stringMatching(/^(PENDING|DONE|DEAD)$/),
        attempts: expect.any(Number),
        lastError: o.lastError === null ? null : expect.any(String),
        nextAttemptAt: expect.any(String),
      });
    expect(d.ledger.length).toBeGreaterThan(0);
    const sum = (dir: 'D' | 'C') =>
      d.ledger.filter((l) => l.direction === dir).reduce((s, l) => s + l.amount, 0);
    expect(sum('D')).toBe(sum('C'));
    expect(sum('D')).toBeGreaterThanOrEqual(paid.split.total);
  });

  it('answers 404 for an unknown id and 400 INVALID_ID for a malformed one', async () => {
    expectError(
      await call(stack.url, 'GET', '/api/v1/console/orders/00000000-0000-4000-8000-000000000000', {
        token: adminToken,
      }),
      404,
      'ORDER_NOT_FOUND',
    );
    expectError(
      await call(stack.url, 'GET', '/api/v1/console/orders/not-a-uuid', { token: adminToken }),
      400,
      'INVALID_ID',
    );
  });
});

describe('GET /api/v1/console/audit?limit=', () => {
  it('lists logins, failures, lockouts, user creation and logouts, newest first', async () => {
    const answer = await call<AuditEntryView[]>(stack.url, 'GET', '/api/v1/console/audit?limit=500', {
      token: adminToken,
    });
    expect(answer.status).toBe(200);
    const actions = new Set(answer.body.map((e) => e.action));
    for (const action of [
      'console.login',
      'console.login_failed',
      'console.locked',
      'console.login_refused_locked',
      'console.user_created',
      'console.logout',
    ])
      expect(actions).toContain(action);
    const ids = answer.body.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
    const adminLogin = answer.body.find((e) => e.action === 'console.login' && e.actor === 'admin');
    expect(adminLogin).toMatchObject({
      role: 'supervisor',
      requestId: expect.any(String),
      details: { ip: expect.any(String) },
    });
    // the seeded admin was created by the system, once
    expect(
      answer.body.filter((e) => e.action === 'console.user_created' && e.target === 'console_user:admin'),
    ).toHaveLength(1);
  });

  it('honours the limit', async () => {
    const answer = await call<AuditEntryView[]>(stack.url, 'GET', '/api/v1/console/audit?limit=2', {
      token: adminToken,
    });
    expect(answer.body).toHaveLength(2);
    expectError(
      await call(stack.url, 'GET', '/api/v1/console/audit?limit=0', { token: adminToken }),
      400,
      'VALIDATION_FAILED',
    );
  });
});
