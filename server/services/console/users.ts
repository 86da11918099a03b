/**
 * Console users, managed by a supervisor: list them, and enrol a new one (password + a fresh TOTP secret, shown
 * once as base32 and as an otpauth:// URI for the authenticator's QR code). Creation itself is
 * `createConsoleUser` (auth.ts); the secret and the password never reach a log or the audit.
 */
import type { ConsoleEnrolmentView, ConsoleUserView, CreateConsoleUserRequest } from '../../../shared/api';
import { AppError } from '../errors';
import type { Deps } from '../deps';
import { recordAudit } from './audit';
import { createConsoleUser, type Actor } from './auth';
import { TOTP_PERIOD_S } from './credentials';

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

/** Every console user by name, at most LIST_PAGE_MAX. */
export async function listConsoleUsers(deps: Deps): Promise<ConsoleUserView[]> {
  const rows = (await deps.db.query(`SELECT username, role FROM console_users ORDER BY username LIMIT $1`, [
    deps.settings.LIST_PAGE_MAX,
  ])) as ConsoleUserView[];
  return rows.map((r) => ({ username: r.username, role: r.role }));
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
  );
  if (!created.created) throw new AppError('USERNAME_TAKEN', `the username ${req.username} is taken`);
  await recordAudit(deps, {
    actor: by.username,
    role: by.role,
    action: 'console.user_create',
    target: `console_user:${created.username}`,
    details: { username: created.username, role: created.role },
    requestId: by.requestId,
  });
  const issuer = deps.settings.HOSPITAL_NAME.trim() || TOTP_ISSUER_DEFAULT;
  return {
    username: created.username,
    role: created.role,
    secret: created.totpSecret,
    otpauthUri: otpauthUri(issuer, created.username, created.totpSecret),
  };
}
