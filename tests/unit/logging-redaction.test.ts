import { generateKeyPairSync } from 'node:crypto';
/** Logs never carry ID numbers, names, phones, tokens, keys or full openids (DESIGN 8). */
import { inspect } from 'node:util';
import type Koa from 'koa';
import { DatabaseError } from 'pg';
import { QueryFailedError } from 'typeorm';
import {
  createLogger,
  forRequest,
  maskOpenid,
  redactionPaths,
  scrubErrorText,
  type Logger,
} from '../../server/logging';
import { errorMiddleware } from '../../server/http/errors';
import { REDACTED, Secret } from '../../server/security/secret';

const OPENID = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';

/** Every value a leak would show; none may appear in the output. */
const SECRETS = {
  idNo: '360102199001011234',
  certno: '11010519491231002X',
  name: '张三丰',
  psnName: '李四光',
  userName: '王五',
  phone: '13812341234',
  bearer: 'Bearer sess-0123456789abcdef',
  cookie: 'sid=cookie-secret-value',
  token: 'tok-5f1e2d3c4b5a6978',
  payAuthNo: 'AUTH-PAY-7788990011',
  apiKey: 'apikey-aabbccddeeff',
  password: 'Hunter2!Hunter2!',
  privateKey: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  sessionKey: 'session-key-from-jscode2session',
  wrapped: 'secret-inside-a-Secret-wrapper',
} as const;

function capture(): { logger: Logger; lines(): Record<string, unknown>[]; text(): string } {
  const chunks: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (chunk: string) => void chunks.push(chunk) },
  });
  return {
    logger,
    lines: () => chunks.map((c) => JSON.parse(c) as Record<string, unknown>),
    text: () => chunks.join(''),
  };
}

function expectNoSecrets(text: string): void {
  for (const [what, value] of Object.entries(SECRETS)) {
    // compare line by line: JSON escapes the newlines of a PEM, but its base64 lines stay as they are
    const leaked = value
      .split('\n')
      .some((line) => line.length > 0 && !line.startsWith('-----') && text.includes(line));
    expect({ what, leaked }).toEqual({ what, leaked: false });
  }
  expect(text).not.toContain(OPENID);
}

function objectFullOfSecrets() {
  return {
    orderNo: 'MO202611230001',
    amountFen: 12345,
    idNo: SECRETS.idNo,
    openid: OPENID,
    password: SECRETS.password,
    credentials: new Secret(SECRETS.wrapped),
    req: {
      method: 'POST',
      url: '/api/v1/patients',
      headers: { authorization: SECRETS.bearer, cookie: SECRETS.cookie, 'idempotency-key': 'idem-1' },
      body: { name: SECRETS.name, idNo: SECRETS.idNo, phone: SECRETS.phone },
    },
    insurance: {
      request: { data: { psn_name: SECRETS.psnName, certno: SECRETS.certno, psn_no: 'P3601000001' } },
      user: { userName: SECRETS.userName, payAuthNo: SECRETS.payAuthNo, openid: OPENID },
    },
    wechat: { session_key: SECRETS.sessionKey, openid: OPENID, sub_openid: OPENID },
    keys: { apiKey: SECRETS.apiKey, privateKey: SECRETS.privateKey, token: SECRETS.token },
    patients: [{ name: SECRETS.name, phone: SECRETS.phone, idNo: SECRETS.idNo }],
  };
}

describe('createLogger(opts)', () => {
  test('writes one JSON object per line', () => {
    const out = capture();
    out.logger.info({ orderNo: 'MO1' }, 'order created');
    expect(out.lines()).toEqual([
      expect.objectContaining({ level: 30, orderNo: 'MO1', msg: 'order created' }),
    ]);
  });

  test('leaves no secret of an object full of them in the output, and keeps the rest', () => {
    const out = capture();
    out.logger.info(objectFullOfSecrets(), 'patient bound');
    expectNoSecrets(out.text());

    const [line] = out.lines();
    expect(line).toMatchObject({
      orderNo: 'MO202611230001',
      amountFen: 12345,
      idNo: REDACTED,
      password: REDACTED,
      credentials: REDACTED,
      req: {
        method: 'POST',
        url: '/api/v1/patients',
        headers: { authorization: REDACTED, cookie: REDACTED, 'idempotency-key': 'idem-1' },
        body: { name: REDACTED, idNo: REDACTED, phone: REDACTED },
      },
      insurance: { request: { data: { psn_name: REDACTED, certno: REDACTED, psn_no: 'P3601000001' } } },
      patients: [{ name: REDACTED, phone: REDACTED, idNo: REDACTED }],
      msg: 'patient bound',
    });
  });

  test('masks openids at the top and nested, keeping their ends to follow a user', () => {
    const out = capture();
    out.logger.info(objectFullOfSecrets());
    const [line] = out.lines();
    expect(line.openid).toBe('oUpF…S6o');
    expect(line).toMatchObject({
      insurance: { user: { openid: 'oUpF…S6o' } },
      wechat: { openid: 'oUpF…S6o', sub_openid: 'oUpF…S6o', session_key: REDACTED },
    });
  });

  test('redacts the bindings of child loggers, and the error of a failed outside call', () => {
    const out = capture();
    const child = forRequest(out.logger, 'req-42').child({ openid: OPENID, patient: { idNo: SECRETS.idNo } });
    const err = Object.assign(new Error('upstream 500'), {
      config: { headers: { Authorization: SECRETS.bearer }, data: { phone: SECRETS.phone } },
    });
    child.error({ err }, 'his call failed');
    expectNoSecrets(out.text());
    expect(out.lines()[0]).toMatchObject({
      reqId: 'req-42',
      openid: 'oUpF…S6o',
      patient: { idNo: REDACTED },
      err: { type: 'Error', message: 'upstream 500', config: { headers: { Authorization: REDACTED } } },
      msg: 'his call failed',
    });
  });

  test('does not alter the object it logs', () => {
    const out = capture();
    const logged = objectFullOfSecrets();
    out.logger.info(logged);
    expect(logged.req.body.idNo).toBe(SECRETS.idNo);
    expect(logged.openid).toBe(OPENID);
    expect(logged.patients[0].name).toBe(SECRETS.name);
  });

  test('respects the level', () => {
    const chunks: string[] = [];
    const logger = createLogger({
      level: 'warn',
      destination: { write: (c: string) => void chunks.push(c) },
    });
    logger.info('quiet');
    logger.warn('loud');
    expect(chunks).toHaveLength(1);
  });
});

/** A unique violation as TypeORM raises it over pg: the statement, its parameters, and PostgreSQL's detail. */
function duplicatePatient(): QueryFailedError {
  const driverError = Object.assign(
    new DatabaseError(
      'duplicate key value violates unique constraint "patients_id_no_name_key"',
      180,
      'error',
    ),
    {
      severity: 'ERROR',
      code: '23505',
      detail: `Key (id_no, name)=(${SECRETS.idNo}, ${SECRETS.name}) already exists.`,
      schema: 'public',
      table: 'patients',
      constraint: 'patients_id_no_name_key',
      where: `SQL statement "INSERT INTO patients VALUES ('${SECRETS.idNo}', '${SECRETS.name}')"`,
      internalQuery: `SELECT '${SECRETS.phone}'`,
    },
  );
  return new QueryFailedError(
    `INSERT INTO patients (id, id_no, name, phone, note) VALUES ($1, $2, $3, $4, 'via ${SECRETS.name}')`,
    ['p-1', SECRETS.idNo, SECRETS.name, SECRETS.phone],
    driverError,
  );
}

describe('errors in logs (err, error)', () => {
  test('a QueryFailedError is logged without its parameters, detail values, or quoted literals', () => {
    const out = capture();
    out.logger.error({ err: duplicatePatient() }, 'unexpected error');
    expectNoSecrets(out.text());
    const err = out.lines()[0].err as Record<string, unknown>;
    expect(err).toMatchObject({
      type: 'QueryFailedError',
      message: 'duplicate key value violates unique constraint "patients_id_no_name_key"',
      code: '23505',
      table: 'patients',
      constraint: 'patients_id_no_name_key',
      query: `INSERT INTO patients (id, id_no, name, phone, note) VALUES ($1, $2, $3, $4, '?')`,
      parameterCount: 4,
      detail: `Key (id_no, name)=(${REDACTED}) already exists.`,
    });
    expect(err).not.toHaveProperty('parameters');
    expect(err).not.toHaveProperty('where');
    expect(err).not.toHaveProperty('internalQuery');
    expect(err.driverError).not.toHaveProperty('where');
  });

  test('a value PostgreSQL quotes in its message, and the same error as `error` or as a cause, is scrubbed', () => {
    const out = capture();
    const driverError = Object.assign(
      new DatabaseError(`invalid input syntax for type bigint: "${SECRETS.idNo}"`, 90, 'error'),
      { code: '22P02', severity: 'ERROR' },
    );
    const failed = new QueryFailedError('SELECT * FROM orders WHERE id = $1', [SECRETS.idNo], driverError);
    out.logger.error({ err: failed }, 'lookup failed');
    out.logger.error({ error: failed }, 'lookup failed');
    out.logger.error({ err: new Error('checkout failed', { cause: failed }) }, 'wrapped');
    expectNoSecrets(out.text());
    expect((out.lines()[0].err as { message: string }).message).toBe(
      `invalid input syntax for type bigint: "${REDACTED}"`,
    );
  });

  test('ID numbers, mobile numbers and bearer tokens in any error message or stack are scrubbed', () => {
    const out = capture();
    const err = new Error(`HIS refused ${SECRETS.idNo} (tel +86 ${SECRETS.phone}) with ${SECRETS.bearer}`);
    out.logger.warn({ err }, 'his call failed');
    out.logger.warn({ err: err.message }, 'his call failed, as text');
    expectNoSecrets(out.text());
    expect(scrubErrorText(`id 11010519491231002X, 15 digits 110105491231002, order MO202611230001`)).toBe(
      `id ${REDACTED}, 15 digits ${REDACTED}, order MO202611230001`,
    );
  });

  test('the error middleware logs an unexpected database error without the parameters or PII', async () => {
    const out = capture();
    const ctx = { state: { log: out.logger }, status: 200, body: undefined } as unknown as Koa.Context;
    await errorMiddleware()(ctx, () => Promise.reject(duplicatePatient()));
    expect(ctx.status).toBe(500);
    expect(JSON.stringify(ctx.body)).not.toContain('patients');
    expectNoSecrets(out.text());
    expect(out.lines()[0]).toMatchObject({ msg: 'unexpected error', err: { parameterCount: 4 } });
  });
});

describe('redactionPaths', () => {
  test.each([
    'authorization',
    'idNo',
    'id_no',
    'certno',
    'name',
    'psn_name',
    'userName',
    'phone',
    'payAuthNo',
    'token',
  ])('names %s at the top level', (field) => {
    expect(redactionPaths).toContain(field);
  });

  test('reaches three levels below the top through wildcards', () => {
    expect(redactionPaths).toEqual(expect.arrayContaining(['*.*', '*.*.*', '*.*.*.*']));
  });
});

describe('maskOpenid(value)', () => {
  test.each([
    [OPENID, 'oUpF…S6o'],
    ['short', REDACTED],
    [42, REDACTED],
    [undefined, REDACTED],
  ])('%p → %p', (value, masked) => {
    expect(maskOpenid(value)).toBe(masked);
  });
});

describe('Secret<T>', () => {
  const secret = new Secret({ apiV3Key: SECRETS.apiKey });

  test('prints [REDACTED] as a string, as JSON, and when inspected', () => {
    expect(String(secret)).toBe(REDACTED);
    expect(`${secret}`).toBe(REDACTED);
    expect(JSON.stringify({ secret })).toBe(`{"secret":"${REDACTED}"}`);
    expect(inspect(secret)).toBe(REDACTED);
    expect(inspect({ nested: { secret } }, { depth: 5 })).not.toContain(SECRETS.apiKey);
  });

  test('is not copied by spreading or Object.entries', () => {
    expect(JSON.stringify({ ...secret })).not.toContain(SECRETS.apiKey);
    expect(Object.entries(secret)).toEqual([]);
  });

  test('gives the value only through reveal()', () => {
    expect(secret.reveal()).toEqual({ apiV3Key: SECRETS.apiKey });
  });
});
