import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Console users a supervisor can manage, and a lockout a stranger cannot turn against the owner:
 * - console_users: disabled_at (a disabled user cannot log in), must_change_password (after a reset by a
 *   supervisor), session_epoch (raised to end every session of the user at once: disable, reset, re-enrolment);
 *   the per-account failed_attempts / locked_until go: anyone could lock any account with five wrong logins;
 * - console_login_failures: failures per (account, source address), with the progressive delay and the lock of
 *   that pair only (services/console/lockout.ts);
 * - audit_log.description: a plain Chinese sentence for people reading the trail (locks, unlocks, user changes).
 */
export class ConsoleUserStates1763900000009 implements MigrationInterface {
  name = 'ConsoleUserStates1763900000009';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE console_users
        ADD COLUMN disabled_at timestamptz,
        ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,
        ADD COLUMN session_epoch integer NOT NULL DEFAULT 0 CHECK (session_epoch >= 0),
        DROP COLUMN failed_attempts,
        DROP COLUMN locked_until`);
    await q.query(`
      CREATE TABLE console_login_failures (
        user_id uuid NOT NULL REFERENCES console_users (id) ON DELETE CASCADE,
        address text NOT NULL CHECK (length(address) BETWEEN 1 AND 64),
        failures integer NOT NULL CHECK (failures >= 0),
        last_failed_at timestamptz NOT NULL,
        locked_until timestamptz,
        PRIMARY KEY (user_id, address)
      )`);
    await q.query(`ALTER TABLE audit_log ADD COLUMN description text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log DROP COLUMN description`);
    await q.query(`DROP TABLE IF EXISTS console_login_failures`);
    await q.query(`
      ALTER TABLE console_users
        ADD COLUMN failed_attempts integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
        ADD COLUMN locked_until timestamptz,
        DROP COLUMN session_epoch,
        DROP COLUMN must_change_password,
        DROP COLUMN disabled_at`);
  }
}
