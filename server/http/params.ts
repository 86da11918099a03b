/**
 * Path parameters, validated at the edge before any query (DESIGN 8): every route with an id in its path reads it
 * through `pathId`, with the schema from shared/ that says what such an id looks like (a UUID, a bigint id within
 * PostgreSQL's range). Anything else is 400 INVALID_ID with a Chinese message naming the parameter — never a
 * database error, never a 500. A well-formed id that names nothing (or someone else's) stays the service's 404.
 */
import type Koa from 'koa';
import type { z } from 'zod';
import { AppError } from '../services/errors';

export function pathId<T>(ctx: Koa.Context, name: string, schema: z.ZodType<T>): T {
  const raw: unknown = (ctx.params as Record<string, string | undefined> | undefined)?.[name];
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new AppError('INVALID_ID', `路径参数 ${name} ${parsed.error.issues[0]?.message ?? '格式不正确'}`, {
      param: name,
    });
  return parsed.data;
}
