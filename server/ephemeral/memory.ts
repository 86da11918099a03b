/**
 * In-process ephemeral store for the embedded mode (one server instance, so a process-local lock is a real
 * lock). TTLs follow the injected clock, so tests move a ManualClock instead of sleeping. Expired entries are
 * dropped when touched, and a periodic sweep bounded per tick removes the ones nobody touches again.
 */
import { systemClock, type Clock } from '../../shared/clock';
import {
  assertKey,
  assertRateLimit,
  assertTtlMs,
  assertValue,
  rateKey,
  type EphemeralStore,
  type RateDecision,
  type RateLimit,
  type WindowCount,
} from './port';

export const MEMORY_SWEEP_INTERVAL_MS_DEFAULT = 30_000;
export const MEMORY_SWEEP_BATCH_MAX_DEFAULT = 1_000;

export interface InMemoryStoreOptions {
  sweepIntervalMs?: number;
  /** entries examined per sweep tick, so one tick never stalls the event loop on a large map */
  sweepBatchMax?: number;
}

interface Entry {
  value: string;
  expiresAtMs: number;
}

export class InMemoryEphemeralStore implements EphemeralStore {
  private readonly entries = new Map<string, Entry>();
  /** resumes where the previous tick stopped, so every entry is reached however large the map */
  private sweepCursor: Iterator<[string, Entry]> | null = null;
  private readonly sweepBatchMax: number;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly clock: Clock = systemClock,
    opts: InMemoryStoreOptions = {},
  ) {
    this.sweepBatchMax = opts.sweepBatchMax ?? MEMORY_SWEEP_BATCH_MAX_DEFAULT;
    this.timer = setInterval(() => this.sweep(), opts.sweepIntervalMs ?? MEMORY_SWEEP_INTERVAL_MS_DEFAULT);
    this.timer.unref();
  }

  /** Entries held, including expired ones not yet swept. */
  get size(): number {
    return this.entries.size;
  }

  /** Removes expired entries among the next `batchMax` examined; returns how many it removed. */
  sweep(batchMax: number = this.sweepBatchMax): number {
    const now = this.clock.now();
    let removed = 0;
    for (let examined = 0; examined < batchMax; examined++) {
      this.sweepCursor ??= this.entries.entries();
      const next = this.sweepCursor.next();
      if (next.done) {
        this.sweepCursor = null;
        break;
      }
      const [key, entry] = next.value;
      if (entry.expiresAtMs <= now) {
        this.entries.delete(key);
        removed++;
      }
    }
    return removed;
  }

  async get(key: string): Promise<string | null> {
    this.assertOpen();
    assertKey(key);
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.assertWrite(key, value, ttlMs);
    this.entries.set(key, { value, expiresAtMs: this.clock.now() + ttlMs });
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    this.assertWrite(key, value, ttlMs);
    if (this.live(key)) return false;
    this.entries.set(key, { value, expiresAtMs: this.clock.now() + ttlMs });
    return true;
  }

  async del(key: string): Promise<void> {
    this.assertOpen();
    assertKey(key);
    this.entries.delete(key);
  }

  async deleteIfEquals(key: string, expected: string): Promise<boolean> {
    this.assertOpen();
    assertKey(key);
    if (this.live(key)?.value !== expected) return false;
    this.entries.delete(key);
    return true;
  }

  async expireIfEquals(key: string, expected: string, ttlMs: number): Promise<boolean> {
    this.assertOpen();
    assertKey(key);
    assertTtlMs(ttlMs);
    const entry = this.live(key);
    if (entry?.value !== expected) return false;
    entry.expiresAtMs = this.clock.now() + ttlMs;
    return true;
  }

  async incrementWindow(key: string, windowMs: number): Promise<WindowCount> {
    this.assertOpen();
    assertKey(key);
    assertTtlMs(windowMs);
    const now = this.clock.now();
    const entry = this.live(key);
    if (!entry) {
      this.entries.set(key, { value: '1', expiresAtMs: now + windowMs });
      return { count: 1, resetAtMs: now + windowMs };
    }
    // Same refusal as Redis INCR on a value that is not an integer.
    if (!/^-?\d{1,15}$/.test(entry.value)) throw new TypeError(`value of ${key} is not an integer`);
    const count = Number(entry.value) + 1;
    entry.value = String(count);
    return { count, resetAtMs: entry.expiresAtMs };
  }

  async consumeRate(name: string, key: string, limit: RateLimit): Promise<RateDecision> {
    assertRateLimit(name, limit);
    const { count, resetAtMs } = await this.incrementWindow(rateKey(name, key), limit.durationS * 1000);
    if (count <= limit.points) return { allowed: true, remaining: limit.points - count, retryAfterMs: 0 };
    return { allowed: false, remaining: 0, retryAfterMs: resetAtMs - this.clock.now() };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.entries.clear();
    this.sweepCursor = null;
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAtMs <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private assertWrite(key: string, value: string, ttlMs: number): void {
    this.assertOpen();
    assertKey(key);
    assertValue(value);
    assertTtlMs(ttlMs);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('ephemeral store is closed');
  }
}
