/**
 * Console users on a whole stack: the supervisor lists users and enrols new ones (a fresh 20-byte TOTP secret,
 * shown once, with its otpauth:// URI); the enrolled user logs in with password + TOTP (codes computed at the
 * stack's clock); only supervisors manage users; a one-time code is accepted once. A supervisor disables and
 * enables a user (its sessions end at once), resets its password (a temporary one, to be changed at the next
 * login before anything else), re-enrols its TOTP; never disables the last active supervisor; all audited.
 */
import { call, useStack, type Answer } from '../helpers/stack';
import { callFrom } from '../helpers/fromAddress';
import { auditEntries } from '../helpers/console';
import { totpCode } from '../../server/services/console/credentials';
import type {
  AuditEntryView,
  ConsoleEnrolmentView,
  ConsolePasswordResetView,
  ConsoleSessionView,
  ConsoleUserListItem,
} from '../../shared/api';

const ADMIN_PASSWORD = 'Admin#2026';
const ADMIN_SECRET = 'JBSWY3DPEHPK3PXP';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

const stack = useStack();
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
  const answer = await login('admin', ADMIN_PASSWORD, totpCode(ADMIN_SECRET, now()));
  expect(answer.status).toBe(200);
  adminToken = answer.body.token;
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
    const created = answer.body.filter(
      (e) => e.action.startsWith('console.user_create') && e.target === 'console_user:li.na',
    );
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
  it('lists every console user with their role and state, and nothing secret', async () => {
    const answer = await call<ConsoleUserListItem[]>(stack.url, 'GET', '/api/v1/console/users', {
      token: adminToken,
    });
    expect(answer.status).toBe(200);
    const state = { disabled: false, mustChangePassword: false, lockedAddresses: 0 };
    expect(answer.body).toEqual(
      expect.arrayContaining([
        {
          id: expect.any(String),
          username: 'admin',
          role: 'supervisor',
          createdAt: expect.any(String),
          ...state,
        },
        {
          id: expect.any(String),
          username: 'li.na',
          role: 'cashier',
          createdAt: expect.any(String),
          ...state,
        },
      ]),
    );
    for (const user of answer.body)
      expect(Object.keys(user).sort()).toEqual([
        'createdAt',
        'disabled',
        'id',
        'lockedAddresses',
        'mustChangePassword',
        'role',
        'username',
      ]);
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

// ---- a supervisor manages a user (issue 10, item 9) ----

/** Each part logs in from its own loopback address: the per-address login limit counts one part's tries only. */
const FROM = '127.0.0.20';

async function userNamed(username: string): Promise<ConsoleUserListItem> {
  const answer = await call<ConsoleUserListItem[]>(stack.url, 'GET', '/api/v1/console/users', {
    token: adminToken,
  });
  const user = answer.body.find((u) => u.username === username);
  if (!user) throw new Error(`no console user ${username}`);
  return user;
}

const act = <T = Record<string, unknown>>(userId: string, action: string, token = adminToken) =>
  call<T & { code?: string; message?: string }>(
    stack.url,
    'POST',
    `/api/v1/console/users/${userId}/${action}`,
    {
      token,
      body: {},
    },
  );

/** A login from FROM at the next TOTP step (a code is accepted once). */
async function loginFrom(username: string, password: string, secret: string) {
  stack.clock.advance(30_000);
  return callFrom<ConsoleSessionView & { code?: string; message?: string }>(
    FROM,
    stack.url,
    'POST',
    '/api/v1/console/session',
    { body: { username, password, otp: totpCode(secret, now()) } },
  );
}

const whoami = (token: string) => call(stack.url, 'GET', '/api/v1/console/session', { token });

const auditOf = (action: string) => auditEntries(stack, adminToken, action);

describe('POST /api/v1/console/users/:id/disable and /enable', () => {
  let user: ConsoleUserListItem;
  let secret: string;
  let token: string;
  beforeAll(async () => {
    secret = (await createUser({ username: 'zhang.wei', password: 'Zhang#20266', role: 'cashier' })).body
      .secret;
    user = await userNamed('zhang.wei');
    token = (await loginFrom('zhang.wei', 'Zhang#20266', secret)).body.token;
  });

  it('disables a user: its session ends at once and it cannot log in, even with the right credentials', async () => {
    expect((await whoami(token)).status).toBe(200);
    const answer = await act<ConsoleUserListItem>(user.id, 'disable');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: user.id, username: 'zhang.wei', disabled: true });
    expectError(await whoami(token), 401, 'UNAUTHENTICATED');
    const refused = await loginFrom('zhang.wei', 'Zhang#20266', secret);
    expectError(refused, 403, 'ACCOUNT_DISABLED');
    expect(refused.body.message).toBe('该账号已被停用，请联系主管');
    // a wrong password still gets the one answer of every wrong login: being disabled says nothing to a guesser
    expectError(await loginFrom('zhang.wei', 'wrong-password', secret), 401, 'CONSOLE_LOGIN_FAILED');
    expect(await userNamed('zhang.wei')).toMatchObject({ disabled: true });
  });

  it('enables it again: a new login works, the old session stays ended', async () => {
    const answer = await act<ConsoleUserListItem>(user.id, 'enable');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ disabled: false });
    const again = await loginFrom('zhang.wei', 'Zhang#20266', secret);
    expect(again.status).toBe(200);
    expect((await whoami(again.body.token)).status).toBe(200);
    expectError(await whoami(token), 401, 'UNAUTHENTICATED');
  });

  it('audits both with a Chinese description', async () => {
    expect(await auditOf('console.user_disabled')).toEqual([
      expect.objectContaining({
        actor: 'admin',
        target: 'console_user:zhang.wei',
        description: 'admin 停用了收费员 zhang.wei，该账号不能再登录，已登录的会话全部失效',
      }),
    ]);
    expect(await auditOf('console.user_enabled')).toEqual([
      expect.objectContaining({
        actor: 'admin',
        description: 'admin 重新启用了收费员 zhang.wei，该账号可以再次登录',
      }),
    ]);
  });

  it('refuses to disable the last active supervisor: 409 LAST_SUPERVISOR in Chinese, nothing changed', async () => {
    const admin = await userNamed('admin');
    const answer = await act(admin.id, 'disable');
    expectError(answer, 409, 'LAST_SUPERVISOR');
    expect(answer.body.message).toMatch(/最后一个在用的主管/);
    expect((await whoami(adminToken)).status).toBe(200);
  });

  it('lets one of two supervisors disabling each other at once through, never both', async () => {
    const second = await createUser({ username: 'sup.two', password: 'SupTwo#2026', role: 'supervisor' });
    const sup2 = await userNamed('sup.two');
    const sup2Token = (await loginFrom('sup.two', 'SupTwo#2026', second.body.secret)).body.token;
    const admin = await userNamed('admin');
    const answers = await Promise.all([act(sup2.id, 'disable'), act(admin.id, 'disable', sup2Token)]);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200)) expect([401, 409]).toContain(a.status);
    const active = (await stack.db.db.query(
      `SELECT count(*)::int AS n FROM console_users WHERE role = 'supervisor' AND disabled_at IS NULL`,
    )) as { n: number }[];
    expect(active[0].n).toBe(1);
    // put things back for the tests that follow: the admin must be the one left
    if (answers[1].status === 200) {
      adminToken = (await loginFrom('sup.two', 'SupTwo#2026', second.body.secret)).body.token;
      expect((await act(admin.id, 'enable')).status).toBe(200);
      adminToken = (await loginFrom('admin', ADMIN_PASSWORD, ADMIN_SECRET)).body.token;
    }
  });

  it('is for supervisors only (403), and says 404 for an unknown user', async () => {
    const cashier = await loginFrom('zhang.wei', 'Zhang#20266', secret);
    expectError(await act(user.id, 'disable', cashier.body.token), 403, 'FORBIDDEN');
    expectError(await act('00000000-0000-4000-8000-000000000000', 'disable'), 404, 'CONSOLE_USER_NOT_FOUND');
  });
});

describe('POST /api/v1/console/users/:id/password-reset, then POST /api/v1/console/session/password', () => {
  let user: ConsoleUserListItem;
  let secret: string;
  let oldToken: string;
  let temporary: string;
  let resetToken: string;
  beforeAll(async () => {
    secret = (await createUser({ username: 'wang.fang', password: 'Wang#202666', role: 'cashier' })).body
      .secret;
    user = await userNamed('wang.fang');
    oldToken = (await loginFrom('wang.fang', 'Wang#202666', secret)).body.token;
  });
  const changePassword = (token: string, body: unknown) =>
    call<ConsoleSessionView & { code?: string }>(stack.url, 'POST', '/api/v1/console/session/password', {
      token,
      body,
    });

  it('gives a temporary password once, ends the user’s sessions, and the old password no longer works', async () => {
    const answer = await act<ConsolePasswordResetView>(user.id, 'password-reset');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body).toEqual({
      username: 'wang.fang',
      temporaryPassword: expect.stringMatching(/^[A-Za-z2-9]{16}$/),
    });
    temporary = answer.body.temporaryPassword;
    expectError(await whoami(oldToken), 401, 'UNAUTHENTICATED');
    expectError(await loginFrom('wang.fang', 'Wang#202666', secret), 401, 'CONSOLE_LOGIN_FAILED');
    expect(await userNamed('wang.fang')).toMatchObject({ mustChangePassword: true });
  });

  it('logs in with the temporary password, answering mustChangePassword; that session opens nothing else', async () => {
    const answer = await loginFrom('wang.fang', temporary, secret);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ role: 'cashier', mustChangePassword: true });
    resetToken = answer.body.token;
    const orders = await call(stack.url, 'GET', '/api/v1/console/orders?date=2026-01-01', {
      token: resetToken,
    });
    expectError(orders, 403, 'PASSWORD_CHANGE_REQUIRED');
    expect((await whoami(resetToken)).body).toEqual({
      username: 'wang.fang',
      role: 'cashier',
      mustChangePassword: true,
    });
  });

  it('refuses a wrong current password (422), a short one (400) and the same one (400)', async () => {
    expectError(
      await changePassword(resetToken, { currentPassword: 'not-it', newPassword: 'Brand#New2026' }),
      422,
      'CURRENT_PASSWORD_WRONG',
    );
    expectError(
      await changePassword(resetToken, { currentPassword: temporary, newPassword: 'short' }),
      400,
      'VALIDATION_FAILED',
    );
    expectError(
      await changePassword(resetToken, { currentPassword: temporary, newPassword: temporary }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('changes the password: a new session that opens everything, the temporary session ended', async () => {
    const answer = await changePassword(resetToken, {
      currentPassword: temporary,
      newPassword: 'Brand#New2026',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      role: 'cashier',
      expiresInS: 7200,
      mustChangePassword: false,
    });
    expectError(await whoami(resetToken), 401, 'UNAUTHENTICATED');
    const orders = await call(stack.url, 'GET', '/api/v1/console/orders?date=2026-01-01', {
      token: answer.body.token,
    });
    expect(orders.status).toBe(200);
    const again = await loginFrom('wang.fang', 'Brand#New2026', secret);
    expect(again.body).toMatchObject({ mustChangePassword: false });
    expectError(await loginFrom('wang.fang', temporary, secret), 401, 'CONSOLE_LOGIN_FAILED');
  });

  it('audits the reset and the change in Chinese, without any password', async () => {
    const reset = await auditOf('console.password_reset');
    expect(reset).toEqual([
      expect.objectContaining({
        actor: 'admin',
        target: 'console_user:wang.fang',
        description: expect.stringMatching(/admin 重置了收费员 wang\.fang 的密码.*下次登录须先修改密码/),
      }),
    ]);
    const changed = await auditOf('console.password_changed');
    expect(changed).toEqual([
      expect.objectContaining({
        actor: 'wang.fang',
        description: '用户 wang.fang 修改了自己的登录密码，其他登录会话已失效',
      }),
    ]);
    const all = JSON.stringify(await auditOf('console.password_reset')) + JSON.stringify(changed);
    for (const secretText of [temporary, 'Brand#New2026', 'Wang#202666'])
      expect(all).not.toContain(secretText);
  });
});

describe('POST /api/v1/console/users/:id/totp', () => {
  it('re-enrols: a new secret and QR URI shown once, sessions ended, only the new codes work', async () => {
    const old = (await createUser({ username: 'zhao.min', password: 'Zhao#202666', role: 'cashier' })).body;
    const user = await userNamed('zhao.min');
    const token = (await loginFrom('zhao.min', 'Zhao#202666', old.secret)).body.token;
    const answer: Answer<ConsoleEnrolmentView> = await act<ConsoleEnrolmentView>(user.id, 'totp');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body).toEqual({
      username: 'zhao.min',
      role: 'cashier',
      secret: expect.stringMatching(/^[A-Z2-7]{32}$/),
      otpauthUri: expect.stringMatching(/^otpauth:\/\/totp\/.+:zhao\.min\?secret=[A-Z2-7]{32}&/),
    });
    expect(answer.body.secret).not.toBe(old.secret);
    expectError(await whoami(token), 401, 'UNAUTHENTICATED');
    expectError(await loginFrom('zhao.min', 'Zhao#202666', old.secret), 401, 'CONSOLE_LOGIN_FAILED');
    expect((await loginFrom('zhao.min', 'Zhao#202666', answer.body.secret)).status).toBe(200);
    const audited = await auditOf('console.totp_reenrolled');
    expect(audited).toEqual([
      expect.objectContaining({
        actor: 'admin',
        target: 'console_user:zhao.min',
        description: expect.stringMatching(/重新绑定了身份验证器/),
      }),
    ]);
    expect(JSON.stringify(audited)).not.toContain(answer.body.secret);
  });
});
