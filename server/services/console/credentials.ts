/**
 * Console credentials as pure functions: scrypt password hashes that carry their own parameters
 * (`scrypt$N$r$p$salt$hash`, salt and hash base64url), and TOTP checks (RFC 6238, 30 s, ±1 step) at a time the
 * caller gives, so the server checks against its injected clock and tests compute codes with the same clock.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { createGuardrails, generateSync, verifySync } from 'otplib';

export interface ScryptParams {
  /** CPU/memory cost, a power of two */
  N: number;
  r: number;
  p: number;
}

/** 2^15 × 8 × 128 B = 32 MiB and ~50–100 ms per hash; raise N here and new hashes carry it, old ones still verify. */
export const SCRYPT_DEFAULTS: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const SCRYPT_N_MAX = 2 ** 20;
const SCRYPT_R_MAX = 32;
const SCRYPT_P_MAX = 16;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const B64URL = /^[A-Za-z0-9_-]+$/;

function scryptAsync(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = {
    N: params.N,
    r: params.r,
    p: params.p,
    // Node refuses anything above 32 MiB by default; allow what the parameters need, with headroom
    maxmem: 256 * params.N * params.r + 1024 * 1024,
  };
  return new Promise((resolve, reject) =>
    scrypt(password, salt, HASH_BYTES, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

function assertParams({ N, r, p }: ScryptParams): void {
  const powerOfTwo = Number.isInteger(N) && N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > SCRYPT_N_MAX)
    throw new RangeError(`scrypt N must be a power of two ≤ 2^20, got ${N}`);
  if (!Number.isInteger(r) || r < 1 || r > SCRYPT_R_MAX) throw new RangeError(`scrypt r out of range: ${r}`);
  if (!Number.isInteger(p) || p < 1 || p > SCRYPT_P_MAX) throw new RangeError(`scrypt p out of range: ${p}`);
}

export async function hashPassword(
  password: string,
  params: ScryptParams = SCRYPT_DEFAULTS,
): Promise<string> {
  assertParams(params);
  const salt = randomBytes(SALT_BYTES);
  const hash = await scryptAsync(password, salt, params);
  return [
    'scrypt',
    params.N,
    params.r,
    params.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

/** null when the stored string is not one of ours or names parameters outside the bounds (never verifies). */
export function parsePasswordHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [, n, r, p, salt, hash] = parts;
  if (![n, r, p].every((x) => /^\d{1,8}$/.test(x)) || !B64URL.test(salt) || !B64URL.test(hash)) return null;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  try {
    assertParams(params);
  } catch {
    return null;
  }
  const hashBytes = Buffer.from(hash, 'base64url');
  if (hashBytes.length < 16) return null;
  return { params, salt: Buffer.from(salt, 'base64url'), hash: hashBytes };
}

/** Constant-time comparison; false for a wrong password and for a hash we cannot read. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parsePasswordHash(stored);
  if (!parsed) return false;
  const candidate = await scryptAsync(password, parsed.salt, parsed.params);
  return candidate.length === parsed.hash.length && timingSafeEqual(candidate, parsed.hash);
}

// ---- TOTP ----

export const TOTP_PERIOD_S = 30;
/** steps accepted either side of the current one (clock drift of the cashier's phone) */
export const TOTP_WINDOW_STEPS = 1;
/**
 * otplib 13 refuses secrets under 16 bytes by default; the configured demo secret (JBSWY3DPEHPK3PXP, as in
 * most authenticator examples) is 10 bytes, the length Google Authenticator has long used. Accept 10+.
 */
const TOTP_GUARDRAILS = createGuardrails({ MIN_SECRET_BYTES: 10 });

/** The code an authenticator shows at nowMs (for tests and the demo's printout). */
export function totpCode(secretBase32: string, nowMs: number): string {
  return generateSync({
    secret: secretBase32,
    epoch: Math.floor(nowMs / 1000),
    period: TOTP_PERIOD_S,
    guardrails: TOTP_GUARDRAILS,
  });
}

/** The RFC 6238 time step (counter) that nowMs falls in. */
export function totpStepAt(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_S);
}

/**
 * The time step whose code `code` is, when it is the code of the step at nowMs or of one step either side;
 * null otherwise (and for a malformed code). Callers that must refuse a replay remember the step (RFC 6238 §5.2).
 */
export function totpStepOf(secretBase32: string, code: string, nowMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  try {
    const result = verifySync({
      secret: secretBase32,
      token: code,
      epoch: Math.floor(nowMs / 1000),
      period: TOTP_PERIOD_S,
      epochTolerance: TOTP_WINDOW_STEPS * TOTP_PERIOD_S,
      guardrails: TOTP_GUARDRAILS,
    });
    return result.valid ? totpStepAt(nowMs) + result.delta : null;
  } catch {
    return null;
  }
}

/** true when `code` is the code of the step at nowMs or of one step either side; malformed → false. */
export function checkTotp(secretBase32: string, code: string, nowMs: number): boolean {
  return totpStepOf(secretBase32, code, nowMs) !== null;
}

/** A new base32 secret for a new console user (20 bytes, RFC 4226's recommendation). */
export function newTotpSecret(): string {
  const bytes = randomBytes(20);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out; // 160 bits = 32 characters exactly, no padding
}
