import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reconciliation (DESIGN 6.10): runs, their classified rows, the per-run staging of the four sources (emptied
 * when a run ends), daily closes (日结) and patients' refund requests. Indexes for cutting orders and refunds
 * by day.
 */
export class Reconciliation1763900000003 implements MigrationInterface {
  name = 'Reconciliation1763900000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX orders_paid_at ON orders (paid_at) WHERE paid_at IS NOT NULL`);
    await q.query(
      `CREATE INDEX refunds_completed_at ON refunds (completed_at) WHERE completed_at IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE recon_runs (
        id uuid PRIMARY KEY,
        date date NOT NULL,
        status text NOT NULL CHECK (status IN ('RUNNING','DONE','FAILED')),
        actor text NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        error text,
        summary jsonb NOT NULL DEFAULT '{}'::jsonb,
        totals jsonb
      )`);
    await q.query(`CREATE INDEX recon_runs_date ON recon_runs (date, started_at DESC)`);
    // staging: what each source said, one row per record; unlogged (a crash fails the run anyway)
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
    await q.query(`
      CREATE TABLE recon_rows (
        id bigserial PRIMARY KEY,
        run_id uuid NOT NULL REFERENCES recon_runs(id),
        kind text NOT NULL CHECK (kind IN ('MATCHED','OVER','SHORT','AMOUNT_MISMATCH','STATUS_MISMATCH','CUTOFF')),
        record text NOT NULL CHECK (record IN ('PAYMENT','REFUND')),
        order_no text NOT NULL,
        refund_no text,
        order_id uuid,
        sides jsonb NOT NULL,
        note text NOT NULL,
        resolution jsonb
      )`);
    await q.query(`CREATE INDEX recon_rows_run ON recon_rows (run_id, id)`);
    await q.query(
      `CREATE INDEX recon_rows_open ON recon_rows (run_id, id) WHERE kind <> 'MATCHED' AND resolution IS NULL`,
    );
    await q.query(`
      CREATE TABLE daily_closes (
        date date PRIMARY KEY,
        run_id uuid NOT NULL REFERENCES recon_runs(id),
        closed_by text NOT NULL,
        closed_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE refund_requests (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL REFERENCES orders(id),
        openid text NOT NULL,
        amount_fen bigint CHECK (amount_fen IS NULL OR amount_fen > 0),
        reason text NOT NULL,
        status text NOT NULL CHECK (status IN ('PENDING','APPROVED','REJECTED')),
        created_at timestamptz NOT NULL,
        decided_by text,
        decided_at timestamptz,
        decision_reason text,
        refund_id uuid REFERENCES refunds(id)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX refund_requests_one_pending ON refund_requests (order_id) WHERE status = 'PENDING'`,
    );
    await q.query(`CREATE INDEX refund_requests_status ON refund_requests (status, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['refund_requests', 'daily_closes', 'recon_rows', 'recon_items', 'recon_runs']) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP INDEX refunds_completed_at`);
    await q.query(`DROP INDEX orders_paid_at`);
  }
}
