/**
 * Readiness (DESIGN 12) from a cache: the parties a request needs (PostgreSQL, the ephemeral store, insurance,
 * HIS, WeChat Pay) are probed in the background, one round every `intervalMs`, never two rounds at once, each
 * probe bounded by `timeoutMs`. `/readyz` answers from the last finished round, so a burst of `/readyz` costs no
 * outside call and a slow party cannot slow `/readyz` down. Not ready: before the first round has finished, when
 * a probe of the last round failed, and when the last round is older than `staleAfterMs` (the refresher is stuck).
 * Time and the interval timer are injectable, so a test drives rounds without waiting.
 */

export interface ReadinessProbe {
  name: string;
  check(): Promise<void>;
}

export interface ReadinessTimers {
  /** monotonic milliseconds (never the business clock: tests move that by days) */
  now(): number;
  /** calls `fn` every `ms` until the returned function is called */
  every(ms: number, fn: () => void): () => void;
}

export interface ReadinessOptions {
  intervalMs: number;
  timeoutMs: number;
  /** default 3 × intervalMs */
  staleAfterMs?: number;
  timers?: ReadinessTimers;
  /** after each round, e.g. to set a gauge per check */
  onRound?: (checks: Record<string, boolean>) => void;
}

export interface ReadinessView {
  status: 'ready' | 'not ready';
  /** per probe: 'ok' or why it failed; empty before the first round */
  checks: Record<string, string>;
  /** how long ago the last round finished (ms), null before the first */
  ageMs: number | null;
  /** the last round is older than staleAfterMs */
  stale: boolean;
}

const systemTimers: ReadinessTimers = {
  now: () => performance.now(),
  every: (ms, fn) => {
    const timer = setInterval(fn, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

class ProbeTimeout extends Error {}

/** `check()` or a rejection after `timeoutMs`, whichever first; the timer never keeps the process alive. */
async function bounded(probe: ReadinessProbe, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout(`no answer within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  try {
    await Promise.race([probe.check(), expired]);
  } finally {
    clearTimeout(timer);
  }
}

interface Round {
  checks: Record<string, string>;
  ready: boolean;
  finishedAt: number;
}

export class ReadinessCache {
  private readonly timers: ReadinessTimers;
  private readonly staleAfterMs: number;
  private last: Round | undefined;
  private running: Promise<void> | undefined;
  private cancel: (() => void) | undefined;

  constructor(
    private readonly probes: readonly ReadinessProbe[],
    private readonly options: ReadinessOptions,
  ) {
    this.timers = options.timers ?? systemTimers;
    this.staleAfterMs = options.staleAfterMs ?? 3 * options.intervalMs;
  }

  /** A first round now, then one every intervalMs. Starting twice changes nothing. */
  start(): void {
    if (this.cancel) return;
    this.cancel = this.timers.every(this.options.intervalMs, () => void this.refresh());
    void this.refresh();
  }

  /** No more rounds; waits for the one in flight. */
  async stop(): Promise<void> {
    this.cancel?.();
    this.cancel = undefined;
    await this.running;
  }

  /** One round of every probe; a call while one runs joins it rather than starting another. */
  refresh(): Promise<void> {
    this.running ??= this.round().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  view(): ReadinessView {
    const last = this.last;
    if (!last) return { status: 'not ready', checks: {}, ageMs: null, stale: false };
    const ageMs = Math.max(0, Math.round(this.timers.now() - last.finishedAt));
    const stale = ageMs > this.staleAfterMs;
    return { status: last.ready && !stale ? 'ready' : 'not ready', checks: last.checks, ageMs, stale };
  }

  private async round(): Promise<void> {
    const outcomes = await Promise.all(
      this.probes.map(async (probe) => {
        try {
          await bounded(probe, this.options.timeoutMs);
          return [probe.name, 'ok'] as const;
        } catch (err) {
          return [probe.name, (err instanceof Error && err.message) || String(err)] as const;
        }
      }),
    );
    const checks = Object.fromEntries(outcomes);
    this.last = {
      checks,
      ready: outcomes.every(([, outcome]) => outcome === 'ok'),
      finishedAt: this.timers.now(),
    };
    this.options.onRound?.(Object.fromEntries(outcomes.map(([name, outcome]) => [name, outcome === 'ok'])));
  }
}
