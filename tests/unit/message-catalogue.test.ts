import { ZodError, z } from 'zod';
import { ERROR_STATUS, type ErrorCode } from '../../shared/errors';
import { ERROR_MESSAGES, hasEnglishWord } from '../../shared/messages';
import { toErrorBody } from '../../server/http/errors';
import { AppError } from '../../server/services/errors';
import { upstreamError } from '../../server/services/gatewayErrors';
import { GatewayError } from '../../server/gateways/ports';

/** Product words allowed in a message; none: "医院系统", not "HIS". */
const ALLOWED_WORDS: readonly string[] = [];

function englishWords(text: string): string[] {
  return (text.match(/[A-Za-z]{3,}/g) ?? []).filter((w) => !ALLOWED_WORDS.includes(w));
}

describe('ERROR_MESSAGES', () => {
  const codes = Object.keys(ERROR_STATUS) as ErrorCode[];

  it.each(codes)('has a Chinese sentence for %s with no English word', (code) => {
    const message = ERROR_MESSAGES[code];
    expect(message).toEqual(expect.any(String));
    expect(englishWords(message)).toEqual([]);
    expect(message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('names no code that ERROR_STATUS does not have', () => {
    expect(Object.keys(ERROR_MESSAGES).sort()).toEqual([...codes].sort());
  });
});

describe('toErrorBody(err)', () => {
  it('keeps a service message that is Chinese already', () => {
    const mapped = toErrorBody(new AppError('VERIFICATION_CODE_INVALID', '验证码不正确，还可以再试 4 次。'));
    expect(mapped.body).toMatchObject({
      code: 'VERIFICATION_CODE_INVALID',
      message: '验证码不正确，还可以再试 4 次。',
    });
    expect(mapped.status).toBe(422);
  });

  it('answers the catalogue sentence for an English message and keeps the English for the log', () => {
    const mapped = toErrorBody(new AppError('PATIENT_NOT_FOUND', 'no such patient card'));
    expect(mapped.body.message).toBe(ERROR_MESSAGES.PATIENT_NOT_FOUND);
    expect(mapped.logDetail).toContain('no such patient card');
  });

  it('answers a schema failure in Chinese, naming the fields in details only', () => {
    let err: unknown;
    try {
      z.object({ name: z.string() }).parse({});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ZodError);
    const mapped = toErrorBody(err);
    expect(mapped.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: ERROR_MESSAGES.VALIDATION_FAILED,
    });
    expect(mapped.logDetail).toMatch(/^name: /);
  });

  it.each([
    ['timeout', 504, 'UPSTREAM_TIMEOUT'],
    ['invalid_response', 504, 'UPSTREAM_TIMEOUT'],
    ['unavailable', 503, 'UPSTREAM_UNAVAILABLE'],
  ] as const)('says a party %s in Chinese with %i %s', (kind, status, code) => {
    const mapped = toErrorBody(new GatewayError('insurance', kind, 'socket hang up'));
    expect(mapped).toMatchObject({ status, body: { code } });
    expect(mapped.body.message).toContain('医保平台');
    expect(englishWords(mapped.body.message)).toEqual([]);
    expect(mapped.logDetail).toContain('socket hang up');
  });

  it('hides an unexpected error behind the catalogue sentence', () => {
    const mapped = toErrorBody(new Error('relation "orders" does not exist'));
    expect(mapped).toMatchObject({ status: 500, unexpected: true, body: { code: 'INTERNAL' } });
    expect(hasEnglishWord(mapped.body.message)).toBe(false);
  });
});

describe('upstreamError(err, action)', () => {
  it.each(['wechatpay', 'insurance', 'his', 'sms'] as const)(
    'names %s in Chinese and keeps the English detail as the cause',
    (party) => {
      const e = upstreamError(new GatewayError(party, 'unavailable', 'ECONNREFUSED'), 'checkout');
      expect(e.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(englishWords(e.message)).toEqual([]);
      expect(String(e.cause)).toContain('ECONNREFUSED');
      expect(toErrorBody(e).logDetail).toContain('checkout');
    },
  );
});
