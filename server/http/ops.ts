/**
 * The operations listener (DESIGN 12): `/readyz` and Prometheus `/metrics`, plus `/healthz`, on their own port
 * (OPS_PORT, bound to OPS_HOST: loopback unless the operator says otherwise), which the public never reaches —
 * readiness names the parties and metrics count orders. Both answer from memory: `/readyz` from the probe cache
 * (readiness.ts), `/metrics` from an exposition rendered at most once per METRICS_CACHE_MS. No body parser, no
 * router, no rate limit: three GETs, everything else a JSON 404.
 */
import Koa from 'koa';
import { cachedExposition, type Metrics } from './metrics';
import type { ReadinessCache } from './readiness';

export interface OpsAppOptions {
  metrics: Metrics;
  readiness: ReadinessCache;
  metricsMaxAgeMs: number;
  /** brings the gauges read from the database up to date before an exposition is rendered */
  refreshMetrics?: () => Promise<void>;
}

export function createOpsApp({ metrics, readiness, metricsMaxAgeMs, refreshMetrics }: OpsAppOptions): Koa {
  const app = new Koa();
  app.silent = true;
  const exposition = cachedExposition(metrics.registry, metricsMaxAgeMs, undefined, refreshMetrics);

  app.use(async (ctx) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cache-Control', 'no-store');
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.status = 405;
      ctx.set('Allow', 'GET, HEAD');
      ctx.body = { code: 'METHOD_NOT_ALLOWED', message: 'only GET and HEAD here' };
      return;
    }
    switch (ctx.path) {
      case '/healthz':
        ctx.body = { status: 'ok' };
        return;
      case '/readyz': {
        const view = readiness.view();
        ctx.status = view.status === 'ready' ? 200 : 503;
        ctx.body = view;
        return;
      }
      case '/metrics':
        ctx.type = metrics.registry.contentType;
        ctx.body = await exposition();
        return;
      default:
        ctx.status = 404;
        ctx.body = { code: 'NOT_FOUND', message: `no route ${ctx.method} ${ctx.path}` };
    }
  });
  return app;
}
