/**
 * A whole stack per test file: the three mocks and the server on ephemeral ports, one controllable clock for all
 * of them, an own PostgreSQL schema and an own Redis key prefix. Background jobs do not run by themselves: a test
 * calls `runJobs()` (outbox + janitor) when it wants them, so nothing depends on timing.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { ManualClock } from '../../shared/clock';
import { loadSettings } from '../../config/settings';
import { testKeys } from '../../shared/crypto/keyring';
import { createInsuranceMock } from '../../mocks/insurance';
import { createHisMock } from '../../mocks/his';
import { createWeChatPayMock } from '../../mocks/wechatpay';
import { buildServer, type RunningServer } from '../../server/main';
import { sendVerificationText } from '../../server/services/patient/binding';
import { sendStepUpText } from '../../server/services/risk/stepUp';
import { RedisEphemeralStore } from '../../server/ephemeral/redis';
import { InMemoryEphemeralStore } from '../../server/ephemeral/memory';
import type { EphemeralStore } from '../../server/ephemeral/port';
import { createPiiVault } from '../../server/security/vault';
import { freshDatabase, type TestDb } from './db';
import { testRedisUrl } from './services';

type Listener = Parameters<typeof createServer>[1];

async function listen(handler: Listener | undefined): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export interface StackOptions {
  /** environment overrides for the server's settings */
  env?: Record<string, string>;
  /** force the in-process store even when Redis is there */
  memoryStore?: boolean;
}

export interface Stack {
  clock: ManualClock;
  db: TestDb;
  store: EphemeralStore;
  server: RunningServer;
  url: string;
  /** the operations listener: /readyz, /metrics (the public url answers 404 there) */
  opsUrl: string;
  insurance: { url: string; mock: ReturnType<typeof createInsuranceMock> };
  his: { url: string; mock: ReturnType<typeof createHisMock> };
  wechat: { url: string; mock: ReturnType<typeof createWeChatPayMock> };
  runJobs(): Promise<void>;
  /** the server process dies and a new one starts on the same database and store */
  restartServer(): Promise<void>;
  /** another instance on the same database and store (as behind a load balancer); stopped with the stack */
  anotherInstance(): RunningServer;
  stop(): Promise<void>;
}

/**
 * The file's (or describe block's) stack: started before its tests, stopped after them. The object answered is
 * filled in by that beforeAll, so use it inside hooks and tests only; a later beforeAll may set it up further.
 */
export function useStack(options: StackOptions = {}): Stack {
  const stack = {} as Stack;
  beforeAll(async () => {
    // the descriptors, not the values: `server` is a getter (restartServer swaps it)
    Object.defineProperties(stack, Object.getOwnPropertyDescriptors(await startStack(options)));
  });
  afterAll(async () => {
    await stack.stop?.();
  });
  return stack;
}

/** Removes every fault injected at the three mocks (the fault tests' afterEach). */
export async function clearFaults(stack: Stack): Promise<void> {
  for (const url of [stack.his.url, stack.wechat.url, stack.insurance.url])
    await call(url, 'DELETE', '/__admin/faults');
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const clock = new ManualClock();
  const keys = testKeys();
  const db = await freshDatabase();
  const redisUrl = options.memoryStore ? null : testRedisUrl();
  const prefix = `test:${randomBytes(4).toString('hex')}:`;
  const store: EphemeralStore = redisUrl
    ? new RedisEphemeralStore(redisUrl, prefix, clock)
    : new InMemoryEphemeralStore(clock);

  const insuranceMock = createInsuranceMock({ keys: keys.mocks.insurance, clock });
  const insurance = await listen(insuranceMock.app.callback());
  const hisMock = createHisMock({ clock });
  const his = await listen(hisMock.app.callback());
  const wechatMock = createWeChatPayMock({ keys: keys.mocks.wechat, clock, insuranceBaseUrl: insurance.url });
  const wechat = await listen(wechatMock.app.callback());
  const api = await listen(undefined);
  const ops = await listen(undefined);

  const settings = loadSettings({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    OUTSIDE_CALL_TIMEOUT_MS: '2000',
    JOBS_ENABLED: 'false',
    // the tests' one process also runs the mocks and jest on a shared machine: its event loop is no measure of
    // the server's load, so only tests of admission control turn load shedding on
    ADMISSION_MAX_LOOP_DELAY_MS: '0',
    ADMISSION_MAX_INFLIGHT: '0',
    ...options.env,
  });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const pii = createPiiVault(randomBytes(32).toString('base64'), randomBytes(32).toString('base64'));
  const build = () =>
    buildServer({
      settings,
      keys: keys.server,
      db: db.db,
      store,
      pii,
      logger,
      clock,
      publicBaseUrl: api.url,
      insuranceBaseUrl: insurance.url,
      hisBaseUrl: his.url,
      wechatPayBaseUrl: wechat.url,
    });
  let server = build();
  const extra: RunningServer[] = [];
  let handler = server.app.callback();
  api.server.on('request', (req, res) => handler(req, res));
  let opsHandler = server.opsApp.callback();
  ops.server.on('request', (req, res) => opsHandler(req, res));
  // the background probes, as listenOps starts them; /readyz answers from the first round at once
  server.readiness.start();
  await server.readiness.refresh();

  const stack: Stack = {
    clock,
    db,
    store,
    get server() {
      return server;
    },
    url: api.url,
    opsUrl: ops.url,
    insurance: { url: insurance.url, mock: insuranceMock },
    his: { url: his.url, mock: hisMock },
    wechat: { url: wechat.url, mock: wechatMock },
    runJobs: () => server.runJobsOnce(),
    restartServer: async () => {
      await server.stop();
      server = build();
      handler = server.app.callback();
      opsHandler = server.opsApp.callback();
      server.readiness.start();
    },
    anotherInstance: () => {
      const instance = build();
      extra.push(instance);
      return instance;
    },
    stop: async () => {
      for (const instance of extra) await instance.stop();
      await server.stop();
      wechatMock.stop();
      for (const s of [ops.server, api.server, wechat.server, his.server, insurance.server]) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      await store.close();
      await db.drop();
    },
  };
  return stack;
}

export interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** Our API as a patient's app calls it. */
export async function call<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // keep text
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** A mock's admin call; with `session`, as that tester session (X-Mock-Session): what it creates is the session's. */
export async function adminPost<T = Record<string, unknown>>(
  base: string,
  path: string,
  body: unknown = {},
  session?: string,
): Promise<T> {
  const answer = await call<T>(base, 'POST', path, {
    body,
    headers: session ? { 'x-mock-session': session } : undefined,
  });
  if (answer.status >= 300) throw new Error(`${path} → ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export async function adminGet<T = Record<string, unknown>>(base: string, path: string): Promise<T> {
  const answer = await call<T>(base, 'GET', path);
  if (answer.status >= 300) throw new Error(`${path} → ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

let idSeq = 0;
/** A valid-format 18-character resident ID number, unique in this process. */
export function newIdNo(): string {
  idSeq++;
  const body =
    `360102199${String(Date.now() % 1e6).padStart(6, '0')}${String(idSeq % 100).padStart(2, '0')}`.slice(
      0,
      17,
    );
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const checks = '10X98765432';
  const sum = body.split('').reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return body + checks[sum % 11];
}

export interface SeededPatient {
  token: string;
  openid: string;
  patientId: string;
  hisPatientId: string;
  idNo: string;
  name: string;
  billNo: string;
  billAmount: number;
  authCode?: string;
  /** the mobile number the HIS holds (where binding codes go) */
  phone: string;
}

export interface PatientSetup {
  insured?: {
    insutype: '310' | '390';
    balance: number;
    status?: 'ACTIVE' | 'SUSPENDED' | 'ARREARS' | 'OUT_OF_AREA';
    /** 代亲属: the WeChat user (e-voucher holder) who authorizes for this person */
    holder?: { name: string; idNo: string };
  };
  items?: { code: string; name: string; price: number; qty: number }[];
  /** a mock tester session: the HIS patient and bill, the insured person and the login are created in it */
  session?: string;
}

export const DEFAULT_ITEMS = [
  { code: '110200002', name: '诊查费', price: 2000, qty: 1, insuranceClass: 'A' },
  { code: '250101001', name: '血常规', price: 3000, qty: 1, insuranceClass: 'A' },
  { code: '210103001', name: 'CT平扫', price: 35000, qty: 1, insuranceClass: 'B' },
  { code: 'XJ01DCA001', name: '头孢呋辛酯片', price: 4550, qty: 2, insuranceClass: 'B' },
  { code: 'ZZ9999001', name: '进口营养剂', price: 12000, qty: 1, insuranceClass: 'C' },
];

/** A patient who exists at the HIS (with one bill) and, if asked, at the insurance platform; logged in and bound. */
/** A mobile number of its own for each seeded patient (codes are limited per phone). */
export function newPhone(): string {
  return `139${String(randomBytes(4).readUInt32BE() % 100_000_000).padStart(8, '0')}`;
}

/**
 * Texts what the outbox holds for card binding now (the `sms_send` jobs; one verification's only, when named), as a
 * running server's worker would at once; other jobs are left alone.
 */
export async function deliverTexts(stack: Stack, verificationId?: string): Promise<void> {
  const jobs = (await stack.db.db.query(
    `UPDATE outbox SET status = 'DONE', updated_at = now()
      WHERE kind = 'sms_send' AND status = 'PENDING' AND ($1::text IS NULL OR payload->>'verificationId' = $1)
      RETURNING payload`,
    [verificationId ?? null],
  )) as [{ payload: Record<string, unknown> }[], number];
  for (const job of jobs[0])
    if (typeof job.payload.stepUpId === 'string')
      await sendStepUpText(stack.server.deps, job.payload.stepUpId);
    else await sendVerificationText(stack.server.deps, job.payload);
}

/** The newest code texted to a phone (the HIS mock keeps the SMS platform's messages). */
export async function lastCodeTo(stack: Stack, phone: string): Promise<string> {
  const texts = await adminGet<{ code?: string }[]>(stack.his.url, `/__admin/sms?phone=${phone}`);
  const code = texts[0]?.code;
  if (!code) throw new Error(`no code was texted to ${phone}`);
  return code;
}

/** POST /api/v1/patients → 202, the text delivered, the code sent back → the card (201). */
export async function bindWithCode(
  stack: Stack,
  token: string,
  name: string,
  idNo: string,
  phone: string,
): Promise<Answer<{ id: string }>> {
  const started = await call<{ verificationId: string }>(stack.url, 'POST', '/api/v1/patients', {
    token,
    body: { name, idNo },
  });
  if (started.status !== 202) throw new Error(`bind failed: ${JSON.stringify(started.body)}`);
  await deliverTexts(stack, started.body.verificationId);
  return call<{ id: string }>(
    stack.url,
    'POST',
    `/api/v1/patients/verifications/${started.body.verificationId}`,
    {
      token,
      body: { code: await lastCodeTo(stack, phone) },
    },
  );
}

export async function seedPatient(stack: Stack, setup: PatientSetup = {}): Promise<SeededPatient> {
  const idNo = newIdNo();
  const phone = newPhone();
  const name = `测试${randomBytes(2).toString('hex')}`;
  const { patientId: hisPatientId } = await adminPost<{ patientId: string }>(
    stack.his.url,
    '/__admin/patients',
    { name, idNo, phone },
    setup.session,
  );
  const bill = await adminPost<{ billNo: string; amount: number }>(
    stack.his.url,
    '/__admin/bills',
    { patientId: hisPatientId, items: setup.items ?? DEFAULT_ITEMS },
    setup.session,
  );
  let authCode: string | undefined;
  if (setup.insured) {
    ({ authCode } = await adminPost<{ authCode: string }>(
      stack.insurance.url,
      '/__admin/persons',
      { name, idNo, ...setup.insured },
      setup.session,
    ));
  }
  const login = await adminPost<{ code: string; openid: string }>(
    stack.wechat.url,
    '/__admin/login-codes',
    {},
    setup.session,
  );
  const session = await call<{ token: string }>(stack.url, 'POST', '/api/v1/session', {
    body: { code: login.code },
  });
  if (session.status !== 200) throw new Error(`login failed: ${JSON.stringify(session.body)}`);
  const bound = await bindWithCode(stack, session.body.token, name, idNo, phone);
  if (bound.status !== 201) throw new Error(`bind failed: ${JSON.stringify(bound.body)}`);
  return {
    token: session.body.token,
    openid: login.openid,
    patientId: bound.body.id,
    hisPatientId,
    idNo,
    name,
    billNo: bill.billNo,
    billAmount: bill.amount,
    authCode,
    phone,
  };
}
