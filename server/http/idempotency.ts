/**
 * Idempotency-Key (DESIGN 13, STYLE 9): the same key with the same body replays the stored answer; the same key
 * with another body is 422 IDEMPOTENCY_KEY_REUSED; two requests with one key at once → the second gets 409.
 * Answers are stored in PostgreSQL (durable); the in-flight marker lives in the ephemeral store.
 */
import { createHash } from 'node:crypto';
import type Koa from 'koa';
import { idempotencyKeySchema } from '../../shared/api';
import { findStoredAnswer, storeAnswer } from '../db/idempotency';
import { AppError } from '../services/errors';
import { toErrorBody } from './errors';
import type { Deps } from '../services/deps';

const IN_FLIGHT_TTL_MS = 60_000;

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * `required`: the call refuses to run without a key (checkout). Otherwise a key, when sent, gets the same
 * semantics, so a client retrying any write with its key gets the first answer again.
 */
export function idempotent(
  deps: Deps,
  scopeOf: (ctx: Koa.Context) => string,
  required = true,
): Koa.Middleware {
  return async (ctx, next) => {
    const header = ctx.get('Idempotency-Key');
    if (!header && !required) return next();
    if (!header) throw new AppError('IDEMPOTENCY_KEY_REQUIRED', '请求缺少防重复标识，请刷新后重试。');
    const parsed = idempotencyKeySchema.safeParse(header);
    if (!parsed.success)
      throw new AppError('VALIDATION_FAILED', parsed.error.issues[0]?.message ?? 'bad Idempotency-Key');
    const scope = `${scopeOf(ctx)}:${ctx.method}:${ctx._matchedRoute ?? ctx.path}`;
    const key = parsed.data;
    const hash = createHash('sha256')
      .update(`${ctx.path}\n${canonical(ctx.request.body ?? null)}`)
      .digest('hex');

    const replay = async (): Promise<boolean> => {
      const stored = await findStoredAnswer(deps.db, scope, key);
      if (!stored) return false;
      if (stored.requestHash !== hash)
        throw new AppError('IDEMPOTENCY_KEY_REUSED', '重复提交的内容与上次不同，请刷新后重新操作。');
      ctx.status = stored.statusCode;
      ctx.body = stored.response;
      ctx.set('Idempotent-Replayed', 'true');
      return true;
    };

    if (await replay()) return;
    const marker = `idem:${scope}:${key}`;
    if (!(await deps.store.setIfAbsent(marker, hash, IN_FLIGHT_TTL_MS))) {
      throw new AppError('CONCURRENT_REQUEST', '同样的请求还在处理中，请稍候。');
    }
    try {
      if (await replay()) return;
      let failure: unknown;
      try {
        await next();
      } catch (err) {
        failure = err;
      }
      if (failure === undefined) {
        await store(deps, scope, key, hash, ctx.status, ctx.body);
      } else {
        // a refusal is part of the answer (same key → same refusal); a 5xx is not: the client may retry
        const { status, body } = toErrorBody(failure);
        if (status < 500 && status !== 409 && status !== 429)
          await store(deps, scope, key, hash, status, body);
        throw failure;
      }
    } finally {
      await deps.store.deleteIfEquals(marker, hash);
    }
  };
}

async function store(
  deps: Deps,
  scope: string,
  key: string,
  hash: string,
  status: number,
  body: unknown,
): Promise<void> {
  await storeAnswer(deps.db, {
    scope,
    key,
    requestHash: hash,
    statusCode: status,
    body,
    at: new Date(deps.clock.now()),
  });
}
