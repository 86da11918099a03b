import { generateKeyPairSync } from 'node:crypto';
/** Logs never carry ID numbers, names, phones, tokens, keys or full openids (DESIGN 8). */
import { inspect } from 'node:util';
import { createLogger, forRequest, maskOpenid, redactionPaths, type Logger } from '../../server/logging';
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
