/**
 * `npm run bench -- --flows 300 --concurrency 20 [--instances 1|2] [--mix mixed|cash|insurance] [--floor]
 * [--profile]`: the whole patient flow as production runs it. The mocks in one process, the server as 1–2
 * processes (scripts/chaos/processes.ts) on the real PostgreSQL and Redis (schema `bench_flows`, key prefix
 * `bench:flows:`), this process the patients (scripts/journey.ts, polling the order as the result page does).
 * Prints flows/s, p50/p95/p99 per patient call and for the flow, the server's CPU ms per flow (its processes' own
 * accounting), SQL statements and Redis commands per flow, and the mocks' CPU apart. `--floor` runs the same
 * flows against the floor (bench/floor/: the same hops, signatures, statements and Redis commands, no logic) in
 * the same run and prints ours/floor. `--profile` writes each server's V8 CPU profile (.data/bench/profiles/).
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrCreateKeys } from '../shared/crypto/keyring';
import { resultPollDelayMs } from '../miniprogram/services/poll';
import { runJourney, type Endpoints } from '../scripts/journey';
import { ensureDir, freePort, Instance, startMocks, type MockUrls } from '../scripts/chaos/processes';
import { resetRedis, resetSchema } from '../scripts/chaos/reset';
import { percentile } from './load/openLoop';
import { benchSettings } from './flow/settings';
import { difference, snapshot, type Snapshot } from './flow/counters';
import { progress } from './flow/progress';
import { untilQuiet } from './flow/quiet';
import { FLOOR_ENTRY, floorEnv } from './floor';

type Mix = 'mixed' | 'cash' | 'insurance';

interface Options {
  flows: number;
  concurrency: number;
  instances: number;
  mix: Mix;
  warmup: number;
  profileDir?: string;
}

interface Measured {
  label: string;
  flows: number;
  failed: number;
  seconds: number;
  counts: Snapshot;
  calls: Map<string, number[]>;
  quiet: boolean;
  firstError?: string;
  /** a floor counts no statements itself: the number it was handed */
  statementsPerFlow?: number;
}

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = resolve(__dirname, '..');

/** each journey's insurance card and balance by mix: mixed = fund + account + cash, insurance = no cash */
function journeyOptions(mix: Mix): { insured: boolean; balanceFen?: number } {
  if (mix === 'cash') return { insured: false };
  return { insured: true, balanceFen: mix === 'insurance' ? 10_000_000 : 20_000 };
}

async function drive(
  endpoints: Endpoints[],
  o: Options,
  count: number,
  record?: { calls: Map<string, number[]>; tick(done: number): void },
): Promise<{ failed: number; firstError?: string }> {
  let next = 0;
  let done = 0;
  let failed = 0;
  let firstError: string | undefined;
  const worker = async () => {
    while (next < count) {
      const n = next++;
      const t0 = performance.now();
      try {
        const result = await runJourney(endpoints[n % endpoints.length], {
          ...journeyOptions(o.mix),
          pollDelayMs: resultPollDelayMs,
          completeTimeoutMs: 60_000,
          onCall: (call, ms) => {
            if (!record) return;
            const list = record.calls.get(call) ?? [];
            list.push(ms);
            record.calls.set(call, list);
          },
        });
        if (result.status !== 'COMPLETED') throw new Error(`order ${result.orderNo} ended ${result.status}`);
        if (record) {
          const list = record.calls.get('flow') ?? [];
          list.push(performance.now() - t0);
          record.calls.set('flow', list);
        }
      } catch (err) {
        failed++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
      record?.tick(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, count) }, worker));
  return { failed, firstError };
}

async function measure(
  label: string,
  entry: string | undefined,
  mocks: { urls: MockUrls; pid: number },
  keyDir: string,
  o: Options,
  extraEnv: Record<string, string> = {},
): Promise<Measured> {
  const schema = label === 'floor' ? 'bench_floor' : 'bench_flows';
  const prefix = `bench:${label}:`;
  const runDir = ensureDir(resolve(ROOT, '.data', 'bench', label));
  await resetSchema(DATABASE_URL, schema);
  await resetRedis(REDIS_URL, prefix);
  const pii = {
    PII_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    PII_HASH_KEY: randomBytes(32).toString('base64'),
  };
  const instances: Instance[] = [];
  for (let index = 0; index < o.instances; index++) {
    const port = await freePort();
    const env = benchSettings({
      databaseUrl: DATABASE_URL,
      schema,
      redisUrl: REDIS_URL,
      prefix,
      keyDir,
      // each instance is its own public URL: WeChat's callbacks come back to the instance that made the order
      publicBaseUrl: `http://127.0.0.1:${port}`,
      mocks: mocks.urls,
      pii,
    });
    const nodeArgs = o.profileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${ensureDir(join(o.profileDir, label))}`]
      : [];
    instances.push(
      new Instance(
        { index, port, opsPort: await freePort(), env: { ...env, ...extraEnv }, entry, nodeArgs },
        runDir,
      ),
    );
  }
  try {
    await Promise.all(instances.map((i) => i.start()));
    const endpoints = instances.map((i) => ({
      api: i.url,
      his: mocks.urls.hisUrl,
      wechat: mocks.urls.wechatUrl,
      insurance: mocks.urls.insuranceUrl,
    }));
    // warm-up: JIT, pools, prepared keys; not counted
    const warm = await drive(endpoints, o, o.warmup);
    if (warm.failed === o.warmup && o.warmup > 0)
      throw new Error(`${label}: every warm-up flow failed: ${warm.firstError}`);
    await untilQuiet(DATABASE_URL, schema, 30_000);
    const counted = {
      serverPids: instances.map((i) => i.pid),
      mocksPid: mocks.pid,
      opsUrls: entry ? [] : instances.map((i) => `http://127.0.0.1:${i.config.opsPort}`),
      redisUrl: REDIS_URL,
    };
    const before = await snapshot(counted);
    const calls = new Map<string, number[]>();
    const bar = progress(label, o.flows);
    const started = performance.now();
    const { failed, firstError } = await drive(endpoints, o, o.flows, { calls, tick: bar.tick });
    const seconds = (performance.now() - started) / 1000;
    bar.end();
    // the work that follows the last flows (HIS confirmation, messages) belongs to them
    const quiet = await untilQuiet(DATABASE_URL, schema, 30_000);
    const counts = difference(await snapshot(counted), before);
    return { label, flows: o.flows - failed, failed, seconds, counts, calls, quiet, firstError };
  } finally {
    await Promise.all(instances.map((i) => i.stop()));
  }
}

const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');

function render(m: Measured, o: Options): string {
  const perFlow = (n: number) => n / Math.max(1, m.flows);
  const lines = [
    `${m.label}: ${m.flows} flows (${m.failed} failed${m.firstError ? `: ${m.firstError}` : ''}) in ` +
      `${fixed(m.seconds)} s = ${fixed(m.flows / m.seconds, 2)} flows/s at concurrency ${o.concurrency}, ` +
      `${o.instances} instance(s), mix ${o.mix}${m.quiet ? '' : ' (NOT quiet at the end)'}`,
    `  server CPU ${fixed(perFlow(m.counts.serverCpuMs))} ms/flow · SQL ` +
      `${m.statementsPerFlow === undefined ? fixed(perFlow(m.counts.statements)) : `${m.statementsPerFlow} (as handed over)`} ` +
      `statements/flow · Redis ${fixed(perFlow(m.counts.redisCommands))} commands/flow · mocks CPU ` +
      `${fixed(perFlow(m.counts.mocksCpuMs))} ms/flow`,
    `  ${'call'.padEnd(46)} ${'n'.padStart(6)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'p99'.padStart(7)}  (ms)`,
  ];
  const order = [...m.calls.keys()].filter((k) => k !== 'flow').concat(m.calls.has('flow') ? ['flow'] : []);
  for (const call of order) {
    const sorted = [...(m.calls.get(call) ?? [])].sort((a, b) => a - b);
    lines.push(
      `  ${call.padEnd(46)} ${String(sorted.length).padStart(6)} ${fixed(percentile(sorted, 50)).padStart(7)} ` +
        `${fixed(percentile(sorted, 95)).padStart(7)} ${fixed(percentile(sorted, 99)).padStart(7)}`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      flows: { type: 'string', default: '300' },
      concurrency: { type: 'string', default: '20' },
      instances: { type: 'string', default: '1' },
      mix: { type: 'string', default: 'mixed' },
      warmup: { type: 'string', default: '20' },
      floor: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
    },
  });
  const mix = values.mix as Mix;
  if (!['mixed', 'cash', 'insurance'].includes(mix)) throw new Error('--mix is mixed, cash or insurance');
  const instances = Number(values.instances);
  if (instances !== 1 && instances !== 2) throw new Error('--instances is 1 or 2');
  const o: Options = {
    flows: Number(values.flows),
    concurrency: Number(values.concurrency),
    instances,
    mix,
    warmup: Number(values.warmup),
    profileDir: values.profile ? ensureDir(resolve(ROOT, '.data', 'bench', 'profiles')) : undefined,
  };
  const keyDir = ensureDir(resolve(ROOT, '.data', 'chaos', 'keys'));
  loadOrCreateKeys(keyDir);
  const mocks = await startMocks(ensureDir(resolve(ROOT, '.data', 'bench')), keyDir);
  try {
    const ours = await measure('ours', undefined, mocks, keyDir, o);
    console.log(render(ours, o));
    if (values.floor) {
      const perFlow = (n: number) => Math.round(n / Math.max(1, ours.flows));
      const handed = {
        sqlPerFlow: perFlow(ours.counts.statements),
        redisPerFlow: perFlow(ours.counts.redisCommands),
      };
      const floor = await measure('floor', FLOOR_ENTRY, mocks, keyDir, o, floorEnv(handed));
      floor.statementsPerFlow = handed.sqlPerFlow;
      console.log(render(floor, o));
      const cpu = (m: Measured) => m.counts.serverCpuMs / Math.max(1, m.flows);
      console.log(
        `ours/floor: server CPU per flow ${fixed(cpu(ours))} / ${fixed(cpu(floor))} ms = ` +
          `${fixed(cpu(ours) / cpu(floor), 2)}×; flows/s ${fixed(ours.flows / ours.seconds, 2)} / ` +
          `${fixed(floor.flows / floor.seconds, 2)}`,
      );
    }
    if (o.profileDir) console.log(`CPU profiles in ${o.profileDir}`);
  } finally {
    await mocks.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
