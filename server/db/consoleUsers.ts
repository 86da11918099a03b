/**
 * SQL of console users beyond their entity (services/console/users.ts, auth.ts, accounts.ts): the list, the
 * supervisors' row locks, each change a supervisor makes, and what a session checks on every request. Rows
 * parsed into typed values here.
 */
import type { EntityManager } from 'typeorm';
import { CONSOLE_ROLES, type ConsoleRole } from '../../shared/api';
import { bool, date, int, oneOf, returnedRows, rowsOf, text, type Db } from './rows';

export interface ConsoleUserListRow {
  id: string;
  username: string;
  role: ConsoleRole;
  disabled: boolean;
  mustChangePassword: boolean;
  createdAt: Date;
}

/** Every console user by name, at most `limit`; or only the user `onlyId`. */
export async function listConsoleUserRows(
  db: Db,
  limit: number,
  onlyId: string | undefined,
): Promise<ConsoleUserListRow[]> {
  const rows = rowsOf(
    await db.query(
      `SELECT id, username, role, disabled_at IS NOT NULL AS disabled,
            must_change_password AS "mustChangePassword", created_at AS "createdAt"
       FROM console_users WHERE $2::uuid IS NULL OR id = $2 ORDER BY username LIMIT $1`,
      [limit, onlyId ?? null],
    ),
  );
  return rows.map((r) => ({
    id: text(r, 'id'),
    username: text(r, 'username'),
    role: oneOf(r, 'role', CONSOLE_ROLES),
    disabled: bool(r, 'disabled'),
    mustChangePassword: bool(r, 'mustChangePassword'),
    createdAt: date(r, 'createdAt'),
  }));
}

/** Every active supervisor's id, their rows locked in id order. */
export async function lockActiveSupervisorIds(m: EntityManager): Promise<string[]> {
  const rows = rowsOf(
    await m.query(
      `SELECT id FROM console_users WHERE role = 'supervisor' AND disabled_at IS NULL ORDER BY id FOR UPDATE`,
    ),
  );
  return rows.map((r) => text(r, 'id'));
}

/** Disabled at `at`, every session ended (the epoch raised). */
export async function disableConsoleUserRow(m: EntityManager, userId: string, at: Date): Promise<void> {
  await m.query(
    `UPDATE console_users SET disabled_at = $2, session_epoch = session_epoch + 1 WHERE id = $1`,
    [userId, at],
  );
}

export async function enableConsoleUserRow(m: EntityManager, userId: string): Promise<void> {
  await m.query(`UPDATE console_users SET disabled_at = NULL WHERE id = $1`, [userId]);
}

/** A supervisor's reset: the new hash, to be changed at the next login; every session ended. */
export async function resetConsolePasswordRow(
  m: EntityManager,
  userId: string,
  passwordHash: string,
): Promise<void> {
  await m.query(
    `UPDATE console_users SET password_hash = $2, must_change_password = true, session_epoch = session_epoch + 1
        WHERE id = $1`,
    [userId, passwordHash],
  );
}

/** A new (encrypted) TOTP secret; every session ended. */
export async function setConsoleTotpSecret(
  m: EntityManager,
  userId: string,
  secretEnc: string,
): Promise<void> {
  await m.query(
    `UPDATE console_users SET totp_secret_enc = $2, session_epoch = session_epoch + 1 WHERE id = $1`,
    [userId, secretEnc],
  );
}

/** A new user; false when the username is taken (nothing written). */
export async function insertConsoleUser(
  db: Db,
  u: {
    id: string;
    username: string;
    passwordHash: string;
    totpSecretEnc: string;
    role: ConsoleRole;
    at: Date;
  },
): Promise<boolean> {
  const inserted = rowsOf(
    await db.query(
      `INSERT INTO console_users (id, username, password_hash, totp_secret_enc, role, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username) DO NOTHING RETURNING id`,
      [u.id, u.username, u.passwordHash, u.totpSecretEnc, u.role, u.at],
    ),
  );
  return inserted.length === 1;
}

/** What a session of the user is checked against on every request. */
export interface ConsoleUserAuthState {
  role: ConsoleRole;
  disabled: boolean;
  mustChangePassword: boolean;
  epoch: number;
}

export async function readConsoleUserAuthState(
  db: Db,
  userId: string,
): Promise<ConsoleUserAuthState | undefined> {
  const rows = rowsOf(
    await db.query(
      `SELECT role, disabled_at IS NOT NULL AS disabled, must_change_password AS "mustChangePassword",
            session_epoch AS epoch
       FROM console_users WHERE id = $1`,
      [userId],
    ),
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    role: oneOf(r, 'role', CONSOLE_ROLES),
    disabled: bool(r, 'disabled'),
    mustChangePassword: bool(r, 'mustChangePassword'),
    epoch: int(r, 'epoch'),
  };
}

/**
 * The user's own password change, if its epoch is still `epoch` and it is not disabled: the new epoch, or null
 * when a supervisor changed the user meanwhile.
 */
export async function changeOwnConsolePassword(
  db: Db,
  userId: string,
  passwordHash: string,
  epoch: number,
): Promise<number | null> {
  const rows = returnedRows(
    await db.query(
      `UPDATE console_users SET password_hash = $2, must_change_password = false, session_epoch = session_epoch + 1
      WHERE id = $1 AND session_epoch = $3 AND disabled_at IS NULL RETURNING session_epoch AS epoch`,
      [userId, passwordHash, epoch],
    ),
  );
  return rows.length === 0 ? null : int(rows[0], 'epoch');
}
