/**
 * The console lockout policy as pure functions of one (account, address) pair and the clock: free tries, a
 * delay doubling from the 3rd failure, a lock from the 5th doubling from 15 minutes up to a day, forgotten after a
 * quiet day. The database part and the HTTP answers are in tests/integration/console-lockout.test.ts.
 */
import {
  LOGIN_FAILURES_FORGET_MS,
  LOGIN_LOCK_MS,
  LOGIN_LOCK_MS_MAX,
  afterFailure,
  delayAfterMs,
  gateOf,
  lockAfterMs,
  type PairState,
} from '../../server/services/console/lockout';
import { gateError } from '../../server/services/console/auth';

const T0 = 1_800_000_000_000;

/** n failures one after another, each as soon as the pair lets it through */
function failTimes(n: number, startMs = T0): { state: PairState; atMs: number } {
  let state: PairState | null = null;
  let atMs = startMs;
  for (let i = 0; i < n; i++) {
    const gate = gateOf(state, atMs);
    if (gate.kind !== 'open') atMs = gate.untilMs;
    state = afterFailure(state, atMs).next;
  }
  return { state: state!, atMs };
}

describe('delayAfterMs(failures)', () => {
  it.each([
    [0, 0],
    [1, 0],
    [2, 0],
    [3, 2_000],
    [4, 4_000],
    [5, 0], // from the 5th, the lock takes over
  ])('after %i failures waits %i ms', (n, ms) => {
    expect(delayAfterMs(n)).toBe(ms);
  });
});

describe('lockAfterMs(failures)', () => {
  it('locks from the 5th failure for 15 min, doubling each time, never beyond 24 h', () => {
    expect(lockAfterMs(4)).toBe(0);
    expect(lockAfterMs(5)).toBe(LOGIN_LOCK_MS);
    expect(lockAfterMs(6)).toBe(2 * LOGIN_LOCK_MS);
    expect(lockAfterMs(7)).toBe(4 * LOGIN_LOCK_MS);
    expect(lockAfterMs(12)).toBe(LOGIN_LOCK_MS_MAX);
    expect(lockAfterMs(1000)).toBe(LOGIN_LOCK_MS_MAX);
  });
});

describe('gateOf(state, nowMs)', () => {
  it('is open for a pair never seen and after two failures', () => {
    expect(gateOf(null, T0)).toEqual({ kind: 'open' });
    expect(gateOf(failTimes(2).state, T0)).toEqual({ kind: 'open' });
  });

  it('throttles after the 3rd failure until 2 s have passed, to the millisecond', () => {
    const { state } = failTimes(3);
    expect(gateOf(state, T0 + 1_999)).toEqual({ kind: 'throttled', untilMs: T0 + 2_000 });
    expect(gateOf(state, T0 + 2_000)).toEqual({ kind: 'open' });
  });

  it('locks after the 5th failure for 15 minutes', () => {
    const { state, atMs } = failTimes(5);
    expect(gateOf(state, atMs)).toEqual({ kind: 'locked', untilMs: atMs + LOGIN_LOCK_MS });
    expect(gateOf(state, atMs + LOGIN_LOCK_MS)).toEqual({ kind: 'open' });
  });

  it('forgets a pair that has been quiet for a day', () => {
    const { state, atMs } = failTimes(4);
    const later = atMs + LOGIN_FAILURES_FORGET_MS;
    expect(gateOf(state, later)).toEqual({ kind: 'open' });
    expect(afterFailure(state, later).next.failures).toBe(1);
  });
});

describe('afterFailure(state, nowMs)', () => {
  it('counts one more, and says when a failure locks', () => {
    expect(afterFailure(null, T0)).toEqual({
      next: { failures: 1, lastFailedAtMs: T0, lockedUntilMs: null },
      lockedNow: false,
    });
    const { state, atMs } = failTimes(4);
    expect(afterFailure(state, atMs + 4_000)).toEqual({
      next: { failures: 5, lastFailedAtMs: atMs + 4_000, lockedUntilMs: atMs + 4_000 + LOGIN_LOCK_MS },
      lockedNow: true,
    });
  });

  it('locks again, twice as long, at the first failure after a lock ran out', () => {
    const { state, atMs } = failTimes(6);
    expect(state.failures).toBe(6);
    expect(state.lockedUntilMs! - atMs).toBe(2 * LOGIN_LOCK_MS);
  });

  it('lets an attacker from one address at most 5 tries in the first 15 minutes and 12 in a day', () => {
    const triedAt: number[] = [];
    let state: PairState | null = null;
    for (let atMs = T0; atMs < T0 + 24 * 3600_000; atMs += 1) {
      const gate = gateOf(state, atMs);
      if (gate.kind !== 'open') atMs = gate.untilMs;
      triedAt.push(atMs);
      state = afterFailure(state, atMs).next;
    }
    expect(triedAt.filter((t) => t < T0 + LOGIN_LOCK_MS)).toHaveLength(5);
    expect(triedAt.length).toBeLessThanOrEqual(12);
  });
});

describe('gateError(gate, nowMs)', () => {
  it('says 429 LOGIN_THROTTLED with the seconds to wait, rounded up, in Chinese', () => {
    const err = gateError({ kind: 'throttled', untilMs: T0 + 1_500 }, T0);
    expect(err).toMatchObject({ status: 429, code: 'LOGIN_THROTTLED', details: { retryAfterS: 2 } });
    expect(err.message).toBe('登录失败次数过多，请 2 秒后再试');
  });

  it('says 423 ACCOUNT_LOCKED until when, in China time, and how to get help', () => {
    const untilMs = Date.parse('2026-03-01T02:15:00Z');
    const err = gateError({ kind: 'locked', untilMs }, untilMs - 900_000);
    expect(err).toMatchObject({
      status: 423,
      code: 'ACCOUNT_LOCKED',
      details: { lockedUntil: '2026-03-01T02:15:00.000Z', retryAfterS: 900 },
    });
    expect(err.message).toContain('北京时间 2026-03-01 10:15:00');
    expect(err.message).toContain('联系主管解锁');
  });
});
