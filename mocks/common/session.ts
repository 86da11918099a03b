/**
 * Scenario selection and tester sessions, per mock. Precedence: request (header X-Mock-Scenario) > session >
 * global (PUT /__admin/scenario) > none.
 *
 * A session is a tester's namespace, named by header X-Mock-Session (or cookie mock_session for the browser
 * pages; `?mock_session=` on a page sets the cookie). Calls of the system under test carry no header, so a
 * session is also found from the identities it created: whatever a request of a session creates or names (a
 * person, authCode, payAuthNo, order number, openid, patient, bill…) is bound to that session in a bounded
 * map, and a later request naming one of them resolves to the session. Each mock says which identities bind
 * (`bindTags`: the journal tags it sets, e.g. psnNo, payOrdId) and may bind more by hand (`bind`).
 *
 * The request's scope lives in an AsyncLocalStorage, so the code that decides (a state class, deep below the
 * route) asks `resolve(identities)` without being handed the request. The journal entry of a request is
 * tagged `session` and `scenario` when they apply.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type Koa from 'koa';
import type Router from '@koa/router';
import { z } from 'zod';
import type { Clock } from '../../shared/clock';
import { MockHttpError, parseBody } from './http';
import {
  scenarioRegistry,
  type MockName,
  type Scenario,
  type ScenarioEffects,
  type ScenarioRegistry,
} from './scenarios';

export const SESSION_HEADER = 'x-mock-session';
export const SCENARIO_HEADER = 'x-mock-scenario';
export const SESSION_COOKIE = 'mock_session';
export const SESSION_NAME_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

export const SESSIONS_MAX = 1_000;
export const IDENTITIES_MAX = 100_000;

export interface Identity {
  kind: string;
  value: string | undefined;
}

export interface Resolution {
  scenario?: Scenario;
  session?: string;
  source: 'request' | 'session' | 'global' | 'none';
}

interface Scope {
  headerSession?: string;
  headerScenario?: Scenario;
  /** the session this request belongs to, once known (header, or found from an identity) */
  session?: string;
  tags: Record<string, string>;
}

interface SessionRecord {
  scenario?: string;
  createdAtMs: number;
}

const selectSchema = z.object({ name: z.string().max(64).nullable() }).strict();

export class MockSessions {
  private global: string | undefined;
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly identities = new Map<string, string>();
  private readonly als = new AsyncLocalStorage<Scope>();
  private tagKinds: string[] = [];

  constructor(
    readonly mock: MockName,
    readonly registry: ScenarioRegistry,
    private readonly clock: Clock,
  ) {}

  /** journal tags whose values are identities: bound to the request's session after each request */
  bindTags(kinds: string[]): void {
    this.tagKinds = kinds;
  }

  reset(): void {
    this.global = undefined;
    this.sessions.clear();
    this.identities.clear();
  }

  scenario(name: string): Scenario {
    const scenario = this.registry.get(name);
    if (!scenario)
      throw new MockHttpError(404, 'UNKNOWN_SCENARIO', `no scenario "${name}" (GET /__admin/scenarios)`);
    return scenario;
  }

  selectGlobal(name: string | null): void {
    this.global = name === null ? undefined : this.scenario(name).name;
  }

  selectForSession(session: string, name: string | null): void {
    const record = this.touch(session);
    record.scenario = name === null ? undefined : this.scenario(name).name;
  }

  forget(session: string): boolean {
    if (!this.sessions.delete(session)) return false;
    for (const [key, owner] of this.identities) if (owner === session) this.identities.delete(key);
    return true;
  }

  private touch(session: string): SessionRecord {
    let record = this.sessions.get(session);
    if (!record) {
      if (this.sessions.size >= SESSIONS_MAX) this.forget(this.sessions.keys().next().value as string);
      record = { createdAtMs: this.clock.now() };
      this.sessions.set(session, record);
    }
    return record;
  }

  /** Binds identities to `session` (default: the current request's session, if any). */
  bind(ids: Identity[], session = this.als.getStore()?.session): void {
    if (session === undefined) return;
    this.touch(session);
    for (const { kind, value } of ids) {
      if (!value) continue;
      const key = `${kind}:${value}`;
      this.identities.delete(key);
      if (this.identities.size >= IDENTITIES_MAX)
        this.identities.delete(this.identities.keys().next().value as string);
      this.identities.set(key, session);
    }
  }

  /** The session that owns one of these identities (first found). */
  sessionOf(ids: Identity[]): string | undefined {
    for (const { kind, value } of ids) {
      if (!value) continue;
      const session = this.identities.get(`${kind}:${value}`);
      if (session !== undefined) return session;
    }
    return undefined;
  }

  /**
   * The scenario that applies to the current request about these identities: the request's header, else its
   * session's (header session first, else the session an identity is bound to), else the global one.
   */
  resolve(ids: Identity[] = []): Resolution {
    const scope = this.als.getStore();
    const session = scope?.headerSession ?? scope?.session ?? this.sessionOf(ids);
    if (scope && session !== undefined) {
      scope.session = session;
      scope.tags.session = session;
    }
    let resolution: Resolution;
    const sessionScenario = session === undefined ? undefined : this.sessions.get(session)?.scenario;
    if (scope?.headerScenario) resolution = { scenario: scope.headerScenario, session, source: 'request' };
    else if (sessionScenario !== undefined)
      resolution = { scenario: this.registry.get(sessionScenario), session, source: 'session' };
    else if (this.global !== undefined)
      resolution = { scenario: this.registry.get(this.global), session, source: 'global' };
    else resolution = { session, source: 'none' };
    if (scope && resolution.scenario) scope.tags.scenario = resolution.scenario.name;
    return resolution;
  }

  /** This mock's part of the effects of the scenario that applies (undefined: none). */
  effects<K extends MockName>(mock: K, ids: Identity[] = []): ScenarioEffects[K] | undefined {
    return this.resolve(ids).scenario?.effects[mock];
  }

  middleware(): Koa.Middleware {
    return async (ctx, next) => {
      const headerSession = headerValue(ctx, SESSION_HEADER) ?? this.cookieSession(ctx);
      if (headerSession !== undefined && !SESSION_NAME_PATTERN.test(headerSession))
        throw new MockHttpError(400, 'PARAM_ERROR', `${SESSION_HEADER}: 1–64 of [A-Za-z0-9_.:-]`);
      const scenarioName = headerValue(ctx, SCENARIO_HEADER);
      const headerScenario = scenarioName === undefined ? undefined : this.scenario(scenarioName);
      const tags = (ctx.state.journalTags ?? {}) as Record<string, string>;
      const scope: Scope = { headerSession, headerScenario, session: headerSession, tags };
      if (headerSession !== undefined) {
        this.touch(headerSession);
        tags.session = headerSession;
      }
      if (headerScenario) tags.scenario = headerScenario.name;
      await this.als.run(scope, async () => {
        await next();
        // what the request named: resolve (for the journal) and bind to its session
        const ids = this.tagKinds.flatMap((kind) =>
          (tags[kind] ?? '')
            .split(',')
            .filter(Boolean)
            .map((value) => ({ kind, value })),
        );
        if (ids.length === 0) return;
        this.resolve(ids);
        this.bind(ids);
      });
    };
  }

  private cookieSession(ctx: Koa.Context): string | undefined {
    const fromQuery =
      typeof ctx.query[SESSION_COOKIE] === 'string' ? (ctx.query[SESSION_COOKIE] as string) : undefined;
    if (fromQuery !== undefined && SESSION_NAME_PATTERN.test(fromQuery) && ctx.method === 'GET') {
      ctx.cookies.set(SESSION_COOKIE, fromQuery, { httpOnly: false, sameSite: 'lax', signed: false });
      return fromQuery;
    }
    return ctx.cookies.get(SESSION_COOKIE, { signed: false }) || undefined;
  }

  view(session: string): Record<string, unknown> | undefined {
    const record = this.sessions.get(session);
    if (!record) return undefined;
    const identities: Record<string, string[]> = {};
    for (const [key, owner] of this.identities) {
      if (owner !== session) continue;
      const at = key.indexOf(':');
      (identities[key.slice(0, at)] ??= []).push(key.slice(at + 1));
    }
    return { session, scenario: record.scenario ?? null, createdAtMs: record.createdAtMs, identities };
  }

  list(): Record<string, unknown> {
    return {
      mock: this.mock,
      global: this.global ?? null,
      sessions: [...this.sessions.keys()].map((s) => this.view(s)),
    };
  }

  scenarioView(s: Scenario): Record<string, unknown> {
    return { ...s, appliesHere: s.mocks.includes(this.mock) };
  }

  mountAdmin(admin: Router, openapi: Record<string, unknown>): void {
    admin.get('/scenarios', (ctx) => {
      ctx.body = this.registry.list().map((s) => this.scenarioView(s));
    });
    admin.get('/scenario', (ctx) => {
      ctx.body = { name: this.global ?? null };
    });
    admin.put('/scenario', (ctx) => {
      this.selectGlobal(parseBody(selectSchema, ctx.request.body).name);
      ctx.body = { name: this.global ?? null };
    });
    admin.get('/sessions', (ctx) => {
      ctx.body = this.list();
    });
    admin.get('/sessions/:session', (ctx) => {
      const view = this.view(ctx.params.session);
      if (!view) throw new MockHttpError(404, 'NOT_FOUND', 'no such session');
      ctx.body = view;
    });
    admin.put('/sessions/:session/scenario', (ctx) => {
      const { session } = ctx.params;
      if (!SESSION_NAME_PATTERN.test(session))
        throw new MockHttpError(400, 'PARAM_ERROR', 'session: 1–64 of [A-Za-z0-9_.:-]');
      this.selectForSession(session, parseBody(selectSchema, ctx.request.body).name);
      ctx.body = this.view(session);
    });
    admin.delete('/sessions/:session', (ctx) => {
      if (!this.forget(ctx.params.session)) throw new MockHttpError(404, 'NOT_FOUND', 'no such session');
      ctx.status = 204;
    });
    const sessionParam = { name: 'session', in: 'path', required: true, schema: { type: 'string' } };
    const selectBody = {
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: { name: { type: 'string', nullable: true } },
            required: ['name'],
          },
        },
      },
    };
    Object.assign(openapi, {
      '/__admin/scenarios': {
        get: {
          summary:
            'Scenarios (built-in and custom from MOCK_SCENARIOS_DIR): [{name, mocks, description:{zh,en}, effects, source, file?, appliesHere}]',
        },
      },
      '/__admin/scenario': {
        get: { summary: 'The global scenario {name|null}' },
        put: {
          summary: 'Select the global scenario {name|null} (precedence: X-Mock-Scenario > session > global)',
          requestBody: selectBody,
        },
      },
      '/__admin/sessions': {
        get: {
          summary:
            'Sessions (header X-Mock-Session / cookie mock_session): {mock, global, sessions:[{session, scenario, createdAtMs, identities:{kind:[value]}}]}',
        },
      },
      '/__admin/sessions/{session}': {
        get: { summary: 'One session with its scenario and bound identities', parameters: [sessionParam] },
        delete: { summary: 'Forget a session and its identities', parameters: [sessionParam] },
      },
      '/__admin/sessions/{session}/scenario': {
        put: {
          summary: "Select a session's scenario {name|null}",
          parameters: [sessionParam],
          requestBody: selectBody,
        },
      },
    });
  }
}

function headerValue(ctx: Koa.Context, name: string): string | undefined {
  const value = ctx.get(name).trim();
  return value === '' ? undefined : value;
}

const bySessions = new WeakMap<Koa, MockSessions>();

/** Called once by createMockFrame: the session middleware, the selection admin routes, reset. */
export function installSessions(frame: {
  name: string;
  app: Koa;
  admin: Router;
  openapi: Record<string, unknown>;
  clock: Clock;
  onReset(fn: () => void): void;
}): MockSessions {
  const sessions = new MockSessions(frame.name as MockName, scenarioRegistry(), frame.clock);
  frame.app.use(sessions.middleware());
  sessions.mountAdmin(frame.admin, frame.openapi);
  frame.onReset(() => sessions.reset());
  bySessions.set(frame.app, sessions);
  return sessions;
}

/** The sessions of a mock frame. */
export function sessionsOf(frame: { app: Koa }): MockSessions {
  const sessions = bySessions.get(frame.app);
  if (!sessions) throw new Error('this mock frame has no sessions (installSessions)');
  return sessions;
}
