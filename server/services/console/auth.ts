/**
 * Console authentication: password (scrypt) + TOTP, one answer for every wrong factor, a per-IP login rate limit,
 * failures counted per (account, source address) with a progressive delay and a lock of that pair only
 * (lockout.ts: a stranger cannot lock the owner out), and sessions in the ephemeral store marked
 * `kind: 'console'` so patient and console tokens never stand in for each other. A session names the user's
 * session epoch: disabling the user, resetting its password or re-enrolling its TOTP raises the epoch and every
 * session of the user ends at once. After a supervisor's reset, a session may only change the password.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  CONSOLE_ROLES,
  type ChangeConsolePasswordRequest,
  type ConsoleRole,
  type ConsoleSessionRequest,
  type ConsoleSessionView,
  type ConsoleUserView,
} from '../../../shared/api';
import { cstDateTime } from '../../../shared/clock';
import { createSession, dropSession, readSession, type EphemeralStore } from '../../ephemeral/port';
import { ConsoleUserRow } from '../../db/consoleEntities';
import { changeOwnConsolePassword, readConsoleUserAuthState } from '../../db/consoleUsers';
import { AppError } from '../errors';
import type { Deps } from '../deps';
import { ensureConsoleAdminOnce } from './accounts';
import { recordAudit } from './audit';
import {
  TOTP_PERIOD_S,
  TOTP_WINDOW_STEPS,
  hashPassword,
  totpStepAt,
  totpStepOf,
  verifyPassword,
} from './credentials';
import { clearLoginFailures, loginGate, recordLoginFailure, type Gate } from './lockout';

/** Who acts on a console user (accounts.ts), importable from here as before. */
export type { Actor } from './accounts';

/** login attempts per client IP per minute, whatever the username */
export const CONSOLE_LOGIN_PER_MINUTE = 30;

const LOGIN_FAILED_MESSAGE = '用户名、密码或动态验证码不正确，请重新输入。';

const consoleSessionSchema = z.object({
  kind: z.literal('console'),
  userId: z.string().uuid(),
  username: z.string().min(1),
  role: z.enum(CONSOLE_ROLES),
  epoch: z.number().int().min(0),
});

/** Where a request came from, for the rate limit, the lockout and the audit row. */
export interface RequestOrigin {
  ip: string;
  requestId?: string;
}

// ---- login ----

let dummyHash: Promise<string> | undefined;
/** Verified against for an unknown username, so its answer takes as long as a wrong password's. */
function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomUUID());
  return dummyHash;
}

const loginFailed = () => new AppError('CONSOLE_LOGIN_FAILED', LOGIN_FAILED_MESSAGE);

/** 429 or 423 for a pair that is waiting or locked, in Chinese, with the seconds to wait (Retry-After). */
export function gateError(gate: Exclude<Gate, { kind: 'open' }>, nowMs: number): AppError {
  const retryAfterS = Math.max(1, Math.ceil((gate.untilMs - nowMs) / 1000));
  if (gate.kind === 'throttled')
    return new AppError('LOGIN_THROTTLED', `登录失败次数过多，请 ${retryAfterS} 秒后再试`, { retryAfterS });
  return new AppError(
    'ACCOUNT_LOCKED',
    `从您当前的网络地址登录此账号失败次数过多，已暂时锁定，请在北京时间 ${cstDateTime(gate.untilMs)} 之后再试，或联系主管解锁`,
    { lockedUntil: new Date(gate.untilMs).toISOString(), retryAfterS },
  );
}

async function limitLoginRate(deps: Deps, ip: string): Promise<void> {
  const verdict = await deps.store.consumeRate('console-login', `ip:${ip}`, {
    points: CONSOLE_LOGIN_PER_MINUTE,
    durationS: 60,
  });
  if (!verdict.allowed) throw new AppError('RATE_LIMITED', '登录尝试太频繁，请一分钟后再试。');
}

type LoginAudit = (
  action: string,
  role: string,
  details?: Record<string, unknown>,
  description?: string,
) => Promise<void>;

function loginAudit(deps: Deps, username: string, origin: RequestOrigin): LoginAudit {
  return (action, role, details = {}, description) =>
    recordAudit(deps, {
      actor: username,
      role,
      action,
      target: `console_user:${username}`,
      details: { ip: origin.ip, ...details },
      requestId: origin.requestId,
      description,
    });
}

async function refuse(audit: LoginAudit, role: string, gate: Exclude<Gate, { kind: 'open' }>, nowMs: number) {
  await audit(
    gate.kind === 'locked' ? 'console.login_refused_locked' : 'console.login_refused_throttled',
    role,
    {
      until: new Date(gate.untilMs).toISOString(),
    },
  );
  return gateError(gate, nowMs);
}

/** Both factors are always checked, so neither the answer nor its timing says which one failed. */
async function credentialsOk(deps: Deps, user: ConsoleUserRow, req: ConsoleSessionRequest, nowMs: number) {
  const passwordOk = await verifyPassword(req.password, user.passwordHash);
  const otpStep = totpStepOf(deps.pii.decrypt(user.totpSecretEnc), req.otp, nowMs);
  // a code is spent only when the password is right too: a stranger guessing passwords cannot burn the codes
  return otpStep !== null && passwordOk && (await claimTotpStep(deps.store, user.id, otpStep, nowMs));
}

/**
 * Counts a failure of the (user, address) pair and throws what the caller is told: `wrong` (401 for a login), or
 * 423 when this failure locked the pair (audited with a description), or 423 / 429 when a concurrent failure
 * made the pair wait or locked it first.
 */
async function failLogin(
  deps: Deps,
  user: ConsoleUserRow,
  origin: RequestOrigin,
  audit: LoginAudit,
  nowMs: number,
  wrong: () => AppError = loginFailed,
): Promise<never> {
  const outcome = await recordLoginFailure(deps, user.id, origin.ip, nowMs);
  if (!outcome.counted) {
    if (outcome.gate.kind === 'open') throw wrong(); // unreachable: an open pair counts
    throw await refuse(audit, user.role, outcome.gate, nowMs);
  }
  if (outcome.lockedNow && outcome.gate.kind === 'locked') {
    await audit(
      'console.locked',
      user.role,
      { failures: outcome.failures, lockedUntil: new Date(outcome.gate.untilMs).toISOString() },
      `账号 ${user.username} 从地址 ${origin.ip} 连续登录失败 ${outcome.failures} 次，` +
        `该地址登录此账号被锁定至北京时间 ${cstDateTime(outcome.gate.untilMs)}；其他地址不受影响`,
    );
    throw gateError(outcome.gate, nowMs);
  }
  await audit('console.login_failed', user.role, { reason: 'bad_credentials', failures: outcome.failures });
  throw wrong();
}

export async function consoleLogin(
  deps: Deps,
  req: ConsoleSessionRequest,
  origin: RequestOrigin,
): Promise<ConsoleSessionView> {
  await limitLoginRate(deps, origin.ip);
  await ensureConsoleAdminOnce(deps);
  const audit = loginAudit(deps, req.username, origin);
  const user = await deps.db.getRepository(ConsoleUserRow).findOneBy({ username: req.username });
  const nowMs = deps.clock.now();
  if (!user) {
    await verifyPassword(req.password, await dummyPasswordHash());
    await audit('console.login_failed', 'anonymous', { reason: 'unknown_user' });
    throw loginFailed();
  }
  // a waiting or locked pair is refused before any factor is checked: no guess is ever tested there
  const gate = await loginGate(deps, user.id, origin.ip, nowMs);
  if (gate.kind !== 'open') throw await refuse(audit, user.role, gate, nowMs);
  if (!(await credentialsOk(deps, user, req, nowMs))) return failLogin(deps, user, origin, audit, nowMs);
  if (user.disabledAt) {
    await audit('console.login_refused_disabled', user.role);
    throw new AppError('ACCOUNT_DISABLED', '该账号已被停用，请联系主管');
  }
  const after = await clearLoginFailures(deps, user.id, origin.ip, nowMs);
  // a concurrent failure locked the pair between our check and now
  if (after.kind !== 'open') throw await refuse(audit, user.role, after, nowMs);
  const token = await newConsoleSession(deps, user, user.sessionEpoch);
  await audit('console.login', user.role);
  return sessionView(deps, token, user.role, user.mustChangePassword);
}

function newConsoleSession(
  deps: Deps,
  user: { id: string; username: string; role: ConsoleRole },
  epoch: number,
): Promise<string> {
  return createSession(
    deps.store,
    { kind: 'console', userId: user.id, username: user.username, role: user.role, epoch },
    deps.settings.SESSION_TTL_MS,
  );
}

const sessionView = (
  deps: Deps,
  token: string,
  role: ConsoleRole,
  mustChangePassword: boolean,
): ConsoleSessionView => ({
  token,
  role,
  expiresInS: Math.floor(deps.settings.SESSION_TTL_MS / 1000),
  mustChangePassword,
});

/** How long a spent step is remembered: past the last moment any code of the window can still be accepted. */
const TOTP_SPENT_TTL_MS = (2 * TOTP_WINDOW_STEPS + 2) * TOTP_PERIOD_S * 1000;
const totpSpentKey = (userId: string, step: number) => `console-totp:${userId}:${step}`;

/**
 * One-time codes are one-time (RFC 6238 §5.2): a login may spend the code of `step` only if no login has spent
 * that step or a later one. Rather than a "last step" value (read, compare, write: two logins with one code at
 * once would both pass), each step is a set-if-absent marker, and accepting `step` first marks every earlier
 * step still inside the window as spent. So after step s is accepted, s and every earlier step is refused; two
 * concurrent logins with one code: exactly one creates the marker. Codes older than the window are refused by
 * the TOTP check itself, so markers need to live only as long as the window (TOTP_SPENT_TTL_MS).
 *
 * A login that spends its step and then fails (e.g. locked meanwhile) has still used the code: the next login
 * needs the next code, as with any authenticator.
 */
export async function claimTotpStep(
  store: EphemeralStore,
  userId: string,
  step: number,
  nowMs: number,
): Promise<boolean> {
  for (let earlier = totpStepAt(nowMs) - TOTP_WINDOW_STEPS; earlier < step; earlier++)
    await store.setIfAbsent(totpSpentKey(userId, earlier), '1', TOTP_SPENT_TTL_MS);
  return store.setIfAbsent(totpSpentKey(userId, step), '1', TOTP_SPENT_TTL_MS);
}

// ---- sessions ----

/** The caller of a console route: who, with the role and flags read from the database on every request. */
export interface ConsoleCaller extends ConsoleUserView {
  userId: string;
  mustChangePassword: boolean;
}

const sessionEnded = () => new AppError('UNAUTHENTICATED', '登录已失效，请重新登录。');

/**
 * Token → the caller. A session of a user since disabled, or made before the user's epoch was raised (password
 * reset, TOTP re-enrolment, disable), is gone: dropped and refused like an expired one. The role is the
 * database's, not the one the session was made with.
 */
export async function authenticateConsole(deps: Deps, token: string): Promise<ConsoleCaller> {
  const data = await readSession(deps.store, token, (v) => consoleSessionSchema.parse(v));
  if (!data) throw sessionEnded();
  const user = await readConsoleUserAuthState(deps.db, data.userId);
  if (!user || user.disabled || user.epoch !== data.epoch) {
    await dropSession(deps.store, token);
    throw sessionEnded();
  }
  return {
    username: data.username,
    role: user.role,
    userId: data.userId,
    mustChangePassword: user.mustChangePassword,
  };
}

export async function consoleLogout(
  deps: Deps,
  token: string,
  user: ConsoleUserView,
  origin: RequestOrigin,
): Promise<void> {
  await dropSession(deps.store, token);
  await recordAudit(deps, {
    actor: user.username,
    role: user.role,
    action: 'console.logout',
    details: { ip: origin.ip },
    requestId: origin.requestId,
  });
}

/**
 * The caller changes its own password (always giving the current one, also right after a reset). Every session
 * of the user ends (the epoch is raised) and the answer is a new session for this one. A wrong current password
 * counts as a failed login of the (user, address) pair, so a stolen token cannot guess at it freely.
 */
export async function changeConsolePassword(
  deps: Deps,
  caller: ConsoleCaller,
  req: ChangeConsolePasswordRequest,
  origin: RequestOrigin,
): Promise<ConsoleSessionView> {
  const user = await deps.db.getRepository(ConsoleUserRow).findOneBy({ id: caller.userId });
  if (!user) throw sessionEnded();
  const nowMs = deps.clock.now();
  const audit = loginAudit(deps, user.username, origin);
  const gate = await loginGate(deps, user.id, origin.ip, nowMs);
  if (gate.kind !== 'open') throw await refuse(audit, user.role, gate, nowMs);
  if (!(await verifyPassword(req.currentPassword, user.passwordHash)))
    return failLogin(
      deps,
      user,
      origin,
      audit,
      nowMs,
      () => new AppError('CURRENT_PASSWORD_WRONG', '当前密码不正确'),
    );
  if (req.newPassword === req.currentPassword)
    throw new AppError('VALIDATION_FAILED', '新密码不能与当前密码相同');
  const passwordHash = await hashPassword(req.newPassword);
  const epoch = await changeOwnConsolePassword(deps.db, user.id, passwordHash, user.sessionEpoch);
  // disabled, reset or re-enrolled by a supervisor meanwhile: this session is over
  if (epoch === null) throw sessionEnded();
  await audit(
    'console.password_changed',
    user.role,
    {},
    `用户 ${user.username} 修改了自己的登录密码，其他登录会话已失效`,
  );
  const token = await newConsoleSession(deps, user, epoch);
  return sessionView(deps, token, user.role, false);
}
