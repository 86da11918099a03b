/**
 * WeChat Pay APIv3 signing primitives (PROTOCOLS 1.1–1.4, 2.1), with node:crypto only. Both the server's
 * adapter and the WeChat Pay mock sign and verify through this module, so there is one definition of every
 * string to sign. Keys are KeyObjects: parse a PEM once (privateKeyFromPem / publicKeyFromPem) and reuse it.
 */
import {
  X509Certificate,
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';

const AUTH_SCHEMA = 'WECHATPAY2-SHA256-RSA2048';
/** Prefix of the signature-probe traffic WeChat sends to check that merchants verify callbacks. */
export const SIGNATURE_PROBE_PREFIX = 'WECHATPAY/SIGNTEST/';
export const AES_GCM_NONCE_LENGTH = 12;
const AES_GCM_TAG_BYTES = 16;
const API_V3_KEY_BYTES = 32;

// ───────────────────────────── strings to sign ─────────────────────────────

/** `METHOD\nCANONICAL_URL\nTIMESTAMP\nNONCE\nBODY\n`; canonicalUrl is the path plus `?query`, no host. */
export function requestMessage(
  method: string,
  canonicalUrl: string,
  timestampS: number | string,
  nonce: string,
  body: string,
): string {
  return `${method.toUpperCase()}\n${canonicalUrl}\n${timestampS}\n${nonce}\n${body}\n`;
}

/** `TIMESTAMP\nNONCE\nBODY\n` for responses and callbacks; an empty body still ends with `\n`. */
export function responseMessage(timestampS: number | string, nonce: string, body: string): string {
  return `${timestampS}\n${nonce}\n${body}\n`;
}

/** `appId\ntimeStamp\nnonceStr\npackage\n` for wx.requestPayment / requestMedicalInsurancePay. */
export function paySignMessage(appId: string, timeStamp: string, nonceStr: string, pkg: string): string {
  return `${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`;
}

// ───────────────────────────── keys and SHA256withRSA ─────────────────────────────

export function privateKeyFromPem(pem: string): KeyObject {
  return createPrivateKey(pem);
}

/** A public key from an SPKI PEM or from an X.509 certificate PEM. */
export function publicKeyFromPem(pemOrCert: string): KeyObject {
  if (pemOrCert.includes('BEGIN CERTIFICATE')) return new X509Certificate(pemOrCert).publicKey;
  return createPublicKey(pemOrCert);
}

/** SHA256withRSA (PKCS#1 v1.5) over the UTF-8 bytes of message, Base64. */
export function signSha256Rsa(message: string, privateKey: KeyObject): string {
  return sign('sha256', Buffer.from(message, 'utf8'), privateKey).toString('base64');
}

/** False for a wrong signature and for anything that is not Base64 of the right length; never throws. */
export function verifySha256Rsa(message: string, signatureB64: string, publicKeyOrCert: KeyObject): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signatureB64)) return false;
  try {
    return verify(
      'sha256',
      Buffer.from(message, 'utf8'),
      publicKeyOrCert,
      Buffer.from(signatureB64, 'base64'),
    );
  } catch {
    return false;
  }
}

// ───────────────────────────── Authorization header ─────────────────────────────

export interface AuthorizationFields {
  mchId: string;
  serialNo: string;
  nonce: string;
  timestampS: number;
  signature: string;
}

export function buildAuthorization(fields: AuthorizationFields): string {
  return (
    `${AUTH_SCHEMA} mchid="${fields.mchId}",nonce_str="${fields.nonce}",timestamp="${fields.timestampS}",` +
    `serial_no="${fields.serialNo}",signature="${fields.signature}"`
  );
}

/** Parses `WECHATPAY2-SHA256-RSA2048 k="v",…` in any field order; null when anything is missing or malformed. */
export function parseAuthorization(header: string): AuthorizationFields | null {
  const trimmed = header.trim();
  if (!trimmed.startsWith(`${AUTH_SCHEMA} `)) return null;
  const values = new Map<string, string>();
  const pair = /\s*([a-z_]+)="([^"]*)"\s*(?:,|$)/gy;
  const rest = trimmed.slice(AUTH_SCHEMA.length + 1);
  let consumed = 0;
  for (let match = pair.exec(rest); match; match = pair.exec(rest)) {
    if (values.has(match[1])) return null;
    values.set(match[1], match[2]);
    consumed = pair.lastIndex;
  }
  if (consumed !== rest.length) return null;
  const mchId = values.get('mchid');
  const nonce = values.get('nonce_str');
  const timestamp = values.get('timestamp');
  const serialNo = values.get('serial_no');
  const signature = values.get('signature');
  if (!mchId || !nonce || !timestamp || !serialNo || !signature || !/^\d{1,12}$/.test(timestamp)) return null;
  return { mchId, nonce, serialNo, signature, timestampS: Number(timestamp) };
}

// ───────────────────────────── AEAD_AES_256_GCM (callbacks, certificates) ─────────────────────────────

function apiV3KeyBytes(apiV3Key: string): Buffer {
  const key = Buffer.from(apiV3Key, 'utf8');
  if (key.length !== API_V3_KEY_BYTES)
    throw new RangeError(`the APIv3 key must be 32 bytes, got ${key.length}`);
  return key;
}

function gcmNonceBytes(nonce: string): Buffer {
  const bytes = Buffer.from(nonce, 'utf8');
  if (bytes.length !== AES_GCM_NONCE_LENGTH)
    throw new RangeError(`the GCM nonce must be 12 bytes, got ${bytes.length}`);
  return bytes;
}

/** AES-256-GCM; returns Base64 of ciphertext with the 16-byte tag appended (as WeChat sends it). */
export function aesGcmEncrypt(
  apiV3Key: string,
  nonce: string,
  associatedData: string,
  plaintext: string,
): string {
  const cipher = createCipheriv('aes-256-gcm', apiV3KeyBytes(apiV3Key), gcmNonceBytes(nonce));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return encrypted.toString('base64');
}

/** Inverse of aesGcmEncrypt; throws when the tag does not authenticate (tampered or wrong key/nonce/AAD). */
export function aesGcmDecrypt(
  apiV3Key: string,
  nonce: string,
  associatedData: string,
  ciphertextB64: string,
): string {
  const data = Buffer.from(ciphertextB64, 'base64');
  if (data.length < AES_GCM_TAG_BYTES) throw new RangeError('ciphertext shorter than the GCM tag');
  const decipher = createDecipheriv('aes-256-gcm', apiV3KeyBytes(apiV3Key), gcmNonceBytes(nonce));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(data.subarray(data.length - AES_GCM_TAG_BYTES));
  return Buffer.concat([
    decipher.update(data.subarray(0, data.length - AES_GCM_TAG_BYTES)),
    decipher.final(),
  ]).toString('utf8');
}

// ───────────────────────────── RSA-OAEP (sensitive fields) ─────────────────────────────

/** RSA/ECB/OAEPWithSHA-1AndMGF1Padding with the platform certificate or WeChat Pay public key, Base64. */
export function rsaOaepEncrypt(plaintext: string, publicKey: KeyObject): string {
  return publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    Buffer.from(plaintext, 'utf8'),
  ).toString('base64');
}

export function rsaOaepDecrypt(ciphertextB64: string, privateKey: KeyObject): string {
  return privateDecrypt(
    { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    Buffer.from(ciphertextB64, 'base64'),
  ).toString('utf8');
}

// ───────────────────────────── small helpers ─────────────────────────────

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random alphanumeric string (32 characters by default; 12 for a GCM nonce). */
export function randomNonce(length = 32): string {
  const bytes = randomBytes(length);
  let out = '';
  // 248 = 4 × 62: rejecting bytes ≥ 248 keeps the distribution uniform
  for (let i = 0; out.length < length; i++) {
    const byte = i < bytes.length ? bytes[i] : randomBytes(1)[0];
    if (byte < 248) out += NONCE_ALPHABET[byte % NONCE_ALPHABET.length];
  }
  return out;
}

/**
 * Serial number of an X.509 certificate in upper-case hex without leading zeros (a serial is an integer;
 * node prints the DER bytes, so an odd number of hex digits gains a leading "0").
 */
export function certificateSerial(certPem: string): string {
  return new X509Certificate(certPem).serialNumber.toUpperCase().replace(/^0+(?=.)/, '');
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS = '10X98765432';

/** The 18-digit form of a 15-digit resident ID number (GB 11643: year 19xx, check character added). */
export function idNo15To18(idNo15: string): string {
  if (!/^\d{15}$/.test(idNo15)) throw new RangeError('not a 15-digit ID number');
  const body = `${idNo15.slice(0, 6)}19${idNo15.slice(6)}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * ID_WEIGHTS[i];
  return body + ID_CHECK_CHARS[sum % 11];
}

/** WeChat med-ins payer.id_digest: lower-case MD5 hex of the upper-cased ID number (15 digits → 18 first). */
export function idDigest(idNo: string): string {
  const trimmed = idNo.trim().toUpperCase();
  const normalised = /^\d{15}$/.test(trimmed) ? idNo15To18(trimmed) : trimmed;
  return createHash('md5').update(normalised, 'utf8').digest('hex').toLowerCase();
}
