/** The chaos plan (scripts/chaos/plan.ts) is pure and seeded: one seed, one run. */
import { countBy, DEFAULT_KINDS, makePlan, prng, type PlanOptions } from '../../scripts/chaos/plan';

const options = (seed: number, flows = 2000): PlanOptions => ({
  flows,
  seed,
  instances: 2,
  killEveryMs: 15_000,
  horizonMs: 300_000,
});

describe('chaos plan', () => {
  it('is the same for the same seed', () => {
    expect(makePlan(options(7))).toEqual(makePlan(options(7)));
  });

  it('differs for another seed', () => {
    const a = makePlan(options(7));
    const b = makePlan(options(8));
    expect(b.journeys).not.toEqual(a.journeys);
    expect(b.faults).not.toEqual(a.faults);
    expect(b.instanceEvents).not.toEqual(a.instanceEvents);
  });

  it('mixes the journey kinds roughly as configured', () => {
    const plan = makePlan(options(7, 10_000));
    const counts = countBy(plan.journeys, 'kind');
    const total = Object.values(DEFAULT_KINDS).reduce((s, w) => s + w, 0);
    for (const [kind, weight] of Object.entries(DEFAULT_KINDS))
      expect(Math.abs(counts[kind] / 10_000 - weight / total)).toBeLessThan(0.02);
  });

  it('follows a configured mix, and refunds only what was paid', () => {
    const plan = makePlan({
      ...options(3, 1000),
      kinds: { mixed: 0, 'insurance-only': 0, 'cash-only': 1 },
      endings: { pay: 1, cancel: 1, expire: 0, latePay: 0, payFail: 0 },
    });
    expect(countBy(plan.journeys, 'kind')).toEqual({ 'cash-only': 1000 });
    expect(plan.journeys.every((j) => !j.family && !j.insuranceRefuses)).toBe(true);
    expect(plan.journeys.filter((j) => j.ending !== 'pay').every((j) => j.aftermath === 'none')).toBe(true);
    const endings = countBy(plan.journeys, 'ending');
    expect(endings.pay).toBeGreaterThan(400);
    expect(endings.cancel).toBeGreaterThan(400);
  });

  it('puts kills every kill interval (with jitter) within the horizon, on existing instances', () => {
    const plan = makePlan(options(7));
    const kills = plan.instanceEvents.filter((e) => e.action === 'kill');
    expect(kills.length).toBe(Math.ceil(300_000 / 15_000) - 1);
    expect(kills.every((k) => k.instance >= 0 && k.instance < 2 && k.atMs < 300_000 + 3000)).toBe(true);
    expect(plan.instanceEvents.some((e) => e.action === 'terminate')).toBe(true);
    expect(makePlan({ ...options(7), killEveryMs: 0 }).instanceEvents.every((e) => e.action !== 'kill')).toBe(
      true,
    );
  });

  it('has every kind of trouble over a long horizon, and none over a zero one', () => {
    const plan = makePlan(options(7));
    const kinds = new Set(plan.faults.map((f) => f.kind));
    for (const k of ['error5xx', 'timeout', 'malformed', 'reset', 'badSignature'])
      expect(kinds.has(k as never)).toBe(true);
    expect(plan.faults.some((f) => f.outage)).toBe(true);
    expect(new Set(plan.callbacks.map((c) => c.switch))).toEqual(
      new Set(['suppress', 'duplicate', 'badSignature']),
    );
    expect(plan.replays.length).toBeGreaterThan(0);
    const calm = makePlan({ ...options(7), horizonMs: 0 });
    expect([calm.faults, calm.callbacks, calm.replays, calm.instanceEvents]).toEqual([[], [], [], []]);
  });

  it('draws uniformly from its PRNG', () => {
    const random = prng(42);
    const draws = Array.from({ length: 10_000 }, random);
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
  });
});
