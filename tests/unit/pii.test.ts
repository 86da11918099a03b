/**
 * Known-answer tests. Fixture keys: ENC_KEY is the bytes 0x00..0x1f, HASH_KEY the bytes 0xff..0xe0. Expected
 * values were made independently of this module:
 *   - the all-zero case is Test Case 14 of the GCM specification (McGrew & Viega): key, IV and 16-byte plaintext
 *     all zero → C = cea7403d4d606b6e074ec5d3baf39d18, T = d0d1c8a799996bf0265b98b5d48ab919;
 *   - the hashes: printf '<value>' | openssl dgst -sha256 -mac HMAC -macopt hexkey:<key hex>.
 */
import { inspect } from 'node:util';
import {
  decryptPii,
  encryptPii,
  loadPiiKeys,
  lookupHash,
  maskIdNo,
  maskName,
  maskPhone,
  parsePiiKey,
  PiiDecryptError,
  PiiKeyError,
} from '../../server/security/pii';
import { thrownBy } from '../helpers/thrown';

const ENC_KEY_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const ENC_KEY_BASE64 = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const HASH_KEY_HEX = 'fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3e2e1e0';
const ID_NO = '360102199001011234';

const encKey = parsePiiKey(ENC_KEY_HEX, 'PII_ENCRYPTION_KEY');
const hashKey = parsePiiKey(HASH_KEY_HEX, 'PII_HASH_KEY');

const decryptError = (run: () => unknown) => thrownBy(PiiDecryptError, run);

describe('parsePiiKey(text, settingName)', () => {
  test('reads the same 32 bytes from hex, base64 and base64url', () => {
    const fromBase64 = parsePiiKey(ENC_KEY_BASE64, 'K');
    const fromBase64url = parsePiiKey(ENC_KEY_BASE64.replace(/=$/, ''), 'K');
    expect(fromBase64.equals(encKey)).toBe(true);
    expect(fromBase64url.equals(encKey)).toBe(true);
    expect(parsePiiKey(ENC_KEY_HEX.toUpperCase(), 'K').equals(encKey)).toBe(true);
  });

  test.each([
    ['16 bytes of hex', '00'.repeat(16)],
    ['33 bytes of hex', '00'.repeat(33)],
    ['24 bytes of base64', Buffer.alloc(24).toString('base64')],
    ['not an encoding', 'correct horse battery staple'],
    ['empty', ''],
  ])('refuses %s, naming the setting but not the value', (_, text) => {
    expect(() => parsePiiKey(text, 'PII_ENCRYPTION_KEY')).toThrow(PiiKeyError);
    expect(() => parsePiiKey(text, 'PII_ENCRYPTION_KEY')).toThrow(/^PII_ENCRYPTION_KEY must be 32 bytes/);
    if (text) expect(() => parsePiiKey(text, 'PII_ENCRYPTION_KEY')).not.toThrow(text);
  });

  test('gives a key object that does not print its bytes', () => {
    expect(inspect(encKey)).not.toContain(ENC_KEY_HEX);
    expect(JSON.stringify({ encKey })).not.toContain('AAECAwQF');
  });
});

describe('loadPiiKeys(encryptionKeyText, hashKeyText)', () => {
  test('loads two different keys', () => {
    const keys = loadPiiKeys(ENC_KEY_HEX, HASH_KEY_HEX);
    expect(keys.encryptionKey.equals(encKey)).toBe(true);
    expect(keys.hashKey.equals(hashKey)).toBe(true);
  });

  test('refuses one key for both uses, even written two ways', () => {
    expect(() => loadPiiKeys(ENC_KEY_HEX, ENC_KEY_BASE64)).toThrow('must differ');
  });
});

describe('decryptPii(key, sealed, context)', () => {
  test('decrypts GCM specification Test Case 14 (known answer)', () => {
    const zeroKey = parsePiiKey('00'.repeat(32), 'K');
    const sealed = 'v1.AAAAAAAAAAAAAAAA.0NHIp5mZa_AmW5i11Iq5GQ.zqdAPU1ga24HTsXTuvOdGA';
    expect(Buffer.from(sealed.split('.')[3], 'base64url').toString('hex')).toBe(
      'cea7403d4d606b6e074ec5d3baf39d18',
    );
    expect(Buffer.from(sealed.split('.')[2], 'base64url').toString('hex')).toBe(
      'd0d1c8a799996bf0265b98b5d48ab919',
    );
    expect(decryptPii(zeroKey, sealed)).toBe('\u0000'.repeat(16));
  });

  test('decrypts a fixture sealed with a context (known answer)', () => {
    const sealed = 'v1.oKGio6Slpqeoqaqr.52bD-aRSzIdWBsr4e5BKuA.1S5MHHX5M4ZbVbfiN0vx7EOY';
    expect(decryptPii(encKey, sealed, 'patients.id_no')).toBe(ID_NO);
  });

  test('refuses the fixture under another context (a value moved to another column)', () => {
    const sealed = 'v1.oKGio6Slpqeoqaqr.52bD-aRSzIdWBsr4e5BKuA.1S5MHHX5M4ZbVbfiN0vx7EOY';
    expect(decryptError(() => decryptPii(encKey, sealed, 'patients.phone')).reason).toBe(
      'AUTHENTICATION_FAILED',
    );
    expect(decryptError(() => decryptPii(encKey, sealed)).reason).toBe('AUTHENTICATION_FAILED');
  });

  test.each([
    ['three parts', 'v1.AAAAAAAAAAAAAAAA.0NHIp5mZa_AmW5i11Iq5GQ'],
    ['a short IV', 'v1.AAAA.0NHIp5mZa_AmW5i11Iq5GQ.zqdAPU1ga24HTsXTuvOdGA'],
    ['a short tag', 'v1.AAAAAAAAAAAAAAAA.0NHIp5mZ.zqdAPU1ga24HTsXTuvOdGA'],
    ['standard base64 characters', 'v1.AAAAAAAAAAAAAAAA.0NHIp5mZa/AmW5i11Iq5GQ.zqdAPU1ga24HTsXTuvOdGA'],
    ['clear text', ID_NO],
  ])('reports MALFORMED for %s', (_, sealed) => {
    expect(decryptError(() => decryptPii(encKey, sealed)).reason).toBe('MALFORMED');
  });

  test('reports UNSUPPORTED_VERSION for a version it does not know', () => {
    const sealed = encryptPii(encKey, ID_NO).replace(/^v1\./, 'v2.');
    expect(decryptError(() => decryptPii(encKey, sealed)).reason).toBe('UNSUPPORTED_VERSION');
  });
});

describe('encryptPii(key, plaintext, context)', () => {
  test.each([ID_NO, '张三丰', '13812341234', '', '𠀀 four-byte characters 😀'])(
    'round-trips %p',
    (plaintext) => {
      expect(decryptPii(encKey, encryptPii(encKey, plaintext, 'ctx'), 'ctx')).toBe(plaintext);
    },
  );

  test('writes v1.<iv 12 bytes>.<tag 16 bytes>.<ciphertext> in base64url', () => {
    const [version, iv, tag, ciphertext] = encryptPii(encKey, ID_NO).split('.');
    expect(version).toBe('v1');
    expect(Buffer.from(iv, 'base64url')).toHaveLength(12);
    expect(Buffer.from(tag, 'base64url')).toHaveLength(16);
    expect(Buffer.from(ciphertext, 'base64url')).toHaveLength(Buffer.byteLength(ID_NO));
    expect(`${iv}${tag}${ciphertext}`).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  test('uses a fresh IV each time, so equal values do not look equal', () => {
    const sealed = new Set(Array.from({ length: 50 }, () => encryptPii(encKey, ID_NO)));
    expect(sealed.size).toBe(50);
    expect(new Set([...sealed].map((s) => s.split('.')[1])).size).toBe(50);
  });

  test('detects any flipped bit of IV, tag or ciphertext', () => {
    const sealed = encryptPii(encKey, ID_NO);
    for (const part of [1, 2, 3]) {
      const parts = sealed.split('.');
      const bytes = Buffer.from(parts[part], 'base64url');
      bytes[bytes.length - 1] ^= 0x01;
      parts[part] = bytes.toString('base64url');
      expect(decryptError(() => decryptPii(encKey, parts.join('.'))).reason).toBe('AUTHENTICATION_FAILED');
    }
  });

  test('refuses to decrypt with the wrong key', () => {
    const sealed = encryptPii(encKey, ID_NO);
    expect(decryptError(() => decryptPii(hashKey, sealed)).reason).toBe('AUTHENTICATION_FAILED');
  });
});

describe('lookupHash(hashKey, value)', () => {
  test('gives the HMAC-SHA256 in hex (known answer, openssl)', () => {
    expect(lookupHash(hashKey, ID_NO)).toBe(
      '56fba37f498f77fb39acaa18947371b12644b0c56643e7ff1fd021f794a77361',
    );
    expect(lookupHash(hashKey, '11010519491231002X')).toBe(
      '14ae202fdee949453ba7c8afdcefa75a068ee4dbb902cca45c180efe54a72e79',
    );
  });

  test('is stable and finds an ID written with a lower-case check digit or spaces', () => {
    expect(lookupHash(hashKey, ID_NO)).toBe(lookupHash(hashKey, ID_NO));
    expect(lookupHash(hashKey, ' 11010519491231002x ')).toBe(lookupHash(hashKey, '11010519491231002X'));
  });

  test('depends on the key', () => {
    expect(lookupHash(encKey, ID_NO)).toBe(
      '52ca18892151b32acc0b031a7a2d5c8bc1335501ecb1a7192593ab2d265ead06',
    );
    expect(lookupHash(encKey, ID_NO)).not.toBe(lookupHash(hashKey, ID_NO));
  });
});

describe('maskIdNo(idNo)', () => {
  test.each([
    ['360102199001011234', '3601**********1234'],
    ['11010519491231002X', '1101**********002X'],
    ['360102900101123', '3601*******1123'],
    ['E12345678', '*********'],
    ['1234', '****'],
    ['', ''],
  ])('%p → %p', (input, masked) => {
    expect(maskIdNo(input)).toBe(masked);
  });
});

describe('maskName(name)', () => {
  test.each([
    ['张三丰', '张*丰'],
    ['张三', '张*'],
    ['张', '*'],
    ['欧阳娜娜', '欧**娜'],
    ['𠀀𠀁𠀂', '𠀀*𠀂'],
    ['', ''],
  ])('%p → %p', (input, masked) => {
    expect(maskName(input)).toBe(masked);
  });
});

describe('maskPhone(phone)', () => {
  test.each([
    ['13812341234', '138****1234'],
    ['+8613812341234', '+86*******1234'],
    ['88888888', '********'],
    ['', ''],
  ])('%p → %p', (input, masked) => {
    expect(maskPhone(input)).toBe(masked);
  });
});
