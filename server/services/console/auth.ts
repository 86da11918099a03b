/**
 * Console authentication: password (scrypt) + TOTP, one answer for every wrong factor, lockout after
 * consecutive failures (timed by the injected clock), a per-IP login rate limit, and sessions in the ephemeral
 * store marked `kind: 'console'` so patient and console tokens never stand in for each other.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  CONSOLE_ROLES,
  type ConsoleRole,
  type ConsoleSessionRequest,
  type ConsoleSessionView,
  type ConsoleUserView,
} from '../../../shared/api';
import { createSession, dropSession, readSession, type EphemeralStore } from '../../ephemeral/port';
import { ConsoleUserRow } from '../../db/consoleEntities';
import { AppError } from '../errors';
import type { Deps } from '../deps';
import { recordAudit } from './audit';
import {
  TOTP_PERIOD_S,
  TOTP_WINDOW_STEPS,
  hashPassword,
  newTotpSecret,
  totpStepAt,
  totpStepOf,
  verifyPassword,
} from './credentials';

export const CONSOLE_ADMIN_USERNAME = 'admin';
/** consecutive failures that lock an account, and for how long */
export const CONSOLE_LOCKOUT_FAILURES = 5;
export const CONSOLE_LOCKOUT_MS = 15 * 60_000;
/** login attempts per client IP per minute, whatever the username */
export const CONSOLE_LOGIN_PER_MINUTE = 30;

const LOGIN_FAILED_MESSAGE = 'the username, password or one-time code is wrong';
const USERNAME = /^[A-Za-z0-9_.-]{2,64}$/;
const PASSWORD_LENGTH_MIN = 8;

const consoleSessionSchema = z.object({
  kind: z.literal('console'),
  username: z.string().min(1),
  role: z.enum(CONSOLE_ROLES),
});

/** Where a request came from, for the rate limit and the audit row. */
export interface RequestOrigin {
  ip: string;
  requestId?: string;
}

// ---- users ----

export interface NewConsoleUser {
  username: string;
  password: string;
  role: ConsoleRole;
  /** base32; a fresh 160-bit secret when absent */
  totpSecret?: string;
}

/** Who creates a user, for the audit row; the seeded admin is created by 'system'. */
export interface Actor {
  username: string;
  role: string;
  requestId?: string;
}

/**
 * Creates a console user; returns the TOTP secret once (to enrol an authenticator). false in `created` when the
 * username is taken (nothing changes: ON CONFLICT DO NOTHING, safe when two instances seed at once).
 */
export async function createConsoleUser(
  deps: Deps,
  input: NewConsoleUser,
  by: Actor,
): Promise<{ created: boolean; username: string; role: ConsoleRole; totpSecret: string }> {
  if (!USERNAME.test(input.username))
    throw new AppError('VALIDATION_FAILED', 'username: 2–64 letters, digits, _ . or -');
  if (input.password.length < PASSWORD_LENGTH_MIN)
    throw new AppError('VALIDATION_FAILED', `password: at least ${PASSWORD_LENGTH_MIN} characters`);
  const totpSecret = input.totpSecret ?? newTotpSecret();
  const passwordHash = await hashPassword(input.password);
  const inserted = (await deps.db.query(
    `INSERT INTO console_users (id, username, password_hash, totp_secret_enc, role, failed_attempts, created_at)
     VALUES ($1, $2, $3, $4, $5, 0, $6) ON CONFLICT (username) DO NOTHING RETURNING id`,
    [
      randomUUID(),
      input.username,
      passwordHash,
      deps.pii.encrypt(totpSecret),
      input.role,
      new Date(deps.clock.now()),
    ],
  )) as { id: string }[];
  const created = inserted.length === 1;
  if (created)
    await recordAudit(deps, {
      actor: by.username,
      role: by.role,
      action: 'console.user_created',
      target: `console_user:${input.username}`,
      details: { role: input.role },
      requestId: by.requestId,
    });
  return { created, username: input.username, role: input.role, totpSecret };
}

/** Seeds the supervisor `admin` from settings when absent; an existing admin is never overwritten. */
export async function ensureConsoleAdmin(deps: Deps): Promise<void> {
  const exists = await deps.db.getRepository(ConsoleUserRow).existsBy({ username: CONSOLE_ADMIN_USERNAME });
  if (exists) return;
  await createConsoleUser(
    deps,
    {
      username: CONSOLE_ADMIN_USERNAME,
      password: deps.settings.CONSOLE_ADMIN_PASSWORD,
      totpSecret: deps.settings.CONSOLE_ADMIN_TOTP_SECRET,
      role: 'supervisor',
    },
    { username: 'system', role: 'system' },
  );
}

const adminSeeded = new WeakMap<Deps, Promise<void>>();

/** ensureConsoleAdmin once per server (lazily, before the first login); a failed attempt is tried again. */
function ensureConsoleAdminOnce(deps: Deps): Promise<void> {
  let pending = adminSeeded.get(deps);
  if (!pending) {
    pending = ensureConsoleAdmin(deps).catch((err: unknown) => {
      adminSeeded.delete(deps);
      throw err;
    });
    adminSeeded.set(deps, pending);
  }
  return pending;
}

// ---- login ----

let dummyHash: Promise<string> | undefined;
/** Verified against for an unknown username, so its answer takes as long as a wrong password's. */
function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomUUID());
  return dummyHash;
}

const loginFailed = () => new AppError('CONSOLE_LOGIN_FAILED', LOGIN_FAILED_MESSAGE);
const accountLocked = (until: Date) =>
  new AppError(
    'ACCOUNT_LOCKED',
    `too many failed logins; the account is locked until ${until.toISOString()}`,
    { lockedUntil: until.toISOString() },
  );

async function limitLoginRate(deps: Deps, ip: string): Promise<void> {
  const verdict = await deps.store.consumeRate('console-login', `ip:${ip}`, {
    points: CONSOLE_LOGIN_PER_MINUTE,
    durationS: 60,
  });
  if (!verdict.allowed) throw new AppError('RATE_LIMITED', 'too many login attempts; please wait a minute');
}

export async function consoleLogin(
  deps: Deps,
  req: ConsoleSessionRequest,
  origin: RequestOrigin,
): Promise<ConsoleSessionView> {
  await limitLoginRate(deps, origin.ip);
  await ensureConsoleAdminOnce(deps);
  const audit = (action: string, role: string, details: Record<string, unknown> = {}) =>
    recordAudit(deps, {
      actor: req.username,
      role,
      action,
      target: `console_user:${req.username}`,
      details: { ip: origin.ip, ...details },
      requestId: origin.requestId,
    });

  const user = await deps.db.getRepository(ConsoleUserRow).findOneBy({ username: req.username });
  const nowMs = deps.clock.now();
  if (!user) {
    await verifyPassword(req.password, await dummyPasswordHash());
    await audit('console.login_failed', 'anonymous', { reason: 'unknown_user' });
    throw loginFailed();
  }
  if (user.lockedUntil && user.lockedUntil.getTime() > nowMs) {
    await audit('console.login_refused_locked', user.role, { lockedUntil: user.lockedUntil.toISOString() });
    throw accountLocked(user.lockedUntil);
  }
  // both factors are always checked, so neither the answer nor its timing says which one failed
  const passwordOk = await verifyPassword(req.password, user.passwordHash);
  const otpStep = totpStepOf(deps.pii.decrypt(user.totpSecretEnc), req.otp, nowMs);
  // a code is spent only when the password is right too: a stranger guessing passwords cannot burn the codes
  const otpOk = otpStep !== null && passwordOk && (await claimTotpStep(deps.store, user.id, otpStep, nowMs));
  if (!passwordOk || !otpOk) {
    const outcome = await countFailure(deps, user.id, nowMs);
    if (outcome.kind === 'locked') {
      await audit(
        outcome.now ? 'console.locked' : 'console.login_refused_locked',
        user.role,
        outcome.now
          ? { failures: CONSOLE_LOCKOUT_FAILURES, lockedUntil: outcome.until.toISOString() }
          : { lockedUntil: outcome.until.toISOString() },
      );
      throw accountLocked(outcome.until);
    }
    await audit('console.login_failed', user.role, { reason: 'bad_credentials' });
    throw loginFailed();
  }
  if (!(await resetFailures(deps, user.id, nowMs))) {
    // a concurrent failure locked the account between our read and now
    await audit('console.login_refused_locked', user.role, {});
    throw accountLocked(new Date(nowMs + CONSOLE_LOCKOUT_MS));
  }
  const token = await createSession(
    deps.store,
    { kind: 'console', username: user.username, role: user.role },
    deps.settings.SESSION_TTL_MS,
  );
  await audit('console.login', user.role);
  return { token, role: user.role, expiresInS: Math.floor(deps.settings.SESSION_TTL_MS / 1000) };
}

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

type FailureOutcome = { kind: 'counted' } | { kind: 'locked'; until: Date; now: boolean };

/**
 * One more failure, atomically; the failure that reaches the limit locks and starts counting afresh. Failures
 * that raced with the lock do not count (the account stays locked once, with one audit row).
 */
async function countFailure(deps: Deps, userId: string, nowMs: number): Promise<FailureOutcome> {
  const lockUntil = new Date(nowMs + CONSOLE_LOCKOUT_MS);
  const [rows] = (await deps.db.query(
    `UPDATE console_users SET
       failed_attempts = CASE WHEN failed_attempts + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END,
       locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN $3::timestamptz ELSE NULL END
     WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $4)
     RETURNING locked_until IS NOT NULL AS "lockedNow"`,
    [userId, CONSOLE_LOCKOUT_FAILURES, lockUntil, new Date(nowMs)],
  )) as [{ lockedNow: boolean }[], number];
  if (rows.length === 0) {
    const user = await deps.db.getRepository(ConsoleUserRow).findOneByOrFail({ id: userId });
    return { kind: 'locked', until: user.lockedUntil ?? lockUntil, now: false };
  }
  return rows[0].lockedNow ? { kind: 'locked', until: lockUntil, now: true } : { kind: 'counted' };
}

/** Success clears the count, unless a lock appeared meanwhile (then false). */
async function resetFailures(deps: Deps, userId: string, nowMs: number): Promise<boolean> {
  const [, affected] = (await deps.db.query(
    `UPDATE console_users SET failed_attempts = 0, locked_until = NULL
     WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2)`,
    [userId, new Date(nowMs)],
  )) as [unknown, number];
  return affected === 1;
}

// ---- sessions ----

export async function authenticateConsole(deps: Deps, token: string): Promise<ConsoleUserView> {
  const data = await readSession(deps.store, token, (v) => consoleSessionSchema.parse(v));
  if (!data)
    throw new AppError('UNAUTHENTICATED', 'the console session is missing or expired; please log in');
  return { username: data.username, role: data.role };
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
