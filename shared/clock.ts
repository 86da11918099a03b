/** Time is injected everywhere (server, jobs, mocks) so tests advance it instead of sleeping. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that stands still until told to move; for tests and for the mocks' controllable clock. */
export class ManualClock implements Clock {
  private offsetMs = 0;
  private frozenAtMs: number | null;

  constructor(
    startMs?: number,
    private readonly base: Clock = systemClock,
  ) {
    this.frozenAtMs = startMs ?? null;
  }

  now(): number {
    return this.frozenAtMs ?? this.base.now() + this.offsetMs;
  }

  /** Moves time forward by ms (frozen or running). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot advance the clock by ${ms} ms`);
    if (this.frozenAtMs !== null) this.frozenAtMs += ms;
    else this.offsetMs += ms;
  }

  /** Stops time at the current instant (or at atMs). */
  freeze(atMs: number = this.now()): void {
    this.frozenAtMs = atMs;
  }

  /** Lets time run again from where it stands. */
  unfreeze(): void {
    if (this.frozenAtMs === null) return;
    this.offsetMs = this.frozenAtMs - this.base.now();
    this.frozenAtMs = null;
  }

  set(atMs: number): void {
    if (this.frozenAtMs !== null) this.frozenAtMs = atMs;
    else this.offsetMs = atMs - this.base.now();
  }

  get frozen(): boolean {
    return this.frozenAtMs !== null;
  }
}

/** RFC 3339 in China Standard Time, as WeChat Pay writes times: 2026-11-23T19:15:32+08:00. */
export function rfc3339Cst(ms: number): string {
  const shifted = new Date(ms + 8 * 3600_000).toISOString();
  return `${shifted.slice(0, 19)}+08:00`;
}

/** yyyy-MM-dd of the instant in China Standard Time (business day of the hospital). */
export function cstDate(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
}

/** yyyyMMddHHmmss in China Standard Time (insurance platform timestamps). */
export function cstCompact(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace(/[-T:]/g, '');
}

/** yyyy-MM-dd HH:mm:ss in China Standard Time. */
export function cstDateTime(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}
