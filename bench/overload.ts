/**
 * `npm run overload` (issue 14 item 4): the server alone in its own process (the mocks in another, this script
 * the patients), on the real PostgreSQL and Redis (own schema and key prefix).
 * 1. saturation: after a warm-up, an open-loop request mix (bench/load/patients.ts) at rates rising by about ×1.4,
 *    10 s each, until the server no longer keeps up (p99 ≥ 1 s, anything shed or timed out, or under 95 % of the
 *    offered rate admitted); saturation = the last rate it kept up with;
 * 2. overload: 2× that offered for 60 s — the server must shed (503/429 with Retry-After) rather than time out,
 *    and what it admits must keep p99 < 1 s;
 * 3. recovery: once the load stops, how long until requests are answered quickly again (≤ 10 s asked);
 * 4. nothing half-written: after the payment window every order is closed and the invariant checker
 *    (scripts/chaos/invariants.ts) finds nothing wrong with the parties.
 * `npm run soak -- --minutes 30`: half the saturation for that long; the server's heap troughs (after its GCs,
 * from /metrics) in the last minutes within 10 % of those after warm-up, and its open handles not growing.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrCreateKeys } from '../shared/crypto/keyring';
import { startMocks, Instance, freePort, ensureDir } from '../scripts/chaos/processes';
import { runSettings } from '../scripts/chaos/settings';
import { resetRedis, resetSchema } from '../scripts/chaos/reset';
import { checkInvariants } from '../scripts/chaos/invariants';
import { openLoop, summarize, type LoadStats } from './load/openLoop';
import { makePatient, mix, type LoadPatient } from './load/patients';
import { metricValue as metric } from './flow/counters';

const TIMEOUT_MS = 10_000;
const PAYMENT_WINDOW_MS = 30_000;

const line = (s: LoadStats) =>
  `offered ${s.offeredPerS}/s for ${s.seconds} s: admitted ${s.admittedPerS}/s (p50 ${s.p50Ms} ms, p95 ${s.p95Ms} ms, ` +
  `p99 ${s.p99Ms} ms), shed ${s.shed} (${s.shedWithoutRetryAfter} without Retry-After), failed ${s.failed}, ` +
  `timed out ${s.timeouts}`;

async function recoverySeconds(shot: () => Promise<{ status: number }>): Promise<number> {
  const stopped = performance.now();
  let good = 0;
  while (performance.now() - stopped < 60_000) {
    const t = performance.now();
    const { status } = await shot();
    good = status < 500 && status !== 429 && performance.now() - t < 200 ? good + 1 : 0;
    if (good >= 5) return Math.round((performance.now() - stopped) / 100) / 10;
    await new Promise((r) => setTimeout(r, 100));
  }
  return Infinity;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      soak: { type: 'boolean', default: false },
      minutes: { type: 'string', default: '30' },
      patients: { type: 'string', default: '60' },
      'step-s': { type: 'string', default: '10' },
      'overload-s': { type: 'string', default: '60' },
      saturation: { type: 'string' },
    },
  });
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const tag = values.soak ? 'soak' : 'overload';
  const schema = `bench_${tag}`;
  const prefix = `bench:${tag}:`;
  const dataDir = resolve(__dirname, '..', '.data', tag);
  const runDir = ensureDir(dataDir);
  const keyDir = ensureDir(join(resolve(__dirname, '..', '.data', 'chaos'), 'keys'));
  loadOrCreateKeys(keyDir);
  await resetSchema(databaseUrl, schema);
  await resetRedis(redisUrl, prefix);
  const mocks = await startMocks(runDir, keyDir);
  const port = await freePort();
  const env = runSettings({
    databaseUrl,
    schema,
    redisUrl,
    prefix,
    keyDir,
    paymentWindowMs: PAYMENT_WINDOW_MS,
    publicBaseUrl: `http://127.0.0.1:${port}`,
    mocks: mocks.urls,
    pii: {
      PII_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      PII_HASH_KEY: randomBytes(32).toString('base64'),
    },
  });
  const server = new Instance({ index: 0, port, opsPort: await freePort(), env }, runDir);
  const opsUrl = `http://127.0.0.1:${server.config.opsPort}`;
  const say = (s: string) => console.log(s);
  try {
    await server.start();
    const urls = { api: server.url, his: mocks.urls.hisUrl, wechat: mocks.urls.wechatUrl };
    const patients: LoadPatient[] = [];
    for (let i = 0; i < Number(values.patients); i++) patients.push(await makePatient(urls, i));
    say(`server ${server.url} (logs in ${runDir}); ${patients.length} patients bound`);
    const pick = mix(server.url, patients);
    const cheap = async () =>
      (
        await fetch(`${server.url}/api/v1/patients`, {
          headers: { authorization: `Bearer ${patients[0].token}` },
        })
      ).status;
    const stepS = Number(values['step-s']);

    // 1. saturation
    let saturation = values.saturation ? Number(values.saturation) : 0;
    if (!saturation) {
      // warm-up (JIT, pools), not counted; then steps of about ×1.4 until the server stops keeping up
      await openLoop(25, stepS, pick, TIMEOUT_MS);
      let best = 0;
      for (let rate = 25; rate <= 5000; rate = Math.round(rate * 1.4)) {
        const s = summarize(await openLoop(rate, stepS, pick, TIMEOUT_MS), rate, stepS);
        say(`  ramp  ${line(s)}`);
        const keptUp = s.p99Ms < 1000 && s.timeouts === 0 && s.shed === 0 && s.admittedPerS >= rate * 0.95;
        if (!keptUp) break;
        best = s.admittedPerS;
        await new Promise((r) => setTimeout(r, 2000)); // let the backlog of the step drain
      }
      saturation = Math.round(best);
      await new Promise((r) => setTimeout(r, 3000));
    }
    say(`saturation: ${saturation} requests/s admitted with p99 < 1 s`);

    if (values.soak) {
      const rate = Math.max(1, Math.round(saturation / 2));
      const minutes = Number(values.minutes);
      const heap: { minute: number; trough: number; handles: number }[] = [];
      for (let minute = 1; minute <= minutes; minute++) {
        let trough = Infinity;
        let handles = 0;
        const sampler = setInterval(
          () =>
            void metric(opsUrl, 'nodejs_heap_size_used_bytes').then((v) => {
              if (v < trough) trough = v;
            }),
          1000,
        );
        const s = summarize(await openLoop(rate, 60, pick, TIMEOUT_MS), rate, 60);
        clearInterval(sampler);
        handles = await metric(opsUrl, 'nodejs_active_handles_total');
        heap.push({ minute, trough, handles });
        say(
          `  minute ${minute}: heap trough ${(trough / 2 ** 20).toFixed(1)} MiB, handles ${handles}; ${line(s)}`,
        );
      }
      const warm = Math.min(...heap.slice(1, 3).map((h) => h.trough));
      const end = Math.min(...heap.slice(-3).map((h) => h.trough));
      const growth = (end - warm) / warm;
      say(
        `soak at ${rate}/s for ${minutes} min: heap trough after warm-up ${(warm / 2 ** 20).toFixed(1)} MiB, at the ` +
          `end ${(end / 2 ** 20).toFixed(1)} MiB (${(growth * 100).toFixed(1)} %); handles ${heap[1]?.handles} → ` +
          `${heap[heap.length - 1].handles}`,
      );
      process.exitCode = growth <= 0.1 ? 0 : 1;
      return;
    }

    // 2. overload at 2× for 60 s
    const overloadS = Number(values['overload-s']);
    const shedBefore = await metric(opsUrl, 'http_requests_shed_total');
    const s = summarize(
      await openLoop(saturation * 2, overloadS, pick, TIMEOUT_MS),
      saturation * 2,
      overloadS,
    );
    say(`overload ${line(s)}`);
    say(`  server counted ${(await metric(opsUrl, 'http_requests_shed_total')) - shedBefore} refusals`);
    // 3. recovery
    const recovered = await recoverySeconds(async () => ({ status: await cheap() }));
    say(`recovered ${recovered} s after the load stopped (5 quick answers in a row)`);

    // 4. nothing half-written: past the payment window every order closes; then the parties are checked
    await new Promise((r) => setTimeout(r, PAYMENT_WINDOW_MS + 10_000));
    const report = await checkInvariants({
      databaseUrl,
      schema,
      insuranceUrl: mocks.urls.insuranceUrl,
      hisUrl: mocks.urls.hisUrl,
      wechatUrl: mocks.urls.wechatUrl,
      days: [],
    });
    say(
      `invariants: ${report.violations.length} violations; checked ${Object.entries(report.checked)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    for (const v of report.violations.slice(0, 20)) say(`  ✗ ${v.check} ${v.orderNo ?? ''} ${v.detail}`);
    const ok =
      s.timeouts === 0 &&
      s.failed === 0 &&
      s.shedWithoutRetryAfter === 0 &&
      s.p99Ms < 1000 &&
      s.shed > 0 &&
      recovered <= 10 &&
      report.violations.length === 0;
    say(ok ? 'PASS' : 'FAIL');
    process.exitCode = ok ? 0 : 1;
  } finally {
    await server.stop();
    await mocks.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
