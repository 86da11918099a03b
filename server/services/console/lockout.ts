/**
 * Console login failures counted per (account, source address), so that a stranger's wrong passwords lock the
 * stranger's address out of that account and never the owner, who logs in from elsewhere:
 * - the first LOGIN_DELAY_AFTER_FAILURES - 1 failures cost nothing;
 * - from the LOGIN_DELAY_AFTER_FAILURES-th, the next try from that address for that account must wait
 *   2^(n-2) s (2 s, 4 s, …, capped): tries before then are refused unchecked (429 LOGIN_THROTTLED);
 * - the LOGIN_LOCK_AFTER_FAILURES-th locks the pair for 15 min, each later lock twice as long, at most 24 h
 *   (423 ACCOUNT_LOCKED); a supervisor can unlock an account (every address) at once;
 * - a success from the address clears its count; a day without failures forgets it.
 * The per-IP login rate limit (auth.ts) stays in front of all this.
 *
 * The policy is pure functions of a pair's state and the injected clock's now; the database part reads and writes
 * a pair under its row lock, so failures arriving together are counted one by one.
 */
import type { EntityManager } from 'typeorm';
import {
  deleteAllLoginFailures,
  deleteLoginFailures,
  ensureLoginFailures,
  lockedAddressCountsAt,
  readLoginFailures,
  writeLoginFailures,
  type LoginFailureRow,
} from '../../db/consoleLockout';
import type { Db } from '../../db/rows';
import type { Deps } from '../deps';

export const LOGIN_DELAY_AFTER_FAILURES = 3;
export const LOGIN_DELAY_MS_MAX = 60_000;
export const LOGIN_LOCK_AFTER_FAILURES = 5;
export const LOGIN_LOCK_MS = 15 * 60_000;
export const LOGIN_LOCK_MS_MAX = 24 * 3600_000;
/** a pair with no failure for this long starts afresh */
export const LOGIN_FAILURES_FORGET_MS = 24 * 3600_000;
/** the column's bound; an address longer than an IPv6 text form is cut (it is a key, not evidence) */
const ADDRESS_LENGTH_MAX = 64;

/** One (account, address) pair's failures. */
export interface PairState {
  failures: number;
  lastFailedAtMs: number;
  lockedUntilMs: number | null;
}

/** What the next try from a pair meets. */
export type Gate =
  { kind: 'open' } | { kind: 'throttled'; untilMs: number } | { kind: 'locked'; untilMs: number };

/** The wait after the nth failure (n below the lock): 0 before LOGIN_DELAY_AFTER_FAILURES, then 2^(n-2) s, capped. */
export function delayAfterMs(failures: number): number {
  if (failures < LOGIN_DELAY_AFTER_FAILURES || failures >= LOGIN_LOCK_AFTER_FAILURES) return 0;
  return Math.min(2 ** (failures - 2) * 1000, LOGIN_DELAY_MS_MAX);
}

/** The lock after the nth failure: none before LOGIN_LOCK_AFTER_FAILURES, then 15 min doubling, capped. */
export function lockAfterMs(failures: number): number {
  if (failures < LOGIN_LOCK_AFTER_FAILURES) return 0;
  const doublings = Math.min(failures - LOGIN_LOCK_AFTER_FAILURES, 16);
  return Math.min(LOGIN_LOCK_MS * 2 ** doublings, LOGIN_LOCK_MS_MAX);
}

const forgotten = (state: PairState | null, nowMs: number): boolean =>
  state === null || nowMs - state.lastFailedAtMs >= LOGIN_FAILURES_FORGET_MS;

export function gateOf(state: PairState | null, nowMs: number): Gate {
  if (state === null) return { kind: 'open' };
  if (state.lockedUntilMs !== null && state.lockedUntilMs > nowMs)
    return { kind: 'locked', untilMs: state.lockedUntilMs };
  if (forgotten(state, nowMs)) return { kind: 'open' };
  const untilMs = state.lastFailedAtMs + delayAfterMs(state.failures);
  return untilMs > nowMs ? { kind: 'throttled', untilMs } : { kind: 'open' };
}

/** The pair after one more failure at nowMs, and whether that failure locked it. */
export function afterFailure(
  state: PairState | null,
  nowMs: number,
): { next: PairState; lockedNow: boolean } {
  const failures = (forgotten(state, nowMs) ? 0 : state!.failures) + 1;
  const lockMs = lockAfterMs(failures);
  return {
    next: { failures, lastFailedAtMs: nowMs, lockedUntilMs: lockMs > 0 ? nowMs + lockMs : null },
    lockedNow: lockMs > 0,
  };
}

// ---- the pairs in PostgreSQL (console_login_failures) ----

const keyAddress = (address: string) => (address || 'unknown').slice(0, ADDRESS_LENGTH_MAX);

const stateOf = (row: LoginFailureRow | undefined): PairState | null =>
  row
    ? {
        failures: row.failures,
        lastFailedAtMs: row.lastFailedAt.getTime(),
        lockedUntilMs: row.lockedUntil ? row.lockedUntil.getTime() : null,
      }
    : null;

async function readPair(
  db: Db,
  userId: string,
  address: string,
  forUpdate: boolean,
): Promise<PairState | null> {
  return stateOf(await readLoginFailures(db, userId, keyAddress(address), forUpdate));
}

/** What a try from `address` for the user meets now, before any credential is checked. */
export async function loginGate(deps: Deps, userId: string, address: string, nowMs: number): Promise<Gate> {
  return gateOf(await readPair(deps.db.manager, userId, address, false), nowMs);
}

export type FailureOutcome =
  { counted: true; failures: number; lockedNow: boolean; gate: Gate } | { counted: false; gate: Gate };

/**
 * One more failure for the pair, under its row lock. A failure that arrives while the pair is throttled or locked
 * (it raced with the one that made it so) is not counted: `counted: false` with the gate it met.
 */
export async function recordLoginFailure(
  deps: Deps,
  userId: string,
  address: string,
  nowMs: number,
): Promise<FailureOutcome> {
  return deps.db.transaction(async (m) => {
    const key = keyAddress(address);
    await ensureLoginFailures(m, userId, key);
    const state = await readPair(m, userId, key, true);
    const before = gateOf(state, nowMs);
    if (before.kind !== 'open') return { counted: false, gate: before };
    const { next, lockedNow } = afterFailure(state, nowMs);
    await writeLoginFailures(m, userId, key, {
      failures: next.failures,
      lastFailedAt: new Date(next.lastFailedAtMs),
      lockedUntil: next.lockedUntilMs === null ? null : new Date(next.lockedUntilMs),
    });
    return { counted: true, failures: next.failures, lockedNow, gate: gateOf(next, nowMs) };
  });
}

/**
 * A success from the pair clears its count, unless a concurrent failure locked it meanwhile: then the lock
 * stands and the gate says so.
 */
export async function clearLoginFailures(
  deps: Deps,
  userId: string,
  address: string,
  nowMs: number,
): Promise<Gate> {
  return deps.db.transaction(async (m) => {
    const state = await readPair(m, userId, address, true);
    const gate = gateOf(state, nowMs);
    if (gate.kind === 'locked') return gate;
    if (state) await deleteLoginFailures(m, userId, keyAddress(address));
    return { kind: 'open' };
  });
}

/** Forgets every failure of the user (a supervisor's unlock); returns the addresses that were locked out. */
export async function unlockAllAddresses(
  manager: EntityManager,
  userId: string,
  nowMs: number,
): Promise<string[]> {
  const rows = await deleteAllLoginFailures(manager, userId, new Date(nowMs));
  return rows.filter((r) => r.locked === true).map((r) => r.address);
}

/** Per user id: how many addresses are locked out of it at nowMs. */
export async function lockedAddressCounts(deps: Deps, nowMs: number): Promise<Map<string, number>> {
  return lockedAddressCountsAt(deps.db, new Date(nowMs));
}
