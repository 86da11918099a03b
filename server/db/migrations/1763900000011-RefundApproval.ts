import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Four-eyes refunds: a cashier's refund above REFUND_APPROVAL_THRESHOLD_FEN is recorded AWAITING_APPROVAL and
 * waits for a supervisor, who starts it (REQUESTED) or turns it down (REJECTED). Who decided, when and why.
 */
export class RefundApproval1763900000011 implements MigrationInterface {
  name = 'RefundApproval1763900000011';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE refunds DROP CONSTRAINT IF EXISTS refunds_status_check`);
    await q.query(
      `ALTER TABLE refunds ADD CONSTRAINT refunds_status_check
         CHECK (status IN ('AWAITING_APPROVAL','REQUESTED','PROCESSING','SUCCEEDED','FAILED','REJECTED'))`,
    );
    await q.query(`ALTER TABLE refunds ADD COLUMN decided_by text`);
    await q.query(`ALTER TABLE refunds ADD COLUMN decided_at timestamptz`);
    await q.query(
      `ALTER TABLE refunds ADD COLUMN decision_reason text CHECK (length(decision_reason) <= 500)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE refunds DROP COLUMN decision_reason`);
    await q.query(`ALTER TABLE refunds DROP COLUMN decided_at`);
    await q.query(`ALTER TABLE refunds DROP COLUMN decided_by`);
    await q.query(`ALTER TABLE refunds DROP CONSTRAINT refunds_status_check`);
    await q.query(
      `ALTER TABLE refunds ADD CONSTRAINT refunds_status_check
         CHECK (status IN ('REQUESTED','PROCESSING','SUCCEEDED','FAILED'))`,
    );
  }
}
