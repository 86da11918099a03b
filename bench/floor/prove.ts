/**
 * `npx tsx bench/floor/prove.ts`: the mocks (one child, startMocks) and the floor (one child, FLOOR_ENTRY) on the
 * real PostgreSQL and Redis, then insured and cash-only journeys (scripts/journey.ts, unchanged), two of each, to
 * COMPLETED; each flow's outgoing calls are read back from the mocks' journals and compared with expectedHops,
 * and the floor table must hold the rows of COUNTS.sqlPerFlow statements per flow. Exits 1 on any difference.
 */
import { spawn } from 'node:child_process';
import { Client } from 'pg';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort, startMocks } from '../../scripts/chaos/processes';
import { runSettings } from '../../scripts/chaos/settings';
import { runJourney } from '../../scripts/journey';
import { expectedHops, FLOOR_ENTRY, floorEnv } from './index';

const ROOT = resolve(__dirname, '..', '..');
const SCHEMA = 'floor_prove';
const COUNTS = { sqlPerFlow: 41, redisPerFlow: 23 };

/** One query on the floor's table: its rows are one per INSERT, every other statement of a flow. */
async function onFloorTable<T>(databaseUrl: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

interface Entry {
  atMs: number;
  seq: number;
  method: string;
  path: string;
}

async function hopsSince(urls: Record<string, string>, sinceMs: number): Promise<string[]> {
  const all: (Entry & { party: string })[] = [];
  for (const [party, url] of Object.entries(urls)) {
    const res = await fetch(`${url}/__admin/journal?sinceMs=${sinceMs}&limit=1000`);
    for (const e of (await res.json()) as Entry[]) all.push({ ...e, party });
  }
  all.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
  return all.map(
    (e) =>
      `${e.party} ${e.method} ${e.path
        .replace(/\/patients\/[^/]+\/unpaid-bills$/, '/patients/:id/unpaid-bills')
        .replace(/\/out-trade-no\/[^/]+$/, '/out-trade-no/:no')}`,
  );
}

async function main(): Promise<void> {
  const runDir = mkdtempSync(join(tmpdir(), 'floor-'));
  const keyDir = join(runDir, 'keys');
  const mocks = await startMocks(runDir, keyDir);
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  await onFloorTable(databaseUrl, `DROP TABLE IF EXISTS ${SCHEMA}.floor_rows`);
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const env = {
    ...runSettings({
      databaseUrl,
      schema: SCHEMA,
      redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      prefix: `floor:prove:${randomBytes(3).toString('hex')}:`,
      keyDir,
      paymentWindowMs: 15 * 60_000,
      publicBaseUrl: api,
      mocks: mocks.urls,
      pii: { PII_ENCRYPTION_KEY: 'unused', PII_HASH_KEY: 'unused' },
    }),
    ...floorEnv(COUNTS),
    PORT: String(port),
  };
  const log = createWriteStream(join(runDir, 'floor.log'));
  const floor = spawn(process.execPath, ['--import', 'tsx', join(ROOT, FLOOR_ENTRY)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  floor.stdout.pipe(log);
  floor.stderr.pipe(log);
  let failed = false;
  try {
    for (let i = 0; ; i++) {
      const up = await fetch(`${api}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      if (i > 150 || floor.exitCode !== null)
        throw new Error(`the floor did not start; see ${runDir}/floor.log`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const endpoints = {
      api,
      wechat: mocks.urls.wechatUrl,
      his: mocks.urls.hisUrl,
      insurance: mocks.urls.insuranceUrl,
    };
    const parties = {
      wechat: mocks.urls.wechatUrl,
      his: mocks.urls.hisUrl,
      insurance: mocks.urls.insuranceUrl,
    };
    const flows = [true, false, true, false];
    for (const insured of flows) {
      const since = Date.now();
      const r = await runJourney(endpoints, { insured, completeTimeoutMs: 10_000 });
      await new Promise((res) => setTimeout(res, 300));
      const hops = await hopsSince(parties, since);
      const same = JSON.stringify(hops) === JSON.stringify(expectedHops(insured));
      console.log(
        `${insured ? 'insured  ' : 'cash-only'} ${r.status} split ${JSON.stringify(r.split)} receipt ${r.receiptNo} ${r.totalMs.toFixed(0)} ms; hops ${same ? 'as ours' : 'DIFFER'}`,
      );
      if (!same) console.log(hops.join('\n'));
      if (r.status !== 'COMPLETED' || !same) failed = true;
    }
    const [{ rows }] = await onFloorTable<{ rows: number }>(
      databaseUrl,
      `SELECT count(*)::int AS rows FROM ${SCHEMA}.floor_rows`,
    );
    const expected = flows.length * Math.ceil(COUNTS.sqlPerFlow / 2);
    console.log(`floor rows ${rows} (expected ${expected}: ${COUNTS.sqlPerFlow} statements per flow)`);
    if (rows !== expected) failed = true;
  } finally {
    floor.kill('SIGTERM');
    await mocks.stop();
  }
  if (failed) process.exitCode = 1;
  console.log(`logs: ${runDir}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
