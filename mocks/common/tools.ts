/**
 * The testers' tools every mock shares, under /__admin: journal search and verification, and the clock in
 * tester's units ("3h", next day 10:00 China time). Registered by the frame before its basic routes, so these
 * answer GET /journal and POST /clock. Faults are validated and applied by faults.ts and app.ts.
 *
 * Moving the clock forward walks it through every instant something falls due on the way (a WeChat callback
 * retry, say): whatever registered a clock stepper for this clock is run at each of those instants, so that
 * "advance 3 hours" delivers the retries on their schedule, not one late batch.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import type { ManualClock } from '../../shared/clock';
import type { Journal, JournalQuery } from './journal';

/** Something that acts when the mock clock reaches an instant (WeChat: callback retries, PROCESSING refunds). */
export interface ClockStepper {
  /** the earliest instant (mock-clock ms) at which something is due, or undefined */
  nextDueAtMs(): number | undefined;
  /** does what is due now; resolves when done */
  runDue(): Promise<void>;
}

const steppers = new WeakMap<ManualClock, Set<ClockStepper>>();

/** Registers a stepper for a clock (a clock shared by several mocks steps all of them). */
export function mountClockStepper(clock: ManualClock, stepper: ClockStepper): () => void {
  let set = steppers.get(clock);
  if (!set) {
    set = new Set();
    steppers.set(clock, set);
  }
  set.add(stepper);
  return () => set.delete(stepper);
}

const STEPS_MAX = 10_000;

/**
 * Moves the clock to targetMs, stopping at every instant a stepper has something due on the way, and runs
 * what is due at each stop and at the end. Backwards moves just set the clock. → the number of stops made.
 */
export async function moveClockTo(clock: ManualClock, targetMs: number): Promise<number> {
  const list = [...(steppers.get(clock) ?? [])];
  const runAll = async () => {
    for (const s of list) await s.runDue();
  };
  if (targetMs < clock.now()) {
    clock.set(targetMs);
    await runAll();
    return 0;
  }
  let stops = 0;
  await runAll();
  for (let i = 0; i < STEPS_MAX; i++) {
    const due = list
      .map((s) => s.nextDueAtMs())
      .filter((t): t is number => t !== undefined && t > clock.now() && t <= targetMs)
      .sort((a, b) => a - b)[0];
    if (due === undefined) break;
    clock.set(due);
    stops++;
    await runAll();
  }
  clock.set(targetMs);
  await runAll();
  return stops;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "3h", "90m", "15s", "1h30m", "2d", "500ms" → ms; null when it is not such a duration. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(trimmed)) return null;
  let total = 0;
  for (const [, n, , unit] of trimmed.matchAll(/(\d+(\.\d+)?)(ms|s|m|h|d)/g))
    total += Number(n) * UNIT_MS[unit];
  return Math.round(total);
}

const CST_OFFSET_MS = 8 * 3_600_000;

/** The next China-time day after nowMs, at HH:mm(:ss) CST. */
export function nextDayAtCst(nowMs: number, hhmm: string): number {
  const [h, m, s] = hhmm.split(':').map(Number);
  const cstMidnight = Math.floor((nowMs + CST_OFFSET_MS) / 86_400_000) * 86_400_000 - CST_OFFSET_MS;
  return cstMidnight + 86_400_000 + ((h * 60 + m) * 60 + (s || 0)) * 1000;
}

/** An instant given as ms since the epoch (number or digits) or an ISO 8601 / RFC 3339 string. */
export function parseInstant(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

const instant = z.union([z.number().int().min(0), z.string().min(1)]).transform((v, ctx) => {
  const ms = parseInstant(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'an ISO 8601 time or ms since the epoch' });
    return z.NEVER;
  }
  return ms;
});

const timesSchema = z.union([
  z.number().int().min(0),
  z
    .object({ atLeast: z.number().int().min(0).optional(), atMost: z.number().int().min(0).optional() })
    .strict(),
]);

export const verifySchema = z
  .object({
    method: z.string().min(1).optional(),
    path: z.string().startsWith('/'),
    bodyContains: z.string().optional(),
    tags: z.record(z.string(), z.string()).optional(),
    from: instant.optional(),
    to: instant.optional(),
    /** only calls answered with this status (200) or class ("2xx") count */
    status: z
      .union([z.number().int().min(100).max(599), z.string().regex(/^([1-5]xx|[1-5]\d\d)$/)])
      .optional(),
    times: timesSchema.optional(),
  })
  .strict();

export const clockSchema = z
  .object({
    freeze: z.boolean().optional(),
    setMs: z.number().int().min(0).optional(),
    /** an instant: ISO 8601 or ms */
    set: instant.optional(),
    advanceMs: z.number().int().min(0).optional(),
    advance: z
      .string()
      .refine((v) => parseDuration(v) !== null, { message: 'a duration like "3h", "90m", "15s", "1h30m"' })
      .optional(),
    /** the next day (China time) at HH:mm */
    nextDay: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'HH:mm, China time')
      .optional(),
  })
  .strict();

export interface ToolsDeps {
  admin: Router;
  journal: Journal;
  clock: ManualClock;
  openapi: Record<string, unknown>;
  parse<T>(schema: z.ZodType<T>, body: unknown): T;
}

function clockView(clock: ManualClock) {
  const nowMs = clock.now();
  return {
    nowMs,
    now: new Date(nowMs).toISOString(),
    nowCst: new Date(nowMs + CST_OFFSET_MS).toISOString().replace('Z', '+08:00'),
    frozen: clock.frozen,
  };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

const OPENAPI: Record<string, unknown> = {
  '/__admin/journal': {
    get: {
      summary:
        'Recent requests, newest first. Filters: path (substring), method, tag=key=value (repeatable, all must ' +
        'match), status (503 or 5xx), q (text in request or response body), from / to (ISO or mock-clock ms), ' +
        'sinceMs, faulted (true|false), limit',
      parameters: ['path', 'method', 'tag', 'status', 'q', 'from', 'to', 'sinceMs', 'faulted', 'limit'].map(
        (p) => ({ name: p, in: 'query', schema: { type: 'string' } }),
      ),
    },
  },
  '/__admin/journal/verify': {
    post: {
      summary:
        'Was it called? {method?, path (exact; trailing * = prefix), bodyContains?, tags?: {k: v}, from?, to?, ' +
        'status? (200 or "2xx": only calls so answered count), times?: n | {atLeast?, atMost?} (default atLeast ' +
        '1)} → {ok, count, expected, byStatus: {status: n}, matches: [brief], nearMisses: [brief + hints]}',
    },
  },
  '/__admin/faults': {
    get: {
      summary:
        'Faults with hits (acted on) and passes (let through by rate); a used-up `count` stays listed as exhausted',
    },
    post: {
      summary:
        'Add a fault {path (prefix), method?, kind: error5xx|timeout|latency|malformed|reset|badSignature, ' +
        'status?, latencyMs?, latency?: ms | {fixed} | {uniform: {minMs, maxMs}} | {longTail: {p50Ms, p99Ms, ' +
        'maxMs?}}, rate? (0–1), seed?, count?} → 201 the fault',
    },
    delete: { summary: 'Clear all faults' },
  },
  '/__admin/faults/{id}': { delete: { summary: 'Remove one fault' } },
  '/__admin/clock': {
    get: { summary: 'The mock clock {nowMs, now, nowCst, frozen}' },
    post: {
      summary:
        'Move the clock {freeze?, setMs?, set? (ISO or ms), advanceMs?, advance? ("3h", "90m", "15s", "1h30m"), ' +
        'nextDay? ("10:00", China time)}; moving forward stops at every instant a callback retry (or other ' +
        'timed work) falls due on the way → the clock and {stops}',
    },
  },
};

/** Registers the journal and clock tools on a mock's admin router (before the frame's basic routes). */
export function mountTools(deps: ToolsDeps): void {
  const { admin, journal, clock } = deps;
  Object.assign(deps.openapi, OPENAPI);

  admin.get('/journal', (ctx) => {
    const q = ctx.query;
    const tag = Array.isArray(q.tag) ? q.tag : str(q.tag);
    const query: JournalQuery = {
      path: str(q.path),
      method: str(q.method),
      tag,
      status: str(q.status),
      text: str(q.q) ?? str(q.text),
      sinceMs: str(q.sinceMs) === undefined ? undefined : Number(q.sinceMs),
      fromMs: parseInstant(q.from),
      untilMs: parseInstant(q.to),
      faulted: q.faulted === 'true' ? true : q.faulted === 'false' ? false : undefined,
      limit: str(q.limit) === undefined ? undefined : Number(q.limit),
    };
    ctx.body = journal.search(query);
  });

  admin.post('/journal/verify', (ctx) => {
    const body = deps.parse(verifySchema, ctx.request.body);
    ctx.body = journal.verify({
      method: body.method,
      path: body.path,
      bodyContains: body.bodyContains,
      tags: body.tags,
      fromMs: body.from,
      toMs: body.to,
      status: body.status,
      times: body.times,
    });
  });

  admin.get('/clock', (ctx) => {
    ctx.body = clockView(clock);
  });

  admin.post('/clock', async (ctx) => {
    const body = deps.parse(clockSchema, ctx.request.body);
    if (body.freeze === true) clock.freeze();
    if (body.freeze === false) clock.unfreeze();
    let stops = 0;
    const setTo = body.set ?? body.setMs;
    if (setTo !== undefined) stops += await moveClockTo(clock, setTo);
    const advanceMs =
      (body.advanceMs ?? 0) + (body.advance === undefined ? 0 : (parseDuration(body.advance) ?? 0));
    if (advanceMs > 0) stops += await moveClockTo(clock, clock.now() + advanceMs);
    if (body.nextDay !== undefined)
      stops += await moveClockTo(clock, nextDayAtCst(clock.now(), body.nextDay));
    ctx.body = { ...clockView(clock), stops };
  });
}
