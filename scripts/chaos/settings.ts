/**
 * The environment of a chaos run's server instance: its database (own schema, application_name), Redis prefix,
 * the mocks, the proxy as the public URL, and settings that make trouble show within a short run — a short
 * payment window (expiries happen), a short callback grace, jobs every 200 ms, a small outbox backoff — while
 * rate limits, risk rules and the four-eyes threshold are set out of the way.
 */
import type { MockUrls } from './processes';

export interface RunSettingsInput {
  databaseUrl: string;
  schema: string;
  redisUrl: string;
  prefix: string;
  keyDir: string;
  paymentWindowMs: number;
  publicBaseUrl: string;
  mocks: MockUrls;
  pii: { PII_ENCRYPTION_KEY: string; PII_HASH_KEY: string };
}

const RISK_OUT_OF_THE_WAY: Record<string, string> = {
  RISK_CARDS_PER_USER_PER_DAY: '1000',
  RISK_USERS_PER_ID_NO: '1000',
  RISK_BINDS_PER_DEVICE_PER_DAY: '10000',
  RISK_FAILED_CODES_PER_HOUR: '1000',
  RISK_FAILED_AUTHORIZATIONS_PER_DAY: '1000',
  RISK_ORDERS_PER_USER_PER_HOUR: '10000',
  RISK_ORDERS_PER_CARD_PER_HOUR: '10000',
  RISK_ORDERS_PER_DEVICE_PER_HOUR: '100000',
  RISK_CANCELLED_PER_DAY: '10000',
  RISK_AMOUNT_FACTOR: '1000',
  RISK_AMOUNT_FLOOR_FEN: '100000000000',
  RISK_REFUNDS_PER_CASHIER_PER_HOUR: '10000',
};

export function runSettings(i: RunSettingsInput): Record<string, string> {
  return {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    SKIP_H5_BUILD: 'true',
    CHAOS_KEY_DIR: i.keyDir,
    DATABASE_URL: i.databaseUrl,
    DATABASE_SCHEMA: i.schema,
    REDIS_URL: i.redisUrl,
    REDIS_PREFIX: i.prefix,
    PUBLIC_BASE_URL: i.publicBaseUrl,
    INSURANCE_BASE_URL: i.mocks.insuranceUrl,
    HIS_BASE_URL: i.mocks.hisUrl,
    WECHATPAY_BASE_URL: i.mocks.wechatUrl,
    ...i.pii,
    ORDER_PAYMENT_WINDOW_MS: String(i.paymentWindowMs),
    CALLBACK_GRACE_MS: '3000',
    // the quiesce moves the mocks' clock up to 4 min forward: their signatures must still be believed
    CALLBACK_CLOCK_SKEW_MS: '600000',
    JOBS_INTERVAL_MS: '200',
    OUTBOX_BACKOFF_BASE_MS: '200',
    OUTBOX_BACKOFF_MAX_MS: '3000',
    OUTBOX_ATTEMPTS_MAX: '100',
    OUTSIDE_CALL_TIMEOUT_MS: '2000',
    RATE_LIMIT_PER_MINUTE: '1000000',
    REFUND_APPROVAL_THRESHOLD_FEN: '100000000000',
    ...RISK_OUT_OF_THE_WAY,
  };
}
