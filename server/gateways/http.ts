/**
 * The one way adapters talk HTTP: a hard timeout on every call, failures classified into GatewayError
 * (timeout / unavailable / rejected / invalid_response), a circuit breaker per party, and bounded retries
 * only for calls the caller declares safe to repeat (queries, creates carrying the same idempotent key).
 */
import {
  circuitBreaker,
  ConsecutiveBreaker,
  handleWhen,
  retry,
  ExponentialBackoff,
  BrokenCircuitError,
  type IPolicy,
} from 'cockatiel';
import { GatewayError, type Party } from './ports';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** exact bytes to send (already serialised, so it can be signed) */
  body?: string;
  timeoutMs: number;
  /** retry on timeout / connection failure / 5xx; only for queries and idempotent creates */
  idempotent: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HttpCaller {
  (request: HttpRequest): Promise<HttpResponse>;
}

export const RETRY_ATTEMPTS_MAX = 2;
export const BREAKER_FAILURES_MAX = 10;
export const BREAKER_HALF_OPEN_AFTER_MS = 5_000;

/** Performs one HTTP exchange; 5xx → unavailable, network failure → unavailable, abort → timeout. */
async function exchange(party: Party, request: HttpRequest): Promise<HttpResponse> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (err) {
    // not `instanceof Error`: fetch's DOMException comes from another realm under jest
    const name = typeof err === 'object' && err !== null && 'name' in err ? String(err.name) : '';
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new GatewayError(
        party,
        'timeout',
        `${request.method} ${request.url} timed out after ${request.timeoutMs} ms`,
      );
    }
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    // the socket closed mid-exchange: the party may have acted
    const midway = /socket|reset|terminated|other side closed/i.test(cause);
    throw new GatewayError(
      party,
      midway ? 'timeout' : 'unavailable',
      `${request.method} ${request.url} failed: ${cause}`,
    );
  }
  let body: string;
  try {
    body = await response.text();
  } catch (err) {
    throw new GatewayError(
      party,
      'timeout',
      `${request.method} ${request.url}: body not read: ${String(err)}`,
    );
  }
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key.toLowerCase()] = value;
  });
  if (response.status >= 500) {
    throw new GatewayError(
      party,
      'unavailable',
      `${request.method} ${request.url} answered ${response.status}`,
      undefined,
      response.status,
    );
  }
  return { status: response.status, headers, body };
}

/** An HTTP caller for one party, with its own circuit breaker. */
export function createHttpCaller(party: Party): HttpCaller {
  const transient = handleWhen(
    (err) => err instanceof GatewayError && (err.kind === 'timeout' || err.kind === 'unavailable'),
  );
  const breaker = circuitBreaker(transient, {
    halfOpenAfter: BREAKER_HALF_OPEN_AFTER_MS,
    breaker: new ConsecutiveBreaker(BREAKER_FAILURES_MAX),
  });
  const retrying: IPolicy = retry(transient, {
    maxAttempts: RETRY_ATTEMPTS_MAX,
    backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 500 }),
  });
  return async (request) => {
    try {
      if (request.idempotent)
        return await retrying.execute(() => breaker.execute(() => exchange(party, request)));
      return await breaker.execute(() => exchange(party, request));
    } catch (err) {
      if (err instanceof BrokenCircuitError) {
        throw new GatewayError(party, 'unavailable', `${party} circuit is open after repeated failures`);
      }
      throw err;
    }
  };
}

/** Parses a JSON body or throws invalid_response. */
export function parseJson(party: Party, response: HttpResponse): unknown {
  try {
    return response.body === '' ? undefined : JSON.parse(response.body);
  } catch {
    throw new GatewayError(
      party,
      'invalid_response',
      `unreadable JSON (status ${response.status}): ${response.body.slice(0, 120)}`,
    );
  }
}
