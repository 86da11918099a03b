/**
 * What every subcommand of `npm run mock` gets: the typed admin client (mocks/common/admin-client), the parsed
 * options, where to print, and the two ways out — `show` (a refused call printed plainly) and `finish` (the
 * exit code, and with --json the result or the answers).
 */
import type { parseArgs } from 'node:util';
import { AdminClient, MOCKS, type Answer } from '../../mocks/common/admin-client/client';
import { durationMs, nextDayAtMs } from '../../mocks/common/admin-client/format';
import type { MockName } from '../../mocks/common/admin-client/types';
import type { OPTIONS } from './usage';

export { MOCKS };
export type { MockName, Answer };

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env?: Record<string, string | undefined>;
}

export type Values = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
>['values'];

/** A mistyped command: exit 2 with the usage. */
export class UsageError extends Error {}

export interface Ctx {
  io: CliIo;
  json: boolean;
  values: Values;
  /** the positionals after the command's name */
  args: string[];
  urls: Record<MockName, string>;
  /** every call through it is kept for --json */
  client: AdminClient;
  /** look-ups that are not the command's result (not kept) */
  quiet: AdminClient;
  answers: Answer[];
  /** prints a refused call plainly (or `human()` when it went through); true when it went through */
  show(a: Answer, human: () => string | undefined): boolean;
  finish(code: number, result?: unknown): number;
}

export type Command = (ctx: Ctx) => Promise<number>;

const ALIASES: Record<string, MockName> = {
  insurance: 'insurance',
  ins: 'insurance',
  his: 'his',
  wechatpay: 'wechatpay',
  wechat: 'wechatpay',
  wx: 'wechatpay',
};

const DEFAULT_URLS: Record<MockName, string> = {
  insurance: 'http://127.0.0.1:3101',
  his: 'http://127.0.0.1:3102',
  wechatpay: 'http://127.0.0.1:3103',
};

const ENV_NAMES: Record<MockName, string> = {
  insurance: 'INSURANCE_BASE_URL',
  his: 'HIS_BASE_URL',
  wechatpay: 'WECHATPAY_BASE_URL',
};

const TIMEOUT_MS = 10_000;

export function resolveUrls(
  values: Partial<Record<string, unknown>>,
  env: Record<string, string | undefined>,
): Record<MockName, string> {
  const urls = {} as Record<MockName, string>;
  for (const mock of MOCKS) {
    const flag = values[`${mock}-url`];
    const url = typeof flag === 'string' ? flag : (env[ENV_NAMES[mock]] ?? DEFAULT_URLS[mock]);
    urls[mock] = url.replace(/\/+$/, '');
  }
  return urls;
}

export function createCtx(io: CliIo, values: Values, args: string[]): Ctx {
  const urls = resolveUrls(values, io.env ?? {});
  const adminBase = Object.fromEntries(MOCKS.map((m) => [m, `${urls[m]}/__admin`])) as Record<
    MockName,
    string
  >;
  const options = {
    adminBase,
    fetch: (url: string, init: RequestInit) => fetch(url, init),
    timeoutMs: TIMEOUT_MS,
    // name the mock's own URL, not its admin base
    unreachable: (base: string, err: unknown) =>
      `${base.replace(/\/__admin$/, '')} unreachable: ${err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err)}`,
  };
  const answers: Answer[] = [];
  const client = new AdminClient(options);
  client.onAnswer = (a) => answers.push(a);
  const json = values.json === true;
  return {
    io,
    json,
    values,
    args,
    urls,
    client,
    quiet: new AdminClient(options),
    answers,
    show(a, human) {
      if (!json) {
        if (a.ok) {
          const text = human();
          if (text) io.out(text);
        } else io.err(`${a.mock}: ${a.method} ${a.path} → ${a.error}`);
      }
      return a.ok;
    },
    finish(code, result) {
      if (json) io.out(JSON.stringify(result ?? (answers.length === 1 ? answers[0] : answers), null, 2));
      return code;
    },
  };
}

export function mockName(name: string | undefined, what = 'mock'): MockName {
  const mock = name === undefined ? undefined : ALIASES[name.toLowerCase()];
  if (!mock) throw new UsageError(`${what}: one of insurance | his | wechatpay (got ${name ?? 'nothing'})`);
  return mock;
}

/** `[mock]` given, or all three */
export function mocksOf(name: string | undefined): MockName[] {
  return name ? [mockName(name)] : [...MOCKS];
}

export function int(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`${what}: an integer (got ${value})`);
  return Number(value);
}

export function tagsOf(values: Values): Record<string, string> | undefined {
  if (!values.tag?.length) return undefined;
  const tags: Record<string, string> = {};
  for (const t of values.tag) {
    const i = t.indexOf('=');
    if (i < 1) throw new UsageError(`--tag: key=value (got ${t})`);
    tags[t.slice(0, i)] = t.slice(i + 1);
  }
  return tags;
}

/** "3h", "90m", "1h30m", "45s", "2d", "500ms" → milliseconds. */
export function parseDuration(text: string): number {
  const ms = durationMs(text);
  if (ms === null) throw new UsageError(`a duration like 3h, 90m, 1h30m, 45s (got ${text})`);
  return ms;
}

/** The next calendar day (China time) at HH:mm, as epoch ms. */
export function nextDayAt(nowMs: number, hhmm: string): number {
  const ms = nextDayAtMs(nowMs, hhmm);
  if (ms === null) throw new UsageError(`a time of day HH:mm (got ${hhmm})`);
  return ms;
}
