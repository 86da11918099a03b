/**
 * A stranger cannot lock the owner out of a console account (issue 10, item 3), over HTTP on a whole stack with
 * no trusted proxy: the attacker's client socket is bound to 127.0.0.2, the owner's to 127.0.0.3. Failures count
 * per (account, address): the attacker's address waits, then is locked and told so (423, Chinese, Retry-After);
 * the owner logs in from elsewhere; a supervisor unlocks; every lock and unlock is in the audit with a Chinese
 * description. Time moves only by the stack's clock.
 */
import { callFrom } from '../helpers/fromAddress';
import { startStack, type Answer, type Stack } from '../helpers/stack';
import { totpCode } from '../../server/services/console/credentials';
import { createConsoleUser } from '../../server/services/console/accounts';
import type {
  AuditEntryView,
  ConsoleSessionView,
  ConsoleUnlockView,
  ConsoleUserListItem,
} from '../../shared/api';

const ADMIN_PASSWORD = 'Admin#2026';
const ADMIN_SECRET = 'JBSWY3DPEHPK3PXP';
const ATTACKER = '127.0.0.2';
const OWNER = '127.0.0.3';

let stack: Stack;
let ownerToken: string;
let adminId: string;
const now = () => stack.clock.now();

const login = (from: string, password: string, otp = totpCode(ADMIN_SECRET, now())) =>
  callFrom<ConsoleSessionView & { code?: string; message?: string }>(
    from,
    stack.url,
    'POST',
    '/api/v1/console/session',
    { body: { username: 'admin', password, otp } },
  );

function expectError(answer: Answer, status: number, code: string) {
  expect({ status: answer.status, code: (answer.body as { code?: string }).code }).toEqual({ status, code });
}

async function audit(action: string): Promise<AuditEntryView[]> {
  const answer = await callFrom<AuditEntryView[]>(
    OWNER,
    stack.url,
    'GET',
    '/api/v1/console/audit?limit=500',
    {
      token: ownerToken,
    },
  );
  return answer.body.filter((e) => e.action === action);
}

beforeAll(async () => {
  stack = await startStack();
  stack.clock.freeze();
});
afterAll(async () => {
  stack.clock.unfreeze();
  await stack.stop();
});

describe('an attacker guessing the admin password from 127.0.0.2', () => {
  it('is made to wait from the 3rd failure, and locked at the 5th: 423 in Chinese with a Retry-After', async () => {
    for (let i = 1; i <= 3; i++)
      expectError(await login(ATTACKER, `guess-${i}`), 401, 'CONSOLE_LOGIN_FAILED');
    const waiting = await login(ATTACKER, 'guess-4');
    expectError(waiting, 429, 'LOGIN_THROTTLED');
    expect(waiting.headers.get('retry-after')).toBe('2');
    stack.clock.advance(2_000);
    expectError(await login(ATTACKER, 'guess-4'), 401, 'CONSOLE_LOGIN_FAILED');
    stack.clock.advance(4_000);
    const locked = await login(ATTACKER, 'guess-5');
    expectError(locked, 423, 'ACCOUNT_LOCKED');
    expect(locked.headers.get('retry-after')).toBe('900');
    expect(locked.body.message).toMatch(
      /失败次数过多.*已暂时锁定.*北京时间 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}.*联系主管解锁/,
    );
    // and stays locked, whatever it sends: even the right password is not tried from there
    const again = await login(ATTACKER, ADMIN_PASSWORD);
    expectError(again, 423, 'ACCOUNT_LOCKED');
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('does not lock out the owner, who logs in from 127.0.0.3', async () => {
    const owner = await login(OWNER, ADMIN_PASSWORD);
    expect(owner.status).toBe(200);
    expect(owner.body).toMatchObject({ role: 'supervisor', mustChangePassword: false });
    ownerToken = owner.body.token;
    // the attacker's address is still locked after the owner's success
    expectError(await login(ATTACKER, 'guess-6'), 423, 'ACCOUNT_LOCKED');
  });

  it('shows the locked address in the user list and writes the lock to the audit with a Chinese description', async () => {
    const users = await callFrom<ConsoleUserListItem[]>(OWNER, stack.url, 'GET', '/api/v1/console/users', {
      token: ownerToken,
    });
    const admin = users.body.find((u) => u.username === 'admin')!;
    expect(admin).toMatchObject({ lockedAddresses: 1, disabled: false });
    adminId = admin.id;

    const locks = await audit('console.locked');
    expect(locks).toHaveLength(1);
    expect(locks[0]).toMatchObject({
      actor: 'admin',
      target: 'console_user:admin',
      details: { ip: ATTACKER, failures: 5 },
    });
    expect(locks[0].description).toMatch(
      /账号 admin 从地址 127\.0\.0\.2 连续登录失败 5 次.*锁定.*其他地址不受影响/,
    );
    expect((await audit('console.login_refused_locked')).map((e) => e.details.ip)).toEqual([
      ATTACKER,
      ATTACKER,
    ]);
  });

  it('is unlocked by a supervisor, which is audited, and may try again', async () => {
    const unlock = await callFrom<ConsoleUnlockView>(
      OWNER,
      stack.url,
      'POST',
      `/api/v1/console/users/${adminId}/unlock`,
      { token: ownerToken, body: {} },
    );
    expect(unlock.status).toBe(200);
    expect(unlock.body).toEqual({ username: 'admin', unlockedAddresses: 1 });

    const unlocks = await audit('console.unlocked');
    expect(unlocks).toEqual([
      expect.objectContaining({
        actor: 'admin',
        role: 'supervisor',
        target: 'console_user:admin',
        details: { userId: adminId, addresses: [ATTACKER] },
        description: expect.stringMatching(/admin 解除了主管 admin 的登录锁定（1 个地址：127\.0\.0\.2）/),
      }),
    ]);
    expectError(await login(ATTACKER, 'guess-7'), 401, 'CONSOLE_LOGIN_FAILED');
    const users = await callFrom<ConsoleUserListItem[]>(OWNER, stack.url, 'GET', '/api/v1/console/users', {
      token: ownerToken,
    });
    expect(users.body.find((u) => u.id === adminId)).toMatchObject({ lockedAddresses: 0 });
  });

  it('locks for twice as long when the lock runs out and the attacker fails again', async () => {
    for (let i = 2; i <= 4; i++) {
      stack.clock.advance(5_000);
      await login(ATTACKER, `guess-again-${i}`);
    }
    stack.clock.advance(5_000);
    expectError(await login(ATTACKER, 'guess-again-5'), 423, 'ACCOUNT_LOCKED');
    stack.clock.advance(15 * 60_000);
    const sixth = await login(ATTACKER, 'guess-again-6');
    expectError(sixth, 423, 'ACCOUNT_LOCKED');
    expect(sixth.headers.get('retry-after')).toBe(String(30 * 60));
  });

  it('lets only a supervisor unlock: 403 for a cashier, 404 for an unknown or malformed id', async () => {
    const unknown = await callFrom(
      OWNER,
      stack.url,
      'POST',
      '/api/v1/console/users/00000000-0000-4000-8000-000000000000/unlock',
      {
        token: ownerToken,
        body: {},
      },
    );
    expectError(unknown, 404, 'CONSOLE_USER_NOT_FOUND');
    const malformed = await callFrom(OWNER, stack.url, 'POST', '/api/v1/console/users/not-an-id/unlock', {
      token: ownerToken,
      body: {},
    });
    expectError(malformed, 404, 'CONSOLE_USER_NOT_FOUND');
    const anonymous = await callFrom(OWNER, stack.url, 'POST', `/api/v1/console/users/${adminId}/unlock`, {
      body: {},
    });
    expectError(anonymous, 401, 'UNAUTHENTICATED');
    const { totpSecret } = await createConsoleUser(
      stack.server.deps,
      { username: 'cashier9', password: 'Cashier#2026', role: 'cashier' },
      { username: 'test', role: 'system' },
    );
    const cashier = await callFrom<ConsoleSessionView>(
      '127.0.0.4',
      stack.url,
      'POST',
      '/api/v1/console/session',
      {
        body: { username: 'cashier9', password: 'Cashier#2026', otp: totpCode(totpSecret, now()) },
      },
    );
    expect(cashier.status).toBe(200);
    const refused = await callFrom(
      '127.0.0.4',
      stack.url,
      'POST',
      `/api/v1/console/users/${adminId}/unlock`,
      {
        token: cashier.body.token,
        body: {},
      },
    );
    expectError(refused, 403, 'FORBIDDEN');
  });
});
