/**
 * Console credentials. Known answers made independently of this module:
 *   - scrypt: RFC 7914 §12, scrypt("password", "NaCl", N=1024, r=8, p=16, dkLen=64); our hashes are 32 bytes,
 *     the first half of that output (the last step is PBKDF2, whose blocks are independent);
 *   - TOTP: RFC 6238 Appendix B (SHA-1, secret "12345678901234567890" = base32
 *     GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ); a 6-digit code is the last 6 digits of the 8-digit value.
 */
import {
  checkTotp,
  hashPassword,
  newTotpSecret,
  parsePasswordHash,
  totpCode,
  totpStepAt,
  totpStepOf,
  verifyPassword,
} from '../../server/services/console/credentials';
import { claimTotpStep } from '../../server/services/console/auth';
import { otpauthUri } from '../../server/services/console/users';
import { InMemoryEphemeralStore } from '../../server/ephemeral/memory';
import { ManualClock } from '../../shared/clock';

const RFC7914_HEX =
  'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640';
const RFC7914_STORED = [
  'scrypt',
  1024,
  8,
  16,
  Buffer.from('NaCl').toString('base64url'),
  Buffer.from(RFC7914_HEX, 'hex').subarray(0, 32).toString('base64url'),
].join('$');

const RFC6238_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const DEMO_SECRET = 'JBSWY3DPEHPK3PXP';
/** small parameters keep the unit tests fast; the defaults are checked once */
const FAST = { N: 1024, r: 8, p: 1 };

describe('hashPassword(password, params?)', () => {
  it('writes scrypt$N$r$p$salt$hash with the default parameters', async () => {
    const stored = await hashPassword('Admin#2026');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword('Admin#2026', stored)).toBe(true);
  });

  it('keeps the parameters it was given in the string', async () => {
    const stored = await hashPassword('secret-1', FAST);
    expect(parsePasswordHash(stored)?.params).toEqual(FAST);
  });

  it('salts each hash: the same password twice gives two strings that both verify', async () => {
    const [a, b] = await Promise.all([hashPassword('same-pass', FAST), hashPassword('same-pass', FAST)]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same-pass', a)).toBe(true);
    expect(await verifyPassword('same-pass', b)).toBe(true);
  });

  it('refuses parameters outside the bounds', async () => {
    await expect(hashPassword('x', { N: 1000, r: 8, p: 1 })).rejects.toThrow(RangeError);
    await expect(hashPassword('x', { N: 2 ** 21, r: 8, p: 1 })).rejects.toThrow(RangeError);
  });
});

describe('verifyPassword(password, stored)', () => {
  it('accepts the RFC 7914 test vector', async () => {
    expect(await verifyPassword('password', RFC7914_STORED)).toBe(true);
  });

  it('rejects a wrong password, a different case, and an empty one', async () => {
    const stored = await hashPassword('Correct-Horse', FAST);
    expect(await verifyPassword('Correct-Horsf', stored)).toBe(false);
    expect(await verifyPassword('correct-horse', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('reads the parameters from the string: changing them breaks the hash', async () => {
    const stored = await hashPassword('p4ssword', FAST);
    expect(await verifyPassword('p4ssword', stored.replace('$1024$', '$2048$'))).toBe(false);
  });

  it('rejects strings that are not ours, never throwing', async () => {
    for (const bad of [
      '',
      'plain',
      'scrypt$1024$8$1$abc',
      'bcrypt$1024$8$1$abc$def',
      'scrypt$3$8$1$YWJj$ZGVm',
    ]) {
      expect(await verifyPassword('password', bad)).toBe(false);
    }
  });
});

describe('totpCode(secret, nowMs)', () => {
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
  ])('gives the RFC 6238 code at %i s', (epochS, code) => {
    expect(totpCode(RFC6238_SECRET, epochS * 1000)).toBe(code);
  });

  it('works with the 10-byte demo secret of the settings', () => {
    expect(totpCode(DEMO_SECRET, 1_800_000_000_000)).toMatch(/^\d{6}$/);
  });
});

describe('checkTotp(secret, code, nowMs)', () => {
  // 1_800_000_000 s is the first second of step 60_000_000
  const stepStartMs = 1_800_000_000_000;
  const code = totpCode(DEMO_SECRET, stepStartMs);

  it('accepts the code of the current step, from its first to its last millisecond', () => {
    expect(checkTotp(DEMO_SECRET, code, stepStartMs)).toBe(true);
    expect(checkTotp(DEMO_SECRET, code, stepStartMs + 29_999)).toBe(true);
  });

  it('accepts the previous step (a slow typist) until the end of the next step', () => {
    expect(checkTotp(DEMO_SECRET, code, stepStartMs + 30_000)).toBe(true);
    expect(checkTotp(DEMO_SECRET, code, stepStartMs + 59_999)).toBe(true);
  });

  it('rejects it two steps later', () => {
    expect(checkTotp(DEMO_SECRET, code, stepStartMs + 60_000)).toBe(false);
  });

  it('accepts the next step (a fast phone) from the step before, but not two steps before', () => {
    expect(checkTotp(DEMO_SECRET, code, stepStartMs - 1)).toBe(true);
    expect(checkTotp(DEMO_SECRET, code, stepStartMs - 30_000)).toBe(true);
    expect(checkTotp(DEMO_SECRET, code, stepStartMs - 30_001)).toBe(false);
  });

  it('rejects another secret’s code and malformed codes without throwing', () => {
    expect(checkTotp(RFC6238_SECRET, code, stepStartMs)).toBe(totpCode(RFC6238_SECRET, stepStartMs) === code);
    for (const bad of ['', '12345', '1234567', '12a456', ' 123456']) {
      expect(checkTotp(DEMO_SECRET, bad, stepStartMs)).toBe(false);
    }
  });
});

describe('newTotpSecret()', () => {
  it('makes a 160-bit base32 secret that otplib accepts', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
    expect(checkTotp(secret, totpCode(secret, 0), 0)).toBe(true);
  });

  it('decodes to exactly 20 bytes (RFC 4226 §4), twice the demo secret', () => {
    const bits = (s: string) => s.length * 5;
    expect(bits(newTotpSecret()) / 8).toBe(20);
    expect(bits(DEMO_SECRET) / 8).toBe(10);
  });
});

describe('totpStepOf(secret, code, nowMs)', () => {
  const stepStartMs = 1_800_000_000_000;
  const step = totpStepAt(stepStartMs);

  it('names the step a code belongs to: the current one, or one either side', () => {
    expect(step).toBe(60_000_000);
    expect(totpStepOf(DEMO_SECRET, totpCode(DEMO_SECRET, stepStartMs), stepStartMs + 29_999)).toBe(step);
    expect(totpStepOf(DEMO_SECRET, totpCode(DEMO_SECRET, stepStartMs - 30_000), stepStartMs)).toBe(step - 1);
    expect(totpStepOf(DEMO_SECRET, totpCode(DEMO_SECRET, stepStartMs + 30_000), stepStartMs)).toBe(step + 1);
  });

  it('is null outside the window and for malformed codes', () => {
    expect(totpStepOf(DEMO_SECRET, totpCode(DEMO_SECRET, stepStartMs - 60_000), stepStartMs)).toBeNull();
    expect(totpStepOf(DEMO_SECRET, 'abcdef', stepStartMs)).toBeNull();
  });
});

describe('claimTotpStep(store, userId, step, nowMs)', () => {
  const nowMs = 1_800_000_000_000;
  const step = totpStepAt(nowMs);
  let store: InMemoryEphemeralStore;
  beforeEach(() => {
    store = new InMemoryEphemeralStore(new ManualClock(nowMs));
  });
  afterEach(async () => {
    await store.close();
  });

  it('accepts a step once: the same code twice within its window is refused the second time', async () => {
    expect(await claimTotpStep(store, 'u1', step, nowMs)).toBe(true);
    expect(await claimTotpStep(store, 'u1', step, nowMs + 10_000)).toBe(false);
  });

  it('refuses an earlier step once a later one was accepted, and accepts a later one', async () => {
    expect(await claimTotpStep(store, 'u1', step + 1, nowMs)).toBe(true);
    expect(await claimTotpStep(store, 'u1', step, nowMs)).toBe(false);
    expect(await claimTotpStep(store, 'u1', step - 1, nowMs)).toBe(false);
    expect(await claimTotpStep(store, 'u1', step + 2, nowMs + 30_000)).toBe(true);
  });

  it('keeps users apart', async () => {
    expect(await claimTotpStep(store, 'u1', step, nowMs)).toBe(true);
    expect(await claimTotpStep(store, 'u2', step, nowMs)).toBe(true);
  });

  it('lets exactly one of several concurrent claims of one step through', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () => claimTotpStep(store, 'u1', step, nowMs)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

describe('otpauthUri(issuer, username, secret)', () => {
  it('writes the Key Uri Format with issuer and account percent-encoded', () => {
    expect(otpauthUri('演示 医院', 'li.na', 'JBSWY3DPEHPK3PXP')).toBe(
      'otpauth://totp/%E6%BC%94%E7%A4%BA%20%E5%8C%BB%E9%99%A2:li.na?secret=JBSWY3DPEHPK3PXP' +
        '&issuer=%E6%BC%94%E7%A4%BA%20%E5%8C%BB%E9%99%A2&algorithm=SHA1&digits=6&period=30',
    );
  });
});
