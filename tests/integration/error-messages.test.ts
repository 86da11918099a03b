/**
 * Real error answers over HTTP speak Chinese: the catalogue's sentence or a service's own Chinese sentence, never
 * English and never the code in the sentence (codes stay in `code`, for programs and for support).
 */
import { randomUUID } from 'node:crypto';
import { call, seedPatient, useStack } from '../helpers/stack';
import { authorize, checkout, checkoutWhileInsuranceFails } from '../helpers/flow';
import { ERROR_MESSAGES } from '../../shared/messages';

const stack = useStack();

function expectChinese(answer: { status: number; body: unknown }, status: number, code: string): string {
  const body = answer.body as { code?: string; message?: string };
  expect({ status: answer.status, code: body.code }).toEqual({ status, code });
  expect(body.message).toMatch(/[\u4e00-\u9fff]/);
  expect(body.message?.match(/[A-Za-z]{3,}/g) ?? []).toEqual([]);
  return body.message as string;
}

describe('error answers are Chinese', () => {
  it('an unknown route', async () => {
    const message = expectChinese(await call(stack.url, 'GET', '/api/v1/no-such-thing'), 404, 'NOT_FOUND');
    expect(message).toBe(ERROR_MESSAGES.NOT_FOUND);
  });

  it('a body that fails the schema names the field in details only', async () => {
    const p = await seedPatient(stack);
    const answer = await call(stack.url, 'POST', '/api/v1/orders', {
      token: p.token,
      headers: { 'idempotency-key': randomUUID() },
      body: { patientId: p.patientId, billNos: 'not-a-list', useInsurance: false },
    });
    expect(expectChinese(answer, 400, 'VALIDATION_FAILED')).toBe(ERROR_MESSAGES.VALIDATION_FAILED);
    expect((answer.body as { details?: { path: string }[] }).details?.[0]?.path).toBe('billNos');
  });

  it('a card binding with a malformed ID number', async () => {
    const p = await seedPatient(stack);
    expectChinese(
      await call(stack.url, 'POST', '/api/v1/patients', {
        token: p.token,
        body: { name: '张三', idNo: '12345' },
      }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('calls without a session', async () => {
    expectChinese(await call(stack.url, 'GET', '/api/v1/patients'), 401, 'UNAUTHENTICATED');
  });

  it('a wrong console login, without the code in the sentence', async () => {
    const answer = await call(stack.url, 'POST', '/api/v1/console/session', {
      body: { username: 'admin', password: 'wrong-password', otp: '000000' },
      headers: { 'x-forwarded-for': '198.51.100.251' },
    });
    expect(expectChinese(answer, 401, 'CONSOLE_LOGIN_FAILED')).not.toContain('CONSOLE_LOGIN_FAILED');
  });

  it('an insurance answer that cannot be verified is a Chinese 504', async () => {
    const { answer } = await checkoutWhileInsuranceFails(stack, { kind: 'badSignature', count: 1 });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    const body = answer.body as unknown as { message: string };
    expect(body.message.match(/[A-Za-z]{3,}/g) ?? []).toEqual([]);
  });

  it('a suspended insured person is refused insurance in Chinese', async () => {
    const p = await seedPatient(stack, { insured: { insutype: '310', balance: 3000, status: 'SUSPENDED' } });
    await authorize(stack, p);
    expectChinese(await checkout(stack, p, true), 422, 'INSURANCE_INELIGIBLE');
  });

  it('insurance unavailable at pre-settlement names the insurance platform in Chinese', async () => {
    const { answer } = await checkoutWhileInsuranceFails(stack, {
      kind: 'error5xx',
      status: 502,
      // after the checkout's own retries are spent; last in this file, so the rest of the fault stays unused
      count: 20,
    });
    const message = expectChinese(answer, 503, 'UPSTREAM_UNAVAILABLE');
    expect(message).toContain('医保平台');
  });
});
