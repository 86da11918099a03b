/**
 * The chaos run's trouble, on the plan's timeline: fault windows at the mocks (added, then removed with their
 * hits counted), WeChat's callback switches, replays of earlier callbacks (so duplicated and out of order),
 * SIGKILL and restart of instances, pg_terminate_backend of an instance's connections. `stop()` ends it all:
 * pending events are dropped, faults and switches cleared.
 */
import { prng, type ChaosPlan, type FaultWindow, type InstanceEvent, type MockName } from './plan';
import { terminateConnections, type Instance } from './processes';

export interface TroubleStats {
  /** fault windows opened, and the requests they hit, by kind ("hisOutage" for the HIS down altogether) */
  faultWindows: Record<string, number>;
  faultHits: Record<string, number>;
  callbackWindows: Record<string, number>;
  replays: number;
  kills: number;
  restarts: number;
  pgTerminations: number;
  pgConnectionsTerminated: number;
  errors: string[];
}

export interface TroubleOptions {
  plan: ChaosPlan;
  mockUrls: Record<MockName, string>;
  instances: Instance[];
  databaseUrl: string;
  applicationName: (index: number) => string;
}

const bump = (r: Record<string, number>, k: string, n = 1) => (r[k] = (r[k] ?? 0) + n);

async function admin<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/__admin${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${base}/__admin${path}: ${res.status} ${text.slice(0, 200)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A timeout hangs a little longer than the server waits for an answer, so it is felt as one. */
const TIMEOUT_HANG_MS = 3000;

export class Trouble {
  readonly stats: TroubleStats = {
    faultWindows: {},
    faultHits: {},
    callbackWindows: {},
    replays: 0,
    kills: 0,
    restarts: 0,
    pgTerminations: 0,
    pgConnectionsTerminated: 0,
    errors: [],
  };
  private timers: NodeJS.Timeout[] = [];
  private pending = new Set<Promise<unknown>>();
  private stopped = false;
  private readonly random: () => number;

  constructor(private readonly o: TroubleOptions) {
    this.random = prng(o.plan.seed ^ 0x2545f491);
  }

  start(): void {
    const { plan } = this.o;
    for (const f of plan.faults) this.at(f.atMs, () => this.faultWindow(f));
    for (const c of plan.callbacks)
      this.at(c.atMs, async () => {
        bump(this.stats.callbackWindows, c.switch);
        await this.callbacks({ [c.switch]: true });
        await this.sleepUnlessStopped(c.durationMs);
        await this.callbacks({ [c.switch]: false });
      });
    for (const r of plan.replays) this.at(r, () => this.replay());
    for (const e of plan.instanceEvents) this.at(e.atMs, () => this.instanceEvent(e));
  }

  private at(ms: number, fn: () => Promise<void>): void {
    this.timers.push(
      setTimeout(() => {
        if (this.stopped) return;
        const p = fn().catch((err: unknown) => {
          if (this.stats.errors.length < 20)
            this.stats.errors.push(err instanceof Error ? err.message : String(err));
        });
        this.pending.add(p);
        void p.finally(() => this.pending.delete(p));
      }, ms),
    );
  }

  private sleepUnlessStopped(ms: number): Promise<void> {
    return new Promise((r) => {
      const t = setTimeout(r, ms);
      this.timers.push(t);
      // stop() resolves the sleepers early so windows close promptly
      this.wake.push(() => {
        clearTimeout(t);
        r();
      });
    });
  }
  private wake: (() => void)[] = [];

  private async faultWindow(f: FaultWindow): Promise<void> {
    const base = this.o.mockUrls[f.mock];
    const label = f.outage ? 'hisOutage' : f.kind;
    const spec = {
      path: f.path,
      kind: f.kind,
      rate: f.rate,
      seed: f.seed,
      ...(f.kind === 'timeout' ? { latencyMs: TIMEOUT_HANG_MS } : {}),
      ...(f.kind === 'latency' ? { latency: { uniform: { minMs: 200, maxMs: 1500 } } } : {}),
    };
    const fault = await admin<{ id: number }>(base, 'POST', '/faults', spec);
    bump(this.stats.faultWindows, label);
    await this.sleepUnlessStopped(f.durationMs);
    const all = await admin<{ id: number; hits: number }[]>(base, 'GET', '/faults');
    bump(this.stats.faultHits, label, all.find((x) => x.id === fault.id)?.hits ?? 0);
    await admin(base, 'DELETE', `/faults/${fault.id}`).catch(() => undefined);
  }

  private callbacks(switches: Record<string, boolean>): Promise<unknown> {
    return admin(this.o.mockUrls.wechatpay, 'POST', '/callbacks', switches);
  }

  /** A few earlier callbacks again, picked at random among the last 50: replays, and out of order. */
  private async replay(): Promise<void> {
    const list = await admin<{ id: string }[]>(this.o.mockUrls.wechatpay, 'GET', '/notifications');
    const recent = list.slice(0, 50);
    for (let i = 0; i < Math.min(3, recent.length); i++) {
      const n = recent[Math.floor(this.random() * recent.length)];
      await admin(this.o.mockUrls.wechatpay, 'POST', `/notifications/${n.id}/replay`);
      this.stats.replays++;
    }
  }

  private async instanceEvent(e: InstanceEvent): Promise<void> {
    const instance = this.o.instances[e.instance];
    if (e.action === 'terminate') {
      this.stats.pgTerminations++;
      this.stats.pgConnectionsTerminated += await terminateConnections(
        this.o.databaseUrl,
        this.o.applicationName(e.instance),
      );
      return;
    }
    if (!instance.alive) return;
    instance.kill();
    this.stats.kills++;
    await new Promise((r) => setTimeout(r, e.downMs));
    // a start that fails (its database connections cut during the migrations, say) is tried again
    await instance.start().catch(() => instance.restartUntilUp());
    this.stats.restarts++;
  }

  /** No more trouble: pending events dropped, open windows closed, every fault and switch cleared. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    for (const w of this.wake) w();
    await Promise.allSettled([...this.pending]);
    for (const base of Object.values(this.o.mockUrls)) await admin(base, 'DELETE', '/faults');
    await this.callbacks({ suppress: false, duplicate: false, badSignature: false });
  }
}
