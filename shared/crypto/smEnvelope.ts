/**
 * The insurance mobile-payment envelope (移动支付 6201–6401, PROTOCOLS 3.3):
 *
 *   {appId, encData, encType:"SM4", signData, signType:"SM2", timestamp, version:"2.0.1"}
 *
 * - SM4 key: SM4-ECB/PKCS#7 encrypt UTF-8(appSecret) under the key UTF-8(appId[0:16]); hex the result in
 *   UPPER case; the key is the UTF-8 bytes of its first 16 hex characters (16 ASCII bytes = 128 bits).
 * - encData: SM4-ECB/PKCS#7 of UTF-8(JSON of data) under that key, lower-case hex.
 * - signData: the standard GB/T 32918 SM2 signature (e = SM3(ZA ‖ M), ZA over the signer's user id, the curve and
 *   the signer's public key; sm2.ts) over
 *   `appId=…&data=<sorted json>&encType=SM4&signType=SM2&timestamp=…&version=2.0.1&key=<appSecret>`.
 *   The user id is each party's own, configurable (`sm2UserId`), by default `1234567812345678` as every public SDK
 *   (hutool/BouncyCastle, gmssl, sm-crypto) and OpenSSL's `-sigopt distid:1234567812345678` use. Sent as Base64 of
 *   the DER SEQUENCE{r, s}; DER or raw r‖s (64 bytes) accepted.
 *   The sorted JSON follows the public reference implementation: object keys in ordinal order, recursively;
 *   null, undefined and "" members dropped; numbers written as strings.
 * - timestamp: milliseconds since the epoch, as a decimal string.
 * SM4 and SM3 are node:crypto's; SM2 is not in Node (its `crypto.sign('sm3', …)` on an SM2-curve key is ECDSA).
 *
 * Also here: the x-tif-* header signature of the standard (infno) envelope, hex(SHA256(ts + token + nonce + ts)).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SM2_DEFAULT_USER_ID, sm2Sign, sm2Verify, type Sm2SignatureEncoding } from './sm2';

export const SM_ENVELOPE_VERSION = '2.0.1';

export interface SmEnvelope {
  appId: string;
  encData: string;
  encType: 'SM4';
  signData: string;
  signType: 'SM2';
  /** milliseconds since the epoch, decimal string */
  timestamp: string;
  version: typeof SM_ENVELOPE_VERSION;
}

export type SmEnvelopeErrorCode = 'BAD_ENVELOPE' | 'DECRYPT_FAILED' | 'BAD_SIGNATURE';

export class SmEnvelopeError extends Error {
  constructor(
    readonly code: SmEnvelopeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SmEnvelopeError';
  }
}

export interface SealOptions {
  appId: string;
  appSecret: string;
  /** SM2 private key (PKCS#8 PEM) of the sender */
  signingKeyPem: string;
  timestampMs: number;
  /** the sender's SM2 user id (ZA); default 1234567812345678 */
  sm2UserId?: string;
  /** signData as Base64 of DER (default) or of raw r‖s, for a peer that wants it */
  signatureEncoding?: Sm2SignatureEncoding;
}

/** The SM2 user ids (ZA) of the envelope's two parties: each signs under its own, the other verifies under it. */
export interface Sm2UserIds {
  /** the hospital's (定点医药机构): requests are signed under it */
  org: string;
  /** the insurance platform's: answers are signed under it */
  platform: string;
}

export const DEFAULT_SM2_USER_IDS: Readonly<Sm2UserIds> = {
  org: SM2_DEFAULT_USER_ID,
  platform: SM2_DEFAULT_USER_ID,
};

export interface OpenOptions {
  appSecret: string;
  /** SM2 public key (SPKI PEM) of the sender */
  verifyKeyPem: string;
  /** when given, an envelope for another appId is BAD_ENVELOPE */
  expectedAppId?: string;
  /** the sender's SM2 user id (ZA); default 1234567812345678 */
  sm2UserId?: string;
}

const APP_ID_KEY_CHARS = 16;

function sm4Ecb(mode: 'encrypt' | 'decrypt', key: Buffer, input: Buffer): Buffer {
  const cipher =
    mode === 'encrypt' ? createCipheriv('sm4-ecb', key, null) : createDecipheriv('sm4-ecb', key, null);
  return Buffer.concat([cipher.update(input), cipher.final()]);
}

/** The 16-byte SM4 data key derived from appId and appSecret (see the header comment). */
export function deriveSm4Key(appId: string, appSecret: string): Buffer {
  const keyKey = Buffer.from(appId.slice(0, APP_ID_KEY_CHARS), 'utf8');
  if (keyKey.length !== 16)
    throw new RangeError(`appId must start with 16 single-byte characters, got ${JSON.stringify(appId)}`);
  const hex = sm4Ecb('encrypt', keyKey, Buffer.from(appSecret, 'utf8')).toString('hex').toUpperCase();
  return Buffer.from(hex.slice(0, 16), 'utf8');
}

export function sm4EncryptHex(key: Buffer, plaintext: string): string {
  return sm4Ecb('encrypt', key, Buffer.from(plaintext, 'utf8')).toString('hex');
}

/** Throws SmEnvelopeError DECRYPT_FAILED on bad hex or bad padding. */
export function sm4DecryptHex(key: Buffer, hex: string): string {
  if (hex.length === 0 || hex.length % 32 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) {
    throw new SmEnvelopeError('DECRYPT_FAILED', 'encData is not hex whole SM4 blocks');
  }
  try {
    return sm4Ecb('decrypt', key, Buffer.from(hex, 'hex')).toString('utf8');
  } catch {
    throw new SmEnvelopeError('DECRYPT_FAILED', 'encData does not decrypt under the derived SM4 key');
  }
}

function sortedValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedValue);
  if (typeof value === 'number') return String(value);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member === null || member === undefined || member === '') continue;
    out[key] = sortedValue(member);
  }
  return out;
}

/** The canonical JSON that is signed: keys sorted, empty members dropped, numbers as strings. */
export function sortedJson(data: unknown): string {
  return JSON.stringify(sortedValue(data));
}

export function envelopeSignText(appId: string, data: unknown, timestamp: string, appSecret: string): string {
  return `appId=${appId}&data=${sortedJson(data)}&encType=SM4&signType=SM2&timestamp=${timestamp}&version=${SM_ENVELOPE_VERSION}&key=${appSecret}`;
}

/** Encrypts and signs data (a JSON object) into an envelope. */
export function sealEnvelope(data: object, options: SealOptions): SmEnvelope {
  const timestamp = String(options.timestampMs);
  const signText = envelopeSignText(options.appId, data, timestamp, options.appSecret);
  // sm2.ts parses each PEM once and keeps its scalar, public point and ZA
  const signature = sm2Sign(options.signingKeyPem, signText, {
    userId: options.sm2UserId ?? SM2_DEFAULT_USER_ID,
    encoding: options.signatureEncoding ?? 'der',
  });
  return {
    appId: options.appId,
    encData: sm4EncryptHex(deriveSm4Key(options.appId, options.appSecret), JSON.stringify(data)),
    encType: 'SM4',
    signData: signature.toString('base64'),
    signType: 'SM2',
    timestamp,
    version: SM_ENVELOPE_VERSION,
  };
}

function asEnvelope(input: unknown, expectedAppId: string | undefined): SmEnvelope {
  if (input === null || typeof input !== 'object')
    throw new SmEnvelopeError('BAD_ENVELOPE', 'envelope is not an object');
  const e = input as Record<string, unknown>;
  for (const field of ['appId', 'encData', 'signData', 'timestamp'] as const) {
    if (typeof e[field] !== 'string' || e[field] === '')
      throw new SmEnvelopeError('BAD_ENVELOPE', `envelope.${field} missing`);
  }
  if (e.encType !== 'SM4' || e.signType !== 'SM2')
    throw new SmEnvelopeError('BAD_ENVELOPE', 'encType must be SM4 and signType SM2');
  if (e.version !== SM_ENVELOPE_VERSION)
    throw new SmEnvelopeError('BAD_ENVELOPE', `version must be ${SM_ENVELOPE_VERSION}`);
  if (!/^\d{1,16}$/.test(e.timestamp as string))
    throw new SmEnvelopeError('BAD_ENVELOPE', 'timestamp must be milliseconds');
  if (expectedAppId !== undefined && e.appId !== expectedAppId) {
    throw new SmEnvelopeError(
      'BAD_ENVELOPE',
      `envelope for appId ${String(e.appId)}, expected ${expectedAppId}`,
    );
  }
  return e as unknown as SmEnvelope;
}

/**
 * Checks the shape, decrypts, then verifies the signature over the decrypted data. A tampered encData is
 * DECRYPT_FAILED when it no longer decrypts to a JSON object and BAD_SIGNATURE when it does.
 */
export function openEnvelope(input: unknown, options: OpenOptions): unknown {
  const envelope = asEnvelope(input, options.expectedAppId);
  const plaintext = sm4DecryptHex(deriveSm4Key(envelope.appId, options.appSecret), envelope.encData);
  let data: unknown;
  try {
    data = JSON.parse(plaintext);
  } catch {
    throw new SmEnvelopeError('DECRYPT_FAILED', 'encData does not decrypt to JSON');
  }
  if (data === null || typeof data !== 'object')
    throw new SmEnvelopeError('DECRYPT_FAILED', 'encData is not a JSON object');
  const signText = envelopeSignText(envelope.appId, data, envelope.timestamp, options.appSecret);
  // DER or raw r‖s; the sender's public point is precomputed once (sm2.ts), a bad signature is just false
  const valid = sm2Verify(options.verifyKeyPem, signText, Buffer.from(envelope.signData, 'base64'), {
    userId: options.sm2UserId ?? SM2_DEFAULT_USER_ID,
  });
  if (!valid) throw new SmEnvelopeError('BAD_SIGNATURE', 'signData does not verify with the sender key');
  return data;
}

// ───────────────────────────── x-tif headers (standard infno envelope) ─────────────────────────────

export const TIF_HEADERS = {
  paasId: 'x-tif-paasid',
  timestamp: 'x-tif-timestamp',
  nonce: 'x-tif-nonce',
  signature: 'x-tif-signature',
} as const;

/** hex(SHA256(timestamp + paasToken + nonce + timestamp)), timestamp in seconds. */
export function tifSignature(timestampS: string, paasToken: string, nonce: string): string {
  return createHash('sha256').update(`${timestampS}${paasToken}${nonce}${timestampS}`, 'utf8').digest('hex');
}

export function tifHeaders(
  paasId: string,
  paasToken: string,
  nowMs: number,
  nonce = randomBytes(16).toString('hex'),
): Record<string, string> {
  const timestampS = String(Math.floor(nowMs / 1000));
  return {
    [TIF_HEADERS.paasId]: paasId,
    [TIF_HEADERS.timestamp]: timestampS,
    [TIF_HEADERS.nonce]: nonce,
    [TIF_HEADERS.signature]: tifSignature(timestampS, paasToken, nonce),
  };
}

/** null when the headers carry the right paasId and signature; otherwise why not. */
export function checkTifHeaders(
  headers: Record<string, string | string[] | undefined>,
  paasId: string,
  paasToken: string,
): string | null {
  const one = (name: string) => {
    const v = headers[name];
    return typeof v === 'string' ? v : undefined;
  };
  const [id, ts, nonce, signature] = [
    one(TIF_HEADERS.paasId),
    one(TIF_HEADERS.timestamp),
    one(TIF_HEADERS.nonce),
    one(TIF_HEADERS.signature),
  ];
  if (!id || !ts || !nonce || !signature)
    return 'x-tif-paasid, x-tif-timestamp, x-tif-nonce and x-tif-signature are required';
  if (id !== paasId) return `unknown x-tif-paasid ${id}`;
  if (!/^\d{1,12}$/.test(ts)) return 'x-tif-timestamp must be seconds';
  const expected = Buffer.from(tifSignature(ts, paasToken, nonce), 'utf8');
  const given = Buffer.from(signature.toLowerCase(), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return 'x-tif-signature does not match';
  return null;
}
