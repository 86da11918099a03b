import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Refunds and their legs. A refund's split obeys total = fund + account + cash; refund_no is unique (it is the
 * out_refund_no at every party); one row per leg kind of a refund.
 */
export class Refunds1763900000002 implements MigrationInterface {
  name = 'Refunds1763900000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE refunds (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL REFERENCES orders(id),
        refund_no text NOT NULL UNIQUE,
        sequence integer NOT NULL CHECK (sequence >= 1),
        status text NOT NULL CHECK (status IN ('REQUESTED','PROCESSING','SUCCEEDED','FAILED')),
        reason text NOT NULL,
        actor text NOT NULL,
        total_fen bigint NOT NULL CHECK (total_fen > 0),
        fund_fen bigint NOT NULL CHECK (fund_fen >= 0),
        account_fen bigint NOT NULL CHECK (account_fen >= 0),
        cash_fen bigint NOT NULL CHECK (cash_fen >= 0),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        completed_at timestamptz,
        UNIQUE (order_id, sequence),
        CHECK (total_fen = fund_fen + account_fen + cash_fen)
      )`);
    await q.query(`
      CREATE TABLE refund_legs (
        refund_id uuid NOT NULL REFERENCES refunds(id),
        kind text NOT NULL CHECK (kind IN ('cash','insurance','his')),
        amount_fen bigint NOT NULL CHECK (amount_fen > 0),
        status text NOT NULL CHECK (status IN ('PENDING','SUCCEEDED','FAILED')),
        external_ref text,
        last_error text,
        updated_at timestamptz NOT NULL,
        completed_at timestamptz,
        PRIMARY KEY (refund_id, kind)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE refund_legs`);
    await q.query(`DROP TABLE refunds`);
  }
}
