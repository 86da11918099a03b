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
    // the parameter is named in details (for programs) and the log (with zod's words), not in the sentence
    throw new AppError(
      'INVALID_ID',
      '链接中的编号格式不正确，请返回重新打开。',
      { param: name },
      { cause: `path parameter ${name}: ${parsed.error.issues[0]?.message ?? 'invalid'}` },
    );
  return parsed.data;
}
