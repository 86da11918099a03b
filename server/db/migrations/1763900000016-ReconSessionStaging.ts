import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A run stages the day in temporary tables of its own session (server/db/recon/session.ts, items.ts): filled by
 * COPY, never indexed, dropped with the run's transaction. The shared staging table goes.
 */
export class ReconSessionStaging1763900000016 implements MigrationInterface {
  name = 'ReconSessionStaging1763900000016';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE recon_items`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNLOGGED TABLE recon_items (
        run_id uuid NOT NULL,
        source text NOT NULL CHECK (source IN ('ours','wechat','insurance','his')),
        record text NOT NULL CHECK (record IN ('PAYMENT','REFUND')),
        key text NOT NULL,
        order_no text NOT NULL,
        total_fen bigint NOT NULL,
        fund_fen bigint NOT NULL,
        account_fen bigint NOT NULL,
        cash_fen bigint NOT NULL,
        ref text,
        at timestamptz
      )`);
    await q.query(`CREATE INDEX recon_items_match ON recon_items (run_id, record, key)`);
  }
}
