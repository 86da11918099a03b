/** Idempotency-Key per checkout attempt: kept across retries until a final answer, then a new attempt. */
import { checkout } from '../../miniprogram/services/checkout';
import { api } from '../../miniprogram/services/api';
import { ApiError } from '../../miniprogram/services/errors';
import { attemptSlot, checkoutKey } from '../../miniprogram/services/idempotency';
import { resetTaro } from './stubs/taro';
import { PATIENT_ID, order } from './fixtures';

const request = { patientId: PATIENT_ID, billNos: ['B2', 'B1'], useInsurance: true };
const timeout = new ApiError('TIMEOUT', '请求超时（10 秒），请检查网络后重试', 0);

beforeEach(() => resetTaro());
afterEach(() => jest.restoreAllMocks());

function keysSent(spy: jest.SpyInstance) {
  return spy.mock.calls.map((call) => call[1] as string);
}

describe('checkout', () => {
  it('sends the same key on a retry after a timeout, and a new one for the next attempt once the order exists', async () => {
    const create = jest.spyOn(api, 'createOrder').mockRejectedValueOnce(timeout).mockResolvedValue(order());
    await expect(checkout(request)).rejects.toBe(timeout);
    await expect(checkout(request)).resolves.toMatchObject({ status: 'PRESETTLED' });
    await checkout(request);
    const [first, retry, next] = keysSent(create);
    expect(first).toMatch(/^[A-Za-z0-9_.:-]{8,128}$/);
    expect(retry).toBe(first);
    expect(next).not.toBe(first);
  });

  it('keeps the key across a 5xx and a 409 (the first request may still be running)', async () => {
    const create = jest
      .spyOn(api, 'createOrder')
      .mockRejectedValueOnce(new ApiError('UPSTREAM_TIMEOUT', 'insurance timed out', 504))
      .mockRejectedValueOnce(new ApiError('CONCURRENT_REQUEST', 'still being processed', 409))
      .mockResolvedValue(order());
    await checkout(request).catch(() => undefined);
    await checkout(request).catch(() => undefined);
    await checkout(request);
    expect(new Set(keysSent(create)).size).toBe(1);
  });

  it('starts a new attempt after a refusal (the server would replay the refusal for the old key)', async () => {
    const create = jest
      .spyOn(api, 'createOrder')
      .mockRejectedValueOnce(new ApiError('INSURANCE_NOT_AUTHORIZED', 'authorize insurance first', 422))
      .mockResolvedValue(order());
    await checkout(request).catch(() => undefined);
    await checkout(request);
    const [refused, next] = keysSent(create);
    expect(next).not.toBe(refused);
  });

  it('keys the attempt by patient and bill set (in any order); paying the other way is a new request', () => {
    const key = checkoutKey(request);
    expect(checkoutKey({ ...request, billNos: ['B1', 'B2'] })).toBe(key);
    expect(attemptSlot(PATIENT_ID, ['B1', 'B2'])).toBe(attemptSlot(PATIENT_ID, ['B2', 'B1']));
    const cashKey = checkoutKey({ ...request, useInsurance: false });
    expect(cashKey).not.toBe(key);
    expect(checkoutKey({ ...request, useInsurance: false })).toBe(cashKey);
  });
});
