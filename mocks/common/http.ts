/** The mocks' one HTTP error and body parser: a refusal with a status and a stable code, and a zod check as 400. */
import type { z } from 'zod';

export class MockHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new MockHttpError(400, 'PARAM_ERROR', `${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return result.data;
}
