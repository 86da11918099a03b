/**
 * Personal data at rest: AES-256-GCM for ID numbers, names and phones; a keyed hash (HMAC-SHA256, its own key)
 * to find a row by ID number without storing it in clear; masks for display. Pure functions over KeyObjects,
 * which do not print their bytes when logged.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

export class PiiKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PiiKeyError';
  }
}

export type PiiDecryptFailure = 'MALFORMED' | 'UNSUPPORTED_VERSION' | 'AUTHENTICATION_FAILED';

export class PiiDecryptError extends Error {
  constructor(readonly reason: PiiDecryptFailure) {
    super(`cannot decrypt personal data: ${reason}`);
    this.name = 'PiiDecryptError';
  }
}

/**
 * A 32-byte key written as 64 hex characters or as base64 / base64url (43 characters, padding optional).
 * Errors name the setting, never the value.
 */
export function parsePiiKey(text: string, settingName: string): KeyObject {
  const trimmed = text.trim();
  let bytes: Buffer | null = null;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) bytes = Buffer.from(trimmed, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) bytes = Buffer.from(trimmed, 'base64');
  if (bytes?.length !== KEY_BYTES) {
    throw new PiiKeyError(
      `${settingName} must be ${KEY_BYTES} bytes, as 64 hex or 43-44 base64 characters (got ${trimmed.length} characters)`,
    );
  }
  return createSecretKey(bytes);
}

export interface PiiKeys {
  encryptionKey: KeyObject;
  hashKey: KeyObject;
}

/** Both keys, refusing one key for both uses: a leaked hash key must not also decrypt. */
export function loadPiiKeys(encryptionKeyText: string, hashKeyText: string): PiiKeys {
  const encryptionKey = parsePiiKey(encryptionKeyText, 'PII_ENCRYPTION_KEY');
  const hashKey = parsePiiKey(hashKeyText, 'PII_HASH_KEY');
  if (encryptionKey.equals(hashKey)) throw new PiiKeyError('PII_ENCRYPTION_KEY and PII_HASH_KEY must differ');
  return { encryptionKey, hashKey };
}

function assertKey(key: KeyObject): void {
  if (key.type !== 'secret' || key.symmetricKeySize !== KEY_BYTES) {
    throw new PiiKeyError(`a ${KEY_BYTES}-byte secret key is required`);
  }
}

/**
 * "v1.<iv>.<tag>.<ciphertext>", each part base64url, with a fresh random IV. `context` (e.g. "patients.id_no")
 * is authenticated but not stored: a value copied into another column or row fails to decrypt there.
 */
export function encryptPii(key: KeyObject, plaintext: string, context = ''): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url'));
  return [VERSION, ...parts].join('.');
}

/** Throws PiiDecryptError on a malformed string, an unknown version, a wrong key, context or any tampering. */
export function decryptPii(key: KeyObject, sealed: string, context = ''): string {
  assertKey(key);
  const parts = sealed.split('.');
  if (parts.length !== 4 || !parts.slice(1).every((p) => BASE64URL.test(p)))
    throw new PiiDecryptError('MALFORMED');
  const [version, ivText, tagText, ciphertextText] = parts;
  if (version !== VERSION) throw new PiiDecryptError('UNSUPPORTED_VERSION');
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new PiiDecryptError('MALFORMED');
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([
      decipher.update(Buffer.from(ciphertextText, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new PiiDecryptError('AUTHENTICATION_FAILED');
  }
}

/**
 * HMAC-SHA256 (hex) of the value trimmed, NFC-normalised and upper-cased, so "…123x" and "…123X" (the ID check
 * digit) find the same row.
 */
export function lookupHash(hashKey: KeyObject, value: string): string {
  assertKey(hashKey);
  return createHmac('sha256', hashKey)
    .update(value.trim().normalize('NFC').toUpperCase(), 'utf8')
    .digest('hex');
}

// ---- masks for display; they work on code points, so a name never shows half a character ----

const stars = (n: number): string => '*'.repeat(Math.max(0, n));

/** 3601**********1234: first 4 and last 4 of an ID of 15 characters or more; anything shorter fully masked. */
export function maskIdNo(idNo: string): string {
  const chars = Array.from(idNo.trim());
  if (chars.length < 15) return stars(chars.length);
  return chars.slice(0, 4).join('') + stars(chars.length - 8) + chars.slice(-4).join('');
}

/** 张*丰, 欧**娜, 张*; a single character becomes *. */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length <= 1) return stars(chars.length);
  if (chars.length === 2) return `${chars[0]}*`;
  return chars[0] + stars(chars.length - 2) + chars[chars.length - 1];
}

/** 138****1234: first 3 and last 4 of a number of 11 characters or more; anything shorter fully masked. */
export function maskPhone(phone: string): string {
  const chars = Array.from(phone.trim());
  if (chars.length < 11) return stars(chars.length);
  return chars.slice(0, 3).join('') + stars(chars.length - 7) + chars.slice(-4).join('');
}
