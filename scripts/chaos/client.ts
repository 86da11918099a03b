/**
 * The chaos driver's HTTP client, as the mini-program's: a call that failed by a connection error, a timeout or
 * a 5xx is retried a few times with the same Idempotency-Key (when it has one), then given up — the patient
 * walks away, which the system must survive too.
 */

export interface Answer<T> {
  status: number;
  body: T;
}

export class GaveUp extends Error {
  constructor(
    readonly what: string,
    readonly lastStatus: number | undefined,
    detail: string,
  ) {
    super(`${what}: gave up (${detail})`);
  }
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** retries after the first try (connection errors, timeouts, 5xx); default 5 (about 12 s in all) */
  retries?: number;
  timeoutMs?: number;
}

const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 4000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function once<T>(method: string, url: string, o: CallOptions): Promise<Answer<T>> {
  const res = await fetch(url, {
    method,
    headers: { ...(o.body === undefined ? {} : { 'content-type': 'application/json' }), ...o.headers },
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
    signal: AbortSignal.timeout(o.timeoutMs ?? 15_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: body as T };
}

/** Any answer below 500 (the caller judges 4xx); retries the rest, then throws GaveUp. */
export async function callWithRetries<T>(
  what: string,
  method: string,
  url: string,
  o: CallOptions = {},
): Promise<Answer<T>> {
  const retries = o.retries ?? 5;
  let last = '';
  let lastStatus: number | undefined;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await sleep(Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempt - 1)));
    try {
      const answer = await once<T>(method, url, o);
      if (answer.status < 500) return answer;
      lastStatus = answer.status;
      last = `${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
  }
  throw new GaveUp(what, lastStatus, last);
}

/** The answer when it is 2xx; otherwise GaveUp with what was said. */
export async function expectOk<T>(
  what: string,
  method: string,
  url: string,
  o: CallOptions = {},
): Promise<T> {
  const answer = await callWithRetries<T>(what, method, url, o);
  if (answer.status >= 300)
    throw new GaveUp(what, answer.status, `${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
  return answer.body;
}
