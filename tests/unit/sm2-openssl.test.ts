/**
 * SM2 (GB/T 32918) against an independent implementation: the OpenSSL command line, run here both ways —
 * `openssl dgst -sm3 -sign|-verify -sigopt distid:<user id>` — for the keys the keyring makes for both parties
 * of the insurance envelope and for a key OpenSSL made itself; then the committed fixture (tests/fixtures/sm2,
 * made by OpenSSL) verified without OpenSSL.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SM2_DEFAULT_USER_ID,
  sm2DerToRaw,
  sm2PublicKey,
  sm2RawToDer,
  sm2Sign,
  sm2Verify,
} from '../../shared/crypto/sm2';
import {
  deriveSm4Key,
  envelopeSignText,
  openEnvelope,
  sealEnvelope,
  SmEnvelopeError,
  sm4EncryptHex,
  type SmEnvelope,
} from '../../shared/crypto/smEnvelope';
import { INSURANCE_PATHS, MOBILE_ERROR } from '../../shared/protocol/insurance';
import { createInsuranceMock } from '../../mocks/insurance';
import { testKeys } from '../../shared/crypto/keyring';

const OTHER_USER_ID = 'H36010200001';
const FIXTURES = join(__dirname, '..', 'fixtures', 'sm2');

let dir: string;
let fileSeq = 0;

/** Writes content into the temp folder under a fresh name; returns the path. */
function file(content: Buffer | string, name = 'f'): string {
  const path = join(dir, `${name}-${++fileSeq}`);
  writeFileSync(path, content);
  return path;
}

function openssl(args: string[]): Buffer {
  return execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** OpenSSL's SM2 signature (DER) of message by the key in privatePem, under userId. */
function opensslSign(privatePem: string, message: Buffer | string, userId = SM2_DEFAULT_USER_ID): Buffer {
  const out = join(dir, `sig-${++fileSeq}`);
  openssl([
    'dgst',
    '-sm3',
    '-sign',
    file(privatePem, 'key'),
    '-sigopt',
    `distid:${userId}`,
    '-out',
    out,
    file(message, 'msg'),
  ]);
  return readFileSync(out);
}

/** Whether OpenSSL accepts signature (DER) of message by publicPem under userId (exit status 0). */
function opensslVerifies(
  publicPem: string,
  message: Buffer | string,
  signature: Buffer,
  userId = SM2_DEFAULT_USER_ID,
): boolean {
  try {
    const out = openssl([
      'dgst',
      '-sm3',
      '-verify',
      file(publicPem, 'pub'),
      '-sigopt',
      `distid:${userId}`,
      '-signature',
      file(signature, 'sig'),
      file(message, 'msg'),
    ]);
    return out.toString().includes('Verified OK');
  } catch {
    return false;
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sm2-openssl-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Party {
  privateKeyPem: string;
  publicKeyPem: string;
}

const keys = testKeys();
/** a key pair made by `openssl genpkey`: OpenSSL types it SM2 (Node sees no key type), unlike Node's 'ec' keys */
function opensslPair(): Party {
  const privateKeyPem = openssl(['genpkey', '-algorithm', 'SM2']).toString();
  const publicKeyPem = openssl(['pkey', '-pubout', '-in', file(privateKeyPem, 'key')]).toString();
  return { privateKeyPem, publicKeyPem };
}

const parties: [string, () => Party][] = [
  [
    'the hospital (keyring: server-keys orgPrivateKeyPem, mock-keys orgPublicKeyPem)',
    () => ({
      privateKeyPem: keys.server.insurance.orgPrivateKeyPem,
      publicKeyPem: keys.mocks.insurance.orgPublicKeyPem,
    }),
  ],
  [
    'the insurance platform (keyring: mock-keys platformPrivateKeyPem, server-keys platformPublicKeyPem)',
    () => ({
      privateKeyPem: keys.mocks.insurance.platformPrivateKeyPem,
      publicKeyPem: keys.server.insurance.platformPublicKeyPem,
    }),
  ],
  ['a key pair made by openssl genpkey', opensslPair],
];

const message = Buffer.from(
  'appId=1H0123456789ABCD&data={"a":"1"}&encType=SM4&signType=SM2&timestamp=1&key=k中文',
);
const flipLastByte = (b: Buffer) => Buffer.concat([b.subarray(0, -1), Buffer.from([b[b.length - 1] ^ 1])]);

describe.each(parties)('SM2 with %s', (_name, pairOf) => {
  let party: Party;
  beforeAll(() => {
    party = pairOf();
  });

  test('our DER signature verifies with openssl dgst -sm3 -verify -sigopt distid:1234567812345678', () => {
    const signature = sm2Sign(party.privateKeyPem, message);
    expect(sm2DerToRaw(signature)).not.toBeNull();
    expect(opensslVerifies(party.publicKeyPem, message, signature)).toBe(true);
    // a string message is its UTF-8 bytes
    expect(
      opensslVerifies(party.publicKeyPem, message, sm2Sign(party.privateKeyPem, message.toString())),
    ).toBe(true);
  });

  test("openssl's signature verifies with sm2Verify, as DER and as raw r‖s", () => {
    const signature = opensslSign(party.privateKeyPem, message);
    expect(sm2Verify(party.publicKeyPem, message, signature)).toBe(true);
    const raw = sm2DerToRaw(signature) as Buffer;
    expect(raw).toHaveLength(64);
    expect(sm2Verify(party.publicKeyPem, message, raw)).toBe(true);
    expect(sm2RawToDer(raw).equals(signature)).toBe(true);
  });

  test('our raw r‖s signature is the DER one openssl accepts', () => {
    const raw = sm2Sign(party.privateKeyPem, message, { encoding: 'raw' });
    expect(raw).toHaveLength(64);
    expect(sm2Verify(party.publicKeyPem, message, raw)).toBe(true);
    expect(opensslVerifies(party.publicKeyPem, message, sm2RawToDer(raw))).toBe(true);
  });

  test('a signature under another user id is refused by openssl with the default id, accepted with that id', () => {
    const signature = sm2Sign(party.privateKeyPem, message, { userId: OTHER_USER_ID });
    expect(opensslVerifies(party.publicKeyPem, message, signature)).toBe(false);
    expect(opensslVerifies(party.publicKeyPem, message, signature, OTHER_USER_ID)).toBe(true);
  });

  test("openssl's signature under another distid is refused by us with the default id, accepted with that id", () => {
    const signature = opensslSign(party.privateKeyPem, message, OTHER_USER_ID);
    expect(sm2Verify(party.publicKeyPem, message, signature)).toBe(false);
    expect(sm2Verify(party.publicKeyPem, message, signature, { userId: OTHER_USER_ID })).toBe(true);
  });

  test('a tampered message or signature is refused on both sides', () => {
    const ours = sm2Sign(party.privateKeyPem, message);
    const tampered = Buffer.concat([message, Buffer.from(' ')]);
    expect(opensslVerifies(party.publicKeyPem, tampered, ours)).toBe(false);
    expect(opensslVerifies(party.publicKeyPem, message, flipLastByte(ours))).toBe(false);

    const theirs = opensslSign(party.privateKeyPem, message);
    const raw = sm2DerToRaw(theirs) as Buffer;
    expect(sm2Verify(party.publicKeyPem, tampered, theirs)).toBe(false);
    expect(sm2Verify(party.publicKeyPem, message, flipLastByte(theirs))).toBe(false);
    expect(sm2Verify(party.publicKeyPem, message, flipLastByte(raw))).toBe(false);
    expect(sm2Verify(party.publicKeyPem, message, theirs.subarray(0, -1))).toBe(false);
    expect(sm2Verify(party.publicKeyPem, message, Buffer.concat([theirs, Buffer.from([0])]))).toBe(false);
    expect(sm2Verify(party.publicKeyPem, message, Buffer.alloc(64))).toBe(false);
    expect(sm2Verify(party.publicKeyPem, message, Buffer.alloc(0))).toBe(false);
  });

  test("another key's signature is refused", () => {
    const stranger = opensslPair();
    expect(sm2Verify(party.publicKeyPem, message, opensslSign(stranger.privateKeyPem, message))).toBe(false);
    expect(opensslVerifies(party.publicKeyPem, message, sm2Sign(stranger.privateKeyPem, message))).toBe(
      false,
    );
  });

  describe('the insurance envelope', () => {
    const appId = '1H0123456789ABCD';
    const appSecret = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
    const data = { payOrdId: 'ORD36010020261123120000000001', feeSumamt: '503.00', psnName: '张三' };
    const timestamp = '1795000000000';

    /** An envelope whose signData the OpenSSL command line made over the sign string. */
    function opensslEnvelope(d: object, userId = SM2_DEFAULT_USER_ID): SmEnvelope {
      const signText = envelopeSignText(appId, d, timestamp, appSecret);
      return {
        appId,
        encData: sm4EncryptHex(deriveSm4Key(appId, appSecret), JSON.stringify(d)),
        encType: 'SM4',
        signData: opensslSign(party.privateKeyPem, signText, userId).toString('base64'),
        signType: 'SM2',
        timestamp,
        version: '2.0.1',
      };
    }

    test('an envelope signed by the openssl CLI is accepted by openEnvelope', () => {
      expect(openEnvelope(opensslEnvelope(data), { appSecret, verifyKeyPem: party.publicKeyPem })).toEqual(
        data,
      );
    });

    test("an envelope signed by openssl under the party's own user id is accepted with that sm2UserId only", () => {
      const envelope = opensslEnvelope(data, OTHER_USER_ID);
      const open = (sm2UserId?: string) =>
        openEnvelope(envelope, { appSecret, verifyKeyPem: party.publicKeyPem, sm2UserId });
      expect(open(OTHER_USER_ID)).toEqual(data);
      expect(open).toThrow(SmEnvelopeError);
      expect(() => open()).toThrow(expect.objectContaining({ code: 'BAD_SIGNATURE' }));
    });

    test("sealEnvelope's signData verifies with the openssl CLI over the sign string", () => {
      const envelope = sealEnvelope(data, {
        appId,
        appSecret,
        signingKeyPem: party.privateKeyPem,
        timestampMs: Number(timestamp),
      });
      const signText = envelopeSignText(appId, data, timestamp, appSecret);
      const signature = Buffer.from(envelope.signData, 'base64');
      expect(opensslVerifies(party.publicKeyPem, signText, signature)).toBe(true);
      const custom = sealEnvelope(data, {
        appId,
        appSecret,
        signingKeyPem: party.privateKeyPem,
        timestampMs: Number(timestamp),
        sm2UserId: OTHER_USER_ID,
      });
      const customSignature = Buffer.from(custom.signData, 'base64');
      expect(opensslVerifies(party.publicKeyPem, signText, customSignature, OTHER_USER_ID)).toBe(true);
      expect(opensslVerifies(party.publicKeyPem, signText, customSignature)).toBe(false);
    });
  });
});

describe('the insurance mock verifies the hospital with standard SM2', () => {
  let server: Server;
  let baseUrl: string;
  const { orgPrivateKeyPem } = keys.server.insurance;
  const { appId, appSecret } = keys.mocks.insurance;

  async function start(sm2UserIds?: { org: string; platform: string }): Promise<void> {
    const mock = createInsuranceMock({ keys: keys.mocks.insurance, sm2UserIds });
    server = createServer(mock.app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Posts a 6201 envelope of `{}` whose signData OpenSSL made under userId; returns the answer's code. */
  async function postSignedByOpenssl(userId: string): Promise<number> {
    const timestamp = String(Date.now());
    const body: SmEnvelope = {
      appId,
      encData: sm4EncryptHex(deriveSm4Key(appId, appSecret), '{}'),
      encType: 'SM4',
      signData: opensslSign(
        orgPrivateKeyPem,
        envelopeSignText(appId, {}, timestamp, appSecret),
        userId,
      ).toString('base64'),
      signType: 'SM2',
      timestamp,
      version: '2.0.1',
    };
    const response = await fetch(`${baseUrl}${INSURANCE_PATHS.uploadFees}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return ((await response.json()) as { code: number }).code;
  }

  test('an envelope signed by the openssl CLI passes the signature check (then fails on its empty data)', async () => {
    await start();
    expect(await postSignedByOpenssl(SM2_DEFAULT_USER_ID)).toBe(MOBILE_ERROR.PARAM_ERROR);
    expect(await postSignedByOpenssl(OTHER_USER_ID)).toBe(MOBILE_ERROR.BAD_SIGNATURE);
  });

  test("with the hospital's user id configured, the mock verifies under that id", async () => {
    await start({ org: OTHER_USER_ID, platform: SM2_DEFAULT_USER_ID });
    expect(await postSignedByOpenssl(OTHER_USER_ID)).toBe(MOBILE_ERROR.PARAM_ERROR);
    expect(await postSignedByOpenssl(SM2_DEFAULT_USER_ID)).toBe(MOBILE_ERROR.BAD_SIGNATURE);
  });
});

describe('the committed fixture (tests/fixtures/sm2, signed by the openssl CLI), without openssl', () => {
  const publicKeyPem = readFileSync(join(FIXTURES, 'public.pem'), 'utf8');
  const privateKeyPem = readFileSync(join(FIXTURES, 'private.pem'), 'utf8');
  const fixtureMessage = readFileSync(join(FIXTURES, 'message.txt'));
  const signature = readFileSync(join(FIXTURES, 'signature.der'));
  const signatureOtherId = readFileSync(join(FIXTURES, `signature-id-${OTHER_USER_ID}.der`));

  test('the default-id signature verifies under the default id only', () => {
    expect(sm2Verify(publicKeyPem, fixtureMessage, signature)).toBe(true);
    expect(sm2Verify(publicKeyPem, fixtureMessage, sm2DerToRaw(signature) as Buffer)).toBe(true);
    expect(sm2Verify(publicKeyPem, fixtureMessage, signature, { userId: OTHER_USER_ID })).toBe(false);
    expect(sm2Verify(publicKeyPem, Buffer.concat([fixtureMessage, Buffer.from('\n')]), signature)).toBe(
      false,
    );
  });

  test('the H36010200001 signature verifies under that id only', () => {
    expect(sm2Verify(publicKeyPem, fixtureMessage, signatureOtherId, { userId: OTHER_USER_ID })).toBe(true);
    expect(sm2Verify(publicKeyPem, fixtureMessage, signatureOtherId)).toBe(false);
  });

  test('the fixture private key signs what its public key verifies; an unprecomputed key agrees', () => {
    const ours = sm2Sign(privateKeyPem, fixtureMessage);
    expect(sm2Verify(publicKeyPem, fixtureMessage, ours)).toBe(true);
    const bare = sm2PublicKey(publicKeyPem, { precompute: false });
    expect(sm2Verify(bare, fixtureMessage, ours)).toBe(true);
    expect(sm2Verify(bare, fixtureMessage, signature)).toBe(true);
  });

  test('the fixture message is the envelope sign string it claims to be', () => {
    const data = { payOrdId: 'ORD36010020261123120000000001', feeSumamt: '503.00' };
    expect(fixtureMessage.toString('utf8')).toBe(
      envelopeSignText('1H0123456789ABCD', data, '1795000000000', '0f1e2d3c4b5a69788796a5b4c3d2e1f0'),
    );
  });
});

describe('sm2.ts refuses what is not a standard SM2 signature or key', () => {
  const publicKeyPem = readFileSync(join(FIXTURES, 'public.pem'), 'utf8');
  const fixtureMessage = readFileSync(join(FIXTURES, 'message.txt'));
  const raw = sm2DerToRaw(readFileSync(join(FIXTURES, 'signature.der'))) as Buffer;
  const N = Buffer.from('fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123', 'hex');

  test('DER that is not minimal, or has trailing bytes, is not a signature', () => {
    const der = sm2RawToDer(raw);
    // long-form length where the short form fits
    const longForm = Buffer.concat([Buffer.from([0x30, 0x81, der[1]]), der.subarray(2)]);
    expect(sm2DerToRaw(longForm)).toBeNull();
    expect(sm2DerToRaw(Buffer.concat([der, Buffer.from([0])]))).toBeNull();
    // r as an INTEGER with one leading zero more than DER allows (00 00 r), s as it was
    const sTlv = der.subarray(4 + der[3]);
    const paddedR = Buffer.concat([Buffer.from([0x02, 34, 0x00, 0x00]), raw.subarray(0, 32)]);
    const body = Buffer.concat([paddedR, sTlv]);
    expect(sm2DerToRaw(Buffer.concat([Buffer.from([0x30, body.length]), body]))).toBeNull();
    // the same layout with a minimal r parses: the refusal above is for the padding alone
    const minimalR = Buffer.concat([Buffer.from([0x02, 33, 0x00]), raw.subarray(0, 32)]);
    const minimalBody = Buffer.concat([minimalR, sTlv]);
    expect(raw[0] & 0x80).toBeTruthy();
    expect(sm2DerToRaw(Buffer.concat([Buffer.from([0x30, minimalBody.length]), minimalBody]))).toEqual(raw);
  });

  test('r or s of 0 or of n and above is refused (GB/T 32918.2 B1–B2)', () => {
    const s = raw.subarray(32);
    expect(sm2Verify(publicKeyPem, fixtureMessage, Buffer.concat([Buffer.alloc(32), s]))).toBe(false);
    expect(
      sm2Verify(publicKeyPem, fixtureMessage, Buffer.concat([raw.subarray(0, 32), Buffer.alloc(32)])),
    ).toBe(false);
    expect(sm2Verify(publicKeyPem, fixtureMessage, Buffer.concat([N, s]))).toBe(false);
    expect(sm2Verify(publicKeyPem, fixtureMessage, Buffer.concat([raw.subarray(0, 32), N]))).toBe(false);
  });

  test('a key of another curve is a TypeError, not a false', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const p256Private = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const p256Public = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => sm2Sign(p256Private, fixtureMessage)).toThrow(TypeError);
    expect(() => sm2Verify(p256Public, fixtureMessage, raw)).toThrow(TypeError);
  });
});
