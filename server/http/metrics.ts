import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
