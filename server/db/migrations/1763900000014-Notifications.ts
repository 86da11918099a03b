import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Patient notifications (issue 13): subscribe-message consent per WeChat user and template, the user's
 * preferences, and every message we meant to send (the 消息 history; dedupe_key makes each at most once — a
 * reminder's key carries its bill and China date, so a bill is reminded at most once a day).
 */
export class Notifications1763900000014 implements MigrationInterface {
  name = 'Notifications1763900000014';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE subscriptions (
        openid text NOT NULL,
        template_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('ACCEPTED', 'REJECTED')),
        source text NOT NULL CHECK (source IN ('patient', 'wechat')),
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (openid, template_id)
      )`);
    await q.query(`
      CREATE TABLE notification_preferences (
        openid text PRIMARY KEY,
        bill_reminders boolean NOT NULL,
        payment_notices boolean NOT NULL,
        refund_notices boolean NOT NULL,
        quiet_start_min integer CHECK (quiet_start_min BETWEEN 0 AND 1439),
        quiet_end_min integer CHECK (quiet_end_min BETWEEN 0 AND 1439),
        updated_at timestamptz NOT NULL,
        CHECK ((quiet_start_min IS NULL) = (quiet_end_min IS NULL))
      )`);
    await q.query(`
      CREATE TABLE patient_messages (
        id bigserial PRIMARY KEY,
        openid text NOT NULL,
        purpose text NOT NULL,
        template_id text NOT NULL,
        order_id uuid REFERENCES orders(id),
        dedupe_key text NOT NULL UNIQUE,
        page text,
        data jsonb NOT NULL,
        lines jsonb NOT NULL,
        summary text NOT NULL,
        delivery text NOT NULL CHECK (delivery IN ('PENDING', 'SENT', 'NOT_SUBSCRIBED', 'REFUSED', 'FAILED')),
        errcode integer,
        error text,
        created_at timestamptz NOT NULL,
        sent_at timestamptz
      )`);
    await q.query(`CREATE INDEX patient_messages_openid ON patient_messages (openid, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE patient_messages`);
    await q.query(`DROP TABLE notification_preferences`);
    await q.query(`DROP TABLE subscriptions`);
  }
}
