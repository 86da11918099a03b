/**
 * Console users, managed by a supervisor: list them; enrol a new one (password + a fresh TOTP secret, shown
 * once as base32 and as an otpauth:// URI for the authenticator's QR code); disable and enable; reset a password
 * (a temporary one, shown once, to be changed at the next login); re-enrol the TOTP; unlock the addresses locked
 * out of an account. Disabling, a reset and a re-enrolment end every session of the user at once (its session
 * epoch is raised). Each change is audited with a plain Chinese description; the secret and the passwords never
 * reach a log or the audit. The last active supervisor cannot be disabled.
 */
import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type {
  ConsoleEnrolmentView,
  ConsolePasswordResetView,
  ConsoleRole,
  ConsoleUnlockView,
  ConsoleUserListItem,
  CreateConsoleUserRequest,
} from '../../../shared/api';
import { ConsoleUserRow } from '../../db/consoleEntities';
import {
  disableConsoleUserRow,
  enableConsoleUserRow,
  listConsoleUserRows,
  lockActiveSupervisorIds,
  resetConsolePasswordRow,
  setConsoleTotpSecret,
} from '../../db/consoleUsers';
import { AppError } from '../errors';
import type { Deps } from '../deps';
import { recordAudit } from './audit';
import { createConsoleUser, type Actor } from './accounts';
import { TOTP_PERIOD_S, hashPassword, newTotpSecret } from './credentials';
import { lockedAddressCounts, unlockAllAddresses } from './lockout';

/** The issuer authenticator apps show above the code, when the hospital has no name configured. */
export const TOTP_ISSUER_DEFAULT = 'Card-free payment console';

/**
 * The Key Uri Format of authenticator apps: `otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1
 * &digits=6&period=30`, issuer and account percent-encoded (the ':' between them stays literal).
 */
export function otpauthUri(issuer: string, username: string, secretBase32: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(username)}`;
  const query = [
    `secret=${encodeURIComponent(secretBase32)}`,
    `issuer=${encodeURIComponent(issuer)}`,
    'algorithm=SHA1',
    'digits=6',
    `period=${TOTP_PERIOD_S}`,
  ].join('&');
  return `otpauth://totp/${label}?${query}`;
}

/** Every console user by name, at most LIST_PAGE_MAX, with its state; or only the user `onlyId`. */
export async function listConsoleUsers(deps: Deps, onlyId?: string): Promise<ConsoleUserListItem[]> {
  const rows = await listConsoleUserRows(deps.db, deps.settings.LIST_PAGE_MAX, onlyId);
  const locked = await lockedAddressCounts(deps, deps.clock.now());
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    role: r.role,
    disabled: r.disabled,
    mustChangePassword: r.mustChangePassword,
    lockedAddresses: locked.get(r.id) ?? 0,
    createdAt: r.createdAt.toISOString(),
  }));
}

/** A new user with a fresh 20-byte TOTP secret; a taken username → 409 USERNAME_TAKEN, nothing changed. */
export async function enrolConsoleUser(
  deps: Deps,
  req: CreateConsoleUserRequest,
  by: Actor,
): Promise<ConsoleEnrolmentView> {
  // no totpSecret given: createConsoleUser makes a new 160-bit one (never the configured demo secret)
  const created = await createConsoleUser(
    deps,
    { username: req.username, password: req.password, role: req.role },
    by,
    { audited: false },
  );
  if (!created.created) throw new AppError('USERNAME_TAKEN', '这个用户名已被使用，请换一个。');
  await recordAudit(deps, {
    actor: by.username,
    role: by.role,
    action: 'console.user_create',
    target: `console_user:${created.username}`,
    details: { username: created.username, role: created.role },
    requestId: by.requestId,
  });
  return enrolmentView(deps, created.username, created.role, created.totpSecret);
}

function enrolmentView(
  deps: Deps,
  username: string,
  role: ConsoleRole,
  secret: string,
): ConsoleEnrolmentView {
  const issuer = deps.settings.HOSPITAL_NAME.trim() || TOTP_ISSUER_DEFAULT;
  return { username, role, secret, otpauthUri: otpauthUri(issuer, username, secret) };
}

// ---- a supervisor manages a user ----

const ROLE_WORD: Record<ConsoleRole, string> = { cashier: '收费员', supervisor: '主管' };
const who = (user: { username: string; role: ConsoleRole }) => `${ROLE_WORD[user.role]} ${user.username}`;
const userNotFound = () => new AppError('CONSOLE_USER_NOT_FOUND', '没有这个后台用户');

/** The user under its row lock, inside the caller's transaction; 404 when there is none. */
async function lockUser(m: EntityManager, userId: string): Promise<ConsoleUserRow> {
  const user = await m
    .getRepository(ConsoleUserRow)
    .createQueryBuilder('u')
    .setLock('pessimistic_write')
    .where('u.id = :userId', { userId })
    .getOne();
  if (!user) throw userNotFound();
  return user;
}

/** Every active supervisor's row, locked in id order (one order for every caller: no deadlock). */
async function lockActiveSupervisors(m: EntityManager): Promise<string[]> {
  return lockActiveSupervisorIds(m);
}

/**
 * One change to a user and its audit row, in one transaction, the user's row locked. `supervisorsFirst`: lock
 * every active supervisor before the user (a change that must not leave none).
 */
async function changeUser<T>(
  deps: Deps,
  userId: string,
  by: Actor,
  change: (
    m: EntityManager,
    user: ConsoleUserRow,
    nowMs: number,
    activeSupervisors: string[],
  ) => Promise<{ result: T; audit?: Audit }>,
  supervisorsFirst = false,
): Promise<T> {
  return deps.db.transaction(async (m) => {
    const nowMs = deps.clock.now();
    const activeSupervisors = supervisorsFirst ? await lockActiveSupervisors(m) : [];
    const user = await lockUser(m, userId);
    const { result, audit } = await change(m, user, nowMs, activeSupervisors);
    if (audit)
      await recordAudit(
        deps,
        {
          actor: by.username,
          role: by.role,
          action: audit.action,
          target: `console_user:${user.username}`,
          details: { userId: user.id, ...audit.details },
          requestId: by.requestId,
          description: audit.description,
        },
        m,
      );
    return result;
  });
}

interface Audit {
  action: string;
  description: string;
  details?: Record<string, unknown>;
}

/**
 * Disables a user: it cannot log in and its sessions end now. Refused (409 LAST_SUPERVISOR) when it is the last
 * active supervisor: every active supervisor's row is locked first, so two supervisors disabling each other at
 * once cannot both succeed. Disabling a disabled user changes nothing.
 */
export async function disableConsoleUser(
  deps: Deps,
  userId: string,
  by: Actor,
): Promise<ConsoleUserListItem> {
  const change = async (m: EntityManager, user: ConsoleUserRow, nowMs: number, active: string[]) => {
    if (user.disabledAt) return { result: undefined };
    if (user.role === 'supervisor') {
      if (!active.some((id) => id !== user.id))
        throw new AppError('LAST_SUPERVISOR', '不能停用最后一个在用的主管账号，请先新建或启用另一个主管。');
    }
    await disableConsoleUserRow(m, user.id, new Date(nowMs));
    return {
      result: undefined,
      audit: {
        action: 'console.user_disabled',
        description: `${by.username} 停用了${who(user)}，该账号不能再登录，已登录的会话全部失效`,
      },
    };
  };
  await changeUser(deps, userId, by, change, true);
  return userItem(deps, userId);
}

/** Enables a disabled user (its old sessions stay ended); enabling an active user changes nothing. */
export async function enableConsoleUser(deps: Deps, userId: string, by: Actor): Promise<ConsoleUserListItem> {
  await changeUser(deps, userId, by, async (m, user) => {
    if (!user.disabledAt) return { result: undefined };
    await enableConsoleUserRow(m, user.id);
    return {
      result: undefined,
      audit: {
        action: 'console.user_enabled',
        description: `${by.username} 重新启用了${who(user)}，该账号可以再次登录`,
      },
    };
  });
  return userItem(deps, userId);
}

const TEMPORARY_PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
const TEMPORARY_PASSWORD_LENGTH = 16;

/** 16 characters without look-alikes (0/O, 1/l/I): ~93 bits, read aloud or typed once. */
export function temporaryPassword(): string {
  const alphabet = TEMPORARY_PASSWORD_ALPHABET;
  let out = '';
  // rejection sampling keeps every character equally likely
  while (out.length < TEMPORARY_PASSWORD_LENGTH)
    for (const byte of randomBytes(32))
      if (byte < 256 - (256 % alphabet.length) && out.length < TEMPORARY_PASSWORD_LENGTH)
        out += alphabet[byte % alphabet.length];
  return out;
}

/**
 * A supervisor resets a user's password: a temporary one, returned once; the user must change it at the next
 * login (until then that session opens only the password change); every session of the user ends now.
 */
export async function resetConsolePassword(
  deps: Deps,
  userId: string,
  by: Actor,
): Promise<ConsolePasswordResetView> {
  const password = temporaryPassword();
  const passwordHash = await hashPassword(password);
  return changeUser(deps, userId, by, async (m, user) => {
    await resetConsolePasswordRow(m, user.id, passwordHash);
    return {
      result: { username: user.username, temporaryPassword: password },
      audit: {
        action: 'console.password_reset',
        description:
          `${by.username} 重置了${who(user)} 的密码（临时密码只显示一次），` +
          `该用户下次登录须先修改密码，已登录的会话全部失效`,
      },
    };
  });
}

/** A new TOTP secret for the user (a lost phone), shown once as at creation; every session of the user ends now. */
export async function reenrolConsoleTotp(
  deps: Deps,
  userId: string,
  by: Actor,
): Promise<ConsoleEnrolmentView> {
  const secret = newTotpSecret();
  return changeUser(deps, userId, by, async (m, user) => {
    await setConsoleTotpSecret(m, user.id, deps.pii.encrypt(secret));
    return {
      result: enrolmentView(deps, user.username, user.role, secret),
      audit: {
        action: 'console.totp_reenrolled',
        description: `${by.username} 为${who(user)} 重新绑定了身份验证器，原验证器的动态码作废，已登录的会话全部失效`,
      },
    };
  });
}

/** Forgets every failure counted against the account, from every address: the locked addresses may try again. */
export async function unlockConsoleUser(deps: Deps, userId: string, by: Actor): Promise<ConsoleUnlockView> {
  return changeUser(deps, userId, by, async (m, user, nowMs) => {
    const addresses = await unlockAllAddresses(m, user.id, nowMs);
    const where =
      addresses.length > 0
        ? `（${addresses.length} 个地址：${addresses.join('、')}）`
        : '（当前没有被锁定的地址）';
    return {
      result: { username: user.username, unlockedAddresses: addresses.length },
      audit: {
        action: 'console.unlocked',
        description: `${by.username} 解除了${who(user)} 的登录锁定${where}，并清零了各地址的失败次数`,
        details: { addresses },
      },
    };
  });
}

async function userItem(deps: Deps, userId: string): Promise<ConsoleUserListItem> {
  const [found] = await listConsoleUsers(deps, userId);
  if (!found) throw userNotFound();
  return found;
}
