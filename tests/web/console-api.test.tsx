/**
 * The console's API client over a fake fetch: base URL, token, query, the X-Next-Cursor header, the server's
 * {code, message}, 401 → the console login, the CSV download; and yuan typed by a person → fen, exactly.
 */
import { consoleApi, filenameOf, CONSOLE_TIMEOUT_MS } from '../../miniprogram/services/console/api';
import {
  getConsoleAfterLogin,
  getConsoleSession,
  setConsoleSession,
} from '../../miniprogram/services/console/session';
import { parseYuanInput } from '../../miniprogram/services/amount';
import { addDays, cstDate, formatCst } from '../../miniprogram/services/console/time';
import { ApiError } from '../../miniprogram/services/errors';
import { getToken, setToken } from '../../miniprogram/services/storage';
import Taro, { resetTaro } from './stubs/taro';

interface FakeAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  text?: string;
}

const fetchMock = jest.fn();

function answer(a: FakeAnswer) {
  const headers = new Map(Object.entries(a.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  fetchMock.mockResolvedValueOnce({
    ok: a.status >= 200 && a.status < 300,
    status: a.status,
    headers: { get: (name: string) => headers.get(name.toLowerCase()) ?? null },
    json: async () => {
      if (a.body === undefined) throw new SyntaxError('Unexpected end of JSON input');
      return a.body;
    },
    blob: async () => new Blob([a.text ?? ''], { type: headers.get('content-type') ?? 'text/plain' }),
  });
}

const sent = (i = 0) => {
  const [url, init] = fetchMock.mock.calls[i] as [string, RequestInit & { headers: Record<string, string> }];
  return { url, ...init };
};

beforeEach(() => {
  resetTaro({ path: '/pages/console/run/index', params: { runId: '42' } });
  fetchMock.mockReset();
  Object.assign(globalThis, { fetch: fetchMock });
  setConsoleSession({
    token: 'ct_abcdefghijklmnopqrstuvwx',
    role: 'cashier',
    username: 'cashier01',
    expiresAtMs: Date.now() + 3_600_000,
  });
});

describe('consoleApi', () => {
  it('logs in without a token and with a JSON body', async () => {
    setConsoleSession(undefined);
    answer({ status: 200, body: { token: 't', role: 'supervisor', expiresInS: 28800 } });
    await expect(
      consoleApi.login({ username: 'admin', password: 'pw', otp: '123456' }),
    ).resolves.toMatchObject({
      role: 'supervisor',
    });
    const req = sent();
    expect(req.url).toBe('/api/v1/console/session');
    expect(req.method).toBe('POST');
    expect(req.headers.Authorization).toBeUndefined();
    expect(req.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(req.body as string)).toEqual({ username: 'admin', password: 'pw', otp: '123456' });
  });

  it('sends the console token (never the patient one) and the query; reads X-Next-Cursor', async () => {
    setToken('patient_token_abcdefgh');
    answer({ status: 200, body: [{ id: 'o1' }], headers: { 'X-Next-Cursor': 'abc_123' } });
    const page = await consoleApi.orders({ date: '2026-03-01', status: 'COMPLETED' });
    expect(page).toEqual({ items: [{ id: 'o1' }], nextCursor: 'abc_123' });
    const req = sent();
    expect(req.url).toBe('/api/v1/console/orders?limit=50&date=2026-03-01&status=COMPLETED');
    expect(req.headers.Authorization).toBe('Bearer ct_abcdefghijklmnopqrstuvwx');
    answer({ status: 200, body: [] });
    await expect(consoleApi.reconRows('42', { discrepancies: true, resolved: false })).resolves.toEqual({
      items: [],
      nextCursor: undefined,
    });
    expect(sent(1).url).toBe(
      '/api/v1/console/reconciliations/42/rows?limit=50&discrepancies=true&resolved=false',
    );
    expect(getToken()).toBe('patient_token_abcdefgh');
  });

  it("rejects with the server's {code, message}; a body that is not one becomes BAD_RESPONSE", async () => {
    answer({
      status: 409,
      body: { code: 'DAY_NOT_RECONCILED', message: '2026-03-01 还没有完成对账，请先对账。' },
    });
    const error = await consoleApi.dailyClose('2026-03-01').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'DAY_NOT_RECONCILED', status: 409 });
    expect((error as ApiError).message).toBe('2026-03-01 还没有完成对账，请先对账。');
    answer({ status: 502 });
    await expect(consoleApi.users()).rejects.toMatchObject({ code: 'BAD_RESPONSE', status: 502 });
  });

  it('on a 401 forgets the session, remembers the page and opens the console login', async () => {
    answer({
      status: 401,
      body: { code: 'UNAUTHENTICATED', message: '登录已失效，请重新登录。' },
    });
    await expect(consoleApi.reconciliation('42')).rejects.toMatchObject({ status: 401 });
    expect(getConsoleSession()).toBeUndefined();
    expect(getConsoleAfterLogin()).toBe('/pages/console/run/index?runId=42');
    expect(Taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/console/login/index' });
  });

  it('a wrong login is an ordinary error: no redirect', async () => {
    answer({
      status: 401,
      body: { code: 'CONSOLE_LOGIN_FAILED', message: 'wrong username, password or code' },
    });
    await expect(consoleApi.login({ username: 'a', password: 'b', otp: '000000' })).rejects.toMatchObject({
      code: 'CONSOLE_LOGIN_FAILED',
    });
    expect(Taro.reLaunch).not.toHaveBeenCalled();
  });

  it('network failures and timeouts become ApiErrors with status 0', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await expect(consoleApi.users()).rejects.toMatchObject({ code: 'NETWORK', status: 0 });
    jest.useFakeTimers();
    fetchMock.mockImplementationOnce(
      (_url: string, init: RequestInit) =>
        new Promise((_resolve, reject) =>
          init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
        ),
    );
    const pending = consoleApi.users().catch((e: unknown) => e);
    jest.advanceTimersByTime(CONSOLE_TIMEOUT_MS);
    jest.useRealTimers();
    await expect(pending).resolves.toMatchObject({ code: 'TIMEOUT', status: 0 });
  });

  it('fetches the CSV with the token and names the file from Content-Disposition', async () => {
    answer({
      status: 200,
      text: 'kind,orderNo\r\nSHORT,MO1\r\n',
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': 'attachment; filename="reconciliation-2026-03-01-42.csv"',
      },
    });
    const file = await consoleApi.reconRowsCsv('42', { discrepancies: true });
    expect(sent().url).toBe('/api/v1/console/reconciliations/42/rows.csv?discrepancies=true');
    expect(sent().headers.Accept).toBe('text/csv');
    expect(sent().headers.Authorization).toBe('Bearer ct_abcdefghijklmnopqrstuvwx');
    expect(file.filename).toBe('reconciliation-2026-03-01-42.csv');
    expect(file.blob.size).toBeGreaterThan(0);
    expect(filenameOf("attachment; filename*=UTF-8''%E5%AF%B9%E8%B4%A6.csv")).toBe('对账.csv');
    expect(filenameOf(null)).toBeUndefined();
  });

  it('forgets an expired session', () => {
    setConsoleSession({ token: 't', role: 'cashier', username: 'c', expiresAtMs: Date.now() - 1 });
    expect(getConsoleSession()).toBeUndefined();
  });
});

describe('parseYuanInput', () => {
  it.each([
    ['12.34', 1234],
    ['0.1', 10],
    ['0.07', 7],
    ['19.99', 1999],
    ['1.15', 115],
    ['100', 10000],
    [' ¥8.80 ', 880],
  ])('%s yuan → %i fen, exactly', (typed, fen) => {
    expect(parseYuanInput(typed)).toEqual({ ok: true, amountFen: fen });
  });

  it('blank means no amount (the rest)', () => {
    expect(parseYuanInput('  ')).toEqual({ ok: true });
  });

  it.each(['1.005', '-1', '0', '0.00', '1e3', 'abc', '12,5'])('refuses %s', (typed) => {
    expect(parseYuanInput(typed).ok).toBe(false);
  });

  it('refuses more than what is left, naming it formatted from fen', () => {
    expect(parseYuanInput('491.01', 49100)).toEqual({ ok: false, error: '金额不能超过可退金额 ¥491.00' });
    expect(parseYuanInput('491.00', 49100)).toEqual({ ok: true, amountFen: 49100 });
  });
});

describe('China time', () => {
  it('names the business day and formats instants at +08:00 whatever the browser zone', () => {
    expect(cstDate(Date.parse('2026-03-01T16:30:00Z'))).toBe('2026-03-02');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(formatCst('2026-03-01T16:30:05.000Z')).toBe('2026-03-02 00:30:05');
    expect(formatCst(undefined)).toBe('—');
  });
});
