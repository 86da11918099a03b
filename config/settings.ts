/**
 * Runtime settings: environment → typed, validated settings, read once. A bad value stops the process with a
 * message naming the variable. Every limit of the system lives here (TigerStyle: a limit on everything).
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { SUBSCRIBE_TEMPLATES } from '../shared/protocol/wechat/subscribe';

const port = z.coerce.number().int().min(0).max(65535);
const ms = (fallback: number) => z.coerce.number().int().min(1).max(3_600_000).default(fallback);
const url = z.string().url();

// ───────────────────────────── the public callback base ─────────────────────────────

/**
 * Why a URL cannot be the base WeChat Pay sends callbacks to (notify_url, callback_url): WeChat's rule (回调处理,
 * 前提条件; 开发参数与业务规则 2.9; 接入质量检查 item 13) is HTTPS, reachable from the internet — never 127.0.0.1,
 * 192.168.x.x, localhost or another internal address — and no query. Each problem says which kind it is, so a
 * caller may waive some (the WeChat Pay mock's sandbox accepts http and loopback, never a query).
 */
export interface PublicUrlProblem {
  kind: 'invalid' | 'scheme' | 'query' | 'host';
  message: string;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The reason an IPv4 address (dotted quad) is not public, or undefined. */
function ipv4Problem(address: string): string | undefined {
  const m = IPV4.exec(address);
  if (!m) return undefined;
  const [a, b] = [Number(m[1]), Number(m[2])];
  if (a === 127) return 'a loopback address (127.0.0.0/8)';
  if (a === 10) return 'a private address (10.0.0.0/8)';
  if (a === 172 && b >= 16 && b <= 31) return 'a private address (172.16.0.0/12)';
  if (a === 192 && b === 168) return 'a private address (192.168.0.0/16)';
  if (a === 169 && b === 254) return 'a link-local address (169.254.0.0/16)';
  if (a === 0) return 'an unspecified address (0.0.0.0/8)';
  return undefined;
}

/** An IPv6 address (no brackets) as eight 16-bit groups, or undefined when it is not one. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const v4 = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (v4) {
    const parts = v4[2].split('.').map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    text = `${v4[1]}${((parts[0] << 8) | parts[1]).toString(16)}:${((parts[2] << 8) | parts[3]).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (half: string) => (half === '' ? [] : half.split(':'));
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => parseInt(g, 16));
}

/** The reason an IPv6 address is not public, or undefined. */
function ipv6Problem(address: string): string | undefined {
  const g = ipv6Groups(address);
  if (!g) return undefined;
  const zerosUntil = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zerosUntil(7) && g[7] === 1) return 'a loopback address (::1)';
  if (zerosUntil(8)) return 'an unspecified address (::)';
  if (zerosUntil(5) && g[5] === 0xffff) {
    // ::ffff:a.b.c.d is the IPv4 address a.b.c.d
    return ipv4Problem(`${g[6] >> 8}.${g[6] & 0xff}.${g[7] >> 8}.${g[7] & 0xff}`);
  }
  if ((g[0] & 0xfe00) === 0xfc00) return 'a unique-local (private) address (fc00::/7)';
  if ((g[0] & 0xffc0) === 0xfe80) return 'a link-local address (fe80::/10)';
  return undefined;
}

/** The reason a URL's host is not reachable from the internet, or undefined (names are taken as public). */
export function nonPublicHostProblem(hostname: string): string | undefined {
  const host = hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'localhost';
  return ipv4Problem(host) ?? ipv6Problem(host);
}

/** Every reason `raw` cannot be a public callback URL (base): [] when it can. */
export function publicUrlProblems(raw: string): PublicUrlProblem[] {
  if (raw !== raw.trim()) return [{ kind: 'invalid', message: 'has spaces around it' }];
  if (!URL.canParse(raw)) return [{ kind: 'invalid', message: 'is not a URL' }];
  const parsed = new URL(raw);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return [{ kind: 'invalid', message: `must be an https URL, not ${parsed.protocol}` }];
  const problems: PublicUrlProblem[] = [];
  if (parsed.protocol !== 'https:')
    problems.push({ kind: 'scheme', message: 'must be https (WeChat Pay sends callbacks only over HTTPS)' });
  if (parsed.search !== '' || raw.includes('?'))
    problems.push({
      kind: 'query',
      message: 'must carry no query (WeChat Pay refuses a callback URL with one)',
    });
  if (parsed.hash !== '' || raw.includes('#'))
    problems.push({ kind: 'query', message: 'must carry no fragment' });
  const host = nonPublicHostProblem(parsed.hostname);
  if (host !== undefined)
    problems.push({
      kind: 'host',
      message: `must name a host WeChat Pay can reach from the internet, not ${host}: ${parsed.hostname}`,
    });
  return problems;
}

// ───────────────────────────── trusted proxies ─────────────────────────────

/** At most this many entries in TRUSTED_PROXIES: a limit on everything, and a typo'd list is not a feature. */
export const TRUSTED_PROXIES_MAX = 64;

/** Why one TRUSTED_PROXIES entry is not an IPv4/IPv6 address or CIDR range, or undefined when it is. */
export function cidrProblem(entry: string): string | undefined {
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  if (address.includes('%')) return `${entry}: zone ids (%…) are not allowed`;
  const family = isIP(address);
  if (family === 0) return `${entry}: not an IPv4 or IPv6 address`;
  if (slash === -1) return undefined;
  const prefix = entry.slice(slash + 1);
  const bits = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits)
    return `${entry}: the prefix length must be 0–${bits}`;
  return undefined;
}

/**
 * TRUSTED_PROXIES: comma-separated addresses or CIDR ranges (IPv4 and IPv6) of the reverse proxies / load
 * balancers in front of the server. X-Forwarded-For (and X-Forwarded-Proto) is read only when the TCP peer is one
 * of them; empty (the default) trusts none, so the client address is the socket's.
 */
const trustedProxies = z
  .string()
  .default('')
  .transform((raw, ctx) => {
    const entries = raw
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '');
    if (entries.length > TRUSTED_PROXIES_MAX)
      ctx.addIssue({ code: 'custom', message: `at most ${TRUSTED_PROXIES_MAX} entries` });
    for (const entry of entries) {
      const problem = cidrProblem(entry);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    }
    return entries;
  });

/** an SM2 user id (the ID in ZA, GB/T 32918.2): 1–64 printable ASCII characters; every public SDK's default */
const sm2UserId = z
  .string()
  .regex(/^[\x20-\x7e]{1,64}$/, 'an SM2 user id is 1–64 printable ASCII characters')
  .default('1234567812345678');

/** a subscribe-message template id as WeChat issues them */
const templateId = (fallback: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,128}$/, 'a template id is letters, digits, - and _')
    .default(fallback);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: port.default(3000),
  INSURANCE_MOCK_PORT: port.default(3101),
  HIS_MOCK_PORT: port.default(3102),
  WECHATPAY_MOCK_PORT: port.default(3103),
  /** the operations listener (/readyz, /metrics, /healthz): 9464, the port OpenTelemetry's Prometheus exporter
   * uses; bound to OPS_HOST, loopback unless the operator opens it to a monitoring network */
  OPS_PORT: port.default(9464),
  OPS_HOST: z.string().min(1).default('127.0.0.1'),
  /** PostgreSQL (services mode); absent in embedded mode */
  DATABASE_URL: url.optional(),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('public'),
  REDIS_URL: url.optional(),
  REDIS_PREFIX: z.string().default('medins:'),
  DATA_DIR: z.string().default('.data'),
  /** the base of the callback URLs WeChat Pay calls; in production required, https, public, no query (below) */
  PUBLIC_BASE_URL: url.optional(),
  INSURANCE_BASE_URL: url.optional(),
  HIS_BASE_URL: url.optional(),
  /** the hospital's SMS platform (card-binding codes); default: the HIS base URL (the HIS mock serves both) */
  SMS_BASE_URL: url.optional(),
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
  /** the insurance platform's SM2 user id: its envelope signatures are verified under it (and the mock signs so) */
  INSURANCE_SM2_USER_ID: sm2UserId,
  /** the hospital's own SM2 user id: we sign envelopes under it (and the mock verifies us so) */
  INSURANCE_ORG_SM2_USER_ID: sm2UserId,
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
  /** claimed outbox jobs worked at once by one instance (independent jobs; handlers are idempotent) */
  OUTBOX_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  OUTBOX_ATTEMPTS_MAX: z.coerce.number().int().min(1).max(100).default(20),
  OUTBOX_BACKOFF_BASE_MS: ms(1_000),
  OUTBOX_BACKOFF_MAX_MS: ms(300_000),
  JOBS_INTERVAL_MS: ms(1_000),
  /** /readyz answers from the last background probe round: one round of party probes every this long */
  READINESS_INTERVAL_MS: ms(5_000),
  /** one readiness probe (a party's /healthz, SELECT 1, a store read) that takes longer has failed */
  READINESS_PROBE_TIMEOUT_MS: ms(2_000),
  /** /metrics renders its exposition at most once per this long, however many scrapes arrive */
  METRICS_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  /** addresses / CIDR ranges whose X-Forwarded-For is believed (see trustedProxies); default: none */
  TRUSTED_PROXIES: trustedProxies,
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
  /** four eyes: a cashier's refund above this (fen) waits for a supervisor's approval; supervisors' do not */
  REFUND_APPROVAL_THRESHOLD_FEN: z.coerce.number().int().min(0).max(100_000_000_000).default(50_000),
  // (risk rules: RISK_* below)
  // Risk rules (issue 13; server/domain/risk.ts): the thresholds of the rules, counted per WeChat user, card,
  // ID number, device (X-Device-Id) and cashier. Each count is of earlier attempts in the window named.
  /** cards one WeChat user may bind in 24 h; the next one is decided by RISK_CARDS_PER_USER_DECISION */
  RISK_CARDS_PER_USER_PER_DAY: z.coerce.number().int().min(1).max(1000).default(5),
  /** what binding one card too many does: step_up (the texted code, always asked), review (409) or block (403) */
  RISK_CARDS_PER_USER_DECISION: z.enum(['step_up', 'review', 'block']).default('step_up'),
  /** other WeChat users who may hold the same ID number bound before a binding is stepped up */
  RISK_USERS_PER_ID_NO: z.coerce.number().int().min(1).max(1000).default(3),
  /** bindings started from one device in 24 h before the next is blocked */
  RISK_BINDS_PER_DEVICE_PER_DAY: z.coerce.number().int().min(1).max(10_000).default(10),
  /** wrong texted codes of one user in an hour from which a binding is blocked */
  RISK_FAILED_CODES_PER_HOUR: z.coerce.number().int().min(1).max(1000).default(10),
  /** insurance authorizations refused in 24 h (one user) from which a checkout is held for review */
  RISK_FAILED_AUTHORIZATIONS_PER_DAY: z.coerce.number().int().min(1).max(1000).default(5),
  /** orders one user may create in an hour before the next is blocked */
  RISK_ORDERS_PER_USER_PER_HOUR: z.coerce.number().int().min(1).max(10_000).default(10),
  /** orders for one card in an hour before the next is held for review */
  RISK_ORDERS_PER_CARD_PER_HOUR: z.coerce.number().int().min(1).max(10_000).default(6),
  /** checkouts from one device in an hour before the next is blocked */
  RISK_ORDERS_PER_DEVICE_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(20),
  /** orders one user cancelled or let expire in 24 h from which a checkout is held for review */
  RISK_CANCELLED_PER_DAY: z.coerce.number().int().min(1).max(10_000).default(8),
  /** an amount above this factor × the card's largest earlier payment is held for review … */
  RISK_AMOUNT_FACTOR: z.coerce.number().int().min(1).max(1000).default(5),
  /** … when it is also above this floor (fen) … */
  RISK_AMOUNT_FLOOR_FEN: z.coerce.number().int().min(0).max(100_000_000_000).default(100_000),
  /** … and the card has at least this many earlier payments */
  RISK_AMOUNT_HISTORY_MIN: z.coerce.number().int().min(1).max(1000).default(3),
  /** refunds one cashier may start in an hour before the next is reviewed */
  RISK_REFUNDS_PER_CASHIER_PER_HOUR: z.coerce.number().int().min(1).max(10_000).default(20),
  /** a refund more than this many days after the payment is reviewed */
  RISK_REFUND_AFTER_DAYS: z.coerce.number().int().min(1).max(3650).default(180),
  // Patient notifications (issue 13): WeChat subscribe messages and reminders of unpaid bills.
  /** WeChat's mini-program server API (access token, subscribe messages); default: the WeChat Pay base URL (the
   * mock serves both) */
  WECHAT_API_BASE_URL: url.optional(),
  /** the hospital's template ids, picked in the mini-program admin console; defaults: the mock's */
  WECHAT_TEMPLATE_PAYMENT_SUCCESS: templateId(SUBSCRIBE_TEMPLATES.payment_success.templateId),
  WECHAT_TEMPLATE_REFUND_RESULT: templateId(SUBSCRIBE_TEMPLATES.refund_result.templateId),
  WECHAT_TEMPLATE_PAYMENT_FAILED: templateId(SUBSCRIBE_TEMPLATES.payment_failed.templateId),
  WECHAT_TEMPLATE_BILL_REMINDER: templateId(SUBSCRIBE_TEMPLATES.bill_reminder.templateId),
  /** which version of the mini-program a message opens: formal (released), trial or developer */
  WECHAT_MINIPROGRAM_STATE: z.enum(['developer', 'trial', 'formal']).default('formal'),
  /** a bill unpaid this many hours is reminded (at most once a day, never in the user's quiet hours) */
  REMINDER_AFTER_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(24),
  /** how often the reminder job looks (each bill is still reminded at most once a China day) */
  REMINDER_INTERVAL_MS: ms(15 * 60_000),
  /** quiet hours of a user who never set any, China time HH:mm-HH:mm, or none */
  REMINDER_DEFAULT_QUIET_HOURS: z
    .string()
    .regex(/^(?:none|(?:[01]\d|2[0-3]):[0-5]\d-(?:[01]\d|2[0-3]):[0-5]\d)$/, 'HH:mm-HH:mm, or none')
    .default('22:00-08:00'),
  // Admission control (issue 14, server/http/admission.ts): refuse the excess at once (503 OVERLOADED, Retry-After)
  /** API requests in flight on one instance before the next is refused; 0 = no limit */
  ADMISSION_MAX_INFLIGHT: z.coerce.number().int().min(0).max(1_000_000).default(32),
  /** p99 event-loop delay (ms, over half a second) above which API requests are refused; 0 = not watched */
  ADMISSION_MAX_LOOP_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(100),
  ADMISSION_RETRY_AFTER_S: z.coerce.number().int().min(1).max(3600).default(2),
  JOBS_ENABLED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});

export type Settings = z.infer<typeof schema>;

/**
 * In production the callback base must be one WeChat Pay can call: set, https, no query, a public host. Checked
 * here, once, so every entry point that loads settings refuses to start alike; outside production http and
 * loopback stay allowed (tests, `npm start`, the mocks).
 */
const settingsSchema = schema.superRefine((settings, ctx) => {
  if (settings.NODE_ENV !== 'production') return;
  const path = ['PUBLIC_BASE_URL'];
  const raw = settings.PUBLIC_BASE_URL;
  if (raw === undefined) {
    ctx.addIssue({
      code: 'custom',
      path,
      message:
        'must be set when NODE_ENV=production: the callback URLs WeChat Pay calls (notify_url, callback_url) are built from it',
    });
    return;
  }
  for (const problem of publicUrlProblems(raw))
    ctx.addIssue({ code: 'custom', path, message: `${problem.message} (NODE_ENV=production); got ${raw}` });
});

export class SettingsError extends Error {}

export function loadSettings(env: Record<string, string | undefined> = process.env): Settings {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = settingsSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new SettingsError(`invalid settings:\n${lines.join('\n')}`);
  }
  return result.data;
}
