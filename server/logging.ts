/**
 * pino JSON logs that never carry ID numbers, names, phones, tokens, keys or full openids (DESIGN 8).
 * Redaction works on the object logged and on child bindings, by field name, at the top and down to three levels
 * below it (`err.config.headers.Authorization`); deeper fields and message strings are not seen, so log no
 * personal data inside them. Values wrapped in Secret print "[REDACTED]" on their own, at any depth.
 *
 * Errors (`err`, `error`) are the exception to "message strings are not seen": a database error carries the
 * statement's parameters and PostgreSQL's `detail` ("Key (x)=(value) already exists"), and its message may quote
 * the value it choked on. `errorSerializer` drops the parameters (keeping their count), drops `where` and
 * `internalQuery`, keeps `detail` without its values, blanks the literals of the SQL text, and scrubs ID numbers,
 * mainland mobile numbers, bearer credentials and quoted values from every message and stack.
 */
import pino from 'pino';
import { REDACTED } from './security/secret';

export type Logger = pino.Logger;

const SECRET_FIELDS = [
  // credentials and tokens
  'authorization',
  'Authorization',
  'cookie',
  'Cookie',
  'set-cookie',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'sessionToken',
  'session_key',
  'sessionKey',
  'payToken',
  'ecToken',
  'revsToken',
  'paasToken',
  'authCode',
  'auth_code',
  'payAuthNo',
  'pay_auth_no',
  'otp',
  'password',
  'passwd',
  'secret',
  'key',
  'privateKey',
  'private_key',
  'apiKey',
  'api_key',
  'apiV3Key',
  'appSecret',
  'app_secret',
  'clientSecret',
  'secretKey',
  'totpSecret',
  'encryptionKey',
  'hashKey',
  // identity documents (HIS, insurance 1101/6201, Tencent user query)
  'idNo',
  'id_no',
  'idCard',
  'id_card',
  'certno',
  'certNo',
  'cert_no',
  'mdtrt_cert_no',
  'mdtrtCertNo',
  'userCardNo',
  'loginIdCard',
  // names
  'name',
  'psn_name',
  'psnName',
  'userName',
  'user_name',
  'realName',
  'patientName',
  'patient_name',
  // phones
  'phone',
  'mobile',
  'phoneNumber',
  'phone_number',
  'tel',
  // a statement's bound values (TypeORM's QueryFailedError and its driverError)
  'parameters',
] as const;

/** Masked rather than removed: a shortened openid still lets one follow a user through the logs. */
const OPENID_FIELDS = ['openid', 'openId', 'open_id', 'sub_openid', 'unionid', 'unionId'] as const;

const secretFields: ReadonlySet<string> = new Set(SECRET_FIELDS);
const openidFields: ReadonlySet<string> = new Set(OPENID_FIELDS);

/**
 * Top-level fields by name; below the top, three wildcard levels hand every value to the censor, which decides
 * by field name. One path per field per depth would be simpler to read but costs ~150 µs a line (the redactor
 * walks the object once per path); this costs ~10 µs. Top-level openids are masked by the serializers in
 * createLogger: pino's wildcard paths do not reach top-level values.
 */
export const redactionPaths: readonly string[] = [
  ...SECRET_FIELDS.map((f) => (/^[A-Za-z_$][\w$]*$/.test(f) ? f : `["${f}"]`)),
  '*.*',
  '*.*.*',
  '*.*.*.*',
];

/** "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" → "oUpF…S6o"; anything too short to shorten safely → "[REDACTED]". */
export function maskOpenid(value: unknown): string {
  if (typeof value !== 'string' || value.length < 12) return REDACTED;
  return `${value.slice(0, 4)}…${value.slice(-3)}`;
}

function censor(value: unknown, path: string[]): unknown {
  const field = path[path.length - 1];
  if (secretFields.has(field)) return REDACTED;
  if (openidFields.has(field)) return maskOpenid(value);
  return value;
}

// ---- errors ----

const SCRUBBED = '[REDACTED]';
/** 18-character resident ID numbers (last character may be X) and the old 15-digit ones */
const ID_NUMBER = /(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])/g;
/** mainland mobile numbers, with or without +86 */
const MOBILE = /(?<![0-9])(?:\+?86[- ]?)?1[3-9]\d{9}(?![0-9])/g;
const CREDENTIAL = /\b(Bearer|Basic|WECHATPAY2-SHA256-RSA2048)\s+[^\s,;]+/gi;
/** PostgreSQL quoting the value it refused: `…for type uuid: "x"`, `value "x" is out of range` */
const PG_QUOTED_VALUE = /(:\s*|value\s+)"(?:[^"\\]|\\.)*"/g;
/** `Key (col)=(value)` and `Failing row contains (…)` in a detail (or a message quoting one) */
const PG_KEY_VALUE =
  /(Key \([^)]*\)=)\((?:.*?)\)(?= already exists| is not present| is still referenced|\.|$)/g;
const PG_FAILING_ROW = /(Failing row contains )\(.*\)/g;
/** SQL string literals: 'it''s' */
const SQL_LITERAL = /'(?:[^']|'')*'/g;

/** Personal data and credentials an error's text may quote, replaced by [REDACTED]. */
export function scrubErrorText(text: string): string {
  return text
    .replace(PG_KEY_VALUE, `$1(${SCRUBBED})`)
    .replace(PG_FAILING_ROW, `$1(${SCRUBBED})`)
    .replace(PG_QUOTED_VALUE, `$1"${SCRUBBED}"`)
    .replace(CREDENTIAL, `$1 ${SCRUBBED}`)
    .replace(ID_NUMBER, SCRUBBED)
    .replace(MOBILE, SCRUBBED);
}

/** fields of a database error that hold values (or statements with them): dropped */
const ERROR_FIELDS_DROPPED = ['where', 'internalQuery'] as const;

function scrubSerializedError(out: Record<string, unknown>, depth: number): Record<string, unknown> {
  for (const field of ['message', 'stack', 'detail'] as const)
    if (typeof out[field] === 'string') out[field] = scrubErrorText(out[field]);
  if (typeof out.query === 'string') out.query = scrubErrorText(out.query.replace(SQL_LITERAL, "'?'"));
  if (Array.isArray(out.parameters)) out.parameterCount = out.parameters.length;
  if ('parameters' in out) delete out.parameters;
  for (const field of ERROR_FIELDS_DROPPED) if (field in out) delete out[field];
  for (const [key, value] of Object.entries(out)) {
    if (depth < 3 && value && typeof value === 'object' && 'message' in value && 'stack' in value)
      out[key] = scrubSerializedError(value as Record<string, unknown>, depth + 1);
    else if (key === 'aggregateErrors' && Array.isArray(value))
      out[key] = value.map((e: unknown) =>
        e && typeof e === 'object' ? scrubSerializedError(e as Record<string, unknown>, depth + 1) : e,
      );
  }
  return out;
}

/**
 * pino's error serializer, then the scrubbing above (at the error and its nested errors, e.g. `driverError`). A
 * string logged as an error (`err: err.message`) is scrubbed too.
 */
export function errorSerializer(err: unknown): unknown {
  if (typeof err === 'string') return scrubErrorText(err);
  const out = pino.stdSerializers.err(err as Error) as unknown;
  if (!out || typeof out !== 'object') return out;
  return scrubSerializedError(out as Record<string, unknown>, 0);
}

export interface LoggerOptions {
  level?: pino.LevelWithSilent;
  name?: string;
  /** stdout when absent; tests pass an in-memory stream */
  destination?: pino.DestinationStream;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level ?? 'info',
    name: opts.name,
    redact: { paths: [...redactionPaths], censor },
    serializers: {
      err: errorSerializer,
      error: errorSerializer,
      ...Object.fromEntries(OPENID_FIELDS.map((f) => [f, maskOpenid])),
    },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** The logger of one request: every line carries its id, which is also sent on outgoing calls. */
export function forRequest(logger: Logger, requestId: string): Logger {
  return logger.child({ reqId: requestId });
}
