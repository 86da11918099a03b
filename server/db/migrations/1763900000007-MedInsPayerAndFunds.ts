import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What WeChat's med-ins order needs beyond the split (接入质量检查 items 17 and the fee fields):
 * - 代亲属支付: when a WeChat user authorizes insurance for a family member, the authorization remembers the
 *   e-voucher holder (encrypted like every name and ID number), who pays while the card's person is the relative;
 * - the part of the fund paid by funds other than 统筹 (civil-servant subsidy, 大额, assistance…), which WeChat
 *   takes as med_ins_other_fee while 统筹 alone is med_ins_gov_fee.
 */
export class MedInsPayerAndFunds1763900000007 implements MigrationInterface {
  name = 'MedInsPayerAndFunds1763900000007';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE insurance_authorizations ADD COLUMN holder_name_enc text, ADD COLUMN holder_id_no_enc text`,
    );
    await q.query(
      `ALTER TABLE orders ADD COLUMN fund_other_fen bigint NOT NULL DEFAULT 0,
         ADD CONSTRAINT orders_fund_other_within_fund CHECK (fund_other_fen >= 0 AND fund_other_fen <= fund_fen)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE orders DROP CONSTRAINT orders_fund_other_within_fund, DROP COLUMN fund_other_fen`,
    );
    await q.query(
      `ALTER TABLE insurance_authorizations DROP COLUMN holder_name_enc, DROP COLUMN holder_id_no_enc`,
    );
  }
}
