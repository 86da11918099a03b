import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * insurance_authorizations.balance_as_of: when the 个人账户 balance in balance_fen was true — the 1101 of the
 * authorization, then each settlement (6301) and refund of the account leg (a 1101 re-query) that moved it.
 * Authorizations made before it with a balance take their own time (they were read by their 1101).
 */
export class InsuranceBalance1763900000012 implements MigrationInterface {
  name = 'InsuranceBalance1763900000012';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE insurance_authorizations ADD COLUMN balance_as_of timestamptz`);
    await q.query(
      `UPDATE insurance_authorizations SET balance_as_of = created_at WHERE balance_fen IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE insurance_authorizations DROP COLUMN balance_as_of`);
  }
}
