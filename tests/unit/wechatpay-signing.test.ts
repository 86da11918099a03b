/**
 * Known-answer tests of the WeChat Pay primitives. The RSA key is fixed: node-forge generates it from the seed
 * below (same key on every run, nothing secret committed), it is written to a temp dir, and the expected
 * signatures come from the openssl CLI over the same bytes:
 *
 *   openssl dgst -sha256 -sign key.pem -out sig.bin message.txt   (then Base64)
 *   openssl dgst -sha256 -verify pub.pem -signature sig.bin message.txt
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  buildAuthorization,
  certificateSerial,
  idDigest,
  idNo15To18,
  parseAuthorization,
  paySignMessage,
  privateKeyFromPem,
  publicKeyFromPem,
  randomNonce,
  requestMessage,
  responseMessage,
  rsaOaepDecrypt,
  rsaOaepEncrypt,
  signSha256Rsa,
  verifySha256Rsa,
} from '../../shared/crypto/wechatpay';

const KEY_SEED = 'wechatpay-kat';
/** SHA-256 of the SPKI DER of the seeded key: proves the fixture is the same key on every run */
/** SHA-256 of the SPKI DER of the seeded key: the fixture is the same key on every run */
const KEY_FINGERPRINT = '9dc3ab70459d93113a88419b9f93408579b4cb3f896f575c95b35e2f9afa09a5';
/** openssl dgst -sha256 -sign key.pem over "GET\n/v3/certificates\n1700000000\nKAT\n\n", Base64 */
const KNOWN_SIGNATURE =
  'fPGxqHtL7HeQkK9/VNfVHzfsMvyyAIQ38VQDoFEkt+KHWKkd5pxbkr9gAcgOsyfoxdFb0r6rZUqNOB6bYuDj2cV8NIm1L63rc6LEiRCkEChahwZKnUDO' +
  'asYHariGjeVUhR3eglTIjVUyEbOaUq9ell4U02lBz/a2X1c0t0TgDYSnB+sKVxX2xcVgFdgtYSaeiAaNgzgkfbqDUa0wW9evloFVY27Vmz1pwlm65TUc0cru' +
  'o4T3G131TN29ZpzhHGz2yuC1l/Z7sjnS3eF6KW7BD0/Kibc8ebUm1BLUEEqvSMEYbzzRUZNwKyfsbxqruB4UzswJaRO0zOSTkqzjZCZpRw==';

function fixedKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const prng = forge.random.createInstance();
  prng.seedFileSync = (needed: number) =>
    forge.util.fillString(KEY_SEED, Math.ceil(needed / KEY_SEED.length)).slice(0, needed);
  const pair = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001, prng, workers: -1 });
  return {
    privateKeyPem: forge.pki.privateKeyInfoToPem(
      forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(pair.privateKey)),
    ),
    publicKeyPem: forge.pki.publicKeyToPem(pair.publicKey),
  };
}

let dir: string;
let keyFile: string;
let pubFile: string;
let pems: { privateKeyPem: string; publicKeyPem: string };

beforeAll(() => {
  pems = fixedKeyPair();
  dir = mkdtempSync(join(tmpdir(), 'wxpay-kat-'));
  keyFile = join(dir, 'key.pem');
  pubFile = join(dir, 'pub.pem');
  writeFileSync(keyFile, pems.privateKeyPem, { mode: 0o600 });
  writeFileSync(pubFile, pems.publicKeyPem);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function opensslSign(message: string): string {
  const messageFile = join(dir, 'message.txt');
  writeFileSync(messageFile, message, 'utf8');
  return execFileSync('openssl', ['dgst', '-sha256', '-sign', keyFile, messageFile]).toString('base64');
}

function opensslVerifies(message: string, signatureB64: string): boolean {
  const messageFile = join(dir, 'message.txt');
  const sigFile = join(dir, 'sig.bin');
  writeFileSync(messageFile, message, 'utf8');
  writeFileSync(sigFile, Buffer.from(signatureB64, 'base64'));
  try {
    return execFileSync('openssl', [
      'dgst',
      '-sha256',
      '-verify',
      pubFile,
      '-signature',
      sigFile,
      messageFile,
    ])
      .toString()
      .includes('Verified OK');
  } catch {
    return false;
  }
}

describe('the fixed test key', () => {
  it('is the same key on every run', () => {
    const der = publicKeyFromPem(readFileSync(pubFile, 'utf8')).export({ type: 'spki', format: 'der' });
    expect(createHash('sha256').update(der).digest('hex')).toBe(KEY_FINGERPRINT);
  });

  it('signs the recorded message to the recorded signature, as openssl does', () => {
    const message = requestMessage('GET', '/v3/certificates', 1_700_000_000, 'KAT', '');
    expect(opensslSign(message)).toBe(KNOWN_SIGNATURE);
    expect(signSha256Rsa(message, privateKeyFromPem(pems.privateKeyPem))).toBe(KNOWN_SIGNATURE);
  });
});

describe('requestMessage(method, canonicalUrl, timestampS, nonce, body)', () => {
  it('joins five lines, each ending with \\n', () => {
    expect(requestMessage('post', '/v3/pay/transactions/jsapi?a=1', 1554208460, 'NONCE', '{"x":1}')).toBe(
      'POST\n/v3/pay/transactions/jsapi?a=1\n1554208460\nNONCE\n{"x":1}\n',
    );
  });

  it('keeps an empty body as an empty last line (GET)', () => {
    expect(requestMessage('GET', '/v3/certificates', 1, 'n', '')).toBe('GET\n/v3/certificates\n1\nn\n\n');
  });
});

describe('responseMessage(timestampS, nonce, body)', () => {
  it('is TS\\nNONCE\\nBODY\\n, with a final \\n for an empty (204) body', () => {
    expect(responseMessage(1554209980, 'c5ac7061fccab6bf3e254dcf98995b8c', '{"a":1}')).toBe(
      '1554209980\nc5ac7061fccab6bf3e254dcf98995b8c\n{"a":1}\n',
    );
    expect(responseMessage('1', 'n', '')).toBe('1\nn\n\n');
  });
});

describe('signSha256Rsa(message, privateKey)', () => {
  const message = requestMessage(
    'POST',
    '/v3/pay/transactions/jsapi',
    1_700_000_000,
    '593BEC0C930BF1AFEB40B4A08C8FB242',
    JSON.stringify({ appid: 'wxd930ea5d5a258f4f', description: '门诊缴费', amount: { total: 1230 } }),
  );

  it('equals the signature openssl computes over the same bytes (UTF-8, Chinese included)', () => {
    expect(signSha256Rsa(message, privateKeyFromPem(pems.privateKeyPem))).toBe(opensslSign(message));
  });

  it('produces signatures openssl verifies, and verifies openssl signatures', () => {
    const ours = signSha256Rsa(message, privateKeyFromPem(pems.privateKeyPem));
    expect(opensslVerifies(message, ours)).toBe(true);
    expect(verifySha256Rsa(message, opensslSign(message), publicKeyFromPem(pems.publicKeyPem))).toBe(true);
  });

  it('does not verify over other bytes, or with garbage', () => {
    const key = publicKeyFromPem(pems.publicKeyPem);
    const signature = signSha256Rsa(message, privateKeyFromPem(pems.privateKeyPem));
    expect(verifySha256Rsa(`${message} `, signature, key)).toBe(false);
    expect(verifySha256Rsa(message, 'not base64!', key)).toBe(false);
    expect(verifySha256Rsa(message, '', key)).toBe(false);
  });
});

describe('paySignMessage(appId, timeStamp, nonceStr, pkg)', () => {
  it('is appId\\ntimeStamp\\nnonceStr\\npackage\\n, and its paySign matches openssl', () => {
    const text = paySignMessage(
      'wxd930ea5d5a258f4f',
      '1700000000',
      'A1B2C3',
      'prepay_id=wx201410272009395522657a690389285100',
    );
    expect(text).toBe(
      'wxd930ea5d5a258f4f\n1700000000\nA1B2C3\nprepay_id=wx201410272009395522657a690389285100\n',
    );
    expect(signSha256Rsa(text, privateKeyFromPem(pems.privateKeyPem))).toBe(opensslSign(text));
  });
});

describe('buildAuthorization / parseAuthorization', () => {
  const fields = {
    mchId: '1900000109',
    serialNo: '4A1B',
    nonce: 'N0NCE',
    timestampS: 1_700_000_000,
    signature: 'c2ln+/Zz==',
  };

  it('round-trips', () => {
    expect(parseAuthorization(buildAuthorization(fields))).toEqual(fields);
  });

  it('accepts the fields in any order', () => {
    const header =
      'WECHATPAY2-SHA256-RSA2048 signature="c2ln+/Zz==",timestamp="1700000000",serial_no="4A1B",' +
      'mchid="1900000109",nonce_str="N0NCE"';
    expect(parseAuthorization(header)).toEqual(fields);
  });

  it('rejects another schema, a missing field, a repeated field and trailing garbage', () => {
    const good = buildAuthorization(fields);
    expect(parseAuthorization(good.replace('WECHATPAY2-SHA256-RSA2048', 'Bearer'))).toBeNull();
    expect(parseAuthorization(good.replace(/,nonce_str="[^"]*"/, ''))).toBeNull();
    expect(parseAuthorization(`${good},mchid="1"`)).toBeNull();
    expect(parseAuthorization(`${good} junk`)).toBeNull();
    expect(parseAuthorization(good.replace('timestamp="1700000000"', 'timestamp="soon"'))).toBeNull();
  });
});

describe('aesGcmEncrypt / aesGcmDecrypt', () => {
  const key = '0123456789abcdef0123456789abcdef';
  const nonce = 'abcdefghijkl';

  it('round-trips, with the 16-byte tag appended', () => {
    const ciphertext = aesGcmEncrypt(key, nonce, 'transaction', '{"total":1230,"name":"张三"}');
    expect(Buffer.from(ciphertext, 'base64')).toHaveLength(
      Buffer.byteLength('{"total":1230,"name":"张三"}') + 16,
    );
    expect(aesGcmDecrypt(key, nonce, 'transaction', ciphertext)).toBe('{"total":1230,"name":"张三"}');
  });

  it('agrees with an independent implementation (node-forge AES-GCM)', () => {
    const cipher = forge.cipher.createCipher('AES-GCM', key);
    cipher.start({ iv: nonce, additionalData: 'certificate', tagLength: 128 });
    cipher.update(forge.util.createBuffer('hello wechat', 'utf8'));
    cipher.finish();
    const forgeB64 = forge.util.encode64(cipher.output.getBytes() + cipher.mode.tag.getBytes());
    expect(aesGcmEncrypt(key, nonce, 'certificate', 'hello wechat')).toBe(forgeB64);
  });

  it('rejects a tampered ciphertext, a wrong AAD and a wrong key', () => {
    const ciphertext = aesGcmEncrypt(key, nonce, 'transaction', 'payload');
    const bytes = Buffer.from(ciphertext, 'base64');
    bytes[0] ^= 0x01;
    expect(() => aesGcmDecrypt(key, nonce, 'transaction', bytes.toString('base64'))).toThrow();
    expect(() => aesGcmDecrypt(key, nonce, 'refund', ciphertext)).toThrow();
    expect(() =>
      aesGcmDecrypt('fedcba9876543210fedcba9876543210', nonce, 'transaction', ciphertext),
    ).toThrow();
  });

  it('refuses keys that are not 32 bytes and nonces that are not 12', () => {
    expect(() => aesGcmEncrypt('short', nonce, '', 'x')).toThrow(RangeError);
    expect(() => aesGcmEncrypt(key, 'short', '', 'x')).toThrow(RangeError);
  });
});

describe('rsaOaepEncrypt / rsaOaepDecrypt', () => {
  it('round-trips, and node-forge (RSA-OAEP, SHA-1) decrypts what we encrypt', () => {
    const ciphertext = rsaOaepEncrypt('张三', publicKeyFromPem(pems.publicKeyPem));
    expect(rsaOaepDecrypt(ciphertext, privateKeyFromPem(pems.privateKeyPem))).toBe('张三');
    const forgeKey = forge.pki.privateKeyFromPem(pems.privateKeyPem);
    const decrypted = forgeKey.decrypt(forge.util.decode64(ciphertext), 'RSA-OAEP');
    expect(forge.util.decodeUtf8(decrypted)).toBe('张三');
  });
});

describe('idDigest(idNo)', () => {
  it('converts a 15-digit ID to 18 digits (the textbook example ends in X)', () => {
    expect(idNo15To18('110105491231002')).toBe('11010519491231002X');
  });

  it('is the lower-case MD5 of the upper-cased 18-digit ID, as openssl computes it', () => {
    const expected = execFileSync('openssl', ['dgst', '-md5', '-r'], { input: '11010519491231002X' })
      .toString()
      .split(' ')[0];
    expect(idDigest('11010519491231002x')).toBe(expected);
    expect(idDigest('110105491231002')).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('randomNonce(length) and certificateSerial(pem)', () => {
  it('gives alphanumeric nonces of the asked length', () => {
    expect(randomNonce()).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(randomNonce(12)).toMatch(/^[A-Za-z0-9]{12}$/);
    expect(randomNonce()).not.toBe(randomNonce());
  });

  it('reads the serial of a certificate in upper-case hex without leading zeros', () => {
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(pems.publicKeyPem);
    cert.serialNumber = '0abc123def';
    cert.validity.notBefore = new Date('2026-01-01T00:00:00Z');
    cert.validity.notAfter = new Date('2031-01-01T00:00:00Z');
    cert.setSubject([{ name: 'commonName', value: 'kat' }]);
    cert.setIssuer([{ name: 'commonName', value: 'kat' }]);
    cert.sign(forge.pki.privateKeyFromPem(pems.privateKeyPem), forge.md.sha256.create());
    expect(certificateSerial(forge.pki.certificateToPem(cert))).toBe('ABC123DEF');
  });
});
