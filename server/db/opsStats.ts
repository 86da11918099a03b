/**
 * Counts for the operations metrics and the alerts (DESIGN 12), each a query over an index: payment events per
 * channel after an order_events id (a range of the primary key), DEAD outbox jobs, and the discrepancies still
 * open in the newest finished reconciliation run of a day.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { date, int, oneOf, returnedRows, rowsOf, text, textOrNull } from './rows';
import { countOpenDiscrepancies } from './recon/runs';

export const PAYMENT_CHANNELS = ['cash', 'insurance', 'mixed'] as const;
export type PaymentChannel = (typeof PAYMENT_CHANNELS)[number];
export const PAYMENT_STAGES = ['started', 'succeeded', 'failed'] as const;
export type PaymentStage = (typeof PAYMENT_STAGES)[number];

/** The channel of an order, from its split: no cash → insurance, no insurance → cash, both → mixed. */
const CHANNEL_SQL = `CASE WHEN o.cash_fen = 0 THEN 'insurance'
  WHEN o.fund_fen + o.account_fen = 0 THEN 'cash' ELSE 'mixed' END`;

/**
 * The stage a transition marks: started on PRESETTLED → AWAITING_PAYMENT (a retry out of UNKNOWN is not a new
 * start), succeeded on entering PAID, failed on entering PAYMENT_FAILED. Same-status rows (late payments) never.
 */
const STAGE_SQL = `CASE WHEN e.to_status = 'AWAITING_PAYMENT' AND e.from_status = 'PRESETTLED' THEN 'started'
  WHEN e.to_status = 'PAID' AND e.from_status IS DISTINCT FROM 'PAID' THEN 'succeeded'
  WHEN e.to_status = 'PAYMENT_FAILED' AND e.from_status IS DISTINCT FROM 'PAYMENT_FAILED' THEN 'failed' END`;

export interface PaymentCount {
  channel: PaymentChannel;
  stage: PaymentStage;
  count: number;
}

/** The newest order_events id (0 when there is none): where counting starts. */
export async function lastOrderEventId(db: DataSource): Promise<number> {
  const rows = rowsOf(await db.query(`SELECT coalesce(max(id), 0)::bigint AS id FROM order_events`));
  return int(rows[0], 'id');
}

/** Payment events with `afterId < id <= upToId`, per channel and stage. */
export async function paymentEventCounts(
  db: DataSource,
  afterId: number,
  upToId: number,
): Promise<PaymentCount[]> {
  const rows = rowsOf(
    await db.query(
      `SELECT channel, stage, count(*)::int AS n FROM (
         SELECT ${CHANNEL_SQL} AS channel, ${STAGE_SQL} AS stage
           FROM order_events e JOIN orders o ON o.id = e.order_id
          WHERE e.id > $1 AND e.id <= $2 AND e.to_status IN ('AWAITING_PAYMENT', 'PAID', 'PAYMENT_FAILED')
       ) t WHERE stage IS NOT NULL GROUP BY channel, stage`,
      [afterId, upToId],
    ),
  );
  return rows.map((r) => ({
    channel: oneOf(r, 'channel', PAYMENT_CHANNELS),
    stage: oneOf(r, 'stage', PAYMENT_STAGES),
    count: int(r, 'n'),
  }));
}

export async function deadOutboxCount(db: DataSource): Promise<number> {
  const rows = rowsOf(await db.query(`SELECT count(*)::int AS n FROM outbox WHERE status = 'DEAD'`));
  return int(rows[0], 'n');
}

/**
 * Discrepancies of `date` (YYYY-MM-DD, China time) nobody has resolved: rows other than MATCHED and CUTOFF (the
 * daily close does not require those) without a resolution, in the newest finished run of that date; null when
 * the date has no finished run.
 */
export async function openDiscrepancies(db: DataSource, date: string): Promise<number | null> {
  const runs = rowsOf(
    await db.query(
      `SELECT id::text AS id FROM recon_runs WHERE date = $1 AND status = 'DONE'
        ORDER BY started_at DESC LIMIT 1`,
      [date],
    ),
  );
  if (runs.length === 0) return null;
  return countOpenDiscrepancies(db, text(runs[0], 'id'));
}

export interface ChannelPayments {
  channel: PaymentChannel;
  started: number;
  succeeded: number;
  failed: number;
}

/**
 * Payments started, succeeded and failed since `since`, per channel, from the orders' own timestamps. The scan is
 * bounded by the index on created_at: an order pays within its lifetime (minutes), so one created more than a day
 * before `since` cannot have started, succeeded or failed after it.
 */
export async function paymentsSince(db: DataSource, since: Date): Promise<ChannelPayments[]> {
  const rows = rowsOf(
    await db.query(
      `SELECT ${CHANNEL_SQL} AS channel,
              count(*) FILTER (WHERE o.payment_started_at >= $1)::int AS started,
              count(*) FILTER (WHERE o.paid_at >= $1)::int AS succeeded,
              count(*) FILTER (WHERE o.status = 'PAYMENT_FAILED' AND o.updated_at >= $1)::int AS failed
         FROM orders o
        WHERE o.created_at >= $1::timestamptz - interval '1 day'
        GROUP BY 1`,
      [since],
    ),
  );
  const byChannel = new Map(rows.map((r) => [oneOf(r, 'channel', PAYMENT_CHANNELS), r]));
  return PAYMENT_CHANNELS.map((channel) => {
    const r = byChannel.get(channel);
    return {
      channel,
      started: r ? int(r, 'started') : 0,
      succeeded: r ? int(r, 'succeeded') : 0,
      failed: r ? int(r, 'failed') : 0,
    };
  });
}

export interface DeadJob {
  id: string;
  kind: string;
  orderId: string | null;
  /** the order's number, when the job has an order */
  orderNo: string | null;
  attempts: number;
  lastError: string | null;
  updatedAt: Date;
}

/** DEAD outbox jobs, newest first, at most `limit`, with their order's number. */
export async function deadJobs(db: DataSource, limit: number): Promise<DeadJob[]> {
  const rows = rowsOf(
    await db.query(
      `SELECT j.id::text AS id, j.kind, j.order_id::text AS order_id, o.order_no, j.attempts, j.last_error,
              j.updated_at
         FROM outbox j LEFT JOIN orders o ON o.id = j.order_id
        WHERE j.status = 'DEAD' ORDER BY j.updated_at DESC, j.id DESC LIMIT $1`,
      [limit],
    ),
  );
  return rows.map((r) => ({
    id: text(r, 'id'),
    kind: text(r, 'kind'),
    orderId: textOrNull(r, 'order_id'),
    orderNo: textOrNull(r, 'order_no'),
    attempts: int(r, 'attempts'),
    lastError: textOrNull(r, 'last_error'),
    updatedAt: date(r, 'updated_at'),
  }));
}

/** A DEAD job is PENDING again, due at `at`, its attempts reset; its kind, or null when no DEAD job has that id. */
export async function requeueDeadJob(m: EntityManager, id: string, at: Date): Promise<string | null> {
  const rows = returnedRows(
    await m.query(
      `UPDATE outbox SET status = 'PENDING', attempts = 0, next_attempt_at = $2, last_error = NULL, updated_at = $2
        WHERE id = $1 AND status = 'DEAD' RETURNING kind`,
      [id, at],
    ),
  );
  return rows.length === 0 ? null : text(rows[0], 'kind');
}

/** Orders by state, for the operations gauge. */
export async function ordersByStatus(db: DataSource): Promise<{ status: string; count: number }[]> {
  const rows = rowsOf(await db.query(`SELECT status, count(*)::int AS n FROM orders GROUP BY status`));
  return rows.map((r) => ({ status: text(r, 'status'), count: int(r, 'n') }));
}
