import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Step-up at checkout (issue 13): a checkout the risk rules step up is held (`orders.risk_hold = 'STEP_UP'`) until
 * the patient proves the card again with a code texted to the phone the HIS holds; `order_step_ups` keeps each
 * code (encrypted), its tries and how it ended.
 */
export class StepUp1763900000015 implements MigrationInterface {
  name = 'StepUp1763900000015';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_risk_hold_check`);
    await q.query(
      `ALTER TABLE orders ADD CONSTRAINT orders_risk_hold_check CHECK (risk_hold IN ('REVIEW', 'STEP_UP'))`,
    );
    await q.query(`
      CREATE TABLE order_step_ups (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL REFERENCES orders(id),
        openid text NOT NULL,
        phone_enc text NOT NULL,
        phone_masked text NOT NULL,
        code_enc text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'VERIFIED', 'DEAD')),
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX order_step_ups_order ON order_step_ups (order_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE order_step_ups`);
    await q.query(`UPDATE orders SET risk_hold = 'REVIEW' WHERE risk_hold = 'STEP_UP'`);
    await q.query(`ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_risk_hold_check`);
    await q.query(`ALTER TABLE orders ADD CONSTRAINT orders_risk_hold_check CHECK (risk_hold IN ('REVIEW'))`);
  }
}
