/**
 * The chaos run's processes: the mocks in one child, the server as 1–2 children on the real PostgreSQL and Redis
 * (own schema `chaos_<seed>`, own key prefix `chaos:<seed>:`, application_name `chaos-<seed>-<i>` so their
 * connections can be terminated), SIGKILL and restart of an instance. Logs go to files under the run's folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';

const ROOT = resolve(__dirname, '..', '..');
const READY_TIMEOUT_MS = 60_000;
/**
 * How many requests each mock's journal keeps in a chaos run: enough for every create of a few thousand journeys
 * to be checked against the journals (bodies are cut at 4,000 characters, so this bounds the mocks' memory).
 */
export const CHAOS_JOURNAL_MAX = 400_000;

export interface MockUrls {
  insuranceUrl: string;
  hisUrl: string;
  wechatUrl: string;
  /** the chaos control listener of the mocks' process (POST /reopen) */
  controlUrl: string;
}

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => done(port));
    });
  });
}

function spawnTs(
  file: string,
  env: Record<string, string>,
  logFile: string,
  stdoutToo = false,
  nodeArgs: readonly string[] = [],
): ChildProcess {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(ROOT, file)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.pipe(log);
  if (stdoutToo) child.stdout?.pipe(log);
  return child;
}

export async function startMocks(
  runDir: string,
  keyDir: string,
): Promise<{ urls: MockUrls; pid: number; stop(): Promise<void> }> {
  // the checker, in this process, reads the same capacity (scripts/chaos/checkJournal.ts)
  process.env.MOCK_JOURNAL_MAX = String(CHAOS_JOURNAL_MAX);
  const child = spawnTs(
    'scripts/chaos/mocksProcess.ts',
    { CHAOS_KEY_DIR: keyDir, MOCK_JOURNAL_MAX: String(CHAOS_JOURNAL_MAX) },
    join(runDir, 'mocks.log'),
  );
  const urls = await new Promise<MockUrls>((done, fail) => {
    const timer = setTimeout(() => fail(new Error('the mocks did not start')), READY_TIMEOUT_MS);
    child.once('exit', (code) => fail(new Error(`the mocks exited (${code}); see ${runDir}/mocks.log`)));
    if (!child.stdout) return fail(new Error('no stdout'));
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      done(JSON.parse(line) as MockUrls);
    });
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  return { urls, pid: child.pid ?? 0, stop };
}

export interface InstanceConfig {
  index: number;
  port: number;
  opsPort: number;
  env: Record<string, string>;
  /** the entry file (default: the real server, scripts/chaos/serverProcess.ts) */
  entry?: string;
  /** options for node itself, e.g. `--cpu-prof` */
  nodeArgs?: readonly string[];
}

/** How long the supervisor waits before starting an instance that exited on its own again. */
const RESTART_AFTER_MS = 1000;

/**
 * One server instance: started, killed (SIGKILL) and started again on the same ports. Supervised (`supervise()`)
 * it is also restarted when it exits on its own — as systemd or Kubernetes would — and each such exit is kept
 * in `crashes`: a process that dies by itself is a finding of the run, not a planned kill.
 */
export class Instance {
  private child: ChildProcess | undefined;
  private starting: Promise<void> | undefined;
  private supervised = false;
  alive = false;
  starts = 0;
  readonly crashes: { at: number; code: number | null; signal: string | null }[] = [];

  constructor(
    readonly config: InstanceConfig,
    private readonly runDir: string,
  ) {}

  /** the running process's id (0 when not running) */
  get pid(): number {
    return this.alive ? (this.child?.pid ?? 0) : 0;
  }

  get url(): string {
    return `http://127.0.0.1:${this.config.port}`;
  }

  /** From now on an exit nobody asked for is recorded and followed by a restart. */
  supervise(): void {
    this.supervised = true;
  }

  /** Starts the process and waits until it answers /healthz; a start already under way is joined, not doubled. */
  start(): Promise<void> {
    this.starting ??= this.startOnce().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async startOnce(): Promise<void> {
    const env = { ...this.config.env, PORT: String(this.config.port), OPS_PORT: String(this.config.opsPort) };
    const child = spawnTs(
      this.config.entry ?? 'scripts/chaos/serverProcess.ts',
      env,
      join(this.runDir, `server-${this.config.index}.log`),
      true,
      this.config.nodeArgs,
    );
    this.child = child;
    this.starts++;
    let exited = false;
    child.once('exit', (code, signal) => {
      exited = true;
      if (this.child !== child) return;
      const wasUp = this.alive;
      this.alive = false;
      // killed or stopped by us: `child` is no longer this.child's process of record (see kill/stop)
      if (this.supervised && wasUp) {
        this.crashes.push({ at: Date.now(), code, signal });
        void this.restartUntilUp();
      }
    });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline && !exited) {
      const ok = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1000) })
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) {
        this.alive = true;
        return;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    if (!exited) child.kill('SIGKILL');
    throw new Error(
      `instance ${this.config.index} did not start; see ${this.runDir}/server-${this.config.index}.log`,
    );
  }

  /** The supervisor: starts again, and again after a failed start (a database cut during migrations, say). */
  async restartUntilUp(): Promise<void> {
    while (this.supervised && !this.alive) {
      await new Promise((r) => setTimeout(r, RESTART_AFTER_MS));
      if (!this.supervised || this.alive) return;
      await this.start().catch(() => undefined);
    }
  }

  /** SIGKILL: no goodbye, as when the machine dies. */
  kill(): void {
    this.alive = false;
    const child = this.child;
    this.child = undefined;
    child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    this.supervised = false;
    const child = this.child;
    this.child = undefined;
    this.alive = false;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

export function applicationName(seed: number, index: number): string {
  return `chaos-${seed}-${index}`;
}

/** pg_terminate_backend of every connection the instance holds; how many were terminated. */
export async function terminateConnections(databaseUrl: string, name: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = $1 AND pid <> pg_backend_pid()) t`,
      [name],
    );
    return result.rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
