/**
 * The one place an error becomes a response (koa's onerror idea): AppError → its status and code; schema
 * failures → 400 VALIDATION_FAILED; a party's failure → 503/504; anything else → 500 INTERNAL with no detail.
 * Every message is Chinese (shared/messages.ts); the English detail goes to the log line here.
 */
import type Koa from 'koa';
import { ZodError } from 'zod';
import { AppError } from '../services/errors';
import { GatewayError } from '../gateways/ports';
import { StateConflict } from '../db/orders';
import { LockBusy } from '../ephemeral/port';
import type { ApiErrorBody, ErrorCode } from '../../shared/errors';
import { ERROR_MESSAGES, catalogueMessage, hasEnglishWord } from '../../shared/messages';
import { PARTY_NAMES_ZH } from '../services/gatewayErrors';

export interface MappedError {
  status: number;
  body: ApiErrorBody;
  unexpected: boolean;
  /** the English or internal detail behind the Chinese message: for the log line, never for the answer */
  logDetail?: string;
}

/**
 * The answer's message: the service's own Chinese sentence when it chose one, else the catalogue's. A message
 * with an English word never reaches a patient or cashier; it goes to `logDetail` instead.
 */
function chinese(code: ErrorCode, message: string | undefined, cause?: unknown) {
  const causeText = typeof cause === 'string' ? cause : undefined;
  if (message && !hasEnglishWord(message)) return { message, logDetail: causeText };
  return { message: catalogueMessage(code), logDetail: [message, causeText].filter(Boolean).join(' | ') };
}

export function toErrorBody(err: unknown): MappedError {
  if (err instanceof AppError) {
    const { message, logDetail } = chinese(err.code, err.message, err.cause);
    return {
      status: err.status,
      body: { code: err.code, message, details: err.details },
      unexpected: false,
      logDetail,
    };
  }
  if (err instanceof ZodError) {
    const issues = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = issues[0];
    return {
      status: 400,
      body: { code: 'VALIDATION_FAILED', message: ERROR_MESSAGES.VALIDATION_FAILED, details: issues },
      unexpected: false,
      // the field path and zod's English: the fields are named in `details`, the values never
      logDetail: first ? `${first.path || 'body'}: ${first.message}` : 'invalid request',
    };
  }
  if (err instanceof GatewayError) {
    const timeout = err.kind === 'timeout' || err.kind === 'invalid_response';
    const party = PARTY_NAMES_ZH[err.party];
    return {
      status: timeout ? 504 : 503,
      body: {
        code: timeout ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNAVAILABLE',
        message: timeout ? `${party}响应超时，请稍后刷新查看。` : `${party}暂时无法访问，请稍后再试。`,
      },
      unexpected: false,
      logDetail: `${err.party} ${err.kind}: ${err.message}`,
    };
  }
  if (err instanceof StateConflict || err instanceof LockBusy) {
    return {
      status: 409,
      body: { code: 'CONCURRENT_REQUEST', message: ERROR_MESSAGES.CONCURRENT_REQUEST },
      unexpected: false,
      logDetail: err.message,
    };
  }
  const status = (err as { status?: unknown })?.status;
  const expose = (err as { expose?: unknown })?.expose;
  if (typeof status === 'number' && status >= 400 && status < 500 && expose === true) {
    // koa / bodyparser client errors (bad JSON, too large, wrong media type)
    const code =
      status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'VALIDATION_FAILED';
    const { message, logDetail } = chinese(code, (err as Error).message);
    return { status, body: { code, message }, unexpected: false, logDetail };
  }
  return { status: 500, body: { code: 'INTERNAL', message: ERROR_MESSAGES.INTERNAL }, unexpected: true };
}

export function errorMiddleware(): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { code: 'NOT_FOUND', message: ERROR_MESSAGES.NOT_FOUND };
      } else if ((ctx.status === 405 || ctx.status === 501) && ctx.body === undefined) {
        // the routers' answer to a method a path does not have (501 when no router knows the method at all):
        // the client's mistake either way, with the Allow header the routers set
        ctx.status = 405;
        ctx.body = { code: 'METHOD_NOT_ALLOWED', message: ERROR_MESSAGES.METHOD_NOT_ALLOWED };
      }
    } catch (err) {
      const { status, body, unexpected, logDetail } = toErrorBody(err);
      if (unexpected) ctx.state.log?.error({ err }, 'unexpected error');
      // the English or internal detail behind the Chinese answer; codes and paths only, no request values
      else if (logDetail)
        ctx.state.log?.info({ code: body.code, status, detail: logDetail }, 'error answered');
      const retryAfterS = (body.details as { retryAfterS?: unknown } | undefined)?.retryAfterS;
      // a refusal that says how long to wait (login throttled or locked) says it in the standard header too
      if (typeof retryAfterS === 'number' && (status === 429 || status === 423))
        ctx.set('Retry-After', String(retryAfterS));
      ctx.status = status;
      ctx.body = body;
    }
  };
}
