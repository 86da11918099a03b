/**
 * `npm run mock -- <command>`: the three mock gateways' admin APIs from a terminal or a CI script.
 * Human text by default, `--json` for machines; exit code 0 = done / verified, 1 = a mock refused or the check
 * failed, 2 = bad usage. Tests call `runCli(argv, io)` directly.
 */
import { parseArgs } from 'node:util';

export const MOCKS = ['insurance', 'his', 'wechatpay'] as const;
export type MockName = (typeof MOCKS)[number];

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

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env?: Record<string, string | undefined>;
}

const defaultIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
};

/** One admin call's outcome: never throws. */
export interface Answer {
  mock: MockName;
  method: string;
  path: string;
  ok: boolean;
  status: number;
  body: unknown;
  /** a readable reason when !ok: the mock's `code: message`, or the network error */
  error?: string;
}

class UsageError extends Error {}

const USAGE = `usage: npm run mock -- <command> [options]

  status                                  health and clock of the three mocks
  reset [mock]                            back to the seed (all three, or one)
  scenarios [--mock m]                    the scenarios each mock offers
  scenario set <name> [--session s] [--mock m]
  scenario clear [--session s] [--mock m]
  fault add <mock> <path> <kind> [--status 503] [--latency 200 | --latency 100-500 | --long-tail 50,2000]
                                  [--count n] [--method POST] [--rate 0.5]
        kinds: error5xx (5xx) | timeout | latency | malformed | reset | badSignature
  fault list [mock] | fault clear [mock]
  journal <mock> [--path p] [--method m] [--tag k=v] [--status 5xx] [--text s] [--from t] [--to t] [--limit n]
  verify <mock> --path p [--method m] [--times n] [--body-contains s] [--tag k=v]   exit 0 = as expected, 1 = not
        (path exact; end it with * for a prefix)
  clock [show | freeze | unfreeze | advance 3h | next-day 10:00 | set 2026-12-01T09:00:00+08:00]
  callbacks list | callbacks replay <id> | callbacks send --url u --event e --resource '{...}' [--invalid|--signtest]
  person add --name 张三 --id-no 360102198503122015 --insutype 310 --balance 300000 [--status ACTIVE]
  person list | person set <psnNo> [--status SUSPENDED] [--balance 0]
  bill add --patient P100001 --item code:qty [--item code:qty:priceFen ...] [--dept d] [--doctor d]
  bill list [--patient P] | bill pay-at-window <billNo>

  mocks: insurance (ins) | his | wechatpay (wechat, wx)
  base URLs: --insurance-url/--his-url/--wechatpay-url, else INSURANCE_BASE_URL/HIS_BASE_URL/WECHATPAY_BASE_URL,
  else http://127.0.0.1:3101/3102/3103. --json prints the mocks' answers as JSON.`;

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'insurance-url': { type: 'string' },
  'his-url': { type: 'string' },
  'wechatpay-url': { type: 'string' },
  session: { type: 'string' },
  mock: { type: 'string' },
  status: { type: 'string' },
  latency: { type: 'string' },
  'long-tail': { type: 'string' },
  count: { type: 'string' },
  rate: { type: 'string' },
  method: { type: 'string' },
  path: { type: 'string' },
  tag: { type: 'string', multiple: true },
  text: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  limit: { type: 'string' },
  times: { type: 'string' },
  'body-contains': { type: 'string' },
  url: { type: 'string' },
  event: { type: 'string' },
  resource: { type: 'string' },
  invalid: { type: 'boolean' },
  signtest: { type: 'boolean' },
  name: { type: 'string' },
  'id-no': { type: 'string' },
  insutype: { type: 'string' },
  balance: { type: 'string' },
  patient: { type: 'string' },
  item: { type: 'string', multiple: true },
  dept: { type: 'string' },
  doctor: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

export class MockAdmin {
  constructor(readonly urls: Record<MockName, string>) {}

  /** `/__admin<path>` of a mock (path starts with '/'), or any other path of it with `raw`. */
  async call(
    mock: MockName,
    method: string,
    path: string,
    body?: unknown,
    opts: { raw?: boolean; timeoutMs?: number } = {},
  ): Promise<Answer> {
    const fullPath = opts.raw ? path : `/__admin${path}`;
    const base = { mock, method, path: fullPath };
    try {
      const response = await fetch(`${this.urls[mock]}${fullPath}`, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text === '' ? null : JSON.parse(text);
      } catch {
        // not JSON: keep the text (Koa's "Not Found", an HTML page)
      }
      const ok = response.status >= 200 && response.status < 300;
      return {
        ...base,
        ok,
        status: response.status,
        body: parsed,
        error: ok ? undefined : reason(response.status, parsed),
      };
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
      return { ...base, ok: false, status: 0, body: null, error: `${this.urls[mock]} unreachable: ${cause}` };
    }
  }
}

function reason(status: number, body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    if (typeof b.code === 'string' || typeof b.message === 'string')
      return `HTTP ${status} ${[b.code, b.message].filter((x) => x !== undefined).join(': ')}`;
  }
  const text = typeof body === 'string' ? body.slice(0, 200) : JSON.stringify(body)?.slice(0, 200);
  if (status === 404 && text === 'Not Found')
    return 'HTTP 404 Not Found (this mock has no such admin endpoint yet)';
  return `HTTP ${status} ${text ?? ''}`.trim();
}

export function resolveUrls(
  values: Partial<Record<string, unknown>>,
  env: Record<string, string | undefined>,
) {
  const urls = {} as Record<MockName, string>;
  for (const mock of MOCKS) {
    const flag = values[`${mock}-url`];
    urls[mock] = (typeof flag === 'string' ? flag : (env[ENV_NAMES[mock]] ?? DEFAULT_URLS[mock])).replace(
      /\/+$/,
      '',
    );
  }
  return urls;
}

function mockName(name: string | undefined, what = 'mock'): MockName {
  const mock = name === undefined ? undefined : ALIASES[name.toLowerCase()];
  if (!mock) throw new UsageError(`${what}: one of insurance | his | wechatpay (got ${name ?? 'nothing'})`);
  return mock;
}

function int(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`${what}: an integer (got ${value})`);
  return Number(value);
}

function tagsOf(values: Values): Record<string, string> | undefined {
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
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * units[m[2]];
    matched += m[0].length;
  }
  if (matched === 0 || matched !== text.length)
    throw new UsageError(`a duration like 3h, 90m, 1h30m, 45s (got ${text})`);
  return Math.round(total);
}

/** The next calendar day (China time) at HH:mm, as epoch ms. */
export function nextDayAt(nowMs: number, hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new UsageError(`a time of day HH:mm (got ${hhmm})`);
  const cst = 8 * 3_600_000;
  const day = 86_400_000;
  const startOfTomorrowCst = Math.floor((nowMs + cst) / day) * day + day;
  return startOfTomorrowCst + Number(m[1]) * 3_600_000 + Number(m[2]) * 60_000 - cst;
}

function cst(ms: number): string {
  return `${new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ')} CST`;
}

interface ClockView {
  nowMs: number;
  frozen?: boolean;
}

function clockOf(body: unknown): ClockView | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.nowMs === 'number') return { nowMs: b.nowMs, frozen: b.frozen === true };
  if (typeof b.now === 'string' && !Number.isNaN(Date.parse(b.now)))
    return { nowMs: Date.parse(b.now), frozen: b.frozen === true };
  return undefined;
}

const asArray = (body: unknown, key: string): unknown[] => {
  if (Array.isArray(body)) return body;
  if (body && typeof body === 'object' && Array.isArray((body as Record<string, unknown>)[key]))
    return (body as Record<string, unknown[]>)[key];
  return [];
};

interface Scenario {
  name: string;
  description?: string;
  active?: boolean;
  /** the mocks it acts on, when the mock says */
  mocks?: string[];
  appliesHere?: boolean;
}

function describe(d: unknown): string | undefined {
  if (typeof d === 'string') return d;
  if (d && typeof d === 'object') {
    const o = d as Record<string, unknown>;
    return [o.zh, o.en].filter((x) => typeof x === 'string').join(' / ') || undefined;
  }
  return undefined;
}

export function scenariosOf(body: unknown): Scenario[] {
  const active =
    body && typeof body === 'object' && !Array.isArray(body)
      ? (body as Record<string, unknown>).active
      : undefined;
  return asArray(body, 'scenarios').map((s) => {
    if (typeof s === 'string') return { name: s, active: s === active };
    const o = s as Record<string, unknown>;
    const name = String(o.name ?? o.id ?? '?');
    return {
      name,
      description: describe(o.description),
      active: o.active === true || name === active,
      mocks: Array.isArray(o.mocks) ? o.mocks.map(String) : undefined,
      appliesHere: typeof o.appliesHere === 'boolean' ? o.appliesHere : undefined,
    };
  });
}

/** The whole CLI; returns the exit code. */
export async function runCli(argv: string[], io: CliIo = defaultIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    io.err(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    (values.help ? io.out : io.err)(USAGE);
    return values.help ? 0 : 2;
  }
  const admin = new MockAdmin(resolveUrls(values, io.env ?? {}));
  const json = values.json === true;
  const answers: Answer[] = [];
  const call = async (mock: MockName, method: string, path: string, body?: unknown, raw = false) => {
    const answer = await admin.call(mock, method, path, body, { raw });
    answers.push(answer);
    return answer;
  };
  /** prints a refused call plainly; true when it went through */
  const show = (a: Answer, human: () => string | undefined): boolean => {
    if (!json) {
      if (a.ok) {
        const text = human();
        if (text) io.out(text);
      } else io.err(`${a.mock}: ${a.method} ${a.path} → ${a.error}`);
    }
    return a.ok;
  };
  const finish = (code: number, result?: unknown): number => {
    if (json) io.out(JSON.stringify(result ?? (answers.length === 1 ? answers[0] : answers), null, 2));
    return code;
  };

  const [command, ...rest] = positionals;
  try {
    switch (command) {
      case 'status': {
        let allOk = true;
        const rows = [];
        for (const mock of MOCKS) {
          const health = await call(mock, 'GET', '/healthz', undefined, true);
          const clock = health.ok ? await call(mock, 'GET', '/clock') : undefined;
          const view = clockOf(clock?.body);
          allOk &&= health.ok;
          rows.push({ mock, url: admin.urls[mock], up: health.ok, error: health.error, clock: view });
          if (!json)
            io.out(
              `${mock.padEnd(10)} ${admin.urls[mock].padEnd(24)} ${health.ok ? 'up  ' : 'DOWN'} ${
                health.ok
                  ? view
                    ? `clock ${cst(view.nowMs)}${view.frozen ? ' (frozen)' : ''}`
                    : ''
                  : health.error
              }`,
            );
        }
        return finish(allOk ? 0 : 1, rows);
      }

      case 'reset': {
        const targets = rest[0] ? [mockName(rest[0])] : [...MOCKS];
        let ok = true;
        for (const mock of targets)
          ok = show(await call(mock, 'POST', '/reset'), () => `${mock}: reset to the seed`) && ok;
        return finish(ok ? 0 : 1);
      }

      case 'scenarios': {
        const targets = values.mock ? [mockName(values.mock)] : [...MOCKS];
        let ok = true;
        const result: Record<string, unknown> = {};
        for (const mock of targets) {
          const a = await call(mock, 'GET', '/scenarios');
          const current = a.ok ? await admin.call(mock, 'GET', '/scenario') : undefined;
          const active = (current?.body as { name?: string } | null)?.name ?? null;
          result[mock] = a.ok ? { global: active, scenarios: a.body } : { error: a.error };
          ok =
            show(a, () => {
              // a shared catalogue lists every scenario everywhere: show here the ones that act on this mock
              const list = scenariosOf(a.body).filter((s) => s.appliesHere !== false);
              const head = `${mock}: global scenario ${active ?? '(none)'}`;
              if (list.length === 0) return `${head}; no scenarios act on this mock`;
              return [
                head,
                ...list.map(
                  (s) =>
                    `  ${s.active || s.name === active ? '*' : ' '} ${s.name}${s.description ? `  — ${s.description}` : ''}`,
                ),
              ].join('\n');
            }) && ok;
        }
        return finish(ok ? 0 : 1, result);
      }

      case 'scenario': {
        const [sub, name] = rest;
        if (sub !== 'set' && sub !== 'clear') throw new UsageError('scenario set <name> | scenario clear');
        if (sub === 'set' && !name) throw new UsageError('scenario set <name>');
        let targets: MockName[];
        if (values.mock) targets = [mockName(values.mock)];
        else if (sub === 'clear') targets = [...MOCKS];
        else {
          // the mocks that offer this scenario; if none can tell, ask all three (their errors are shown)
          targets = [];
          const listed: MockName[] = [];
          for (const mock of MOCKS) {
            const a = await admin.call(mock, 'GET', '/scenarios');
            if (!a.ok) continue;
            listed.push(mock);
            const found = scenariosOf(a.body).find((s) => s.name === name);
            if (found && (found.mocks ? found.mocks.includes(mock) : found.appliesHere !== false))
              targets.push(mock);
          }
          if (targets.length === 0 && listed.length > 0) {
            io.err(`no mock offers the scenario "${name}" (see: npm run mock -- scenarios)`);
            return finish(1, { error: `unknown scenario ${name}` });
          }
          if (targets.length === 0) targets = [...MOCKS];
        }
        const body = { name: sub === 'set' ? name : null };
        const path = values.session
          ? `/sessions/${encodeURIComponent(values.session)}/scenario`
          : '/scenario';
        let ok = true;
        for (const mock of targets)
          ok =
            show(await call(mock, 'PUT', path, body), () =>
              sub === 'set'
                ? `${mock}: scenario ${name}${values.session ? ` for session ${values.session}` : ' (global)'}`
                : `${mock}: scenario cleared${values.session ? ` for session ${values.session}` : ''}`,
            ) && ok;
        return finish(ok ? 0 : 1);
      }

      case 'fault': {
        const [sub, ...args] = rest;
        if (sub === 'add') {
          const [m, path, kindArg] = args;
          const mock = mockName(m);
          if (!path?.startsWith('/') || !kindArg)
            throw new UsageError('fault add <mock> <path starting with /> <kind>');
          const kind = kindArg === '5xx' || kindArg === '503' || kindArg === '500' ? 'error5xx' : kindArg;
          const body: Record<string, unknown> = { path, kind };
          if (values.method) body.method = values.method.toUpperCase();
          if (values.status !== undefined) body.status = int(values.status, '--status');
          else if (/^5\d\d$/.test(kindArg)) body.status = Number(kindArg);
          if (values.latency !== undefined) {
            const range = /^(\d+)(?:-|\.\.)(\d+)$/.exec(values.latency);
            if (range) body.latency = { uniform: { minMs: Number(range[1]), maxMs: Number(range[2]) } };
            else body.latencyMs = int(values.latency, '--latency');
          }
          if (values['long-tail'] !== undefined) {
            const [p50, p99] = values['long-tail'].split(',').map((x) => int(x, '--long-tail p50,p99'));
            if (p50 === undefined || p99 === undefined) throw new UsageError('--long-tail p50Ms,p99Ms');
            body.latency = { longTail: { p50Ms: p50, p99Ms: p99 } };
          }
          if (values.count !== undefined) body.count = int(values.count, '--count');
          if (values.rate !== undefined) body.rate = Number(values.rate);
          const a = await call(mock, 'POST', '/faults', body);
          return finish(show(a, () => `${mock}: fault ${faultLine(a.body)}`) ? 0 : 1);
        }
        if (sub === 'list' || sub === 'clear') {
          const targets = args[0] ? [mockName(args[0])] : [...MOCKS];
          let ok = true;
          const result: Record<string, unknown> = {};
          for (const mock of targets) {
            const a = await call(mock, sub === 'list' ? 'GET' : 'DELETE', '/faults');
            result[mock] = a.ok ? (a.body ?? 'cleared') : { error: a.error };
            ok =
              show(a, () => {
                if (sub === 'clear') return `${mock}: faults cleared`;
                const list = asArray(a.body, 'faults');
                return list.length === 0
                  ? `${mock}: no faults`
                  : [`${mock}:`, ...list.map((f) => `  ${faultLine(f)}`)].join('\n');
              }) && ok;
          }
          return finish(ok ? 0 : 1, result);
        }
        throw new UsageError('fault add|list|clear');
      }

      case 'journal': {
        const mock = mockName(rest[0]);
        const q = new URLSearchParams();
        for (const key of ['path', 'method', 'from', 'to', 'limit', 'status'] as const) {
          const v = values[key];
          if (v !== undefined) q.set(key, v);
        }
        if (values.text !== undefined) q.set('q', values.text);
        for (const t of values.tag ?? []) q.append('tag', t);
        const a = await call(mock, 'GET', `/journal${q.size ? `?${q}` : ''}`);
        return finish(
          show(a, () => {
            const list = asArray(a.body, 'entries');
            return list.length === 0 ? `${mock}: no requests match` : list.map(journalLine).join('\n');
          })
            ? 0
            : 1,
          a.ok ? a.body : a,
        );
      }

      case 'verify': {
        const mock = mockName(rest[0]);
        if (!values.path) throw new UsageError('verify <mock> --path p');
        const body: Record<string, unknown> = { path: values.path };
        if (values.method) body.method = values.method.toUpperCase();
        if (values['body-contains'] !== undefined) body.bodyContains = values['body-contains'];
        const tags = tagsOf(values);
        if (tags) body.tags = tags;
        const times = int(values.times, '--times');
        if (times !== undefined) body.times = times;
        let a = await call(mock, 'POST', '/journal/verify', body);
        let result: {
          ok: boolean;
          count: number;
          expected?: unknown;
          matches?: unknown[];
          nearMisses?: unknown[];
          note?: string;
        };
        if (a.ok) {
          result = a.body as typeof result;
        } else if (a.status === 404 || a.status === 405) {
          // no /journal/verify on this mock yet: the same check from the journal search
          const q = new URLSearchParams({ path: values.path, limit: '2000' });
          if (body.method) q.set('method', String(body.method));
          a = await call(mock, 'GET', `/journal?${q}`);
          if (!a.ok) return finish(show(a, () => undefined) ? 0 : 1);
          const entries = asArray(a.body, 'entries') as JournalRow[];
          const matches = entries.filter(
            (e) =>
              (values.path?.endsWith('*')
                ? e.path.startsWith(values.path.slice(0, -1))
                : e.path === values.path) &&
              (values['body-contains'] === undefined ||
                (e.requestBody ?? '').includes(values['body-contains'])) &&
              Object.entries(tags ?? {}).every(([k, v]) => e.tags?.[k] === v),
          );
          result = {
            ok: times === undefined ? matches.length > 0 : matches.length === times,
            count: matches.length,
            matches,
            nearMisses: entries.filter((e) => !matches.includes(e)).slice(0, 5),
            note: 'computed from GET /__admin/journal: this mock has no POST /__admin/journal/verify yet',
          };
        } else {
          return finish(show(a, () => undefined) ? 0 : 1);
        }
        if (!json) {
          const expected =
            result.expected !== undefined
              ? typeof result.expected === 'object'
                ? JSON.stringify(result.expected)
                : String(result.expected)
              : times === undefined
                ? 'at least 1'
                : String(times);
          const what = `${body.method ?? '*'} ${values.path}${values['body-contains'] ? ` containing "${values['body-contains']}"` : ''}${tags ? ` tagged ${JSON.stringify(tags)}` : ''}`;
          (result.ok ? io.out : io.err)(
            `${result.ok ? '✓' : '✗'} ${mock}: ${what}: ${result.count} request(s), expected ${expected}`,
          );
          if (!result.ok && result.nearMisses?.length) {
            io.err('  near misses:');
            for (const n of result.nearMisses.slice(0, 5)) {
              const hints = (n as { hints?: unknown }).hints;
              io.err(
                `    ${journalLine(n)}${hints ? `  ← ${Array.isArray(hints) ? hints.join('; ') : JSON.stringify(hints)}` : ''}`,
              );
            }
          }
          if (result.note) io.err(`  (${result.note})`);
        }
        return finish(result.ok ? 0 : 1, result);
      }

      case 'clock':
        return await clockCommand(admin, rest, { io, json, call, finish, show });

      case 'callbacks': {
        const [sub, id] = rest;
        if (sub === 'list' || sub === undefined) {
          const a = await call('wechatpay', 'GET', '/notifications');
          return finish(
            show(a, () => {
              const list = asArray(a.body, 'notifications') as Record<string, unknown>[];
              if (list.length === 0) return 'no callbacks yet';
              return list
                .map(
                  (n) =>
                    `${String(n.id)}  ${String(n.eventType)}  ${String(n.outTradeNo ?? '')}  attempts ${String(n.attempts)}` +
                    `  history ${Array.isArray(n.history) ? n.history.length : '?'}  ${n.delivered ? 'delivered' : 'NOT delivered'}` +
                    `${n.lastStatus !== undefined ? `  last HTTP ${String(n.lastStatus)}` : ''}  → ${String(n.url)}`,
                )
                .join('\n');
            })
              ? 0
              : 1,
            a.ok ? a.body : a,
          );
        }
        if (sub === 'replay') {
          if (!id) throw new UsageError('callbacks replay <id>');
          const a = await call('wechatpay', 'POST', `/notifications/${encodeURIComponent(id)}/replay`);
          return finish(
            show(a, () => {
              const at = a.body as Record<string, unknown>;
              return `replayed ${id}: ${at.status !== undefined ? `HTTP ${String(at.status)}` : ''}${at.error ? ` ${String(at.error)}` : ''}`;
            })
              ? 0
              : 1,
          );
        }
        if (sub === 'send') {
          if (!values.url || !values.event || !values.resource)
            throw new UsageError('callbacks send --url u --event e --resource json');
          let resource: unknown;
          try {
            resource = JSON.parse(values.resource);
          } catch {
            throw new UsageError('--resource: JSON (the plaintext resource)');
          }
          const signature = values.invalid ? 'invalid' : values.signtest ? 'signtest' : 'valid';
          const a = await call('wechatpay', 'POST', '/callbacks/send', {
            url: values.url,
            eventType: values.event,
            resource,
            signature,
          });
          return finish(
            show(a, () => `sent ${values.event} to ${values.url}: ${JSON.stringify(a.body)}`) ? 0 : 1,
          );
        }
        throw new UsageError('callbacks list | replay <id> | send');
      }

      case 'person': {
        const [sub, psnNo] = rest;
        if (sub === 'list') {
          const a = await call('insurance', 'GET', '/persons');
          return finish(
            show(a, () =>
              (asArray(a.body, 'persons') as Record<string, unknown>[])
                .map(
                  (p) =>
                    `${String(p.psnNo)}  ${String(p.name)}  ${String(p.idNo)}  ${String(p.insutype)}  ${String(p.status)}  balance ${yuan(p.balance)}  authCode ${String(p.authCode)}`,
                )
                .join('\n'),
            )
              ? 0
              : 1,
            a.ok ? a.body : a,
          );
        }
        if (sub === 'add') {
          if (!values.name || !values['id-no'])
            throw new UsageError('person add --name n --id-no 18 characters');
          const body: Record<string, unknown> = {
            name: values.name,
            idNo: values['id-no'],
            insutype: values.insutype ?? '310',
            balance: int(values.balance ?? '0', '--balance'),
          };
          if (values.status) body.status = values.status.toUpperCase();
          const a = await call('insurance', 'POST', '/persons', body);
          return finish(
            show(a, () => {
              const b = a.body as Record<string, unknown>;
              return `insured person ${String(b.psnNo)} added; authCode ${String(b.authCode)}`;
            })
              ? 0
              : 1,
          );
        }
        if (sub === 'set') {
          if (!psnNo) throw new UsageError('person set <psnNo> [--status S] [--balance fen]');
          const body: Record<string, unknown> = {};
          if (values.status) body.status = values.status.toUpperCase();
          if (values.balance !== undefined) body.balance = int(values.balance, '--balance');
          if (values.name) body.name = values.name;
          const a = await call('insurance', 'PATCH', `/persons/${encodeURIComponent(psnNo)}`, body);
          return finish(show(a, () => `person ${psnNo} updated`) ? 0 : 1);
        }
        throw new UsageError('person add | list | set');
      }

      case 'bill': {
        const [sub, billNo] = rest;
        if (sub === 'list') {
          const q = values.patient ? `?patientId=${encodeURIComponent(values.patient)}` : '';
          const a = await call('his', 'GET', `/bills${q}`);
          return finish(
            show(a, () =>
              (asArray(a.body, 'bills') as Record<string, unknown>[])
                .map(
                  (b) =>
                    `${String(b.billNo)}  ${String(b.patientId)}  ${String(b.status).padEnd(8)}  ${yuan(b.amount)}  ${String(b.dept ?? '')}`,
                )
                .join('\n'),
            )
              ? 0
              : 1,
            a.ok ? a.body : a,
          );
        }
        if (sub === 'pay-at-window') {
          if (!billNo) throw new UsageError('bill pay-at-window <billNo>');
          const a = await call('his', 'POST', `/bills/${encodeURIComponent(billNo)}/pay-at-window`);
          return finish(show(a, () => `${billNo} paid at the window`) ? 0 : 1);
        }
        if (sub === 'add') {
          if (!values.patient || !values.item?.length)
            throw new UsageError('bill add --patient P100001 --item code:qty [--item …]');
          const catalogue = await admin.call('insurance', 'GET', '/catalogue');
          const known = new Map<string, Record<string, unknown>>();
          for (const c of asArray(catalogue.body, 'items') as Record<string, unknown>[])
            known.set(String(c.code), c);
          const items = values.item.map((spec) => {
            const [code, qty, price] = spec.split(':');
            const c = known.get(code);
            const priceFen =
              price !== undefined ? int(price, `--item ${spec} price`) : (c?.priceFen as number);
            if (priceFen === undefined)
              throw new UsageError(
                `--item ${spec}: ${code} is not in the insurance catalogue${catalogue.ok ? '' : ` (${catalogue.error})`}; give its price: code:qty:priceFen`,
              );
            const item: Record<string, unknown> = {
              code,
              name: c ? String(c.name) : code,
              price: priceFen,
              qty: int(qty ?? '1', `--item ${spec} qty`),
            };
            if (c?.class) item.insuranceClass = c.class;
            return item;
          });
          const body: Record<string, unknown> = { patientId: values.patient, items };
          if (values.dept) body.dept = values.dept;
          if (values.doctor) body.doctor = values.doctor;
          const a = await call('his', 'POST', '/bills', body);
          return finish(
            show(a, () => {
              const b = a.body as Record<string, unknown>;
              return `bill ${String(b.billNo)} for ${values.patient}: ${yuan(b.amount)}`;
            })
              ? 0
              : 1,
          );
        }
        throw new UsageError('bill add | list | pay-at-window <billNo>');
      }

      default:
        throw new UsageError(`unknown command: ${command}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}

interface JournalRow {
  seq?: number;
  atMs?: number;
  method: string;
  path: string;
  query?: string;
  status?: number;
  durationMs?: number;
  fault?: string;
  requestBody?: string;
  tags?: Record<string, string>;
}

function journalLine(entry: unknown): string {
  const e = entry as JournalRow;
  const tags = Object.entries(e.tags ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return [
    `#${e.seq ?? '?'}`,
    e.atMs !== undefined ? cst(e.atMs) : '',
    e.method,
    `${e.path}${e.query ? `?${e.query}` : ''}`,
    `→ ${e.status ?? '?'}`,
    e.durationMs !== undefined ? `${e.durationMs}ms` : '',
    e.fault ? `[fault ${e.fault}]` : '',
    tags,
  ]
    .filter(Boolean)
    .join('  ');
}

function faultLine(fault: unknown): string {
  const f = fault as Record<string, unknown>;
  const extra = ['status', 'latencyMs', 'latency', 'rate', 'count', 'hits', 'passes']
    .filter((k) => f[k] !== undefined)
    .map((k) => `${k} ${typeof f[k] === 'object' ? JSON.stringify(f[k]) : String(f[k])}`);
  return `#${String(f.id)} ${String(f.kind)} on ${f.method ? `${String(f.method)} ` : ''}${String(f.path)}${extra.length ? ` (${extra.join(', ')})` : ''}${f.exhausted === true ? ' — exhausted (count used up)' : ''}`;
}

function yuan(fen: unknown): string {
  return typeof fen === 'number' ? `¥${(fen / 100).toFixed(2)}` : String(fen);
}

interface Ctx {
  io: CliIo;
  json: boolean;
  call(mock: MockName, method: string, path: string, body?: unknown): Promise<Answer>;
  finish(code: number, result?: unknown): number;
  show(a: Answer, human: () => string | undefined): boolean;
}

/**
 * The clock of all three mocks, kept in step. `npm run mocks` gives them one clock (moving one moves all);
 * mocks in separate processes each have their own, so the others are set to where the first one went.
 * The action goes to the WeChat Pay mock first (its clock call also sends the callbacks that became due).
 * The new body shapes ({advance:"3h"}, {nextDay:"10:00"}, {set:ISO}) are tried first; a mock that does not
 * know them gets the numeric ones ({advanceMs}, {setMs}).
 */
async function clockCommand(admin: MockAdmin, args: string[], ctx: Ctx): Promise<number> {
  const [sub = 'show', arg] = args;
  const order: MockName[] = ['wechatpay', 'insurance', 'his'];
  if (sub === 'show') {
    const result: Record<string, unknown> = {};
    let ok = true;
    for (const mock of order) {
      const a = await ctx.call(mock, 'GET', '/clock');
      const view = clockOf(a.body);
      result[mock] = a.ok ? a.body : { error: a.error };
      ok =
        ctx.show(
          a,
          () =>
            `${mock.padEnd(10)} ${view ? `${cst(view.nowMs)}${view.frozen ? ' (frozen)' : ''}` : JSON.stringify(a.body)}`,
        ) && ok;
    }
    return ctx.finish(ok ? 0 : 1, result);
  }
  let newBody: Record<string, unknown>;
  let target: (nowMs: number) => number | undefined;
  let legacy: (nowMs: number) => Record<string, unknown>;
  switch (sub) {
    case 'freeze':
    case 'unfreeze':
      newBody = { freeze: sub === 'freeze' };
      target = () => undefined;
      legacy = () => newBody;
      break;
    case 'advance': {
      if (!arg) throw new UsageError('clock advance <duration, e.g. 3h>');
      const ms = parseDuration(arg);
      newBody = { advance: arg };
      target = (now) => now + ms;
      legacy = () => ({ advanceMs: ms });
      break;
    }
    case 'next-day': {
      const hhmm = arg ?? '00:00';
      nextDayAt(0, hhmm); // validates
      newBody = { nextDay: hhmm };
      target = (now) => nextDayAt(now, hhmm);
      legacy = (now) => ({ setMs: nextDayAt(now, hhmm) });
      break;
    }
    case 'set': {
      const ms = arg ? Date.parse(arg) : NaN;
      if (Number.isNaN(ms)) throw new UsageError('clock set <ISO 8601, e.g. 2026-12-01T09:00:00+08:00>');
      newBody = { set: arg };
      target = () => ms;
      legacy = () => ({ setMs: ms });
      break;
    }
    default:
      throw new UsageError('clock show | freeze | unfreeze | advance 3h | next-day 10:00 | set ISO');
  }
  // the first reachable mock leads
  let lead: MockName | undefined;
  let before: ClockView | undefined;
  for (const mock of order) {
    const a = await admin.call(mock, 'GET', '/clock');
    before = clockOf(a.body);
    if (a.ok && before) {
      lead = mock;
      break;
    }
    ctx.show(a, () => undefined);
  }
  if (!lead || !before) return ctx.finish(1, { error: 'no mock clock reachable' });
  const expected = target(before.nowMs);
  let a = await ctx.call(lead, 'POST', '/clock', newBody);
  let after = clockOf(a.body);
  const honoured =
    a.ok && (expected === undefined || (after !== undefined && Math.abs(after.nowMs - expected) < 5000));
  if (!honoured && (a.ok || a.status === 400 || a.status === 422)) {
    a = await ctx.call(lead, 'POST', '/clock', legacy(before.nowMs));
    after = clockOf(a.body);
  }
  if (!ctx.show(a, () => undefined) || !after) return ctx.finish(1);
  const result: Record<string, unknown> = {};
  for (const mock of order) {
    let view = after;
    if (mock !== lead) {
      const other = await ctx.call(mock, 'GET', '/clock');
      const otherView = clockOf(other.body);
      if (!other.ok || !otherView) {
        ctx.show(other, () => undefined);
        result[mock] = { error: other.error };
        continue;
      }
      view = otherView;
      // a separate clock: bring it to the lead's instant and state
      if (Math.abs(otherView.nowMs - after.nowMs) > 2000 || otherView.frozen !== after.frozen) {
        const synced = await ctx.call(mock, 'POST', '/clock', { setMs: after.nowMs, freeze: after.frozen });
        view = clockOf(synced.body) ?? otherView;
      }
    }
    result[mock] = view;
    if (!ctx.json) ctx.io.out(`${mock.padEnd(10)} ${cst(view.nowMs)}${view.frozen ? ' (frozen)' : ''}`);
  }
  return ctx.finish(0, result);
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.stack : err);
      process.exit(1);
    },
  );
}
