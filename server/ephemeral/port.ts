/**
 * The ephemeral store: short-lived shared state (locks, in-flight markers, callback nonces, rate limits,
 * sessions). Redis in services mode, an in-process map in the embedded single-instance mode; both pass one
 * contract suite. Nothing here is a system of record: losing it costs a re-login or a retry, never money.
 *
 * Helpers below (locks, nonces, sessions) are built only on the port, so they behave alike on both stores.
 */
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

export const EPHEMERAL_KEY_LENGTH_MAX = 512;
export const EPHEMERAL_VALUE_BYTES_MAX = 64 * 1024;
export const EPHEMERAL_TTL_MS_MAX = 30 * 24 * 3600_000;

export interface RateLimit {
  /** requests allowed per window */
  points: number;
  /** window length; whole seconds because that is what the Redis limiter counts in */
  durationS: number;
}

export interface RateDecision {
  allowed: boolean;
  remaining: number;
  /** 0 when allowed; otherwise the time until the window resets (> 0) */
  retryAfterMs: number;
}

export interface WindowCount {
  count: number;
  resetAtMs: number;
}

export interface EphemeralStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** true when this call created the key (SET NX) */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  del(key: string): Promise<void>;
  /** deletes only if the current value is `expected` (an owner releasing its own lock) */
  deleteIfEquals(key: string, expected: string): Promise<boolean>;
  /** resets the TTL only if the current value is `expected` (an owner extending its own lock) */
  expireIfEquals(key: string, expected: string, ttlMs: number): Promise<boolean>;
  /**
   * Counts hits in a fixed window that starts at the first hit and lasts windowMs; the counter is the key's
   * value (a decimal string).
   */
  incrementWindow(key: string, windowMs: number): Promise<WindowCount>;
  /**
   * One hit against the limit `name` for `key` (a user, an IP). Refused hits still count, so a client that
   * keeps hammering stays refused until the window ends.
   */
  consumeRate(name: string, key: string, limit: RateLimit): Promise<RateDecision>;
  close(): Promise<void>;
}

// ---- argument checks shared by the implementations (programmer errors: throw) ----

export function assertKey(key: string): void {
  if (key.length === 0 || key.length > EPHEMERAL_KEY_LENGTH_MAX) {
    throw new RangeError(`ephemeral key length must be 1..${EPHEMERAL_KEY_LENGTH_MAX}, got ${key.length}`);
  }
}

export function assertValue(value: string): void {
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > EPHEMERAL_VALUE_BYTES_MAX) {
    throw new RangeError(`ephemeral value is ${bytes} bytes, more than ${EPHEMERAL_VALUE_BYTES_MAX}`);
  }
}

export function assertTtlMs(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs < 1 || ttlMs > EPHEMERAL_TTL_MS_MAX) {
    throw new RangeError(`ttlMs must be an integer in 1..${EPHEMERAL_TTL_MS_MAX}, got ${ttlMs}`);
  }
}

export function assertRateLimit(name: string, limit: RateLimit): void {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new RangeError(`invalid rate limit name: ${name}`);
  if (!Number.isInteger(limit.points) || limit.points < 1) {
    throw new RangeError(`rate limit points must be a positive integer, got ${limit.points}`);
  }
  if (
    !Number.isInteger(limit.durationS) ||
    limit.durationS < 1 ||
    limit.durationS * 1000 > EPHEMERAL_TTL_MS_MAX
  ) {
    throw new RangeError(`rate limit durationS must be a positive integer, got ${limit.durationS}`);
  }
}

/** The key both implementations count a rate limit under, so the two stores lay out data alike. */
export const rateKey = (name: string, key: string): string => `rl:${name}:${key}`;

// ---- locks ----

export const LOCK_POLL_MS_DEFAULT = 25;

export class LockBusy extends Error {
  readonly code = 'LOCK_BUSY';
  constructor(
    readonly key: string,
    readonly waitedMs: number,
  ) {
    super(`lock ${key} still held by another owner after ${waitedMs} ms`);
    this.name = 'LockBusy';
  }
}

export interface HeldLock {
  readonly key: string;
  /** Pushes the expiry to ttlMs from now; false when the lock expired and someone else may hold it. */
  extend(ttlMs: number): Promise<boolean>;
}

export interface LockOptions {
  /** how long to wait for the lock before LockBusy; 0 = one attempt */
  waitMs: number;
  /** mean pause between attempts (jittered ±50 %) */
  pollMs?: number;
}

const lockKey = (key: string): string => `lock:${key}`;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs fn while holding `key` across every instance sharing the store. The lock holds a random token, so only
 * its owner releases or extends it. If fn outlives ttlMs the lock lapses and another owner may enter: the
 * lock narrows races, and the database's version checks remain the guard of correctness.
 *
 * Waiting is measured in real (monotonic) time, not by an injected clock: it is a pause for other processes,
 * like a network timeout.
 */
export async function withLock<T>(
  store: EphemeralStore,
  key: string,
  ttlMs: number,
  fn: (lock: HeldLock) => Promise<T>,
  opts: LockOptions,
): Promise<T> {
  const storeKey = lockKey(key);
  const token = randomBytes(16).toString('base64url');
  await acquire(store, key, token, ttlMs, opts);
  const held: HeldLock = { key, extend: (ms) => store.expireIfEquals(storeKey, token, ms) };
  try {
    return await fn(held);
  } finally {
    // A failed release only leaves the lock to its TTL; it must not turn fn's outcome into a failure.
    await store.deleteIfEquals(storeKey, token).catch(() => false);
  }
}

async function acquire(
  store: EphemeralStore,
  key: string,
  token: string,
  ttlMs: number,
  { waitMs, pollMs = LOCK_POLL_MS_DEFAULT }: LockOptions,
): Promise<void> {
  if (!(waitMs >= 0) || !(pollMs > 0)) throw new RangeError(`invalid lock options: ${waitMs}/${pollMs}`);
  const startedMs = performance.now();
  for (;;) {
    if (await store.setIfAbsent(lockKey(key), token, ttlMs)) return;
    const waitedMs = performance.now() - startedMs;
    if (waitedMs >= waitMs) throw new LockBusy(key, Math.round(waitedMs));
    await sleep(Math.min(pollMs * (0.5 + Math.random()), waitMs - waitedMs));
  }
}

// ---- nonces ----

const nonceKey = (nonce: string): string => `nonce:${nonce}`;

/** true the first time a nonce is seen within ttlMs (callback replay window); false on a replay. */
export function rememberNonce(store: EphemeralStore, nonce: string, ttlMs: number): Promise<boolean> {
  return store.setIfAbsent(nonceKey(nonce), '1', ttlMs);
}

/** Forgets a nonce, e.g. when its callback could not be applied and will legitimately come again. */
export function forgetNonce(store: EphemeralStore, nonce: string): Promise<void> {
  return store.del(nonceKey(nonce));
}

// ---- sessions ----

const SESSION_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** Stored under a digest of the token, so whoever can read the store cannot replay a session from it. */
const sessionKey = (token: string): string =>
  `session:${createHash('sha256').update(token).digest('base64url')}`;

/** Returns an opaque token: 32 random bytes, base64url (43 characters). */
export async function createSession(
  store: EphemeralStore,
  data: Readonly<Record<string, unknown>>,
  ttlMs: number,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  if (!(await store.setIfAbsent(sessionKey(token), JSON.stringify(data), ttlMs))) {
    throw new Error('session token collision'); // 2^-256: a broken random source, not bad luck
  }
  return token;
}

/**
 * The session's data checked by `parse` (e.g. a zod schema's parse), or null when absent, expired, or no longer
 * of the expected shape (an older deploy's session means a new login, not errors until it expires).
 */
export async function readSession<T>(
  store: EphemeralStore,
  token: string,
  parse: (value: unknown) => T,
): Promise<T | null> {
  if (!SESSION_TOKEN.test(token)) return null;
  const raw = await store.get(sessionKey(token));
  if (raw === null) return null;
  try {
    return parse(JSON.parse(raw));
  } catch {
    return null;
  }
}

export async function dropSession(store: EphemeralStore, token: string): Promise<void> {
  if (SESSION_TOKEN.test(token)) await store.del(sessionKey(token));
}
