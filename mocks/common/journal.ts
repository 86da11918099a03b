/**
 * A bounded, searchable record of the requests a mock received, newest first, and verification over it
 * ("was 6202 called exactly once for this order?") with hints about the requests that nearly matched.
 */
export interface JournalEntry {
  seq: number;
  atMs: number;
  method: string;
  path: string;
  query: string;
  requestBody: string;
  status: number;
  responseBody: string;
  durationMs: number;
  fault?: string;
  /** what the mock's handler wants testers to see, e.g. { infno: '6202', payOrdId }; free-form */
  tags: Record<string, string>;
}

export interface JournalQuery {
  /** substring of the path */
  path?: string;
  method?: string;
  /** "key=value" (or several, all must match) */
  tag?: string | string[];
  /** mock-clock ms, inclusive */
  sinceMs?: number;
  fromMs?: number;
  untilMs?: number;
  /** an exact status (503) or a class ("5xx") */
  status?: string | number;
  /** free text in the request or response body (case-insensitive) */
  text?: string;
  /** entries a fault acted on (true) or did not (false) */
  faulted?: boolean;
  limit?: number;
}

export type Times = number | { atLeast?: number; atMost?: number };

export interface Expectation {
  method?: string;
  /** the exact path; a trailing "*" makes it a prefix */
  path: string;
  /** text the request body must contain (case-sensitive) */
  bodyContains?: string;
  /** tags that must all be present with these values */
  tags?: Record<string, string>;
  fromMs?: number;
  toMs?: number;
  /** only calls answered with this status (200) or class ("2xx") count */
  status?: string | number;
  /** default: at least once */
  times?: Times;
}

/** What verification shows of an entry. */
export interface EntryBrief {
  seq: number;
  at: string;
  atMs: number;
  method: string;
  path: string;
  status: number;
  fault?: string;
  tags: Record<string, string>;
}

export interface NearMiss extends EntryBrief {
  /** why it did not match, one line per criterion */
  hints: string[];
}

export interface Verification {
  ok: boolean;
  count: number;
  /** what the expectation asked, in words */
  expected: string;
  /** the calls meeting every criterion but the status, counted per status answered ("200": 3, "503": 1) */
  byStatus: Record<string, number>;
  matches: EntryBrief[];
  nearMisses: NearMiss[];
}

const BODY_LIMIT_CHARS = 4000;
const NEAR_MISSES_MAX = 10;
const MATCHES_MAX = 50;

export function brief(e: JournalEntry): EntryBrief {
  return {
    seq: e.seq,
    at: new Date(e.atMs).toISOString(),
    atMs: e.atMs,
    method: e.method,
    path: e.path,
    status: e.status,
    ...(e.fault ? { fault: e.fault } : {}),
    tags: { ...e.tags },
  };
}

function parseTags(tag: string | string[] | undefined): [string, string][] {
  const list = tag === undefined ? [] : Array.isArray(tag) ? tag : [tag];
  return list.map((t) => {
    const at = t.indexOf('=');
    return at < 0 ? [t, ''] : [t.slice(0, at), t.slice(at + 1)];
  });
}

function statusMatches(wanted: string | number, status: number): boolean {
  const text = String(wanted).trim().toLowerCase();
  if (/^[1-5]xx$/.test(text)) return Math.floor(status / 100) === Number(text[0]);
  return Number(text) === status;
}

function pathMatches(wanted: string, path: string): boolean {
  return wanted.endsWith('*') ? path.startsWith(wanted.slice(0, -1)) : path === wanted;
}

const segments = (path: string) => path.split('/').filter((s) => s !== '');

/** How a path that is not the wanted one is close to it, or null when it is not close. */
export function pathNearness(wanted: string, path: string): string | null {
  if (pathMatches(wanted, path)) return null;
  const base = wanted.endsWith('*') ? wanted.slice(0, -1) : wanted;
  const a = segments(base);
  const b = segments(path);
  if (a.length === b.length) {
    const differing = a.flatMap((s, i) => (s === b[i] ? [] : [i]));
    if (differing.length === 1) {
      const i = differing[0];
      return `path ${path} differs from ${base} in one segment ("${b[i]}" instead of "${a[i]}")`;
    }
    if (a.join('/').toLowerCase() === b.join('/').toLowerCase()) return `path ${path} differs only in case`;
    return null;
  }
  const [shorter, longer] = a.length < b.length ? [a, b] : [b, a];
  if (shorter.length > 0 && shorter.every((s, i) => s === longer[i]) && longer.length - shorter.length <= 2) {
    return a.length < b.length
      ? `path ${path} is longer than ${base} (extra "/${b.slice(a.length).join('/')}")`
      : `path ${path} is a prefix of ${base}`;
  }
  return null;
}

function timesText(times: Times): string {
  if (typeof times === 'number') return `exactly ${times} time${times === 1 ? '' : 's'}`;
  const parts: string[] = [];
  if (times.atLeast !== undefined) parts.push(`at least ${times.atLeast}`);
  if (times.atMost !== undefined) parts.push(`at most ${times.atMost}`);
  return parts.length > 0 ? `${parts.join(' and ')} times` : 'any number of times';
}

export function timesSatisfied(times: Times, count: number): boolean {
  if (typeof times === 'number') return count === times;
  return (
    (times.atLeast === undefined || count >= times.atLeast) &&
    (times.atMost === undefined || count <= times.atMost)
  );
}

function describe(x: Expectation, times: Times): string {
  const parts = [`${x.method?.toUpperCase() ?? 'any method'} ${x.path}`];
  if (x.bodyContains !== undefined) parts.push(`with a body containing ${JSON.stringify(x.bodyContains)}`);
  if (x.tags && Object.keys(x.tags).length > 0)
    parts.push(
      `tagged ${Object.entries(x.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
    );
  if (x.fromMs !== undefined) parts.push(`from ${new Date(x.fromMs).toISOString()}`);
  if (x.toMs !== undefined) parts.push(`to ${new Date(x.toMs).toISOString()}`);
  if (x.status !== undefined) parts.push(`answered ${x.status}`);
  return `${parts.join(' ')}, ${timesText(times)}`;
}

/**
 * Why an entry does not meet the expectation: [] when it matches, null when it is not even close (another
 * path altogether), else one hint per criterion it misses.
 */
export function missReasons(x: Expectation, e: JournalEntry): string[] | null {
  const hints: string[] = [];
  if (!pathMatches(x.path, e.path)) {
    const near = pathNearness(x.path, e.path);
    if (near === null) return null;
    hints.push(near);
  }
  if (x.method && x.method.toUpperCase() !== e.method)
    hints.push(`method was ${e.method}, not ${x.method.toUpperCase()}`);
  if (x.bodyContains !== undefined && !e.requestBody.includes(x.bodyContains)) {
    hints.push(
      e.requestBody === ''
        ? `the request body is empty, so it lacks ${JSON.stringify(x.bodyContains)}`
        : `the request body does not contain ${JSON.stringify(x.bodyContains)}` +
            (/"encData"\s*:/.test(e.requestBody) ? ' (the body is encrypted: match a tag instead)' : ''),
    );
  }
  if (x.status !== undefined && !statusMatches(x.status, e.status))
    hints.push(`answered ${e.status}, not ${x.status}`);
  for (const [key, value] of Object.entries(x.tags ?? {})) {
    const actual = e.tags[key];
    if (actual === value) continue;
    hints.push(
      actual === undefined
        ? `tag ${key} is absent${e.fault ? ` (the ${e.fault} fault answered before the mock's handler could tag it)` : ''}`
        : `tag ${key} was ${JSON.stringify(actual)}, not ${JSON.stringify(value)}`,
    );
  }
  if (x.fromMs !== undefined && e.atMs < x.fromMs)
    hints.push(`at ${new Date(e.atMs).toISOString()}, before from ${new Date(x.fromMs).toISOString()}`);
  if (x.toMs !== undefined && e.atMs > x.toMs)
    hints.push(`at ${new Date(e.atMs).toISOString()}, after to ${new Date(x.toMs).toISOString()}`);
  return hints;
}

/** Verification over entries (any order); matches and near misses come newest first. */
export function verifyEntries(entries: readonly JournalEntry[], x: Expectation): Verification {
  const times = x.times ?? { atLeast: 1 };
  const matches: JournalEntry[] = [];
  const near: { entry: JournalEntry; hints: string[] }[] = [];
  const byStatus: Record<string, number> = {};
  const anyStatus: Expectation = { ...x, status: undefined };
  for (const e of entries) {
    const hintsAnyStatus = x.status === undefined ? undefined : missReasons(anyStatus, e);
    const hints = missReasons(x, e);
    if ((hintsAnyStatus ?? hints)?.length === 0) byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
    if (hints === null) continue;
    if (hints.length === 0) matches.push(e);
    else near.push({ entry: e, hints });
  }
  matches.sort((a, b) => b.seq - a.seq);
  near.sort((a, b) => a.hints.length - b.hints.length || b.entry.seq - a.entry.seq);
  return {
    ok: timesSatisfied(times, matches.length),
    count: matches.length,
    expected: describe(x, times),
    byStatus,
    matches: matches.slice(0, MATCHES_MAX).map(brief),
    nearMisses: near.slice(0, NEAR_MISSES_MAX).map(({ entry, hints }) => ({ ...brief(entry), hints })),
  };
}

export class Journal {
  private entries: JournalEntry[] = [];
  private seq = 0;

  constructor(private readonly capacity = 2000) {}

  add(entry: Omit<JournalEntry, 'seq'>): JournalEntry {
    const full: JournalEntry = {
      ...entry,
      requestBody: entry.requestBody.slice(0, BODY_LIMIT_CHARS),
      responseBody: entry.responseBody.slice(0, BODY_LIMIT_CHARS),
      seq: ++this.seq,
    };
    this.entries.push(full);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    return full;
  }

  get size(): number {
    return this.entries.length;
  }

  search(query: JournalQuery = {}): JournalEntry[] {
    const limit = Math.min(Math.max(query.limit ?? 100, 1), this.capacity);
    const tags = parseTags(query.tag);
    const text = query.text?.toLowerCase();
    const fromMs = Math.max(query.sinceMs ?? -Infinity, query.fromMs ?? -Infinity);
    const out: JournalEntry[] = [];
    for (let i = this.entries.length - 1; i >= 0 && out.length < limit; i--) {
      const e = this.entries[i];
      if (query.path && !e.path.includes(query.path)) continue;
      if (query.method && e.method !== query.method.toUpperCase()) continue;
      if (e.atMs < fromMs) continue;
      if (query.untilMs !== undefined && e.atMs > query.untilMs) continue;
      if (query.status !== undefined && !statusMatches(query.status, e.status)) continue;
      if (query.faulted !== undefined && (e.fault !== undefined) !== query.faulted) continue;
      if (tags.some(([k, v]) => e.tags[k] !== v)) continue;
      if (text && !e.requestBody.toLowerCase().includes(text) && !e.responseBody.toLowerCase().includes(text))
        continue;
      out.push(e);
    }
    return out;
  }

  verify(expectation: Expectation): Verification {
    return verifyEntries(this.entries, expectation);
  }

  clear(): void {
    this.entries = [];
  }
}
