/** The one API client: base URL, token, status codes (H5's fetch resolves on 4xx/5xx), 401, timeouts. */
import { api, apiBase, REQUEST_TIMEOUT_MS } from '../../miniprogram/services/api';
import { ApiError } from '../../miniprogram/services/errors';
import { getAfterLogin, getToken, setToken } from '../../miniprogram/services/storage';
import Taro, { resetTaro } from './stubs/taro';
import { ORDER_ID, PATIENT_ID, order } from './fixtures';

const answer = (statusCode: number, data: unknown) =>
  Taro.request.mockResolvedValueOnce({ statusCode, data, header: {} });
const sent = () => Taro.request.mock.calls[0][0];

beforeEach(() => resetTaro({ path: '/pages/bills/index', params: { patientId: PATIENT_ID } }));

describe('api', () => {
  it('calls the same origin /api/v1 on H5 with the session token, a JSON body and a 10 s timeout', async () => {
    setToken('tok_abcdefghijklmnop');
    answer(201, order());
    await api.createOrder({ patientId: PATIENT_ID, billNos: ['B1'], useInsurance: true }, 'co-key-12345678');
    expect(apiBase()).toBe('/api/v1');
    expect(sent()).toMatchObject({
      url: '/api/v1/orders',
      method: 'POST',
      data: { patientId: PATIENT_ID, billNos: ['B1'], useInsurance: true },
      timeout: REQUEST_TIMEOUT_MS,
      header: {
        Authorization: 'Bearer tok_abcdefghijklmnop',
        'Idempotency-Key': 'co-key-12345678',
        'Content-Type': 'application/json',
      },
    });
    expect(REQUEST_TIMEOUT_MS).toBe(10_000);
  });

  it('returns the body of a 2xx answer', async () => {
    answer(200, order({ status: 'PAID' }));
    await expect(api.order(ORDER_ID)).resolves.toMatchObject({ id: ORDER_ID, status: 'PAID' });
    expect(sent().url).toBe(`/api/v1/orders/${ORDER_ID}`);
  });

  it("rejects a resolved 4xx with the server's {code, message}", async () => {
    answer(422, { code: 'INSURANCE_NOT_AUTHORIZED', message: 'authorize insurance first' });
    const error = await api
      .createOrder({ patientId: PATIENT_ID, billNos: ['B1'], useInsurance: true }, 'k-12345678')
      .catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      code: 'INSURANCE_NOT_AUTHORIZED',
      message: 'authorize insurance first',
      status: 422,
    });
  });

  it('rejects a 5xx without a proper body as BAD_RESPONSE naming the status', async () => {
    answer(502, '<html>bad gateway</html>');
    await expect(api.orders()).rejects.toMatchObject({
      code: 'BAD_RESPONSE',
      status: 502,
      message: expect.stringContaining('502'),
    });
  });

  it('on 401 forgets the token, remembers the page and opens the login page', async () => {
    setToken('tok_abcdefghijklmnop');
    answer(401, {
      code: 'UNAUTHENTICATED',
      message: 'the session is missing or expired; please log in again',
    });
    await expect(api.bills(PATIENT_ID)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(getToken()).toBeUndefined();
    expect(getAfterLogin()).toBe(`/pages/bills/index?patientId=${PATIENT_ID}`);
    expect(Taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/login/index' });
  });

  it('does not redirect when the login itself is refused', async () => {
    answer(401, { code: 'INVALID_LOGIN_CODE', message: 'the login code is invalid or was already used' });
    await expect(api.login('c0de')).rejects.toMatchObject({ code: 'INVALID_LOGIN_CODE' });
    expect(Taro.reLaunch).not.toHaveBeenCalled();
    expect(sent().header.Authorization).toBeUndefined();
  });

  it('turns an aborted request into TIMEOUT and a failed one into NETWORK', async () => {
    Taro.request.mockRejectedValueOnce(new DOMException('The operation was aborted.', 'AbortError'));
    await expect(api.orders()).rejects.toMatchObject({ code: 'TIMEOUT', status: 0 });
    Taro.request.mockRejectedValueOnce({ errMsg: 'request:fail connection refused' });
    await expect(api.orders()).rejects.toMatchObject({ code: 'NETWORK', status: 0 });
  });
});
