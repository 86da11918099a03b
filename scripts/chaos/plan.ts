/**
 * The chaos run's plan (issue 14): pure and seeded, so one seed is one run. N journeys (kind, ending, what
 * happens after payment) and a timeline of trouble — fault windows at the mocks, callback switches, replays,
 * instance kills, PostgreSQL connection terminations — over a horizon in ms from the start of driving.
 */

/** xoshiro128**: a small seeded PRNG, uniform in [0, 1). */
export function prng(seed: number): () => number {
  // splitmix32 spreads the one seed over the four words of state
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let [a, b, c, d] = [split(), split(), split(), split()];
  const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
  return () => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result / 4294967296;
  };
}

export const JOURNEY_KINDS = ['mixed', 'insurance-only', 'cash-only'] as const;
export type JourneyKind = (typeof JOURNEY_KINDS)[number];

/** How the patient leaves the payment: pays, cancels, lets it expire, pays after it expired, or WeChat fails it. */
export const ENDINGS = ['pay', 'cancel', 'expire', 'latePay', 'payFail'] as const;
export type Ending = (typeof ENDINGS)[number];

/** What happens to a completed order: nothing, the patient asks (a cashier approves), a cashier refunds. */
export const AFTERMATHS = ['none', 'patientRequest', 'cashierFull', 'cashierPartial'] as const;
export type Aftermath = (typeof AFTERMATHS)[number];

export interface JourneyPlan {
  index: number;
  kind: JourneyKind;
  /** 代亲属: the insured person is a relative of the holder who authorizes */
  family: boolean;
  /** the insurance platform refuses the person between authorization and checkout */
  insuranceRefuses: boolean;
  ending: Ending;
  aftermath: Aftermath;
  /** a partial refund's share of the total, in percent */
  partialPercent: number;
}

export type MockName = 'insurance' | 'his' | 'wechatpay';
export const MOCK_FAULT_KINDS = [
  'error5xx',
  'timeout',
  'latency',
  'malformed',
  'reset',
  'badSignature',
] as const;
export type MockFaultKind = (typeof MOCK_FAULT_KINDS)[number];

export interface FaultWindow {
  atMs: number;
  durationMs: number;
  mock: MockName;
  path: string;
  kind: MockFaultKind;
  rate: number;
  seed: number;
  /** the whole HIS answers 503 for the window */
  outage?: boolean;
}

export type CallbackSwitch = 'suppress' | 'duplicate' | 'badSignature';
export interface CallbackWindow {
  atMs: number;
  durationMs: number;
  switch: CallbackSwitch;
}

export interface InstanceEvent {
  atMs: number;
  instance: number;
  /** kill: SIGKILL, restarted after downMs; terminate: pg_terminate_backend of its connections */
  action: 'kill' | 'terminate';
  downMs: number;
}

export interface ChaosPlan {
  seed: number;
  journeys: JourneyPlan[];
  faults: FaultWindow[];
  callbacks: CallbackWindow[];
  /** times at which a few earlier callbacks are sent again (replayed, so out of order too) */
  replays: number[];
  instanceEvents: InstanceEvent[];
  horizonMs: number;
}

export interface PlanOptions {
  flows: number;
  seed: number;
  instances: number;
  /** 0: no kills */
  killEveryMs: number;
  /** how long the trouble lasts (the driver usually takes about this long) */
  horizonMs: number;
  /** relative weights of the journey kinds */
  kinds?: Record<JourneyKind, number>;
  endings?: Record<Ending, number>;
  aftermaths?: Record<Aftermath, number>;
}

export const DEFAULT_KINDS: Record<JourneyKind, number> = { mixed: 5, 'insurance-only': 2, 'cash-only': 3 };
export const DEFAULT_ENDINGS: Record<Ending, number> = {
  pay: 70,
  cancel: 8,
  expire: 8,
  latePay: 6,
  payFail: 8,
};
export const DEFAULT_AFTERMATHS: Record<Aftermath, number> = {
  none: 55,
  patientRequest: 15,
  cashierFull: 15,
  cashierPartial: 15,
};

function pick<K extends string>(random: () => number, weights: Record<K, number>): K {
  const entries = Object.entries(weights) as [K, number][];
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let x = random() * total;
  for (const [k, w] of entries) {
    x -= w;
    if (x < 0) return k;
  }
  return entries[entries.length - 1][0];
}

const int = (random: () => number, min: number, max: number) => min + Math.floor(random() * (max - min + 1));

/** Where a fault hurts, per mock: the calls the server makes (admin paths are never faulted). */
const FAULT_TARGETS: Record<MockName, { path: string; kinds: MockFaultKind[] }[]> = {
  insurance: [
    { path: '/org/local/api/hos/', kinds: ['error5xx', 'timeout', 'malformed', 'reset', 'badSignature'] },
    { path: '/fsi/api/', kinds: ['error5xx', 'reset', 'latency'] },
    { path: '/wecity/api/auth/', kinds: ['error5xx', 'timeout', 'reset'] },
  ],
  his: [
    { path: '/his/charges/', kinds: ['error5xx', 'timeout', 'malformed', 'reset'] },
    { path: '/his/bills/', kinds: ['error5xx', 'timeout', 'malformed', 'reset', 'latency'] },
    { path: '/his/patients/', kinds: ['error5xx', 'reset'] },
    { path: '/sms/', kinds: ['error5xx', 'reset'] },
  ],
  wechatpay: [
    { path: '/v3/pay/transactions', kinds: ['error5xx', 'timeout', 'malformed', 'reset', 'badSignature'] },
    { path: '/v3/med-ins/orders', kinds: ['error5xx', 'timeout', 'malformed', 'reset', 'badSignature'] },
    { path: '/v3/refund/domestic/refunds', kinds: ['error5xx', 'timeout', 'malformed', 'reset', 'latency'] },
  ],
};
const MOCKS: MockName[] = ['insurance', 'his', 'wechatpay'];

function planJourney(random: () => number, index: number, o: PlanOptions): JourneyPlan {
  const kind = pick(random, o.kinds ?? DEFAULT_KINDS);
  const insured = kind !== 'cash-only';
  const ending = pick(random, o.endings ?? DEFAULT_ENDINGS);
  return {
    index,
    kind,
    family: insured && random() < 0.2,
    insuranceRefuses: insured && random() < 0.04,
    ending,
    aftermath: ending === 'pay' ? pick(random, o.aftermaths ?? DEFAULT_AFTERMATHS) : 'none',
    partialPercent: int(random, 10, 60),
  };
}

function planFaults(random: () => number, horizonMs: number): FaultWindow[] {
  const faults: FaultWindow[] = [];
  // overlapping windows of a few seconds each, about one every 1.5 s
  for (let at = int(random, 500, 2000); at < horizonMs; at += int(random, 800, 2500)) {
    const mock = MOCKS[int(random, 0, MOCKS.length - 1)];
    const targets = FAULT_TARGETS[mock];
    const target = targets[int(random, 0, targets.length - 1)];
    faults.push({
      atMs: at,
      durationMs: int(random, 2000, 6000),
      mock,
      path: target.path,
      kind: target.kinds[int(random, 0, target.kinds.length - 1)],
      rate: Math.round((0.1 + random() * 0.4) * 100) / 100,
      seed: int(random, 1, 2 ** 30),
    });
  }
  // the HIS down altogether for a few seconds, every 40–70 s
  for (let at = int(random, 10_000, 25_000); at < horizonMs; at += int(random, 40_000, 70_000)) {
    faults.push({
      atMs: at,
      durationMs: int(random, 3000, 8000),
      mock: 'his',
      path: '/his/',
      kind: 'error5xx',
      rate: 1,
      seed: int(random, 1, 2 ** 30),
      outage: true,
    });
  }
  return faults.sort((a, b) => a.atMs - b.atMs);
}

function planCallbacks(random: () => number, horizonMs: number): CallbackWindow[] {
  const switches: CallbackSwitch[] = ['suppress', 'duplicate', 'badSignature'];
  const windows: CallbackWindow[] = [];
  for (let at = int(random, 3000, 8000); at < horizonMs; at += int(random, 8000, 20_000))
    windows.push({ atMs: at, durationMs: int(random, 2000, 6000), switch: switches[int(random, 0, 2)] });
  return windows;
}

function planInstanceEvents(random: () => number, o: PlanOptions): InstanceEvent[] {
  const events: InstanceEvent[] = [];
  if (o.killEveryMs > 0) {
    for (let at = o.killEveryMs; at < o.horizonMs; at += o.killEveryMs) {
      const jitter = int(random, -Math.floor(o.killEveryMs / 5), Math.floor(o.killEveryMs / 5));
      events.push({
        atMs: Math.max(1000, at + jitter),
        instance: int(random, 0, o.instances - 1),
        action: 'kill',
        downMs: int(random, 500, 4000),
      });
    }
  }
  for (let at = int(random, 5000, 15_000); at < o.horizonMs; at += int(random, 15_000, 35_000))
    events.push({ atMs: at, instance: int(random, 0, o.instances - 1), action: 'terminate', downMs: 0 });
  return events.sort((a, b) => a.atMs - b.atMs);
}

export function makePlan(o: PlanOptions): ChaosPlan {
  // separate streams: the journeys do not shift when the trouble's timeline changes length, and vice versa
  const journeysRandom = prng(o.seed);
  const troubleRandom = prng(o.seed ^ 0x5bd1e995);
  const journeys = Array.from({ length: o.flows }, (_, i) => planJourney(journeysRandom, i, o));
  const replays: number[] = [];
  for (let at = int(troubleRandom, 2000, 6000); at < o.horizonMs; at += int(troubleRandom, 3000, 9000))
    replays.push(at);
  return {
    seed: o.seed,
    journeys,
    faults: planFaults(troubleRandom, o.horizonMs),
    callbacks: planCallbacks(troubleRandom, o.horizonMs),
    replays,
    instanceEvents: planInstanceEvents(troubleRandom, o),
    horizonMs: o.horizonMs,
  };
}

/** How many of each value of `key` the journeys have. */
export function countBy<K extends keyof JourneyPlan>(
  journeys: JourneyPlan[],
  key: K,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const j of journeys) counts[String(j[key])] = (counts[String(j[key])] ?? 0) + 1;
  return counts;
}
