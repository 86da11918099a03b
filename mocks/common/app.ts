/**
 * The frame every mock shares: JSON errors, request journal, fault injection, a controllable clock, and the
 * admin basics (/healthz, /__admin/reset, /__admin/journal, /__admin/faults, /__admin/clock,
 * /__admin/openapi.json). A mock adds its own routes to `router` and `admin`.
 */
import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { ManualClock } from '../../shared/clock';
import { Journal } from './journal';
import { Faults, faultSchema, type Fault } from './faults';
import { MockHttpError, parseBody } from './http';
import { installSessions } from './session';
import { mountTools } from './tools';

// every mock imports these from here; they live in http.ts so that session.ts needs nothing of this file
export { MockHttpError, parseBody };

export interface MockFrame {
  name: string;
  app: Koa;
  /** the mock's protocol routes */
  router: Router;
  /** routes under /__admin */
  admin: Router;
  journal: Journal;
  faults: Faults;
  clock: ManualClock;
  /** register what /__admin/reset must put back */
  onReset(fn: () => void): void;
  /** the mock's OpenAPI paths for its admin API (merged into /__admin/openapi.json) */
  openapi: Record<string, unknown>;
  /** a fault of kind badSignature applies to this request (mocks that sign answers consult it) */
  wantsBadSignature(ctx: Koa.Context): boolean;
}

const JOURNAL_CAPACITY_DEFAULT = 2000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How many requests each mock's journal keeps (MOCK_JOURNAL_MAX, default 2000): a chaos run that checks every
 * create against the journals sets it to hold the whole run (each entry keeps at most a few KB of bodies).
 */
function journalCapacity(raw: string | undefined): number {
  const n = raw === undefined || raw === '' ? JOURNAL_CAPACITY_DEFAULT : Number(raw);
  if (!Number.isSafeInteger(n) || n < 100 || n > 2_000_000)
    throw new RangeError(`MOCK_JOURNAL_MAX must be an integer from 100 to 2000000, got ${raw}`);
  return n;
}

export function createMockFrame(name: string, clock = new ManualClock()): MockFrame {
  const app = new Koa();
  const router = new Router();
  const admin = new Router({ prefix: '/__admin' });
  const journal = new Journal(journalCapacity(process.env.MOCK_JOURNAL_MAX));
  const faults = new Faults();
  const resets: (() => void)[] = [];
  const openapi: Record<string, unknown> = {};
  mountTools({ admin, journal, clock, openapi, parse: parseBody }); // journal search/verify, clock forms

  app.use(async (ctx, next) => {
    const started = Date.now();
    const tags: Record<string, string> = {};
    ctx.state.journalTags = tags;
    try {
      await next();
    } catch (err) {
      if (err instanceof MockHttpError) {
        ctx.status = err.status;
        ctx.body = { code: err.code, message: err.message };
      } else {
        ctx.status = 500;
        ctx.body = { code: 'SYSTEM_ERROR', message: err instanceof Error ? err.message : String(err) };
      }
    }
    if (!ctx.path.startsWith('/__admin') && ctx.path !== '/healthz') {
      const fault = ctx.state.fault as Fault | undefined;
      journal.add({
        atMs: clock.now(),
        method: ctx.method,
        path: ctx.path,
        query: ctx.querystring,
        requestBody: typeof ctx.request.rawBody === 'string' ? ctx.request.rawBody : '',
        status: ctx.status,
        responseBody:
          typeof ctx.body === 'string' ? ctx.body : ctx.body === undefined ? '' : JSON.stringify(ctx.body),
        durationMs: Date.now() - started,
        fault: fault?.kind,
        tags,
      });
    }
  });

  app.use(bodyParser({ enableTypes: ['json', 'form', 'text'], encoding: 'utf-8', jsonLimit: '1mb' }));

  // fault injection, before the mock's own routes (kinds and delays: faults.ts; latency is real time)
  app.use(async (ctx, next) => {
    if (ctx.path.startsWith('/__admin') || ctx.path === '/healthz') return next();
    const hit = faults.takeHit(ctx.method, ctx.path);
    if (!hit) return next();
    const { fault, delayMs } = hit;
    ctx.state.fault = fault;
    ctx.state.faultDelayMs = delayMs;
    (ctx.state.journalTags as Record<string, string>).faultId = String(fault.id);
    if (delayMs > 0) await sleep(delayMs);
    switch (fault.kind) {
      case 'latency':
        return next();
      case 'timeout':
        // hang (the delay above), then drop the connection without an answer
        ctx.req.socket.destroy();
        return;
      case 'reset':
        ctx.req.socket.destroy();
        return;
      case 'error5xx':
        ctx.status = fault.status ?? 503;
        ctx.body = { code: 'SYSTEM_ERROR', message: `injected fault #${fault.id}` };
        return;
      case 'malformed':
        await next();
        ctx.type = 'application/json';
        ctx.body = '{"truncated": ';
        return;
      case 'badSignature':
        return next();
    }
  });

  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok', mock: name };
  });

  admin.post('/reset', (ctx) => {
    for (const fn of resets) fn();
    journal.clear();
    faults.clear();
    ctx.body = { reset: true };
  });
  admin.get('/faults', (ctx) => {
    ctx.body = faults.list();
  });
  admin.post('/faults', (ctx) => {
    ctx.status = 201;
    ctx.body = faults.add(parseBody(faultSchema, ctx.request.body));
  });
  admin.delete('/faults', (ctx) => {
    faults.clear();
    ctx.status = 204;
  });
  admin.delete('/faults/:id', (ctx) => {
    if (!faults.remove(Number(ctx.params.id))) throw new MockHttpError(404, 'NOT_FOUND', 'no such fault');
    ctx.status = 204;
  });
  admin.get('/openapi.json', (ctx) => {
    ctx.body = {
      openapi: '3.0.3',
      info: { title: `${name} mock admin API`, version: '1.0.0' },
      paths: {
        '/__admin/reset': { post: { summary: 'Back to the seeded state (also clears journal and faults)' } },
        '/__admin/journal': {
          get: {
            summary: 'Recent requests, newest first',
            parameters: ['path', 'method', 'tag', 'sinceMs', 'limit'].map((p) => ({
              name: p,
              in: 'query',
              schema: { type: 'string' },
            })),
          },
        },
        '/__admin/faults': {
          get: { summary: 'Active faults' },
          post: { summary: 'Add a fault {path, method?, kind, status?, latencyMs?, count?}' },
          delete: { summary: 'Clear all faults' },
        },
        '/__admin/clock': {
          get: { summary: 'The mock clock' },
          post: { summary: 'Move the clock {advanceMs?, setMs?, freeze?}' },
        },
        ...openapi,
      },
    };
  });

  installSessions({ name, app, admin, openapi, clock, onReset: (fn) => resets.push(fn) });
  const frame: MockFrame = {
    name,
    app,
    router,
    admin,
    journal,
    faults,
    clock,
    onReset: (fn) => resets.push(fn),
    openapi,
    wantsBadSignature: (ctx) => (ctx.state.fault as Fault | undefined)?.kind === 'badSignature',
  };
  // routes are mounted last so a mock can add to router/admin before listening
  app.use(async (ctx, next) => {
    await admin.routes()(ctx as never, async () => {
      await router.routes()(ctx as never, next);
    });
  });
  return frame;
}
