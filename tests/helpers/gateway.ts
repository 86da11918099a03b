/** Small helpers for the adapter contract tests: what a call rejected with, and a stream read to the end. */
import { GatewayError } from '../../server/gateways/ports';
import { call } from './stack';

/** The GatewayError a call rejected with; anything else (or no rejection) fails the test. */
export async function gatewayRejection(promise: Promise<unknown>): Promise<GatewayError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(err)}`);
  return err;
}

/** Every item of an async stream, in order. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** A mock's admin API at `base` (e.g. `${url}/__admin` or the mock's root): `{status, body}`. */
export function adminClient(base: () => string) {
  return async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const { status, body: answer } = await call<T>(base(), method, path, { body });
    return { status, body: answer };
  };
}
