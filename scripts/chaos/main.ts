/**
 * The chaos run (issue 14): the mocks and 1–2 server instances as child processes on the real PostgreSQL and
 * Redis behind a round-robin proxy; N seeded journeys driven through it while faults, lost/duplicated/replayed
 * callbacks, kills and connection terminations happen on the plan's timeline; then quiesce, the invariant check
 * and a report. `runChaos(options)` is the whole run; `npm run chaos` (scripts/chaos.ts) is its command line.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { createGuardrails, generateSync } from 'otplib';
import { cstDate } from '../../shared/clock';
import { loadOrCreateKeys } from '../../shared/crypto/keyring';
import { checkInvariants } from './invariants';
import { drive, type JourneyRecord } from './driver';
import { Trouble } from './faults';
import { countBy, makePlan, type ChaosPlan, type PlanOptions } from './plan';
import { applicationName, ensureDir, freePort, Instance, startMocks } from './processes';
import { startProxy } from './proxy';
import { quiesce } from './quiesce';
import { passed, type ChaosReport } from './report';
import { resetRedis, resetSchema } from './reset';
import { runSettings } from './settings';

export interface ChaosOptions {
  flows: number;
  seed: number;
  instances: number;
  /** 0: no kills */
  killEveryMs: number;
  concurrency?: number;
  paymentWindowMs?: number;
  quiesceTimeoutMs?: number;
  /** how long the trouble lasts; default from the number of flows (0: a calm run, no trouble at all) */
  horizonMs?: number;
  /** the mix of journeys (plan.ts defaults otherwise) */
  mix?: Pick<PlanOptions, 'kinds' | 'endings' | 'aftermaths'>;
  databaseUrl?: string;
  redisUrl?: string;
  /** progress lines (stderr by the command line) */
  log?: (line: string) => void;
}

const ADMIN = { username: 'admin', password: 'Admin#2026', secret: 'JBSWY3DPEHPK3PXP' };
// the demo secret is 10 bytes; otplib 13 asks for 16 unless told
const guardrails = createGuardrails({ MIN_SECRET_BYTES: 10 });

async function countByStatus(databaseUrl: string, schema: string): Promise<Record<string, number>> {
  const client = new Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    const rows = await client.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM orders GROUP BY status',
    );
    return Object.fromEntries(rows.rows.map((r) => [r.status, r.n]));
  } finally {
    await client.end();
  }
}

/** The supervisor's console token, logged in once (a TOTP code is accepted once per step). */
function consoleLogin(api: string): () => Promise<string> {
  let token: Promise<string> | undefined;
  const login = async (): Promise<string> => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const otp = generateSync({ secret: ADMIN.secret, epoch: Math.floor(Date.now() / 1000), guardrails });
      const res = await fetch(`${api}/api/v1/console/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: ADMIN.username, password: ADMIN.password, otp }),
      }).catch(() => undefined);
      if (res?.ok) return ((await res.json()) as { token: string }).token;
      await new Promise((r) => setTimeout(r, res && res.status < 500 ? 30_000 : 1000));
    }
    throw new Error('the console login failed');
  };
  return () => (token ??= login());
}

/** The day's reconciliation, as a cashier starts it in the console (WeChat's bill of today is out at once). */
async function reconcile(api: string, wechatUrl: string, token: string, date: string): Promise<unknown> {
  await fetch(`${wechatUrl}/__admin/options`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ billsSameDay: true }),
  });
  const res = await fetch(`${api}/api/v1/console/reconciliations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ date }),
    signal: AbortSignal.timeout(120_000),
  });
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) throw new Error(`reconciliation of ${date}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

function tally(records: JourneyRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) out[r.outcome] = (out[r.outcome] ?? 0) + 1;
  return out;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const log = o.log ?? (() => undefined);
  const t0 = Date.now();
  const databaseUrl =
    o.databaseUrl ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const redisUrl = o.redisUrl ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const schema = `chaos_${o.seed}`;
  const prefix = `chaos:${o.seed}:`;
  const dataDir = resolve(__dirname, '..', '..', '.data', 'chaos');
  const runDir = ensureDir(join(dataDir, String(o.seed)));
  const keyDir = ensureDir(join(dataDir, 'keys'));
  const paymentWindowMs = o.paymentWindowMs ?? 20_000;
  const horizonMs = o.horizonMs ?? 30_000 + o.flows * 400;
  loadOrCreateKeys(keyDir); // once, before any child reads them
  await resetSchema(databaseUrl, schema);
  await resetRedis(redisUrl, prefix);

  const mocks = await startMocks(runDir, keyDir);
  const instances: Instance[] = [];
  const proxy = await startProxy(() => instances);
  const pii = {
    PII_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    PII_HASH_KEY: randomBytes(32).toString('base64'),
  };
  try {
    for (let i = 0; i < o.instances; i++) {
      const url = new URL(databaseUrl);
      url.searchParams.set('application_name', applicationName(o.seed, i));
      const env = runSettings({
        databaseUrl: url.toString(),
        schema,
        redisUrl,
        prefix,
        keyDir,
        paymentWindowMs,
        publicBaseUrl: proxy.url,
        mocks: mocks.urls,
        pii,
      });
      instances.push(
        new Instance({ index: i, port: await freePort(), opsPort: await freePort(), env }, runDir),
      );
    }
    for (const instance of instances) await instance.start(); // one after another: the first seeds the admin
    for (const instance of instances) instance.supervise();
    const startMs = Date.now() - t0;
    log(`started in ${(startMs / 1000).toFixed(1)} s: proxy ${proxy.url}, logs in ${runDir}`);

    const plan: ChaosPlan = makePlan({
      ...o.mix,
      flows: o.flows,
      seed: o.seed,
      instances: o.instances,
      killEveryMs: o.killEveryMs,
      horizonMs,
    });
    const mockUrls = {
      insurance: mocks.urls.insuranceUrl,
      his: mocks.urls.hisUrl,
      wechatpay: mocks.urls.wechatUrl,
    };
    const trouble = new Trouble({
      plan,
      mockUrls,
      instances,
      databaseUrl,
      applicationName: (i) => applicationName(o.seed, i),
    });
    const consoleToken = consoleLogin(proxy.url);
    const t1 = Date.now();
    trouble.start();
    const records = await drive(plan.journeys, {
      endpoints: {
        api: proxy.url,
        his: mocks.urls.hisUrl,
        insurance: mocks.urls.insuranceUrl,
        wechat: mocks.urls.wechatUrl,
        control: mocks.urls.controlUrl,
      },
      consoleToken,
      paymentWindowMs,
      concurrency: o.concurrency ?? 10,
      seed: o.seed,
      onProgress: (done) => {
        if (done % 50 === 0) log(`${done}/${o.flows} journeys (${((Date.now() - t1) / 1000).toFixed(0)} s)`);
      },
    });
    await trouble.stop();
    const driveMs = Date.now() - t1;
    log(`driven in ${(driveMs / 1000).toFixed(1)} s; quiescing…`);

    const quiet = await quiesce({
      databaseUrl,
      schema,
      instances,
      wechatUrl: mocks.urls.wechatUrl,
      timeoutMs: o.quiesceTimeoutMs ?? 180_000,
    });
    log(`quiesce ${quiet.ok ? 'done' : 'timed out'} in ${(quiet.ms / 1000).toFixed(1)} s; checking…`);
    const t2 = Date.now();
    const days = [
      ...new Set([cstDate(t0), cstDate(Date.now()), cstDate(Date.now() + quiet.clockAdvancedMs)]),
    ];
    const invariants = await checkInvariants(
      {
        databaseUrl,
        schema,
        insuranceUrl: mocks.urls.insuranceUrl,
        hisUrl: mocks.urls.hisUrl,
        wechatUrl: mocks.urls.wechatUrl,
        days,
      },
      { reconcile: async (date) => reconcile(proxy.url, mocks.urls.wechatUrl, await consoleToken(), date) },
    );
    // a server process that died by itself (not one of the planned kills) is a defect, whatever the parties say
    for (const instance of instances)
      for (const c of instance.crashes)
        invariants.violations.push({
          check: 'process-survived',
          detail:
            `instance ${instance.config.index} exited on its own at ${new Date(c.at).toISOString()} ` +
            `(${c.signal ?? `code ${c.code}`}); see ${runDir}/server-${instance.config.index}.log`,
        });
    const checkMs = Date.now() - t2;
    return {
      seed: o.seed,
      flows: o.flows,
      instances: o.instances,
      killEveryMs: o.killEveryMs,
      passed: passed(quiet, invariants),
      flowsByKind: countBy(plan.journeys, 'kind'),
      endings: countBy(plan.journeys, 'ending'),
      aftermaths: countBy(plan.journeys, 'aftermath'),
      outcomes: tally(records),
      trouble: trouble.stats,
      proxy: { badGateway: proxy.badGateway, retried: proxy.retried },
      ordersByStatus: await countByStatus(databaseUrl, schema),
      quiesce: quiet,
      checked: invariants.checked,
      violations: invariants.violations,
      timings: {
        startMs,
        driveMs,
        quiesceMs: quiet.ms,
        checkMs,
        totalMs: Date.now() - t0,
        flowsPerSecond: o.flows / (driveMs / 1000),
      },
    };
  } finally {
    for (const instance of instances) await instance.stop();
    await mocks.stop();
    await proxy.close();
  }
}
