/**
 * SQL of console login failures per (account, address) (services/console/lockout.ts): a pair is read (under its
 * row lock when asked), created, written and deleted here; rows parsed into typed values here.
 */
import type { EntityManager } from 'typeorm';
import { boolOrNull, date, dateOrNull, int, returnedRows, rowsOf, text, type Db } from './rows';

export interface LoginFailureRow {
  failures: number;
  lastFailedAt: Date;
  lockedUntil: Date | null;
}

export async function readLoginFailures(
  db: Db,
  userId: string,
  address: string,
  forUpdate: boolean,
): Promise<LoginFailureRow | undefined> {
  const rows = rowsOf(
    await db.query(
      `SELECT failures, last_failed_at AS "lastFailedAt", locked_until AS "lockedUntil"
       FROM console_login_failures WHERE user_id = $1 AND address = $2${forUpdate ? ' FOR UPDATE' : ''}`,
      [userId, address],
    ),
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    failures: int(r, 'failures'),
    lastFailedAt: date(r, 'lastFailedAt'),
    lockedUntil: dateOrNull(r, 'lockedUntil'),
  };
}

/** The pair's row with no failure yet, unless it exists (so that it can be locked). */
export async function ensureLoginFailures(m: EntityManager, userId: string, address: string): Promise<void> {
  await m.query(
    `INSERT INTO console_login_failures (user_id, address, failures, last_failed_at)
       VALUES ($1, $2, 0, to_timestamp(0)) ON CONFLICT (user_id, address) DO NOTHING`,
    [userId, address],
  );
}

export async function writeLoginFailures(
  m: EntityManager,
  userId: string,
  address: string,
  row: LoginFailureRow,
): Promise<void> {
  await m.query(
    `UPDATE console_login_failures SET failures = $3, last_failed_at = $4, locked_until = $5
        WHERE user_id = $1 AND address = $2`,
    [userId, address, row.failures, row.lastFailedAt, row.lockedUntil],
  );
}

export async function deleteLoginFailures(m: EntityManager, userId: string, address: string): Promise<void> {
  await m.query(`DELETE FROM console_login_failures WHERE user_id = $1 AND address = $2`, [userId, address]);
}

/** Forgets every pair of the user; returns each address with whether it was locked at `now`. */
export async function deleteAllLoginFailures(
  m: EntityManager,
  userId: string,
  now: Date,
): Promise<{ address: string; locked: boolean | null }[]> {
  const rows = returnedRows(
    await m.query(
      `DELETE FROM console_login_failures WHERE user_id = $1
     RETURNING address, locked_until > $2 AS "locked"`,
      [userId, now],
    ),
  );
  return rows.map((r) => ({ address: text(r, 'address'), locked: boolOrNull(r, 'locked') }));
}

/** Per user id: how many addresses are locked out of it at `now`. */
export async function lockedAddressCountsAt(db: Db, now: Date): Promise<Map<string, number>> {
  const rows = rowsOf(
    await db.query(
      `SELECT user_id AS "userId", count(*)::int AS n FROM console_login_failures
      WHERE locked_until > $1 GROUP BY user_id`,
      [now],
    ),
  );
  return new Map(rows.map((r) => [text(r, 'userId'), int(r, 'n')]));
}
