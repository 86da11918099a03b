/**
 * The console's operations page (DESIGN 12, supervisor only): `GET /api/v1/console/ops` answers OpsSummaryView —
 * payments per channel over the last hour, the outside parties as the answering instance sees them, the DEAD
 * outbox jobs and how often the risk rules fired — and `POST /api/v1/console/ops/dead-jobs/:id/retry` puts one
 * DEAD job back in the queue (OpsRetryView).
 */
import type { RiskDecisionName } from './risk';

/** how an order is paid: cash only, insurance only, both */
export type OpsChannel = 'cash' | 'insurance' | 'mixed';

export type BreakerStateName = 'closed' | 'half_open' | 'open';

/** One outside party as the answering instance has seen it since it started. */
export interface PartyView {
  /** insurance, his, wechatpay, sms */
  party: string;
  calls: number;
  errors: number;
  /** estimated from the latency histogram's buckets; null before the first call */
  p50Ms: number | null;
  p99Ms: number | null;
  breaker: BreakerStateName;
}

export interface OpsChannelView {
  channel: OpsChannel;
  started: number;
  succeeded: number;
  failed: number;
  startedPerMinute: number;
  /** succeeded ÷ started, null when nothing started */
  successRate: number | null;
}

export interface OpsDeadJobView {
  id: string;
  /** the outbox kind: his_confirm, refund_leg, release, confirm_payment, late_payment_return, sms_send, … */
  kind: string;
  orderId: string | null;
  /** the order's number when the job has an order */
  orderNo: string | null;
  attempts: number;
  lastError: string | null;
  updatedAt: string;
}

/** A count over the last hour and the last 24 hours. */
export interface OpsWindowCount {
  lastHour: number;
  lastDay: number;
}

export interface OpsRiskHitsView {
  /** every rule, in the engine's order, with the decisions it fired in (0 when it did not) */
  rules: (OpsWindowCount & { rule: string })[];
  /** every decision the risk engine took, per decision (allow, step_up, review, block) */
  decisions: (OpsWindowCount & { decision: RiskDecisionName })[];
}

export interface OpsSummaryView {
  at: string;
  lastHour: OpsChannelView[];
  parties: PartyView[];
  deadJobs: {
    /** every DEAD job; `jobs` lists the newest of them, at most 100 */
    count: number;
    jobs: OpsDeadJobView[];
  };
  riskHits: OpsRiskHitsView;
}

export interface OpsRetryView {
  id: string;
  status: 'PENDING';
}
