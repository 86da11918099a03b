/**
 * The reconciliation engine alone in its own process, so its memory is measured apart from the mocks that
 * generate the day: `bench/reconcile.ts` starts it with a JSON job on argv and reads one JSON line back.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { ManualClock } from '../shared/clock';
import type { ServerKeys } from '../shared/keys';
import { loadSettings } from '../config/settings';
import { openDatabase } from '../server/db/dataSource';
import { InMemoryEphemeralStore } from '../server/ephemeral/memory';
import { buildServer } from '../server/main';
import { createPiiVault } from '../server/security/vault';
import { reconcileDay } from '../server/services/reconciliation/runs';

export interface WorkerJob {
  dbUrl: string;
  schema: string;
  keysFile: string;
  nowMs: number;
  date: string;
  batchSize: number;
  urls: { insurance: string; his: string; wechat: string };
}

export interface WorkerResult {
  ms: number;
  /** the engine process's CPU time (user + system) during the run: less at the mercy of a busy machine than `ms` */
  cpuMs: number;
  heapBaselineMb: number;
  heapPeakMb: number;
  rssPeakMb: number;
  summary: Record<string, number>;
}

const SAMPLE_MS = 10;
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as WorkerJob;
  const keys = JSON.parse(readFileSync(job.keysFile, 'utf8')) as ServerKeys;
  const clock = new ManualClock();
  clock.set(job.nowMs);
  const settings = loadSettings({
    NODE_ENV: 'production',
    // production refuses a callback URL WeChat could not reach; the bench receives no callbacks
    PUBLIC_BASE_URL: 'https://hospital.example.cn',
    LOG_LEVEL: 'silent',
    JOBS_ENABLED: 'false',
    OUTSIDE_CALL_TIMEOUT_MS: '120000',
    RECON_BATCH_SIZE: String(job.batchSize),
  });
  const db = await openDatabase(job.dbUrl, job.schema);
  const store = new InMemoryEphemeralStore(clock);
  const server = buildServer({
    settings,
    keys,
    db,
    store,
    pii: createPiiVault(randomBytes(32).toString('base64'), randomBytes(32).toString('base64')),
    logger: pino({ level: 'silent' }),
    clock,
    publicBaseUrl: 'http://127.0.0.1:9',
    insuranceBaseUrl: job.urls.insurance,
    hisBaseUrl: job.urls.his,
    wechatPayBaseUrl: job.urls.wechat,
  });
  global.gc?.();
  const heapBaseline = process.memoryUsage().heapUsed;
  let heapPeak = heapBaseline;
  const sampler = setInterval(() => {
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  }, SAMPLE_MS);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const run = await reconcileDay(server.deps, job.date, { username: 'bench', role: 'supervisor' });
  const ms = Math.round(performance.now() - started);
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  const result: WorkerResult = {
    ms,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    heapBaselineMb: mb(heapBaseline),
    heapPeakMb: mb(heapPeak),
    rssPeakMb: mb(process.resourceUsage().maxRSS * 1024),
    summary: run.summary,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await store.close();
  await db.destroy();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
