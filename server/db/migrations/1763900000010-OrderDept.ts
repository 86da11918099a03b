import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * orders.dept: the bills' department(s) as the HIS named them at checkout (several joined with 、), so the
 * patient's history can say which clinic an order was for. orders.outcome: how a closed order really ended when
 * its status alone would mislead (INSURANCE_REFUSED: the platform refused the settlement, nothing was taken).
 * Orders made before it stay null.
 */
export class OrderDept1763900000010 implements MigrationInterface {
  name = 'OrderDept1763900000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders ADD COLUMN dept text CHECK (length(dept) <= 500)`);
    await q.query(`ALTER TABLE orders ADD COLUMN outcome text CHECK (outcome IN ('INSURANCE_REFUSED'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders DROP COLUMN outcome`);
    await q.query(`ALTER TABLE orders DROP COLUMN dept`);
  }
}
