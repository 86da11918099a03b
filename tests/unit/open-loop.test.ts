/** The overload bench's sorting of answers (bench/load/openLoop.ts): admitted, shed, failed, timed out. */
import { openLoop, percentile, summarize, type Outcome } from '../../bench/load/openLoop';

describe('open-loop load', () => {
  it('sorts answers and measures only the admitted ones', () => {
    const outcomes: Outcome[] = [
      { kind: 'admitted', ms: 10, retryAfter: false },
      { kind: 'admitted', ms: 30, retryAfter: false },
      { kind: 'admitted', ms: 20, retryAfter: false },
      { kind: 'shed', ms: 1, retryAfter: true },
      { kind: 'shed', ms: 1, retryAfter: false },
      { kind: 'failed', ms: 5, retryAfter: false },
      { kind: 'timeout', ms: 10_000, retryAfter: false },
    ];
    expect(summarize(outcomes, 7, 1)).toEqual({
      offeredPerS: 7,
      seconds: 1,
      admitted: 3,
      shed: 2,
      shedWithoutRetryAfter: 1,
      failed: 1,
      timeouts: 1,
      p50Ms: 20,
      p95Ms: 30,
      p99Ms: 30,
      admittedPerS: 3,
    });
    expect(percentile([], 99)).toBe(0);
  });

  it('fires the requests it was asked for, whatever they answer', async () => {
    const statuses = [200, 503, 500, 429];
    let n = 0;
    const outcomes = await openLoop(
      400,
      0.05,
      () => async () => ({ status: statuses[n++ % statuses.length], retryAfter: true }),
      1000,
    );
    expect(outcomes).toHaveLength(20);
    expect(summarize(outcomes, 400, 0.05)).toMatchObject({ admitted: 5, shed: 10, failed: 5, timeouts: 0 });
  });
});
