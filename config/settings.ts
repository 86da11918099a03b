/**
 * Runtime settings: environment → typed, validated settings, read once. A bad value stops the process with a
 * message naming the variable. Every limit of the system lives here (TigerStyle: a limit on everything).
 */
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const ms = (fallback: number) => z.coerce.number().int().min(1).max(3_600_000).default(fallback);
const url = z.string().url();

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: port.default(3000),
  INSURANCE_MOCK_PORT: port.default(3101),
  HIS_MOCK_PORT: port.default(3102),
  WECHATPAY_MOCK_PORT: port.default(3103),
  /** PostgreSQL (services mode); absent in embedded mode */
  DATABASE_URL: url.optional(),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('public'),
  REDIS_URL: url.optional(),
  REDIS_PREFIX: z.string().default('medins:'),
  DATA_DIR: z.string().default('.data'),
  PUBLIC_BASE_URL: url.optional(),
  INSURANCE_BASE_URL: url.optional(),
  HIS_BASE_URL: url.optional(),
  WECHATPAY_BASE_URL: url.optional(),
  /** the base URL of WeChat Pay's sandbox pages (/sandbox/login, /sandbox/cashier) the H5 build opens in the
   * browser; default: the WeChat Pay base URL the server uses */
  WECHATPAY_SANDBOX_URL: url.optional(),
  /** the insurance authorization page (医保授权) the H5 build opens; default: insurance base URL + /oauth/code */
  INSURANCE_AUTH_URL: url.optional(),
  /** the built H5 mini-program, served at / while the folder holds it */
  H5_DIR: z.string().min(1).default('dist/h5'),
  /** 32 bytes, base64 or hex; generated into DATA_DIR when absent */
  PII_ENCRYPTION_KEY: z.string().optional(),
  PII_HASH_KEY: z.string().optional(),
  HOSPITAL_NAME: z.string().default('演示市第一人民医院'),
  HOSPITAL_CODE: z.string().default('H36010200001'),
  CITY_ID: z.string().default('360100'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CONSOLE_ADMIN_PASSWORD: z.string().min(8).default('Admin#2026'),
  CONSOLE_ADMIN_TOTP_SECRET: z
    .string()
    .regex(/^[A-Z2-7]+=*$/)
    .default('JBSWY3DPEHPK3PXP'),

  OUTSIDE_CALL_TIMEOUT_MS: ms(5_000),
  SESSION_TTL_MS: ms(2 * 3600_000),
  /** an order not paid within this is expired by the janitor */
  ORDER_PAYMENT_WINDOW_MS: ms(15 * 60_000),
  /** no callback within this → the janitor queries WeChat */
  CALLBACK_GRACE_MS: ms(30_000),
  CALLBACK_CLOCK_SKEW_MS: ms(300_000),
  IDEMPOTENCY_TTL_MS: ms(24 * 3600_000),
  BILLS_CACHE_TTL_MS: ms(10_000),
  OUTBOX_BATCH_MAX: z.coerce.number().int().min(1).max(500).default(20),
  OUTBOX_ATTEMPTS_MAX: z.coerce.number().int().min(1).max(100).default(20),
  OUTBOX_BACKOFF_BASE_MS: ms(1_000),
  OUTBOX_BACKOFF_MAX_MS: ms(300_000),
  JOBS_INTERVAL_MS: ms(1_000),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(10_000_000)
    .default(256 * 1024),
  LIST_PAGE_MAX: z.coerce.number().int().min(1).max(1000).default(100),
  /** reconciliation: rows staged, matched and written per batch (memory is bounded by this, not by the day) */
  RECON_BATCH_SIZE: z.coerce.number().int().min(10).max(20_000).default(2_000),
  /** the daily run reconciles yesterday from this hour, China time (WeChat publishes bills from 09:00) */
  RECON_DAILY_HOUR_CST: z.coerce.number().int().min(0).max(23).default(10),
  /** a run still RUNNING after this long was interrupted (the process died): it is marked FAILED */
  RECON_RUN_STALE_MS: ms(30 * 60_000),
  JOBS_ENABLED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});

export type Settings = z.infer<typeof schema>;

export class SettingsError extends Error {}

export function loadSettings(env: Record<string, string | undefined> = process.env): Settings {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new SettingsError(`invalid settings:\n${lines.join('\n')}`);
  }
  return result.data;
}
