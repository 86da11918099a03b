/**
 * The console's operations page (DESIGN 12), server side: what the Prometheus metrics and alerts say, from the
 * server's own data, for a supervisor without Grafana — payments per minute and success rate per channel over
 * the last hour (the database: every instance answers the same), the outside parties as this instance sees them
 * (latency, errors, breaker; handed in by the caller, which holds the metrics), and the DEAD outbox jobs, each
 * of which a supervisor may put back in the queue (audited) — and how often the risk rules fired in the last hour
 * and day. The answer's types are shared with the page (shared/api/ops.ts).
 */
import type { OpsRetryView, OpsSummaryView, PartyView } from '../../../shared/api';
import { RISK_DECISION_NAMES } from '../../../shared/api';
import { deadJobs, deadOutboxCount, paymentsSince, requeueDeadJob } from '../../db/opsStats';
import { decisionCounts, ruleHitCounts } from '../../db/risk';
import { RISK_RULE_IDS } from '../../domain/risk';
import { AppError } from '../errors';
import { recordAudit } from './audit';
import type { Actor } from './auth';
import type { Deps } from '../deps';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** DEAD jobs listed at most; the count says whether there are more */
export const DEAD_JOBS_LISTED_MAX = 100;

export async function opsSummary(deps: Deps, parties: PartyView[]): Promise<OpsSummaryView> {
  const now = deps.clock.now();
  const hourAgo = new Date(now - HOUR_MS);
  const dayAgo = new Date(now - DAY_MS);
  const payments = await paymentsSince(deps.db, hourAgo);
  const jobs = await deadJobs(deps.db, DEAD_JOBS_LISTED_MAX);
  const count = await deadOutboxCount(deps.db);
  const rules = new Map((await ruleHitCounts(deps.db, hourAgo, dayAgo)).map((c) => [c.rule, c]));
  const decisions = new Map((await decisionCounts(deps.db, hourAgo, dayAgo)).map((c) => [c.decision, c]));
  return {
    at: new Date(now).toISOString(),
    lastHour: payments.map((p) => ({
      ...p,
      startedPerMinute: Math.round((p.started / 60) * 100) / 100,
      successRate: p.started === 0 ? null : Math.round((p.succeeded / p.started) * 1000) / 1000,
    })),
    parties,
    deadJobs: {
      count,
      jobs: jobs.map((j) => ({ ...j, updatedAt: j.updatedAt.toISOString() })),
    },
    riskHits: {
      rules: RISK_RULE_IDS.map((rule) => ({
        rule,
        lastHour: rules.get(rule)?.hitsSince ?? 0,
        lastDay: rules.get(rule)?.hits ?? 0,
      })),
      decisions: RISK_DECISION_NAMES.map((decision) => ({
        decision,
        lastHour: decisions.get(decision)?.hitsSince ?? 0,
        lastDay: decisions.get(decision)?.hits ?? 0,
      })),
    },
  };
}

/** A DEAD outbox job goes back in the queue, due now with its attempts reset; the action is audited. */
export async function retryDeadJob(deps: Deps, jobId: string, actor: Actor): Promise<OpsRetryView> {
  const now = new Date(deps.clock.now());
  await deps.db.transaction(async (m) => {
    const kind = await requeueDeadJob(m, jobId, now);
    if (kind === null)
      throw new AppError('NOT_FOUND', '没有这个已放弃重试的后台任务（可能已被别人重新排队）');
    await recordAudit(
      deps,
      {
        actor: actor.username,
        role: actor.role,
        action: 'outbox.retry',
        target: jobId,
        details: { kind },
        requestId: actor.requestId ?? null,
        description: `将已放弃重试的后台任务 #${jobId}（${kind}）重新排队`,
      },
      m,
    );
  });
  deps.kickJobs?.();
  return { id: jobId, status: 'PENDING' };
}
