/**
 * The one place an error becomes a response (koa's onerror idea): AppError → its status and code; schema
 * failures → 400 VALIDATION_FAILED; a party's failure → 503/504; anything else → 500 INTERNAL with no detail.
 */
import type Koa from 'koa';
import { ZodError } from 'zod';
import { AppError } from '../services/errors';
import { GatewayError } from '../gateways/ports';
import { StateConflict } from '../db/orders';
import { LockBusy } from '../ephemeral/port';
import type { ApiErrorBody } from '../../shared/errors';

export function toErrorBody(err: unknown): { status: number; body: ApiErrorBody; unexpected: boolean } {
  if (err instanceof AppError)
    return {
      status: err.status,
      body: { code: err.code, message: err.message, details: err.details },
      unexpected: false,
    };
  if (err instanceof ZodError) {
    const issues = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = issues[0];
    return {
      status: 400,
      body: {
        code: 'VALIDATION_FAILED',
        message: first ? `${first.path || 'body'}: ${first.message}` : 'invalid request',
        details: issues,
      },
      unexpected: false,
    };
  }
  if (err instanceof GatewayError) {
    const timeout = err.kind === 'timeout' || err.kind === 'invalid_response';
    return {
      status: timeout ? 504 : 503,
      body: {
        code: timeout ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNAVAILABLE',
        message: `${err.party} did not answer properly; please try again`,
      },
      unexpected: false,
    };
  }
  if (err instanceof StateConflict || err instanceof LockBusy) {
    return {
      status: 409,
      body: { code: 'CONCURRENT_REQUEST', message: 'another request is changing this order; please retry' },
      unexpected: false,
    };
  }
  const status = (err as { status?: unknown })?.status;
  const expose = (err as { expose?: unknown })?.expose;
  if (typeof status === 'number' && status >= 400 && status < 500 && expose === true) {
    // koa / bodyparser client errors (bad JSON, too large, wrong media type)
    const code =
      status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'VALIDATION_FAILED';
    return { status, body: { code, message: (err as Error).message || 'bad request' }, unexpected: false };
  }
  return {
    status: 500,
    body: { code: 'INTERNAL', message: 'internal error; the request id is in the X-Request-Id header' },
    unexpected: true,
  };
}

export function errorMiddleware(): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { code: 'NOT_FOUND', message: `no route ${ctx.method} ${ctx.path}` };
      } else if ((ctx.status === 405 || ctx.status === 501) && ctx.body === undefined) {
        // the routers' answer to a method a path does not have (501 when no router knows the method at all):
        // the client's mistake either way, with the Allow header the routers set
        ctx.status = 405;
        ctx.body = {
          code: 'METHOD_NOT_ALLOWED',
          message: `此接口不支持 ${ctx.method} 方法（支持：${ctx.response.get('Allow') || '无'}）`,
        };
      }
    } catch (err) {
      const { status, body, unexpected } = toErrorBody(err);
      if (unexpected) ctx.state.log?.error({ err }, 'unexpected error');
      const retryAfterS = (body.details as { retryAfterS?: unknown } | undefined)?.retryAfterS;
      // a refusal that says how long to wait (login throttled or locked) says it in the standard header too
      if (typeof retryAfterS === 'number' && (status === 429 || status === 423))
        ctx.set('Retry-After', String(retryAfterS));
      ctx.status = status;
      ctx.body = body;
    }
  };
}
