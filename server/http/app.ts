/**
 * The Koa app: security headers → request id → log → metrics → admission → compression → errors → body → routes → the H5
 * build's files. Stateless; any number may run. `/readyz` and `/metrics` are not here: they are on the
 * operations listener (ops.ts); the public port keeps only the cheap `/healthz`.
 */
import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import compress from 'koa-compress';
import { AppError } from '../services/errors';
import { errorMiddleware } from './errors';
import { trustProxies } from './clientAddress';
import { callbackRouter, clientConfigRouter, patientRouter } from './routes';
import { consoleRouter, requireConsole } from './consoleRoutes';
import { reconciliationRoutes } from './reconciliationRoutes';
import { refundRoutes } from './refundRoutes';
import { refundRequestRoutes } from './refundRequestRoutes';
import { notificationRoutes } from './notificationRoutes';
import { consoleUserRoutes } from './consoleUserRoutes';
import { opsConsoleRoutes } from './opsConsoleRoutes';
import { riskRoutes } from './riskRoutes';
import { serveH5 } from './static';
import { securityHeaders } from './securityHeaders';
import type { Metrics } from './metrics';
import type { Admission } from './admission';
import type { Deps } from '../services/deps';
import type { ClientConfigView } from '../../shared/api';

/** smaller answers are not worth a compressor's time (koa-compress's own default) */
const COMPRESS_THRESHOLD_BYTES = 1024;

export function createApp(
  deps: Deps,
  metrics: Metrics,
  clientConfig: ClientConfigView,
  admission: Admission,
): Koa {
  const app = new Koa();
  // ctx.ip: the socket's address, or X-Forwarded-For only from TRUSTED_PROXIES (clientAddress.ts)
  trustProxies(app, deps.settings.TRUSTED_PROXIES);
  app.silent = true;

  app.use(securityHeaders());
  app.use(async (ctx, next) => {
    const incoming = ctx.get('X-Request-Id');
    const requestId = /^[A-Za-z0-9._-]{8,64}$/.test(incoming) ? incoming : randomUUID();
    ctx.set('X-Request-Id', requestId);
    ctx.state.requestId = requestId;
    ctx.state.log = deps.logger.child({ requestId });
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = ctx._matchedRoute ? String(ctx._matchedRoute) : 'unmatched';
      metrics.httpDuration.observe({ method: ctx.method, route, status: String(ctx.status) }, seconds);
      if (ctx.status >= 500)
        ctx.state.log.error({ method: ctx.method, route, status: ctx.status }, 'request failed');
    }
  });
  // shed the excess before anything runs (counted above with its 503, so the metrics see it)
  app.use(admission.middleware);
  // static files and JSON of 1 KiB or more, br (quality 4) or gzip as the client accepts (the answers that hold a
  // secret — a token, a TOTP secret, a temporary password — are far smaller: nothing for BREACH to measure)
  app.use(compress({ threshold: COMPRESS_THRESHOLD_BYTES }));
  app.use(errorMiddleware());
  app.use(
    bodyParser({
      enableTypes: ['json'],
      jsonLimit: deps.settings.BODY_LIMIT_BYTES,
      encoding: 'utf-8',
      onError: (err) => {
        const status = (err as { status?: unknown }).status;
        if (status === 413)
          throw new AppError(
            'PAYLOAD_TOO_LARGE',
            `提交的内容超过 ${deps.settings.BODY_LIMIT_BYTES} 字节，请精简后重试。`,
          );
        if (status === 415) throw new AppError('UNSUPPORTED_MEDIA_TYPE', '提交的格式不正确，请刷新后重试。');
        // the parser's own words (positions, tokens, quotes of the input) stay out of the answer
        throw new AppError('VALIDATION_FAILED', '请求体不是有效的 JSON（须为对象或数组）');
      },
    }),
  );
  app.use(async (ctx, next) => {
    if (
      (ctx.method === 'POST' || ctx.method === 'PUT') &&
      ctx.path.startsWith('/api/') &&
      ctx.request.length &&
      !ctx.is('application/json')
    ) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', '提交的格式不正确，请刷新后重试。');
    }
    await next();
  });

  const rateLimit: Koa.Middleware = async (ctx, next) => {
    const who = (ctx.state as { openid?: string }).openid ?? `ip:${ctx.ip}`;
    const verdict = await deps.store.consumeRate('api', who, {
      points: deps.settings.RATE_LIMIT_PER_MINUTE,
      durationS: 60,
    });
    if (!verdict.allowed) {
      ctx.set('Retry-After', String(Math.ceil(verdict.retryAfterMs / 1000)));
      throw new AppError('RATE_LIMITED', '操作太频繁，请稍后再试。');
    }
    await next();
  };

  // alive, and nothing more: no outside call (readiness is on the operations listener)
  const health = new Router();
  health.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  const routers = [
    health,
    clientConfigRouter(clientConfig),
    patientRouter(deps, rateLimit),
    callbackRouter(deps, metrics),
    consoleRouter(deps, rateLimit),
    refundRoutes(deps, requireConsole(deps)),
    refundRequestRoutes(deps, rateLimit),
    notificationRoutes(deps, rateLimit),
    consoleUserRoutes(deps, rateLimit),
    opsConsoleRoutes(deps, metrics, rateLimit),
    reconciliationRoutes(deps, requireConsole, rateLimit),
    riskRoutes(deps, requireConsole, rateLimit),
  ];
  for (const router of routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  // last: only what no router answered, and never /api, /healthz, /readyz or /metrics
  app.use(serveH5(deps.settings.H5_DIR));
  return app;
}
