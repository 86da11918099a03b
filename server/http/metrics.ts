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
    readinessUp: new Gauge({
      name: 'readiness_check_up',
      help: 'Last readiness round per party: 1 answered, 0 failed',
      labelNames: ['check'],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

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
): () => Promise<Buffer> {
  let cached: { bytes: Buffer; renderedAt: number } | undefined;
  let rendering: Promise<Buffer> | undefined;
  return () => {
    if (cached && now() - cached.renderedAt < maxAgeMs) return Promise.resolve(cached.bytes);
    rendering ??= registry
      .metrics()
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
