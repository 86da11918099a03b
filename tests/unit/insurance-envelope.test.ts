import { generateKeyPairSync, sign } from 'node:crypto';
import {
  deriveSm4Key,
  envelopeSignText,
  openEnvelope,
  sealEnvelope,
  SmEnvelopeError,
  sortedJson,
  tifHeaders,
  tifSignature,
  checkTifHeaders,
  type SmEnvelope,
} from '../../shared/crypto/smEnvelope';

function sm2Pair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

// fixed appId/appSecret/data: encData is deterministic (SM4-ECB), so the tampering below is too
const appId = '1H0123456789ABCD';
const appSecret = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const sender = sm2Pair();
const stranger = sm2Pair();
const data = {
  payOrdId: 'ORD36010020261123120000000001',
  feeSumamt: '503.00',
  extData: { preSetl: { hifp_pay: '82.74', psn_name: '张三' } },
  empty: '',
  none: null,
};
const timestampMs = 1_795_000_000_000;
const seal = (d: object = data) =>
  sealEnvelope(d, { appId, appSecret, signingKeyPem: sender.privateKeyPem, timestampMs });
const open = (
  e: unknown,
  over: Partial<{ appSecret: string; verifyKeyPem: string; expectedAppId: string }> = {},
) => openEnvelope(e, { appSecret, verifyKeyPem: sender.publicKeyPem, ...over });

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof SmEnvelopeError) return err.code;
    throw err;
  }
  return 'NO_ERROR';
}

const flipHex = (hex: string, at: number) =>
  hex.slice(0, at) + (hex[at] === '0' ? '1' : '0') + hex.slice(at + 1);

describe('sealEnvelope / openEnvelope', () => {
  test('round trip gives the data back', () => {
    const envelope = seal();
    expect(envelope).toMatchObject({
      appId,
      encType: 'SM4',
      signType: 'SM2',
      version: '2.0.1',
      timestamp: String(timestampMs),
    });
    expect(envelope.encData).toMatch(/^[0-9a-f]+$/);
    expect(open(envelope)).toEqual(data);
  });

  test('the SM4 key is 16 upper-case hex characters derived from appId and appSecret', () => {
    const key = deriveSm4Key(appId, appSecret);
    expect(key).toHaveLength(16);
    expect(key.toString('utf8')).toMatch(/^[0-9A-F]{16}$/);
    expect(deriveSm4Key(appId, 'another secret').equals(key)).toBe(false);
    // known answer, frozen so a change in the derivation is seen (node's sm4-ecb passes the GB/T 32907 vector)
    expect(key.toString('utf8')).toBe('338516A23E1D2C75');
  });

  test('signs the sorted JSON with empty members dropped and numbers as strings', () => {
    expect(sortedJson({ b: 1, a: { d: '', c: [{ z: 1, y: null }] } })).toBe(
      '{"a":{"c":[{"z":"1"}]},"b":"1"}',
    );
    expect(envelopeSignText(appId, { b: '2', a: '1' }, '1', 'k')).toBe(
      `appId=${appId}&data={"a":"1","b":"2"}&encType=SM4&signType=SM2&timestamp=1&version=2.0.1&key=k`,
    );
  });

  test('rejects a tampered encData (last block: bad padding) with DECRYPT_FAILED', () => {
    const envelope = seal();
    expect(
      codeOf(() => open({ ...envelope, encData: flipHex(envelope.encData, envelope.encData.length - 1) })),
    ).toBe('DECRYPT_FAILED');
  });

  test('rejects an encData swapped for another valid ciphertext with BAD_SIGNATURE', () => {
    const envelope = seal();
    const other = seal({ ...data, feeSumamt: '1.00' });
    expect(codeOf(() => open({ ...envelope, encData: other.encData }))).toBe('BAD_SIGNATURE');
  });

  test('rejects a tampered signData with BAD_SIGNATURE', () => {
    const envelope = seal();
    const other = seal({ ...data, feeSumamt: '1.00' });
    expect(codeOf(() => open({ ...envelope, signData: other.signData }))).toBe('BAD_SIGNATURE');
    expect(codeOf(() => open({ ...envelope, signData: 'AAAA' }))).toBe('BAD_SIGNATURE');
  });

  test('rejects a changed timestamp with BAD_SIGNATURE (it is signed)', () => {
    const envelope = seal();
    expect(codeOf(() => open({ ...envelope, timestamp: String(timestampMs + 1) }))).toBe('BAD_SIGNATURE');
  });

  test('rejects a signature by another key with BAD_SIGNATURE', () => {
    const forged = sealEnvelope(data, {
      appId,
      appSecret,
      signingKeyPem: stranger.privateKeyPem,
      timestampMs,
    });
    expect(codeOf(() => open(forged))).toBe('BAD_SIGNATURE');
    expect(codeOf(() => open(seal(), { verifyKeyPem: stranger.publicKeyPem }))).toBe('BAD_SIGNATURE');
  });

  test('signs and verifies under each party’s SM2 user id (default 1234567812345678)', () => {
    const sealed = sealEnvelope(data, {
      appId,
      appSecret,
      signingKeyPem: sender.privateKeyPem,
      timestampMs,
      sm2UserId: 'H36010200001',
    });
    expect(
      openEnvelope(sealed, { appSecret, verifyKeyPem: sender.publicKeyPem, sm2UserId: 'H36010200001' }),
    ).toEqual(data);
    expect(codeOf(() => open(sealed))).toBe('BAD_SIGNATURE');
    expect(
      codeOf(() => openEnvelope(seal(), { appSecret, verifyKeyPem: sender.publicKeyPem, sm2UserId: 'x' })),
    ).toBe('BAD_SIGNATURE');
    expect(
      openEnvelope(seal(), { appSecret, verifyKeyPem: sender.publicKeyPem, sm2UserId: '1234567812345678' }),
    ).toEqual(data);
  });

  test('accepts signData as Base64 of raw r‖s (64 bytes) as well as of DER', () => {
    const raw = sealEnvelope(data, {
      appId,
      appSecret,
      signingKeyPem: sender.privateKeyPem,
      timestampMs,
      signatureEncoding: 'raw',
    });
    expect(Buffer.from(raw.signData, 'base64')).toHaveLength(64);
    expect(Buffer.from(seal().signData, 'base64')[0]).toBe(0x30);
    expect(open(raw)).toEqual(data);
  });

  test("refuses node:crypto's ECDSA-with-SM3 signature (what this module made before: not SM2)", () => {
    const envelope = seal();
    const text = envelopeSignText(appId, data, envelope.timestamp, appSecret);
    const ecdsa = sign('sm3', Buffer.from(text, 'utf8'), sender.privateKeyPem).toString('base64');
    expect(codeOf(() => open({ ...envelope, signData: ecdsa }))).toBe('BAD_SIGNATURE');
  });

  test('rejects a wrong appSecret with DECRYPT_FAILED', () => {
    expect(codeOf(() => open(seal(), { appSecret: 'ffffffffffffffffffffffffffffffff' }))).toBe(
      'DECRYPT_FAILED',
    );
  });

  test('rejects a malformed envelope with BAD_ENVELOPE', () => {
    const envelope: SmEnvelope = seal();
    expect(codeOf(() => open(null))).toBe('BAD_ENVELOPE');
    expect(codeOf(() => open({ ...envelope, encType: 'AES' }))).toBe('BAD_ENVELOPE');
    expect(codeOf(() => open({ ...envelope, version: '1.0.0' }))).toBe('BAD_ENVELOPE');
    expect(codeOf(() => open({ ...envelope, signData: undefined }))).toBe('BAD_ENVELOPE');
    expect(codeOf(() => open(envelope, { expectedAppId: 'another-app-id-00' }))).toBe('BAD_ENVELOPE');
  });

  test('rejects encData that is not whole hex blocks with DECRYPT_FAILED', () => {
    expect(codeOf(() => open({ ...seal(), encData: 'abc' }))).toBe('DECRYPT_FAILED');
  });
});

describe('x-tif headers', () => {
  test('tifSignature is hex(SHA256(timestamp + token + nonce + timestamp))', () => {
    // known answer: printf '1700000000tokennonce1700000000' | sha256sum
    expect(tifSignature('1700000000', 'token', 'nonce')).toBe(
      'ba864fe8ccab46b8d039e89c91916b5c1701c7a4fdf5bdab69da607e34568e9f',
    );
  });

  test('checkTifHeaders accepts what tifHeaders made and names what is wrong otherwise', () => {
    const headers = tifHeaders('paas', 'secret-token', 1_700_000_000_123, 'n0nce');
    expect(headers['x-tif-timestamp']).toBe('1700000000');
    expect(checkTifHeaders(headers, 'paas', 'secret-token')).toBeNull();
    expect(checkTifHeaders(headers, 'paas', 'other-token')).toMatch(/signature/);
    expect(checkTifHeaders(headers, 'other', 'secret-token')).toMatch(/paasid/);
    expect(checkTifHeaders({}, 'paas', 'secret-token')).toMatch(/required/);
  });
});
