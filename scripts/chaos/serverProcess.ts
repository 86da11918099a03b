/**
 * One server instance of the chaos run, built as `npm start --services` builds it but lean: no mocks (their
 * URLs come in the environment), no demo data, no banner, no H5 build. Settings from the environment (the runner
 * sets PORT, OPS_PORT, DATABASE_URL with application_name, DATABASE_SCHEMA, REDIS_URL, REDIS_PREFIX, the mocks'
 * base URLs, PUBLIC_BASE_URL = the runner's proxy); keys from CHAOS_KEY_DIR. Jobs run as in production.
 */
import { loadSettings } from '../../config/settings';
import { loadOrCreateKeys } from '../../shared/crypto/keyring';
import { openDatabase } from '../../server/db/dataSource';
import { buildServer } from '../../server/main';
import { RedisEphemeralStore } from '../../server/ephemeral/redis';
import { createPiiVault } from '../../server/security/vault';
import { createLogger } from '../../server/logging';

async function main(): Promise<void> {
  const settings = loadSettings();
  const keyDir = process.env.CHAOS_KEY_DIR;
  const { DATABASE_URL, REDIS_URL, PUBLIC_BASE_URL, PII_ENCRYPTION_KEY, PII_HASH_KEY } = settings;
  const { INSURANCE_BASE_URL, HIS_BASE_URL, WECHATPAY_BASE_URL } = settings;
  if (!keyDir || !DATABASE_URL || !REDIS_URL || !PUBLIC_BASE_URL || !PII_ENCRYPTION_KEY || !PII_HASH_KEY)
    throw new Error(
      'the chaos runner sets CHAOS_KEY_DIR, DATABASE_URL, REDIS_URL, PUBLIC_BASE_URL and PII_*',
    );
  if (!INSURANCE_BASE_URL || !HIS_BASE_URL || !WECHATPAY_BASE_URL) throw new Error('the mocks are not set');
  const keys = loadOrCreateKeys(keyDir);
  const db = await openDatabase(DATABASE_URL, settings.DATABASE_SCHEMA);
  const store = new RedisEphemeralStore(REDIS_URL, settings.REDIS_PREFIX);
  const server = buildServer({
    settings,
    keys: keys.server,
    db,
    store,
    pii: createPiiVault(PII_ENCRYPTION_KEY, PII_HASH_KEY),
    logger: createLogger({ level: settings.LOG_LEVEL }),
    publicBaseUrl: PUBLIC_BASE_URL,
    insuranceBaseUrl: INSURANCE_BASE_URL,
    hisBaseUrl: HIS_BASE_URL,
    wechatPayBaseUrl: WECHATPAY_BASE_URL,
  });
  await server.listen(settings.PORT, '127.0.0.1');
  await server.listenOps(settings.OPS_PORT, settings.OPS_HOST);
  if (settings.JOBS_ENABLED) server.startJobs();
  const stop = () =>
    void server
      .stop()
      .then(() => store.close())
      .then(() => db.destroy())
      .finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
