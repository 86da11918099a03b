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
  CircuitState,
  type IPolicy,
} from 'cockatiel';
import { Agent, request as send, type Dispatcher } from 'undici';
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
/** Connections kept to one party (undici's pool per origin); idle ones close after KEEP_ALIVE_MS. */
export const CONNECTIONS_PER_PARTY = 64;
const KEEP_ALIVE_MS = 10_000;

/** What became of one attempt: answered (any status below 500), or why not; `circuit_open`: never sent. */
export type CallOutcome = 'ok' | 'timeout' | 'unavailable' | 'circuit_open';
export type BreakerState = 'closed' | 'half_open' | 'open';

/**
 * Told of every attempt and every breaker change, so the operations metrics can count them without the gateways
 * knowing about http/ (the composition root registers one with `observeCalls`). Must not throw.
 */
export interface CallObserver {
  /** one attempt; `seconds` is 0 for `circuit_open` (nothing was sent) */
  attempt(party: Party, outcome: CallOutcome, seconds: number): void;
  breaker(party: Party, state: BreakerState): void;
}

const observers = new Set<CallObserver>();

/** Registers an observer of every caller of this process; returns the function that removes it. */
export function observeCalls(observer: CallObserver): () => void {
  observers.add(observer);
  return () => {
    observers.delete(observer);
  };
}

const notify = (tell: (o: CallObserver) => void) => {
  for (const o of observers) {
    try {
      tell(o);
    } catch {
      // an observer's failure is never the call's
    }
  }
};

const BREAKER_STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Open]: 'open',
  [CircuitState.Isolated]: 'open',
};

/** exchange, timed and told to the observers */
async function observed(party: Party, dispatcher: Dispatcher, request: HttpRequest): Promise<HttpResponse> {
  const started = performance.now();
  let outcome: CallOutcome = 'ok';
  try {
    return await exchange(party, dispatcher, request);
  } catch (err) {
    outcome = err instanceof GatewayError && err.kind === 'timeout' ? 'timeout' : 'unavailable';
    throw err;
  } finally {
    const seconds = (performance.now() - started) / 1000;
    notify((o) => o.attempt(party, outcome, seconds));
  }
}

/** Error codes (undici's and the OS's) of a connection that closed after the request may have been sent. */
const MIDWAY_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);

/**
 * The message and code of what made the call fail: its `cause` (undici's SocketError, the OS error), else the
 * error itself. Duck-typed, not `instanceof Error`: under jest these errors come from another realm.
 */
function causeOf(err: unknown): { message: string; code: string } {
  const fields = (value: unknown): { message: string; code: string } | null => {
    if (typeof value !== 'object' || value === null || !('message' in value)) return null;
    const code = 'code' in value && typeof value.code === 'string' ? value.code : '';
    return { message: String(value.message), code };
  };
  const outer = typeof err === 'object' && err !== null && 'cause' in err ? err.cause : undefined;
  return fields(outer) ?? fields(err) ?? { message: String(err), code: '' };
}

/** One HTTP exchange; 5xx → unavailable, no connection → unavailable, abort or a connection cut midway → timeout. */
async function exchange(party: Party, dispatcher: Dispatcher, request: HttpRequest): Promise<HttpResponse> {
  const signal = AbortSignal.timeout(request.timeoutMs);
  let status: number;
  let raw: Dispatcher.ResponseData['headers'];
  let body: string;
  try {
    const response = await send(request.url, {
      dispatcher,
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal,
    });
    status = response.statusCode;
    raw = response.headers;
    body = await response.body.text();
  } catch (err) {
    // not `instanceof Error`: the abort's DOMException comes from another realm under jest
    const name = typeof err === 'object' && err !== null && 'name' in err ? String(err.name) : '';
    if (signal.aborted || name === 'TimeoutError' || name === 'AbortError') {
      throw new GatewayError(
        party,
        'timeout',
        `${request.method} ${request.url} timed out after ${request.timeoutMs} ms`,
      );
    }
    const cause = causeOf(err);
    // the socket closed mid-exchange: the request may have been read and acted on, so the outcome is unknown
    // (kind 'timeout': outcomeUnknown, a create goes UNKNOWN and the janitor settles it by query — DESIGN 7);
    // a connection never made (refused, no route, DNS) is 'unavailable': nothing was sent
    const midway =
      MIDWAY_CODES.has(cause.code) || /socket|reset|terminated|other side closed/i.test(cause.message);
    throw new GatewayError(
      party,
      midway ? 'timeout' : 'unavailable',
      `${request.method} ${request.url} failed: ${cause.message}${cause.code ? ` (${cause.code})` : ''}`,
    );
  }
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value !== undefined) headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (status >= 500) {
    throw new GatewayError(
      party,
      'unavailable',
      `${request.method} ${request.url} answered ${status}`,
      undefined,
      status,
    );
  }
  return { status, headers, body };
}

/** An HTTP caller for one party, with its own circuit breaker. */
export function createHttpCaller(party: Party): HttpCaller {
  // one keep-alive pool per party: no connection set up per call, and a slow party cannot take another's sockets
  const dispatcher = new Agent({ connections: CONNECTIONS_PER_PARTY, keepAliveTimeout: KEEP_ALIVE_MS });
  const transient = handleWhen(
    (err) => err instanceof GatewayError && (err.kind === 'timeout' || err.kind === 'unavailable'),
  );
  const breaker = circuitBreaker(transient, {
    halfOpenAfter: BREAKER_HALF_OPEN_AFTER_MS,
    breaker: new ConsecutiveBreaker(BREAKER_FAILURES_MAX),
  });
  breaker.onStateChange((state) => notify((o) => o.breaker(party, BREAKER_STATES[state])));
  const retrying: IPolicy = retry(transient, {
    maxAttempts: RETRY_ATTEMPTS_MAX,
    backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 500 }),
  });
  return async (request) => {
    try {
      if (request.idempotent)
        return await retrying.execute(() => breaker.execute(() => observed(party, dispatcher, request)));
      return await breaker.execute(() => observed(party, dispatcher, request));
    } catch (err) {
      if (err instanceof BrokenCircuitError) {
        notify((o) => o.attempt(party, 'circuit_open', 0));
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
