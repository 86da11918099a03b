/**
 * The floor server as a child process, started like scripts/chaos/serverProcess.ts and from the same environment
 * (scripts/chaos/settings.ts runSettings: PORT, PUBLIC_BASE_URL, the mocks' base URLs, CHAOS_KEY_DIR, DATABASE_URL,
 * DATABASE_SCHEMA, REDIS_URL, REDIS_PREFIX, OUTSIDE_CALL_TIMEOUT_MS, ORDER_PAYMENT_WINDOW_MS, …) plus
 * FLOOR_SQL_PER_FLOW and FLOOR_REDIS_PER_FLOW: what the bench measured on our server. Plain node:http on
 * 127.0.0.1:PORT; no ops listener, no jobs. SIGTERM / SIGINT close it.
 */
import { createServer } from 'node:http';
import { loadOrCreateKeys } from '../../shared/crypto/keyring';
import { DEFAULT_SM2_USER_IDS } from '../../shared/crypto/smEnvelope';
import { createParties } from './parties';
import { Filler } from './filler';
import { FloorState } from './state';
import { createHandler } from './routes';
import type { FloorDeps } from './flow';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function count(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number ≥ 0`);
  return value;
}

const log = (message: string) => process.stderr.write(`[floor] ${message}\n`);

async function main(): Promise<void> {
  const env = process.env;
  const keys = loadOrCreateKeys(required('CHAOS_KEY_DIR')).server;
  const his = required('HIS_BASE_URL').replace(/\/+$/, '');
  const parties = createParties({
    keys,
    urls: {
      wechatPay: required('WECHATPAY_BASE_URL').replace(/\/+$/, ''),
      insurance: required('INSURANCE_BASE_URL').replace(/\/+$/, ''),
      his,
      sms: (env.SMS_BASE_URL ?? his).replace(/\/+$/, ''),
      notifyUrl: `${required('PUBLIC_BASE_URL').replace(/\/+$/, '')}/api/v1/notify/wechatpay`,
    },
    timeoutMs: count('OUTSIDE_CALL_TIMEOUT_MS', 5_000),
    sm2UserIds: {
      org: env.INSURANCE_ORG_SM2_USER_ID ?? DEFAULT_SM2_USER_IDS.org,
      platform: env.INSURANCE_SM2_USER_ID ?? DEFAULT_SM2_USER_IDS.platform,
    },
    hospitalName: env.HOSPITAL_NAME ?? '演示市第一人民医院',
    hospitalCode: env.HOSPITAL_CODE ?? 'H36010200001',
  });
  const filler = await Filler.open({
    databaseUrl: required('DATABASE_URL'),
    schema: env.DATABASE_SCHEMA ?? 'public',
    redisUrl: required('REDIS_URL'),
    prefix: env.REDIS_PREFIX ?? 'floor:',
    sqlPerFlow: count('FLOOR_SQL_PER_FLOW', 0),
    redisPerFlow: count('FLOOR_REDIS_PER_FLOW', 0),
  });
  const deps: FloorDeps = {
    parties,
    filler,
    state: new FloorState(),
    hospitalName: env.HOSPITAL_NAME ?? '演示市第一人民医院',
    paymentWindowMs: count('ORDER_PAYMENT_WINDOW_MS', 15 * 60_000),
    log,
  };
  const server = createServer(createHandler(deps));
  const port = count('PORT', 3000);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  log(`listening on 127.0.0.1:${port}`);
  const stop = () => {
    server.closeAllConnections();
    server.close();
    void filler.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
