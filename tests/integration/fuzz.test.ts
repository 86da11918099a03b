/**
 * Fuzzing every route of the patient and cashier APIs on a whole stack (DESIGN 8: bad input is a 4xx with a
 * stable code and a human message, never a 500). The routes are read from the app's routers, so a new route is
 * fuzzed without touching this file. fast-check makes the requests from a fixed seed: a route (sometimes a path
 * beside one), its methods or any other, path parameters (ids of this stack, unknown UUIDs, numbers past
 * PostgreSQL's bigint, negative, unicode, SQL-ish, very long), queries, bodies shaped after the routes' fields
 * (or any JSON, or not JSON at all), headers (a valid patient or console token some of the time, a garbage
 * Authorization, Idempotency-Key, Content-Type). Every answer must be below 500, hold no stack trace and no SQL,
 * and an error must be JSON `{code, message}` without parser or driver text in it.
 *
 * Knobs: FUZZ_RUNS (requests, default 5,000) and FUZZ_SEED, e.g. `FUZZ_RUNS=50000 npx jest
 * tests/integration/fuzz.test.ts`. Every finding is listed with the request that made it, to replay by hand.
 */
import { Agent, request } from 'node:http';
import { createGuardrails, generateSync } from 'otplib';
import fc from 'fast-check';
import type Koa from 'koa';
import type Router from '@koa/router';
import { call, seedPatient, startStack, type SeededPatient, type Stack } from '../helpers/stack';
import { checkout } from '../helpers/flow';
import { cstDate } from '../../shared/clock';

const RUNS = Number(process.env.FUZZ_RUNS ?? 5_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_207);
/** requests in flight at once: both cores busy, the database pool not exhausted */
const CONCURRENCY = 8;
/** requests are generated (and their answers checked) a chunk at a time, so 50,000 need no more memory than 5,000 */
const CHUNK = 500;
const ANSWER_TIMEOUT_MS = 30_000;
/** the jest timeout of the run: generous per request, so FUZZ_RUNS=50000 is not cut short */
const RUN_TIMEOUT_MS = Math.max(120_000, RUNS * 20);

const ADMIN = { username: 'admin', password: 'Admin#2026', secret: 'JBSWY3DPEHPK3PXP' };
const guardrails = createGuardrails({ MIN_SECRET_BYTES: 10 });

interface Route {
  path: string;
  methods: string[];
}

/** Every route the app's routers serve, HEAD aside (koa answers it with GET's route). */
function routesOf(app: Koa): Route[] {
  const routes: Route[] = [];
  for (const middleware of app.middleware) {
    const router = (middleware as { router?: Router }).router;
    if (!router) continue;
    for (const layer of router.stack)
      if (typeof layer.path === 'string' && layer.methods.length > 0)
        routes.push({ path: layer.path, methods: layer.methods.filter((m) => m !== 'HEAD') });
  }
  return routes;
}

interface FuzzRequest {
  /** the route it was made from, for the report */
  route: string;
  method: string;
  /** percent-encoded path and query, as sent on the request line */
  target: string;
  /** `matching`: the console token under /api/v1/console, the patient's elsewhere */
  auth: 'matching' | 'none' | 'patient' | 'console' | 'garbage';
  garbageAuth: string;
  headers: Record<string, string>;
  body?: string;
}

interface Known {
  patientId: string;
  orderId: string;
  billNo: string;
  orderNo: string;
}

// ───────────────────────────── values ─────────────────────────────

const printable = (maxLength: number) => fc.string({ unit: 'binary-ascii', maxLength }).map(onlyPrintable);
function onlyPrintable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, 'x');
}

const EDGE_NUMBERS = [
  '0',
  '1',
  '-1',
  '00001',
  '9223372036854775807',
  '9223372036854775808',
  '-9223372036854775809',
  '18446744073709551616',
  '99999999999999999999999999999999',
  '1e309',
  '1.5',
  '0x10',
  'NaN',
  'Infinity',
];
const NASTY = [
  "1' OR '1'='1",
  "'; DROP TABLE orders; --",
  "' UNION SELECT id_no FROM patients --",
  '1)::text; SELECT pg_sleep(5); --',
  '$1',
  '../../etc/passwd',
  '..',
  '.',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '<script>alert(1)</script>',
  '${7*7}',
  '\u0000',
  '\uFEFF',
  '患者🙂',
  '𠜎𠜱𠝹',
  'Ａ１２３',
];
/** already percent-encoded (or invalid percent-encoding on purpose): go on the request line as they are */
const RAW_SEGMENTS = ['%', '%zz', '%00', '%2e%2e', '%2e%2e%2f%2e%2e', '%E4%B8', '%C0%AF', '%252e', '%ff%fe'];

/** A path parameter: sometimes one that names something here, mostly not. Marked raw when pre-encoded. */
function paramValue(known: Known): fc.Arbitrary<{ value: string; raw: boolean }> {
  const plain = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(known.patientId, known.orderId) },
    { weight: 3, arbitrary: fc.uuid() },
    { weight: 4, arbitrary: fc.constantFrom(...EDGE_NUMBERS) },
    { weight: 1, arbitrary: fc.bigInt().map(String) },
    { weight: 2, arbitrary: fc.constantFrom(...NASTY) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ minLength: 1000, maxLength: 4000 }) },
  );
  return fc.oneof(
    { weight: 9, arbitrary: plain.map((value) => ({ value, raw: false })) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS).map((value) => ({ value, raw: true })) },
  );
}

/** Dates: real ones near the stack's days, impossible ones, far ones. */
const dateValue = fc.oneof(
  fc.constantFrom(
    '2026-12-20',
    '2026-12-21',
    '2026-02-29',
    '2026-13-01',
    '0000-01-01',
    '9999-12-31',
    '1970-01-01',
  ),
  fc
    .date({
      min: new Date('0001-01-01T00:00:00Z'),
      max: new Date('9999-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().slice(0, 10)),
  printable(12),
);

/** A cursor for either list: the server's own shapes with bad insides, numbers past bigint, junk. */
const cursorValue = fc.oneof(
  fc.constantFrom(...EDGE_NUMBERS),
  fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String),
  fc
    .tuple(
      fc.constantFrom(
        '2026-12-20T01:00:00.000Z',
        '+275760-09-13T00:00:00.000Z',
        '-000001-01-01T00:00:00.000Z',
        '2026-99-99T99:99:99.999Z',
        'x',
      ),
      fc.oneof(fc.uuid(), fc.constantFrom('-'.repeat(36), 'f'.repeat(36), '0'.repeat(36), "' OR 1=1 --")),
    )
    .map(([at, id]) => Buffer.from(`${at}|${id}`).toString('base64url')),
  printable(60),
);

/** Query parameters by name: each list route reads a few of these, with values of their kind or not. */
function queryValues(known: Known): Record<string, fc.Arbitrary<string>> {
  const junk = fc.oneof(
    fc.constantFrom(...EDGE_NUMBERS, ...NASTY, known.orderNo, known.billNo),
    fc.string({ unit: 'grapheme', maxLength: 30 }),
  );
  const or = (arbitrary: fc.Arbitrary<string>) =>
    fc.oneof({ weight: 3, arbitrary }, { weight: 1, arbitrary: junk });
  return {
    date: or(dateValue),
    cursor: or(cursorValue),
    limit: or(fc.constantFrom('1', '20', '1000', '1001', '0', '-5', '2.5', '1e3', '99999999999999999999')),
    status: or(fc.constantFrom('PAID', 'PRESETTLED', 'COMPLETED', 'PENDING', 'APPROVED', 'paid', '')),
    kind: or(fc.constantFrom('MATCHED', 'OVER', 'SHORT', 'AMOUNT_MISMATCH', 'CUTOFF', 'over')),
    discrepancies: or(fc.constantFrom('true', 'false', '1', '')),
    resolved: or(fc.constantFrom('true', 'false', 'yes')),
  };
}

/** The key sets the list routes read (the orders of a day, a run's rows, the runs, the audit…), and none. */
const QUERY_SHAPES = [
  ['date'],
  ['date', 'cursor'],
  ['date', 'status', 'cursor', 'limit'],
  ['cursor', 'limit'],
  ['kind', 'discrepancies', 'resolved', 'cursor', 'limit'],
  ['discrepancies', 'cursor'],
  ['limit'],
  ['status'],
  ['date', 'limit'],
];

function queryString(known: Known): fc.Arbitrary<string> {
  const values = queryValues(known);
  const shaped = fc
    .constantFrom(...QUERY_SHAPES)
    .chain((keys) => fc.tuple(...keys.map((k) => values[k].map((v): [string, string] => [k, v]))));
  return fc
    .tuple(
      shaped,
      // sometimes a key no route reads, or one twice
      fc.option(fc.tuple(fc.oneof(printable(8), fc.constantFrom('date', 'cursor')), values.cursor), {
        freq: 5,
      }),
    )
    .map(([pairs, extra]) => {
      const all = extra ? [...pairs, extra] : pairs;
      return `?${all.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
    });
}

/** Values for the fields our routes read, valid-looking or not, and any JSON. */
function fieldValue(known: Known): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(
      known.patientId,
      known.orderId,
      known.billNo,
      [known.billNo],
      [known.billNo, known.billNo],
    ),
    fc.constantFrom(
      '张三',
      '110101199003074477',
      '13800138000',
      'admin',
      '000000',
      'cashier',
      'supervisor',
      'x',
    ),
    dateValue,
    fc.integer(),
    fc.constantFrom(0, -1, 1, 1.5, 2 ** 53, 2 ** 63, 1e308, -0, Number.MAX_SAFE_INTEGER + 2),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom(...NASTY, ...EDGE_NUMBERS),
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    fc.string({ minLength: 300, maxLength: 3000 }),
    fc.jsonValue({ maxDepth: 2 }),
  );
}

/** The bodies our routes read, by their fields: session, card, authorization, order, refunds, console… */
const BODY_SHAPES = [
  ['code'],
  ['name', 'idNo', 'phone'],
  ['authCode'],
  ['patientId', 'billNos', 'useInsurance'],
  ['amount', 'reason'],
  ['reason'],
  ['username', 'password', 'otp'],
  ['currentPassword', 'newPassword'],
  ['username', 'password', 'role'],
  ['date'],
  [],
];

function body(known: Known): fc.Arbitrary<string | undefined> {
  const value = fieldValue(known);
  const shaped = fc
    .tuple(
      fc.constantFrom(...BODY_SHAPES),
      fc.array(value, { minLength: 3, maxLength: 3 }),
      // sometimes a field too many (the schemas are strict), or a field left out
      fc.option(fc.tuple(printable(10), value), { freq: 5 }),
      fc.nat(9),
    )
    .map(([shape, values, extra, drop]) => {
      const fields: Record<string, unknown> = {};
      shape.forEach((key, i) => {
        if (i !== drop) fields[key] = values[i];
      });
      if (extra) fields[extra[0]] = extra[1];
      return JSON.stringify(fields);
    });
  return fc.oneof(
    { weight: 40, arbitrary: fc.constant(undefined) },
    { weight: 120, arbitrary: shaped },
    { weight: 40, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    {
      weight: 40,
      arbitrary: fc.oneof(
        fc.constantFrom(
          '',
          '{',
          '{"a":',
          '[',
          'null',
          '"x"',
          '{"__proto__":{"x":1}}',
          '{"a":1,"a":2}',
          '\u0000',
        ),
        fc.string({ maxLength: 100 }),
      ),
    },
    // past BODY_LIMIT_BYTES (256 KiB): rare, it is big
    { weight: 1, arbitrary: fc.constant(JSON.stringify({ reason: 'x'.repeat(300 * 1024) })) },
  );
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  '*/*',
  'application/json; boundary',
];

const GARBAGE_AUTH = fc.oneof(
  fc.constantFrom(
    'Bearer',
    'Bearer ',
    'Bearer x',
    'Basic YWRtaW46QWRtaW4jMjAyNg==',
    'bearer',
    `Bearer ${'A'.repeat(129)}`,
  ),
  printable(80).map((s) => `Bearer ${s}`),
  printable(200),
);

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'PROPFIND', 'TRACE', 'PURGE'];

/** A path near a route: a trailing slash, an extra segment, another case, doubled slashes, or anywhere under /api. */
function nearPath(path: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constant(`${path}/`),
    printable(12).map((s) => `${path}/${encodeURIComponent(s)}`),
    fc.constant(path.toUpperCase()),
    fc.constant(path.replace(/\//g, '//')),
    printable(30).map((s) => `/api/v1/${encodeURIComponent(s)}`),
  );
}

function fuzzRequest(routes: Route[], known: Known): fc.Arbitrary<FuzzRequest> {
  const param = paramValue(known);
  return fc
    .record({
      route: fc.constantFrom(...routes),
      params: fc.array(param, { minLength: 3, maxLength: 3 }),
      pathKind: fc.constantFrom(
        'route',
        'route',
        'route',
        'route',
        'route',
        'route',
        'route',
        'route',
        'near',
      ),
      near: fc.nat(),
      methodPick: fc.nat(),
      otherMethod: fc.constantFrom(...METHODS),
      // one request in five with a method the route may not have
      anyMethod: fc.nat(9).map((n) => n < 2),
      query: fc.oneof(
        { weight: 2, arbitrary: fc.constant('') },
        { weight: 1, arbitrary: queryString(known) },
      ),
      auth: fc.oneof(
        { weight: 5, arbitrary: fc.constant('matching' as const) },
        {
          weight: 1,
          arbitrary: fc.constantFrom('none', 'patient', 'console', 'garbage') as fc.Arbitrary<
            FuzzRequest['auth']
          >,
        },
      ),
      garbageAuth: GARBAGE_AUTH,
      contentType: fc.option(
        fc.oneof(
          { weight: 6, arbitrary: fc.constant('application/json') },
          { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
          { weight: 1, arbitrary: printable(30) },
        ),
        { freq: 8 },
      ),
      idempotencyKey: fc.option(fc.oneof(fc.uuid(), printable(40), fc.constant('k'.repeat(300)))),
      requestId: fc.option(printable(80), { freq: 5 }),
      wechatpay: fc.option(
        fc.record({
          'wechatpay-serial': printable(40),
          'wechatpay-signature': printable(100),
          'wechatpay-timestamp': fc.oneof(fc.constantFrom(...EDGE_NUMBERS), printable(12)),
          'wechatpay-nonce': printable(40),
        }),
        { freq: 3 },
      ),
      body: body(known),
    })
    .chain((r) => {
      let i = 0;
      const filled = r.route.path.replace(/:(\w+)/g, () => {
        const p = r.params[i++ % r.params.length];
        return p.raw ? p.value : encodeURIComponent(p.value);
      });
      const path = r.pathKind === 'near' ? nearPath(filled) : fc.constant(filled);
      return path.map((p) => {
        const method = r.anyMethod ? r.otherMethod : r.route.methods[r.methodPick % r.route.methods.length];
        const headers: Record<string, string> = {};
        if (r.contentType !== null && r.body !== undefined) headers['content-type'] = r.contentType;
        if (r.idempotencyKey !== null) headers['idempotency-key'] = r.idempotencyKey;
        if (r.requestId !== null) headers['x-request-id'] = r.requestId;
        if (r.wechatpay !== null) Object.assign(headers, r.wechatpay);
        return {
          route: `${method} ${r.route.path}${r.pathKind === 'near' ? ' (near)' : ''}`,
          method,
          target: `${p}${r.query}`,
          auth: r.auth,
          garbageAuth: r.garbageAuth,
          headers,
          body: method === 'GET' || method === 'HEAD' ? undefined : r.body,
        };
      });
    });
}

// ───────────────────────────── sending and judging ─────────────────────────────

interface Answer {
  status: number;
  body: string;
  /** the connection failed before an answer (reset, timeout) */
  transport?: string;
}

function send(base: URL, agent: Agent, req: FuzzRequest, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve) => {
    let outgoing;
    try {
      outgoing = request(
        { hostname: base.hostname, port: base.port, path: req.target, method: req.method, headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
          res.on('error', (err) => resolve({ status: 0, body: '', transport: err.message }));
        },
      );
    } catch (err) {
      // node refused to send it (a character it will not put on the request line): nothing reached the server
      resolve({ status: -1, body: '', transport: `not sent: ${(err as Error).message}` });
      return;
    }
    outgoing.setTimeout(ANSWER_TIMEOUT_MS, () =>
      outgoing.destroy(new Error(`no answer in ${ANSWER_TIMEOUT_MS} ms`)),
    );
    outgoing.on('error', (err) => resolve({ status: 0, body: '', transport: err.message }));
    outgoing.end(req.body);
  });
}

const STACK_TRACE = /\n\s+at \S|\bat [\w$.<>]+ \([^)]*:\d+:\d+\)|\.(ts|js):\d+/;
const SQL =
  /\b(SELECT|INSERT|UPDATE|DELETE FROM)\s|relation "|syntax error|violates .{0,40}constraint|duplicate key|invalid input syntax|out of range for type|QueryFailedError/i;
/** what a parser, the runtime or a driver says, where our own message should be */
const INTERNALS =
  /Unexpected (token|end of)|JSON at position|is not valid JSON|Cannot read propert|is not a function|TypeError|ReferenceError|RangeError|ECONN|ETIMEDOUT|socket hang up|\[object Object\]/;

/** Why an answer is wrong, or null. */
function judge(req: FuzzRequest, answer: Answer): string | null {
  if (answer.transport) return null; // counted apart: see the test
  if (answer.status >= 500) return `status ${answer.status}`;
  if (STACK_TRACE.test(answer.body)) return 'a stack trace in the body';
  if (SQL.test(answer.body)) return 'SQL in the body';
  if (answer.status < 400 || req.method === 'HEAD' || answer.body === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return 'an error that is not JSON';
  }
  const { code, message } = (parsed ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || !/^[A-Z][A-Z0-9_]+$/.test(code)) return 'an error without a code';
  if (typeof message !== 'string' || message === '') return 'an error without a message';
  if (INTERNALS.test(message)) return `internals in the message: ${message.slice(0, 120)}`;
  return null;
}

interface Finding {
  route: string;
  why: string;
  status: number;
  request: string;
  body: string;
}

function describeRequest(req: FuzzRequest): string {
  const body = req.body === undefined ? '' : ` body ${JSON.stringify(req.body.slice(0, 200))}`;
  return `${req.method} ${req.target.slice(0, 300)} auth=${req.auth} headers=${JSON.stringify(req.headers).slice(0, 200)}${body}`;
}

// ───────────────────────────── the stack ─────────────────────────────

let stack: Stack;
let known: Known;
let patient: SeededPatient;
let consoleToken: string;

beforeAll(async () => {
  stack = await startStack({ env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
  patient = await seedPatient(stack);
  const order = await checkout(stack, patient, false);
  if (order.status !== 201) throw new Error(`checkout: ${order.status} ${JSON.stringify(order.body)}`);
  const login = await call<{ token: string }>(stack.url, 'POST', '/api/v1/console/session', {
    body: {
      username: ADMIN.username,
      password: ADMIN.password,
      otp: generateSync({ secret: ADMIN.secret, epoch: Math.floor(stack.clock.now() / 1000), guardrails }),
    },
  });
  if (login.status !== 200) throw new Error(`console login: ${login.status} ${JSON.stringify(login.body)}`);
  consoleToken = login.body.token;
  known = {
    patientId: patient.patientId,
    orderId: order.body.id,
    billNo: patient.billNo,
    orderNo: order.body.orderNo,
  };
});

afterAll(async () => {
  await stack?.stop();
});

function headersFor(req: FuzzRequest): Record<string, string> {
  const headers = { ...req.headers };
  // as the router matches: case-insensitive
  const path = req.target.toLowerCase();
  const chosen =
    req.auth === 'matching' ? (path.startsWith('/api/v1/console/') ? 'console' : 'patient') : req.auth;
  // logging the fuzzer's own console session out would leave the rest of the run without one
  const auth =
    chosen === 'console' && req.method === 'DELETE' && path.startsWith('/api/v1/console/session')
      ? 'garbage'
      : chosen;
  if (auth === 'patient') headers.authorization = `Bearer ${patient.token}`;
  if (auth === 'console') headers.authorization = `Bearer ${consoleToken}`;
  if (auth === 'garbage') headers.authorization = req.garbageAuth;
  return headers;
}

/** what no id of ours looks like: neither a UUID nor a bigint id within range */
const MALFORMED_IDS = [
  'not-an-id',
  '9223372036854775808',
  '99999999999999999999999999',
  '-1',
  '00001',
  "1' OR '1'='1",
  'zzzzzzzz-zzzz-4zzz-8zzz-zzzzzzzzzzzz',
  'Ａ１２３',
];
/** consoleUserRoutes.ts still reads its :id itself (404 CONSOLE_USER_NOT_FOUND for a malformed one) */
const READS_ITS_OWN_ID = /^\/api\/v1\/console\/users\/:id\//;

describe('ids at the edge', () => {
  it('every route with an id in its path answers a malformed one with 400 INVALID_ID, before any query', async () => {
    const withIds = routesOf(stack.server.app).filter((r) => r.path.includes('/:'));
    expect(withIds.length).toBeGreaterThan(15);
    for (const route of withIds)
      for (const method of route.methods)
        for (const id of MALFORMED_IDS) {
          const path = route.path.replace(/:\w+/g, encodeURIComponent(id));
          const token = path.startsWith('/api/v1/console/') ? consoleToken : patient.token;
          const answer = await call<{ code: string; message: string }>(stack.url, method, path, {
            token,
            body: method === 'GET' || method === 'DELETE' ? undefined : {},
          });
          const got = {
            route: `${method} ${route.path}`,
            id,
            status: answer.status,
            code: answer.body?.code,
          };
          if (READS_ITS_OWN_ID.test(route.path))
            expect(got).toEqual({ ...got, status: 404, code: 'CONSOLE_USER_NOT_FOUND' });
          else {
            expect(got).toEqual({ ...got, status: 400, code: 'INVALID_ID' });
            expect(answer.body.message).not.toMatch(/[A-Za-z]{3,}/);
            expect(answer.body).toMatchObject({ details: { param: expect.stringMatching(/^\w+$/) } });
          }
        }
  });

  it('a reconciliation row id is a bigint: 2^63 − 1 passes (404, no such row), 2^63 is refused', async () => {
    const resolve = (rowId: string) =>
      call(stack.url, 'POST', `/api/v1/console/reconciliation-rows/${rowId}/resolve`, {
        token: consoleToken,
        body: { reason: '核对' },
      });
    expect((await resolve('9223372036854775807')).status).toBe(404);
    expect(await resolve('9223372036854775808')).toMatchObject({ status: 400, body: { code: 'INVALID_ID' } });
  });

  it('a cursor is checked before any query: a run’s rows past bigint, an orders cursor with a bad inside', async () => {
    const rows = await call<{ code: string; message: string }>(
      stack.url,
      'GET',
      `/api/v1/console/reconciliations/${known.orderId}/rows?cursor=9223372036854775808`,
      { token: consoleToken },
    );
    expect(rows).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    // the field is named in details; the message is the catalogue's Chinese sentence
    expect(rows.body.message).not.toMatch(/[A-Za-z]{3,}/);
    const today = cstDate(stack.clock.now());
    for (const inside of [`${new Date(stack.clock.now()).toISOString()}|${'-'.repeat(36)}`, 'x|y', '']) {
      const cursor = Buffer.from(inside).toString('base64url') || '-';
      const orders = await call(stack.url, 'GET', `/api/v1/console/orders?date=${today}&cursor=${cursor}`, {
        token: consoleToken,
      });
      expect(orders).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    }
  });

  it('the orders cursor the server gives out is one it takes back', async () => {
    const other = await seedPatient(stack);
    expect((await checkout(stack, other, false)).status).toBe(201);
    const today = cstDate(stack.clock.now());
    const first = await call<unknown[]>(stack.url, 'GET', `/api/v1/console/orders?date=${today}&limit=1`, {
      token: consoleToken,
    });
    const cursor = first.headers.get('x-next-cursor');
    expect(cursor).toBeTruthy();
    const next = await call<unknown[]>(
      stack.url,
      'GET',
      `/api/v1/console/orders?date=${today}&limit=1&cursor=${cursor}`,
      { token: consoleToken },
    );
    expect(next.status).toBe(200);
    expect(next.body).toHaveLength(1);
  });

  it('a date outside the business years is refused, never sent to the database', async () => {
    for (const date of ['0000-01-01', '1999-12-31', '2100-01-01', '9999-12-31'])
      expect(
        await call(stack.url, 'GET', `/api/v1/console/reconciliations?date=${date}`, { token: consoleToken }),
      ).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });
});

describe('the fuzzer', () => {
  it(
    `sends ${RUNS} requests over every route: no 5xx, no stack trace, no SQL, every error a {code, message}`,
    async () => {
      const routes = routesOf(stack.server.app);
      expect(routes.length).toBeGreaterThan(30);
      const base = new URL(stack.url);
      const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
      const arbitrary = fuzzRequest(routes, known);
      const findings: Finding[] = [];
      const statuses = new Map<number, number>();
      const transport = new Map<string, number>();
      const started = performance.now();
      for (let offset = 0; offset < RUNS; offset += CHUNK) {
        const batch = fc.sample(arbitrary, { seed: SEED + offset, numRuns: Math.min(CHUNK, RUNS - offset) });
        let next = 0;
        const worker = async () => {
          while (next < batch.length) {
            const req = batch[next++];
            const answer = await send(base, agent, req, headersFor(req));
            statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
            if (answer.transport) {
              const kind = answer.transport.replace(/\d+/g, 'N').slice(0, 60);
              transport.set(kind, (transport.get(kind) ?? 0) + 1);
            }
            const why = judge(req, answer);
            if (why)
              findings.push({
                route: req.route,
                why,
                status: answer.status,
                request: describeRequest(req),
                body: answer.body.slice(0, 300),
              });
          }
        };
        await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      }
      agent.destroy();
      const seconds = (performance.now() - started) / 1000;
      const byStatus = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
      console.log(
        `fuzz: ${RUNS} requests (seed ${SEED}) over ${routes.length} routes in ${seconds.toFixed(1)} s ` +
          `(${(RUNS / seconds).toFixed(0)} req/s); statuses ${byStatus.join(' ')}; ` +
          `transport ${JSON.stringify(Object.fromEntries(transport))}; findings ${findings.length}`,
      );
      if (findings.length > 0) {
        // one example per route and kind of problem, with its count
        const kinds = new Map<string, { n: number; first: Finding }>();
        for (const f of findings) {
          const key = `${f.route} — ${f.why.replace(/:.*/, '')}`;
          const seen = kinds.get(key);
          if (seen) seen.n++;
          else kinds.set(key, { n: 1, first: f });
        }
        const shown = [...kinds.entries()].map(
          ([key, { n, first }]) => `- ${key} ×${n} (${first.status}): ${first.request}\n    → ${first.body}`,
        );
        throw new Error(`${findings.length} bad answers, ${kinds.size} kinds:\n${shown.join('\n')}`);
      }
      // the server is still whole afterwards
      expect((await call(stack.url, 'GET', '/healthz')).status).toBe(200);
      // and the fuzzer kept its sessions to the end (else most of the run stopped at 401)
      expect((await call(stack.url, 'GET', '/api/v1/console/session', { token: consoleToken })).status).toBe(
        200,
      );
      expect((await call(stack.url, 'GET', '/api/v1/patients', { token: patient.token })).status).toBe(200);
      // a connection the server closed on purpose (a body past the limit, a request line too long) is the only
      // transport failure allowed, and a rare one
      const failures = [...transport.values()].reduce((a, b) => a + b, 0);
      expect(failures).toBeLessThan(RUNS / 100);
    },
    RUN_TIMEOUT_MS,
  );
});
