import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The risk engine (issue 13): `risk_events`, every decision of the rules (allow too), append-only, with the
 * rules that fired and what they counted; `risk_blocks`, WeChat users a supervisor blocked (an unblock closes the
 * row, a new block is a new row); `orders.risk_hold` ('REVIEW': paying answers 409 until a cashier decides) and
 * `risk_reviews`, the cashiers' decisions on held orders.
 */
export class Risk1763900000013 implements MigrationInterface {
  name = 'Risk1763900000013';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE risk_events (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        action text NOT NULL CHECK (action IN ('bind','checkout','pay','refund')),
        openid text,
        cashier text,
        patient_id uuid,
        order_id uuid,
        device_id text CHECK (length(device_id) <= 64),
        decision text NOT NULL CHECK (decision IN ('allow','step_up','review','block')),
        rules text[] NOT NULL DEFAULT '{}',
        inputs jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await q.query(`CREATE INDEX risk_events_openid ON risk_events (openid, action, at)`);
    await q.query(
      `CREATE INDEX risk_events_device ON risk_events (device_id, action, at) WHERE device_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX risk_events_at ON risk_events (at)`);
    await q.query(`
      CREATE TABLE risk_blocks (
        id bigserial PRIMARY KEY,
        openid text NOT NULL,
        blocked_by text NOT NULL,
        reason text NOT NULL CHECK (length(reason) <= 500),
        at timestamptz NOT NULL,
        unblocked_by text,
        unblocked_at timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX risk_blocks_active ON risk_blocks (openid) WHERE unblocked_at IS NULL`,
    );
    await q.query(`ALTER TABLE orders ADD COLUMN risk_hold text CHECK (risk_hold IN ('REVIEW'))`);
    await q.query(`CREATE INDEX orders_risk_hold ON orders (created_at) WHERE risk_hold IS NOT NULL`);
    await q.query(`
      CREATE TABLE risk_reviews (
        id bigserial PRIMARY KEY,
        order_id uuid NOT NULL REFERENCES orders(id),
        decided_by text NOT NULL,
        decision text NOT NULL CHECK (decision IN ('APPROVED','REJECTED')),
        reason text CHECK (length(reason) <= 500),
        at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX risk_reviews_order ON risk_reviews (order_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE risk_reviews`);
    await q.query(`ALTER TABLE orders DROP COLUMN risk_hold`);
    await q.query(`DROP TABLE risk_blocks`);
    await q.query(`DROP TABLE risk_events`);
  }
}
