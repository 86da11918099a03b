import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Late payments: WeChat Pay reported a payment for an order we had already closed (CANCELLED / EXPIRED /
 * PAYMENT_FAILED). One row per order (an out_trade_no is paid at most once), written in the same transaction
 * as the outbox job that gives the money back; the split is what WeChat reported. cash_refund_no is the
 * out_refund_no of the WeChat refund (unique across every refund number we use: RF… refunds, RV… reversals).
 */
export class LatePayments1763900000004 implements MigrationInterface {
  name = 'LatePayments1763900000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE late_payments (
        order_id uuid PRIMARY KEY REFERENCES orders(id),
        order_no text NOT NULL,
        order_status text NOT NULL CHECK (order_status IN ('CANCELLED','EXPIRED','PAYMENT_FAILED')),
        reported_by text NOT NULL,
        reference text NOT NULL,
        transaction_id text,
        mix_trade_no text,
        total_fen bigint NOT NULL CHECK (total_fen > 0),
        fund_fen bigint NOT NULL CHECK (fund_fen >= 0),
        account_fen bigint NOT NULL CHECK (account_fen >= 0),
        cash_fen bigint NOT NULL CHECK (cash_fen >= 0),
        cash_refund_no text NOT NULL UNIQUE,
        insurance_refund_no text,
        status text NOT NULL CHECK (status IN ('RETURNING','RETURNED')),
        cash_refund_id text,
        paid_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        returned_at timestamptz,
        CHECK (total_fen = fund_fen + account_fen + cash_fen)
      )`);
    await q.query(
      `CREATE INDEX late_payments_returning ON late_payments (created_at) WHERE status = 'RETURNING'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE late_payments`);
  }
}
