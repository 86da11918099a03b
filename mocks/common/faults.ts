/**
 * Fault injection for a mock: a tester names a path (prefix, optionally a method) and what goes wrong there —
 * for a number of requests (`count`), for a share of them (`rate`, 0–1), or until cleared — with an optional
 * delay first (fixed, uniform or long-tailed). With a `seed`, which requests are hit and how long they wait is
 * the same on every run (a small seeded PRNG per fault). Admin paths are never faulted.
 */
import { z } from 'zod';

const LATENCY_MAX_MS = 120_000;
const ms = z.number().int().min(0).max(LATENCY_MAX_MS);

/** A delay: a number of ms, `{fixed}`, `{uniform: {minMs, maxMs}}` or `{longTail: {p50Ms, p99Ms, maxMs?}}`. */
export const latencySchema = z.union([
  ms,
  z.object({ fixed: ms }).strict(),
  z
    .object({ uniform: z.object({ minMs: ms, maxMs: ms }).strict() })
    .strict()
    .refine((l) => l.uniform.minMs <= l.uniform.maxMs, { message: 'uniform: minMs must be ≤ maxMs' }),
  z
    .object({
      longTail: z
        .object({ p50Ms: ms, p99Ms: ms, maxMs: ms.optional() })
        .strict()
        .refine((t) => t.p50Ms <= t.p99Ms, { message: 'longTail: p50Ms must be ≤ p99Ms' })
        .refine((t) => t.maxMs === undefined || t.maxMs >= t.p99Ms, {
          message: 'longTail: maxMs must be ≥ p99Ms',
        }),
    })
    .strict(),
]);
export type LatencySpec = z.infer<typeof latencySchema>;

export const FAULT_KINDS = ['error5xx', 'timeout', 'latency', 'malformed', 'reset', 'badSignature'] as const;

export const faultSchema = z
  .object({
    /** path prefix the fault applies to, e.g. "/his/charges/confirm"; "/" for everything */
    path: z.string().startsWith('/'),
    method: z
      .string()
      .transform((m) => m.toUpperCase())
      .pipe(z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']))
      .optional(),
    kind: z.enum(FAULT_KINDS),
    /** error5xx: the status (default 503) */
    status: z.number().int().min(500).max(599).optional(),
    /** latency: the added delay (default 1000 ms); timeout: how long to hang before dropping (default 30 s) */
    latencyMs: ms.optional(),
    /** a delay drawn per request, before the fault acts (any kind); overrides latencyMs */
    latency: latencySchema.optional(),
    /** share of the matching requests that are hit, 0–1 (default 1) */
    rate: z.number().min(0).max(1).optional(),
    /** makes `rate` and random latencies reproducible */
    seed: z.number().int().optional(),
    /** how many requests it hits; absent = until cleared */
    count: z.number().int().min(1).optional(),
  })
  .strict();

export type FaultSpec = z.infer<typeof faultSchema>;
export interface Fault extends FaultSpec {
  id: number;
  /** requests the fault acted on */
  hits: number;
  /** matching requests it let through (rate < 1) */
  passes: number;
  /** its `count` is used up: it stays listed (with its hits) but no longer acts */
  exhausted: boolean;
}

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal from two uniforms (Box–Muller). */
function normal(random: () => number): number {
  const u = Math.max(random(), Number.EPSILON);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

const Z99 = 2.3263478740408408;

/**
 * A delay in ms for one request. longTail is log-normal with the given median and 99th percentile, bounded by
 * maxMs (default 2 × p99, at most 120 s).
 */
export function drawLatency(spec: LatencySpec, random: () => number): number {
  if (typeof spec === 'number') return spec;
  if ('fixed' in spec) return spec.fixed;
  if ('uniform' in spec) {
    const { minMs, maxMs } = spec.uniform;
    return Math.round(minMs + (maxMs - minMs) * random());
  }
  const { p50Ms, p99Ms } = spec.longTail;
  const maxMs = Math.min(spec.longTail.maxMs ?? p99Ms * 2, LATENCY_MAX_MS);
  if (p50Ms === 0) return 0;
  const sigma = Math.log(p99Ms / p50Ms) / Z99;
  return Math.min(Math.round(p50Ms * Math.exp(sigma * normal(random))), maxMs);
}

/** What a request gets: the fault and the delay drawn for it. */
export interface FaultHit {
  fault: Fault;
  delayMs: number;
}

export class Faults {
  private faults: Fault[] = [];
  private readonly randoms = new Map<number, () => number>();
  private nextId = 1;

  add(spec: FaultSpec): Fault {
    const fault: Fault = { ...spec, id: this.nextId++, hits: 0, passes: 0, exhausted: false };
    this.faults.push(fault);
    this.randoms.set(fault.id, spec.seed === undefined ? Math.random : seededRandom(spec.seed));
    return fault;
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  remove(id: number): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    this.randoms.delete(id);
    return this.faults.length < before;
  }

  clear(): void {
    this.faults = [];
    this.randoms.clear();
  }

  /**
   * The fault to apply to this request, if any, with its delay; counts the hit. A fault whose `count` is used up
   * is marked `exhausted` and skipped from then on (it stays in the list, for the record, until removed). The first fault (in the order
   * added) whose path and method match decides; a fault whose `rate` lets this request through passes it on
   * to the next matching fault.
   */
  takeHit(method: string, path: string): FaultHit | undefined {
    for (const fault of this.faults) {
      if (fault.exhausted) continue;
      if (!path.startsWith(fault.path)) continue;
      if (fault.method && fault.method !== method.toUpperCase()) continue;
      const random = this.randoms.get(fault.id) ?? Math.random;
      if (fault.rate !== undefined && fault.rate < 1 && !(random() < fault.rate)) {
        fault.passes++;
        continue;
      }
      fault.hits++;
      if (fault.count !== undefined && fault.hits >= fault.count) fault.exhausted = true;
      const spec: LatencySpec | undefined =
        fault.latency ??
        fault.latencyMs ??
        (fault.kind === 'latency' ? 1000 : fault.kind === 'timeout' ? 30_000 : undefined);
      return { fault: { ...fault }, delayMs: spec === undefined ? 0 : drawLatency(spec, random) };
    }
    return undefined;
  }

  /** The fault to apply to this request, if any; counts the hit. */
  take(method: string, path: string): Fault | undefined {
    return this.takeHit(method, path)?.fault;
  }
}
