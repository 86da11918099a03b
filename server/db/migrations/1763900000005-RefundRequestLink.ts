import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A refund made for a patient's refund request names it: the unique key makes "one request, at most one refund" a
 * database rule, so an approval retried after a crash (or raced by a second approver) adopts the refund it made.
 */
export class RefundRequestLink1763900000005 implements MigrationInterface {
  name = 'RefundRequestLink1763900000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE refunds ADD COLUMN refund_request_id uuid UNIQUE REFERENCES refund_requests(id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE refunds DROP COLUMN refund_request_id`);
  }
}
