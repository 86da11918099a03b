/** Mock scenarios: selection precedence (request > session > global > none), identity binding, custom files. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Koa from 'koa';
import { ManualClock } from '../../shared/clock';
import {
  BUILT_IN_SCENARIOS,
  DEFAULT_SCENARIOS_DIR,
  loadScenarioDir,
  parseScenarioFile,
  ScenarioFileError,
  ScenarioRegistry,
} from '../../mocks/common/scenarios';
import { MockSessions, type Resolution } from '../../mocks/common/session';

function fakeCtx(headers: Record<string, string> = {}, cookie?: string): Koa.Context {
  return {
    get: (name: string) => headers[name.toLowerCase()] ?? '',
    query: {},
    method: 'POST',
    cookies: { get: () => cookie, set: () => undefined },
    state: { journalTags: {} },
  } as unknown as Koa.Context;
}

/** Runs `work` inside a request with these headers, as the session middleware scopes it. */
async function inRequest<T>(
  sessions: MockSessions,
  headers: Record<string, string>,
  work: () => T,
  cookie?: string,
): Promise<{ value: T; tags: Record<string, string> }> {
  const ctx = fakeCtx(headers, cookie);
  let value: T | undefined;
  await sessions.middleware()(ctx, async () => {
    value = work();
  });
  return { value: value as T, tags: ctx.state.journalTags as Record<string, string> };
}

describe('scenario selection', () => {
  const sessions = new MockSessions('insurance', new ScenarioRegistry(), new ManualClock());
  const psn = (value: string) => [{ kind: 'psnNo', value }];
  const pick = (r: Resolution) => [r.scenario?.name ?? null, r.source];

  beforeEach(() => sessions.reset());

  it('is none when nothing is selected', async () => {
    const { value } = await inRequest(sessions, {}, () => sessions.resolve(psn('P1')));
    expect(pick(value)).toEqual([null, 'none']);
  });

  it('takes the request header over the session, the session over the global selection', async () => {
    sessions.selectGlobal('balance-exhausted');
    sessions.selectForSession('s1', 'insurance-suspended');
    sessions.bind(psn('P1'), 's1');
    const header = { 'x-mock-session': 's1', 'x-mock-scenario': 'out-of-area' };
    expect(pick((await inRequest(sessions, header, () => sessions.resolve())).value)).toEqual([
      'out-of-area',
      'request',
    ]);
    expect(
      pick((await inRequest(sessions, { 'x-mock-session': 's1' }, () => sessions.resolve())).value),
    ).toEqual(['insurance-suspended', 'session']);
    // no header: the identity finds the session
    const found = await inRequest(sessions, {}, () => sessions.resolve(psn('P1')));
    expect(pick(found.value)).toEqual(['insurance-suspended', 'session']);
    expect(found.tags).toMatchObject({ session: 's1', scenario: 'insurance-suspended' });
    // someone else's identity: the global selection
    expect(pick((await inRequest(sessions, {}, () => sessions.resolve(psn('P2')))).value)).toEqual([
      'balance-exhausted',
      'global',
    ]);
    // a session without a scenario falls back to the global one
    sessions.selectForSession('s1', null);
    expect(pick((await inRequest(sessions, {}, () => sessions.resolve(psn('P1')))).value)).toEqual([
      'balance-exhausted',
      'global',
    ]);
  });

  it('finds the session from the cookie of a browser page, and binds what the request created to it', async () => {
    sessions.selectForSession('browser', 'eligible-employee');
    await inRequest(sessions, {}, () => sessions.bind([{ kind: 'authCode', value: 'AUTH-X' }]), 'browser');
    expect(sessions.sessionOf([{ kind: 'authCode', value: 'AUTH-X' }])).toBe('browser');
    expect(sessions.effects('insurance', [{ kind: 'authCode', value: 'AUTH-X' }])).toMatchObject({
      status: 'ACTIVE',
      insutype: '310',
    });
  });

  it('binds journal-tagged identities after the request, and lists them per session', async () => {
    sessions.bindTags(['psnNo', 'payOrdId']);
    const ctx = fakeCtx({ 'x-mock-session': 'tagged' });
    await sessions.middleware()(ctx, async () => {
      Object.assign(ctx.state.journalTags as Record<string, string>, { psnNo: 'P9', payOrdId: 'O1,O2' });
    });
    expect(sessions.view('tagged')).toMatchObject({
      session: 'tagged',
      scenario: null,
      identities: { psnNo: ['P9'], payOrdId: ['O1', 'O2'] },
    });
    expect(sessions.forget('tagged')).toBe(true);
    expect(sessions.sessionOf(psn('P9'))).toBeUndefined();
  });

  it('refuses unknown scenarios and malformed session names', async () => {
    expect(() => sessions.selectGlobal('no-such')).toThrow(/no scenario/);
    await expect(inRequest(sessions, { 'x-mock-scenario': 'no-such' }, () => 1)).rejects.toThrow(
      /no scenario/,
    );
    await expect(inRequest(sessions, { 'x-mock-session': 'a b' }, () => 1)).rejects.toThrow(/x-mock-session/);
  });
});

describe('custom scenario files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'scenarios-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const valid = {
    name: 'my-case',
    description: { zh: '示例', en: 'example' },
    effects: { his: { billPaidAtWindow: true }, wechatpay: { callbacks: 'DUPLICATED' } },
  };

  it('loads a valid file, with the mocks it affects', () => {
    writeFileSync(join(dir, 'a.json'), JSON.stringify(valid));
    const [scenario] = loadScenarioDir(dir);
    expect(scenario).toMatchObject({ name: 'my-case', mocks: ['his', 'wechatpay'], source: 'custom' });
    expect(new ScenarioRegistry([scenario]).get('my-case')).toBe(scenario);
  });

  it.each([
    ['not JSON', '{"name": ', /not JSON/],
    ['an unknown effect', JSON.stringify({ ...valid, effects: { his: { paid: true } } }), /effects\.his/],
    [
      'a wrong value',
      JSON.stringify({ ...valid, effects: { wechatpay: { callbacks: 'SOMETIMES' } } }),
      /callbacks/,
    ],
    ['no effects', JSON.stringify({ ...valid, effects: {} }), /at least one mock/],
    ['a missing description', JSON.stringify({ ...valid, description: { zh: '示例' } }), /description\.en/],
    ['a bad name', JSON.stringify({ ...valid, name: 'My Case' }), /name/],
  ])('stops the start naming the file for %s', (_label, text, problem) => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, text);
    expect(() => loadScenarioDir(dir)).toThrow(ScenarioFileError);
    expect(() => loadScenarioDir(dir)).toThrow(file);
    expect(() => parseScenarioFile(file, text)).toThrow(problem);
  });

  it('refuses a name that a built-in or another file has taken', () => {
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ ...valid, name: 'callback-lost' }));
    expect(() => loadScenarioDir(dir)).toThrow(/already taken/);
  });

  it('has none when the folder does not exist; the shipped examples are valid', () => {
    expect(loadScenarioDir(join(dir, 'missing'))).toEqual([]);
    const shipped = loadScenarioDir(DEFAULT_SCENARIOS_DIR);
    expect(shipped.length).toBeGreaterThanOrEqual(2);
    expect(BUILT_IN_SCENARIOS.map((s) => s.name)).toHaveLength(12);
    expect(BUILT_IN_SCENARIOS.map((s) => s.name)).toContain('insurance-fails-cash-taken');
  });
});
