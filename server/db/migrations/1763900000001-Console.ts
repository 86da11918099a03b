import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The cashier console: users with a scrypt password and a sealed TOTP secret, and the audit log. */
export class Console1763900000001 implements MigrationInterface {
  name = 'Console1763900000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE console_users (
        id uuid PRIMARY KEY,
        username text NOT NULL UNIQUE,
        password_hash text NOT NULL CHECK (password_hash LIKE 'scrypt$%'),
        totp_secret_enc text NOT NULL,
        role text NOT NULL CHECK (role IN ('cashier','supervisor')),
        failed_attempts integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
        locked_until timestamptz,
        created_at timestamptz NOT NULL
      )`);
    // append-only: the application inserts and reads, never updates or deletes
    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        role text NOT NULL,
        action text NOT NULL,
        target text,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        request_id text
      )`);
    await q.query(`CREATE INDEX audit_log_target ON audit_log (target, id) WHERE target IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS audit_log`);
    await q.query(`DROP TABLE IF EXISTS console_users`);
  }
}
