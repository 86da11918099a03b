import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DataSource } from 'typeorm';
import { cstDate, type Clock } from '../../shared/clock';
import type { Party } from '../gateways/ports';
import type { BreakerState, CallObserver } from '../gateways/http';
import {
  PAYMENT_CHANNELS,
  deadOutboxCount,
  lastOrderEventId,
  openDiscrepancies,
  paymentEventCounts,
  type PaymentStage,
} from '../db/opsStats';
import { DELIVERIES, deliveryCounts, type Delivery } from '../db/patientMessages';
import { decisionCounts, ruleHitCounts } from '../db/risk';
import { RISK_DECISIONS, RISK_RULE_IDS } from '../domain/risk';
import { statementsSent } from '../db/statementCount';
import { TEMPLATE_PURPOSES } from '../../shared/protocol/wechat/subscribe';

/** Prometheus metrics (DESIGN 12); one registry per app so tests and several apps in a process do not clash. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'API latency by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    callbackRejected: new Counter({
      name: 'callback_verification_failures_total',
      help: 'Callbacks refused',
      labelNames: ['reason'],
      registers: [registry],
    }),
    ordersByState: new Gauge({
      name: 'orders_by_state',
      help: 'Orders per state',
      labelNames: ['state'],
      registers: [registry],
    }),
    outboxDepth: new Gauge({ name: 'outbox_pending', help: 'Outbox rows waiting', registers: [registry] }),
    outboxDead: new Gauge({
      name: 'outbox_dead',
      help: 'Outbox jobs that gave up (DEAD) and wait for a person',
      registers: [registry],
    }),
    // the payment counters count the whole database's order_events (every instance reports the same numbers:
    // aggregate them with max, not sum), from this process's first background refresh on
    paymentsStarted: new Counter({
      name: 'payments_started_total',
      help: 'Payments started (PRESETTLED → AWAITING_PAYMENT) per channel: cash, insurance, mixed',
      labelNames: ['channel'],
      registers: [registry],
    }),
    paymentsSucceeded: new Counter({
      name: 'payments_succeeded_total',
      help: 'Payments succeeded (→ PAID) per channel',
      labelNames: ['channel'],
      registers: [registry],
    }),
    paymentsFailed: new Counter({
      name: 'payments_failed_total',
      help: 'Payments failed (→ PAYMENT_FAILED) per channel',
      labelNames: ['channel'],
      registers: [registry],
    }),
    outsideCallDuration: new Histogram({
      name: 'outside_call_duration_seconds',
      help: 'Latency of each attempt of a call to an outside party (insurance, his, wechatpay, sms)',
      labelNames: ['party'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    outsideCalls: new Counter({
      name: 'outside_calls_total',
      help: 'Attempts of calls to an outside party by outcome: ok, timeout, unavailable, circuit_open (not sent)',
      labelNames: ['party', 'outcome'],
      registers: [registry],
    }),
    breakerState: new Gauge({
      name: 'circuit_breaker_state',
      help: 'Circuit breaker per party: 0 closed, 1 half-open, 2 open',
      labelNames: ['party'],
      registers: [registry],
    }),
    reconOpenDiscrepancies: new Gauge({
      name: 'reconciliation_open_discrepancies',
      help: "Unresolved discrepancies (not MATCHED, not CUTOFF) of yesterday's (China time) newest finished run",
      registers: [registry],
    }),
    reconYesterdayDone: new Gauge({
      name: 'reconciliation_yesterday_run_done',
      help: "1 when yesterday's (China time) reconciliation has a finished run, else 0",
      registers: [registry],
    }),
    // the last hour, read from the database by the background refresh (every instance reports the same: max)
    riskDecisionsLastHour: new Gauge({
      name: 'risk_decisions_last_hour',
      help: 'Risk decisions taken in the last hour per decision: allow, step_up, review, block',
      labelNames: ['decision'],
      registers: [registry],
    }),
    riskRuleHitsLastHour: new Gauge({
      name: 'risk_rule_hits_last_hour',
      help: 'Risk rules that fired in the last hour, per rule id',
      labelNames: ['rule'],
      registers: [registry],
    }),
    patientMessagesLastHour: new Gauge({
      name: 'patient_messages_last_hour',
      help:
        'Patient messages made in the last hour per purpose and what became of them on WeChat: sent, pending, ' +
        'not_subscribed, refused (43101), failed (WeChat refused what we built)',
      labelNames: ['purpose', 'delivery'],
      registers: [registry],
    }),
    requestsShed: new Counter({
      name: 'http_requests_shed_total',
      help: 'API requests refused at once (503 OVERLOADED) because the instance had more load than it could serve',
      registers: [registry],
    }),
    dbStatements: new Counter({
      name: 'db_statements_total',
      help: 'SQL statements this process sent to PostgreSQL, transaction control included',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(statementsSent());
      },
    }),
    readinessUp: new Gauge({
      name: 'readiness_check_up',
      help: 'Last readiness round per party: 1 answered, 0 failed',
      labelNames: ['check'],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

const PARTIES: readonly Party[] = ['insurance', 'his', 'wechatpay', 'sms', 'wechat'];
const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

/** Feeds the outside-call metrics from gateways/http.ts (registered with `observeCalls` by the composition root). */
export function callObserver(metrics: Metrics): CallObserver {
  for (const party of PARTIES) metrics.breakerState.set({ party }, 0);
  return {
    attempt: (party, outcome, seconds) => {
      metrics.outsideCalls.inc({ party, outcome });
      if (outcome !== 'circuit_open') metrics.outsideCallDuration.observe({ party }, seconds);
    },
    breaker: (party, state) => metrics.breakerState.set({ party }, BREAKER_VALUE[state]),
  };
}

const BREAKER_NAMES: Record<number, BreakerState> = { 0: 'closed', 1: 'half_open', 2: 'open' };

/**
 * The parties as this instance has seen them since it started (for the console's operations page): attempts,
 * failed attempts, p50 / p99 latency estimated within the histogram's buckets (linearly), breaker state.
 */
export async function partyViews(metrics: Metrics): Promise<
  {
    party: Party;
    calls: number;
    errors: number;
    p50Ms: number | null;
    p99Ms: number | null;
    breaker: BreakerState;
  }[]
> {
  const [calls, durations, breakers] = await Promise.all([
    metrics.outsideCalls.get(),
    metrics.outsideCallDuration.get(),
    metrics.breakerState.get(),
  ]);
  return PARTIES.map((party) => {
    const mine = calls.values.filter((v) => v.labels.party === party);
    const buckets = durations.values
      .map((v) => ({ ...v, le: (v.labels as Record<string, string | number | undefined>).le }))
      .filter((v) => v.labels.party === party && v.metricName?.endsWith('_bucket') && v.le !== '+Inf')
      .map((v) => ({ le: Number(v.le), count: v.value }))
      .sort((a, b) => a.le - b.le);
    const total =
      durations.values.find((v) => v.labels.party === party && v.metricName?.endsWith('_count'))?.value ?? 0;
    const quantile = (q: number): number | null => {
      if (total === 0) return null;
      const rank = q * total;
      let lower = { le: 0, count: 0 };
      for (const b of buckets) {
        if (b.count >= rank) {
          const share = b.count === lower.count ? 1 : (rank - lower.count) / (b.count - lower.count);
          return Math.round((lower.le + (b.le - lower.le) * share) * 1000);
        }
        lower = b;
      }
      return Math.round(lower.le * 1000); // beyond the last bucket: at least that
    };
    const state = breakers.values.find((v) => v.labels.party === party)?.value ?? 0;
    return {
      party,
      calls: mine.reduce((sum, v) => sum + v.value, 0),
      errors: mine.filter((v) => v.labels.outcome !== 'ok').reduce((sum, v) => sum + v.value, 0),
      p50Ms: quantile(0.5),
      p99Ms: quantile(0.99),
      breaker: BREAKER_NAMES[state] ?? 'closed',
    };
  });
}

/** how often the DEAD count and the reconciliation gauges are read (by the injected clock) */
const SLOW_EVERY_MS = 30_000;

/** an event committed this long after its id was drawn would be missed (transactions here last milliseconds) */
const SETTLE_AFTER_MS = 60_000;

/**
 * The background refresh of the gauges and counters read from the database (DESIGN 12): DEAD outbox jobs,
 * yesterday's open discrepancies, and the payment counters. Those count order_events from the first refresh on,
 * by id: ids at or below `settledId` are counted for good, the newer ones are recounted each time (an id drawn
 * by a transaction that commits later shows up late), and `settledId` moves to the newest id seen at least
 * SETTLE_AFTER_MS ago. Those queries are ranges of an index. The DEAD count (outbox has no index on DEAD) and the
 * reconciliation gauges run at most once per SLOW_EVERY_MS of the injected clock: the alerts on them wait minutes.
 */
export function databaseRefresh(
  db: DataSource,
  metrics: Metrics,
  clock: Clock,
  now: () => number = () => performance.now(),
): () => Promise<void> {
  const counters: Record<PaymentStage, Counter> = {
    started: metrics.paymentsStarted,
    succeeded: metrics.paymentsSucceeded,
    failed: metrics.paymentsFailed,
  };
  for (const counter of Object.values(counters))
    for (const channel of PAYMENT_CHANNELS) counter.inc({ channel }, 0);
  const settled = new Map<string, number>();
  const keyOf = (stage: PaymentStage, channel: string) => `${stage}/${channel}`;
  let settledId: number | undefined;
  const marks: { at: number; id: number }[] = [];
  let slowAt: number | undefined;

  return async () => {
    const top = await lastOrderEventId(db);
    settledId ??= top;
    const at = now();
    marks.push({ at, id: top });
    let target = settledId;
    while (marks.length > 0 && at - marks[0].at >= SETTLE_AFTER_MS)
      target = Math.max(target, marks.shift()!.id);
    if (target > settledId) {
      for (const c of await paymentEventCounts(db, settledId, target)) {
        const key = keyOf(c.stage, c.channel);
        settled.set(key, (settled.get(key) ?? 0) + c.count);
      }
      settledId = target;
    }
    const recent = new Map<string, number>();
    for (const c of await paymentEventCounts(db, settledId, Number.MAX_SAFE_INTEGER))
      recent.set(keyOf(c.stage, c.channel), c.count);
    for (const [stage, counter] of Object.entries(counters) as [PaymentStage, Counter][]) {
      counter.reset();
      for (const channel of PAYMENT_CHANNELS) {
        const key = keyOf(stage, channel);
        counter.inc({ channel }, (settled.get(key) ?? 0) + (recent.get(key) ?? 0));
      }
    }

    const clockNow = clock.now();
    if (slowAt !== undefined && clockNow - slowAt < SLOW_EVERY_MS) return;
    slowAt = clockNow;
    metrics.outboxDead.set(await deadOutboxCount(db));
    await refreshLastHour(db, metrics, clockNow);
    const open = await openDiscrepancies(db, cstDate(clockNow - 86_400_000));
    metrics.reconYesterdayDone.set(open === null ? 0 : 1);
    metrics.reconOpenDiscrepancies.set(open ?? 0);
  };
}

const DELIVERY_LABELS: Record<Delivery, string> = {
  PENDING: 'pending',
  SENT: 'sent',
  NOT_SUBSCRIBED: 'not_subscribed',
  REFUSED: 'refused',
  FAILED: 'failed',
};

/** Risk decisions and rule hits, and patient messages, of the last hour (zeros included, so alerts see them). */
async function refreshLastHour(db: DataSource, metrics: Metrics, nowMs: number): Promise<void> {
  const hourAgo = new Date(nowMs - 3_600_000);
  const decisions = await decisionCounts(db, hourAgo, hourAgo);
  for (const decision of RISK_DECISIONS)
    metrics.riskDecisionsLastHour.set(
      { decision },
      decisions.find((d) => d.decision === decision)?.hits ?? 0,
    );
  const rules = await ruleHitCounts(db, hourAgo, hourAgo);
  for (const rule of RISK_RULE_IDS)
    metrics.riskRuleHitsLastHour.set({ rule }, rules.find((r) => r.rule === rule)?.hits ?? 0);
  const messages = await deliveryCounts(db, hourAgo);
  for (const purpose of TEMPLATE_PURPOSES)
    for (const delivery of DELIVERIES)
      metrics.patientMessagesLastHour.set(
        { purpose, delivery: DELIVERY_LABELS[delivery] },
        messages.find((m) => m.purpose === purpose && m.delivery === delivery)?.count ?? 0,
      );
}

/**
 * The text exposition for `/metrics`, rendered at most once per `maxAgeMs` however many scrapes arrive: scrapes
 * during a render share it, scrapes within `maxAgeMs` of it get the same bytes. Rendering collects the default
 * process metrics (a few file reads and a turn of the event loop); a burst of scrapes must not repeat that per
 * request. Nothing here queries the database: the order and outbox gauges are set by the background jobs.
 */
export function cachedExposition(
  registry: Registry,
  maxAgeMs: number,
  now: () => number = () => performance.now(),
  refresh: () => Promise<void> = async () => {},
): () => Promise<Buffer> {
  let cached: { bytes: Buffer; renderedAt: number } | undefined;
  let rendering: Promise<Buffer> | undefined;
  return () => {
    if (cached && now() - cached.renderedAt < maxAgeMs) return Promise.resolve(cached.bytes);
    // the gauges read from the database are brought up to date when scraped, not on every job tick; if the
    // database does not answer, the exposition still renders (the last values, and readiness says why)
    rendering ??= refresh()
      .catch(() => undefined)
      .then(() => registry.metrics())
      .then((text) => {
        cached = { bytes: Buffer.from(text), renderedAt: now() };
        return cached.bytes;
      })
      .finally(() => {
        rendering = undefined;
      });
    return rendering;
  };
}
