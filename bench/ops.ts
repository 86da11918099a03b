/**
 * `npm run bench:ops [-- --readyz 3000 --readyz-concurrency 150 --metrics 1000 --metrics-concurrency 100]`: a
 * burst of `/readyz` and one of `/metrics` against a full stack on the real PostgreSQL and Redis (started as
 * bench/flows.ts starts it), on the operations listener. The load comes from a child process (the server keeps
 * its event loop to itself): `concurrency` keep-alive connections, opened before the clock starts, each with one
 * request in flight at any time. Prints the status counts and p50/p95/p99 per burst. Asserts nothing.
 */
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { startStack } from '../tests/helpers/stack';

const CLIENT_FLAG = '--client';

interface BurstResult {
  path: string;
  total: number;
  concurrency: number;
  statuses: [number, number][];
  latenciesMs: number[];
  seconds: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, idx)];
}

/** One GET; resolves with its status (0 = the connection failed) once the whole body has arrived. */
function get(url: URL, agent: Agent): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { agent, method: 'GET' }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

async function burst(base: string, path: string, total: number, concurrency: number): Promise<BurstResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(`${base}${path}`);
  // the connections first, one request each, not counted: a scraper or a load balancer keeps its connections
  // open, and a burst of fresh connects measures the kernel's SYN queue (1 s retransmits), not the server
  await Promise.all(Array.from({ length: concurrency }, () => get(target, agent)));
  const statuses = new Map<number, number>();
  const latenciesMs: number[] = [];
  let sent = 0;
  const started = performance.now();
  const worker = async () => {
    while (sent < total) {
      sent++;
      const t0 = performance.now();
      const status = await get(target, agent);
      latenciesMs.push(performance.now() - t0);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return {
    path,
    total,
    concurrency,
    statuses: [...statuses.entries()],
    latenciesMs: latenciesMs.sort((a, b) => a - b),
    seconds,
  };
}

/** The child: `--client <base> <path> <total> <concurrency> …`, one result message per burst, in order. */
async function client(args: string[]): Promise<void> {
  const [base, ...runs] = args;
  // warm-up: JIT on both sides, the first probe round
  for (const path of ['/readyz', '/metrics']) await burst(base, path, 50, 10);
  for (let i = 0; i + 2 < runs.length; i += 3)
    process.send?.(await burst(base, runs[i], Number(runs[i + 1]), Number(runs[i + 2])));
}

function report(b: BurstResult): void {
  const statuses = [...b.statuses]
    .sort(([a], [c]) => a - c)
    .map(([status, n]) => `${status === 0 ? 'error' : status} × ${n}`)
    .join(', ');
  const ms = (p: number) => percentile(b.latenciesMs, p).toFixed(1).padStart(7);
  console.log(
    `${b.path.padEnd(9)} ${String(b.total).padStart(5)} at ${String(b.concurrency).padStart(3)}  ${(b.total / b.seconds).toFixed(0).padStart(6)} req/s  p50 ${ms(50)} ms  p95 ${ms(95)} ms  p99 ${ms(99)} ms  ${statuses}`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      readyz: { type: 'string', default: '3000' },
      'readyz-concurrency': { type: 'string', default: '150' },
      metrics: { type: 'string', default: '1000' },
      'metrics-concurrency': { type: 'string', default: '100' },
    },
  });
  process.env.TEST_REDIS_AVAILABLE ??= '1';
  process.env.TEST_DATABASE_URL ??= process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const stack = await startStack({ env: { OUTSIDE_CALL_TIMEOUT_MS: '10000' } });
  const base = stack.opsUrl;
  console.log(`\nbench:ops against ${base} (PostgreSQL + Redis, the three mocks in-process; 2-core machine)`);
  const runs = [
    ['/readyz', values.readyz, values['readyz-concurrency']],
    ['/metrics', values.metrics, values['metrics-concurrency']],
  ].flat();
  const child = fork(__filename, [CLIENT_FLAG, base, ...runs]);
  child.on('message', (result) => report(result as BurstResult));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  await stack.stop();
  if (code !== 0) throw new Error(`the load client exited with ${code}`);
}

const clientAt = process.argv.indexOf(CLIENT_FLAG);
(clientAt >= 0 ? client(process.argv.slice(clientAt + 1)) : main()).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
