/**
 * The readiness probe cache and the cached /metrics exposition (server/http/readiness.ts, metrics.ts): answers
 * come from memory, a burst never fans out, rounds never overlap, a stuck refresher shows as not ready. Time and
 * the interval timer are fakes: nothing here waits for a real interval.
 */
import type { Registry } from 'prom-client';
import { ReadinessCache, type ReadinessProbe, type ReadinessTimers } from '../../server/http/readiness';
import { cachedExposition } from '../../server/http/metrics';

class FakeTimers implements ReadinessTimers {
  nowMs = 1_000;
  tick: (() => void) | undefined;
  cancelled = false;
  now = () => this.nowMs;
  every = (_ms: number, fn: () => void) => {
    this.tick = fn;
    return () => {
      this.cancelled = true;
    };
  };
}

function probe(name: string, check: () => Promise<void> = async () => undefined) {
  const calls = { n: 0 };
  const p: ReadinessProbe = {
    name,
    check: () => {
      calls.n++;
      return check();
    },
  };
  return { probe: p, calls };
}

const options = (timers: FakeTimers) => ({ intervalMs: 5_000, timeoutMs: 50, timers });

describe('ReadinessCache', () => {
  it('is not ready before its first round', () => {
    const cache = new ReadinessCache([probe('postgres').probe], options(new FakeTimers()));
    expect(cache.view()).toEqual({ status: 'not ready', checks: {}, ageMs: null, stale: false });
  });

  it('answers every view from the last round: a burst of 1,000 probes nothing', async () => {
    const timers = new FakeTimers();
    const pg = probe('postgres');
    const his = probe('his');
    const cache = new ReadinessCache([pg.probe, his.probe], options(timers));
    await cache.refresh();
    timers.nowMs += 1_200;
    for (let i = 0; i < 1_000; i++)
      expect(cache.view()).toEqual({
        status: 'ready',
        checks: { postgres: 'ok', his: 'ok' },
        ageMs: 1_200,
        stale: false,
      });
    expect([pg.calls.n, his.calls.n]).toEqual([1, 1]);
  });

  it('joins a round in flight rather than starting another', async () => {
    let release: () => void = () => undefined;
    const slow = probe('insurance', () => new Promise<void>((resolve) => (release = resolve)));
    const cache = new ReadinessCache([slow.probe], { ...options(new FakeTimers()), timeoutMs: 10_000 });
    const rounds = Array.from({ length: 100 }, () => cache.refresh());
    release();
    await Promise.all(rounds);
    expect(slow.calls.n).toBe(1);
  });

  it('is not ready when a probe fails, and says why', async () => {
    const cache = new ReadinessCache(
      [
        probe('postgres').probe,
        probe('wechatpay', () => Promise.reject(new Error('wechatpay answered 503'))).probe,
      ],
      options(new FakeTimers()),
    );
    await cache.refresh();
    expect(cache.view()).toMatchObject({
      status: 'not ready',
      checks: { postgres: 'ok', wechatpay: 'wechatpay answered 503' },
    });
  });

  it('fails a probe that does not answer within timeoutMs', async () => {
    const hanging = probe('his', () => new Promise<void>(() => undefined));
    const cache = new ReadinessCache([hanging.probe], options(new FakeTimers()));
    await cache.refresh();
    expect(cache.view().checks).toEqual({ his: 'no answer within 50 ms' });
  });

  it('is not ready when the last round is older than 3 intervals (the refresher is stuck)', async () => {
    const timers = new FakeTimers();
    const cache = new ReadinessCache([probe('store').probe], options(timers));
    await cache.refresh();
    timers.nowMs += 15_000;
    expect(cache.view().status).toBe('ready');
    timers.nowMs += 1;
    expect(cache.view()).toMatchObject({ status: 'not ready', stale: true, checks: { store: 'ok' } });
  });

  it('start() runs a round at once and one per tick; stop() cancels the timer and waits for the round', async () => {
    const timers = new FakeTimers();
    const pg = probe('postgres');
    const rounds: Record<string, boolean>[] = [];
    const cache = new ReadinessCache([pg.probe], { ...options(timers), onRound: (c) => rounds.push(c) });
    cache.start();
    cache.start();
    await cache.refresh();
    timers.tick?.();
    await cache.stop();
    expect(pg.calls.n).toBe(2);
    expect(rounds).toEqual([{ postgres: true }, { postgres: true }]);
    expect(timers.cancelled).toBe(true);
  });
});

describe('cachedExposition(registry, maxAgeMs)', () => {
  function fakeRegistry() {
    const calls = { n: 0 };
    const registry = {
      metrics: async () => {
        calls.n++;
        await new Promise((resolve) => setImmediate(resolve));
        return `# render ${calls.n}\n`;
      },
    } as unknown as Registry;
    return { registry, calls };
  }

  it('renders once for 100 concurrent scrapes', async () => {
    const { registry, calls } = fakeRegistry();
    const scrape = cachedExposition(registry, 1_000, () => 0);
    const answers = await Promise.all(Array.from({ length: 100 }, () => scrape()));
    expect(calls.n).toBe(1);
    expect(new Set(answers.map((b) => b.toString()))).toEqual(new Set(['# render 1\n']));
  });

  it('serves the same bytes within maxAgeMs and renders again after', async () => {
    const { registry, calls } = fakeRegistry();
    let now = 0;
    const scrape = cachedExposition(registry, 1_000, () => now);
    await scrape();
    now = 999;
    expect((await scrape()).toString()).toBe('# render 1\n');
    now = 1_000;
    expect((await scrape()).toString()).toBe('# render 2\n');
    expect(calls.n).toBe(2);
  });
});
