/**
 * `npm run bench [-- --patients 200 --concurrency 20]`: N simulated patients through the whole flow (login → bind
 * → authorize → bills → checkout → pay → confirm at the mock → callback → COMPLETED) against a full stack on the
 * real PostgreSQL and Redis (DATABASE_URL / REDIS_URL, else localhost), with background jobs running as in
 * production. Prints completed flows/s and p50/p95/p99 per call and for the whole flow. Asserts nothing.
 */
import { parseArgs } from 'node:util';
import { startStack } from '../tests/helpers/stack';
import { runJourney, type StepName } from '../scripts/journey';
import { readTrialBalance } from '../server/db/ledger';

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, idx)];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      patients: { type: 'string', default: '200' },
      concurrency: { type: 'string', default: '20' },
      'cash-only': { type: 'boolean', default: false },
    },
  });
  const patients = Number(values.patients);
  const concurrency = Number(values.concurrency);
  process.env.TEST_REDIS_AVAILABLE ??= '1';
  process.env.TEST_DATABASE_URL ??= process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const stack = await startStack({
    env: {
      JOBS_ENABLED: 'true',
      JOBS_INTERVAL_MS: '200',
      RATE_LIMIT_PER_MINUTE: '1000000',
      OUTSIDE_CALL_TIMEOUT_MS: '10000',
    },
  });
  stack.server.startJobs();
  const endpoints = {
    api: stack.url,
    wechat: stack.wechat.url,
    his: stack.his.url,
    insurance: stack.insurance.url,
  };
  const timings = new Map<StepName | 'flow', number[]>();
  const record = (k: StepName | 'flow', ms: number) => {
    const list = timings.get(k) ?? [];
    list.push(ms);
    timings.set(k, list);
  };

  // warm-up (JIT, pools, TLS-free keep-alive)
  await runJourney(endpoints, { insured: true });

  let next = 0;
  let completed = 0;
  let failed = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < patients) {
      next++;
      try {
        const r = await runJourney(endpoints, {
          insured: !values['cash-only'],
          balanceFen: 20000,
          onStep: record,
        });
        if (r.status === 'COMPLETED') {
          completed++;
          record('flow', r.totalMs);
        } else failed++;
      } catch (err) {
        failed++;
        if (failed <= 3) console.error(err instanceof Error ? err.message : err);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const balance = await readTrialBalance(stack.db.db);
  await stack.stop();

  console.log(
    `\nbench: ${patients} patients, concurrency ${concurrency}, ${values['cash-only'] ? 'cash-only' : 'mixed insurance + cash'}; PostgreSQL + Redis; 2-core machine`,
  );
  console.log(
    `completed ${completed}, failed ${failed}, ${seconds.toFixed(1)} s → ${(completed / seconds).toFixed(1)} completed flows/s; ledger trial balance ${balance.net}`,
  );
  console.log(
    `\n${'step'.padEnd(10)} ${'n'.padStart(5)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`,
  );
  for (const [k, list] of timings) {
    const sorted = [...list].sort((a, b) => a - b);
    console.log(
      `${k.padEnd(10)} ${String(sorted.length).padStart(5)} ${percentile(sorted, 50).toFixed(1).padStart(8)} ${percentile(sorted, 95).toFixed(1).padStart(8)} ${percentile(sorted, 99).toFixed(1).padStart(8)}`,
    );
  }
  if (failed > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
