/**
 * Admission control (issue 14): with more load than this instance can serve, refuse the excess at once — 503
 * `OVERLOADED` with `Retry-After` — rather than let every request queue until clients time out and nothing gets
 * served. Two signals, either sheds: requests in flight above ADMISSION_MAX_INFLIGHT, or the event loop's delay
 * (its p99 over the last sampling window) above ADMISSION_MAX_LOOP_DELAY_MS. A refused request has done nothing
 * (it is refused before any route runs), so a client may simply come back. WeChat Pay's callbacks and the health
 * check are always admitted: they are cheap, and refusing a callback only brings it back later.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type Koa from 'koa';
import { ERROR_MESSAGES } from '../../shared/messages';

export interface AdmissionOptions {
  /** requests in flight before the next is refused; 0 = no limit */
  maxInflight: number;
  /** p99 event-loop delay (ms) over the last window above which requests are refused; 0 = not watched */
  maxLoopDelayMs: number;
  /** the Retry-After the refusals carry */
  retryAfterS: number;
  /** how often the loop delay is sampled */
  windowMs?: number;
  /** told of each refusal (the metrics count them) */
  onShed?: () => void;
  /** the loop delay's p99 (ms) over the last window; default: Node's own histogram, sampled every windowMs */
  loopDelayP99Ms?: () => number;
}

export interface Admission {
  middleware: Koa.Middleware;
  /** what it has done, for the metrics and tests */
  stats(): { inflight: number; shed: number; loopDelayP99Ms: number; overloaded: boolean };
  stop(): void;
}

const ALWAYS_ADMITTED = [/^\/api\/v1\/notify\//, /^\/healthz$/];

export function createAdmission(opts: AdmissionOptions): Admission {
  let inflight = 0;
  let shed = 0;
  let sampled = 0;
  let histogram: IntervalHistogram | undefined;
  let timer: NodeJS.Timeout | undefined;
  const loopDelayP99Ms = opts.loopDelayP99Ms ?? (() => sampled);
  if (opts.maxLoopDelayMs > 0 && !opts.loopDelayP99Ms) {
    histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    timer = setInterval(() => {
      sampled = histogram!.percentile(99) / 1e6;
      histogram!.reset();
    }, opts.windowMs ?? 500);
    timer.unref();
  }
  const overloaded = () =>
    (opts.maxInflight > 0 && inflight >= opts.maxInflight) ||
    (opts.maxLoopDelayMs > 0 && loopDelayP99Ms() > opts.maxLoopDelayMs);

  const middleware: Koa.Middleware = async (ctx, next) => {
    if (!ALWAYS_ADMITTED.some((p) => p.test(ctx.path)) && ctx.path.startsWith('/api/') && overloaded()) {
      shed += 1;
      opts.onShed?.();
      ctx.status = 503;
      ctx.set('Retry-After', String(opts.retryAfterS));
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { code: 'OVERLOADED', message: ERROR_MESSAGES.OVERLOADED };
      return;
    }
    inflight += 1;
    try {
      await next();
    } finally {
      inflight -= 1;
    }
  };

  return {
    middleware,
    stats: () => ({ inflight, shed, loopDelayP99Ms: loopDelayP99Ms(), overloaded: overloaded() }),
    stop: () => {
      if (timer) clearInterval(timer);
      histogram?.disable();
    },
  };
}
