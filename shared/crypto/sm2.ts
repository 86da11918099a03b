/**
 * SM2 digital signatures as GB/T 32918.2 (GM/T 0003.2) define them — what OpenSSL (`-sigopt distid:`),
 * BouncyCastle/hutool, gmssl and sm-crypto produce and accept:
 *
 *   ZA = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA)   ENTL = bit length of the user id, 2 bytes
 *   e  = SM3(ZA ‖ M)
 *   (r, s) from e with the SM2 equation (s = (1 + d)⁻¹ · (k − r·d) mod n)
 *
 * Node's `crypto.sign('sm3', …)` on an `ec` SM2-curve key is none of this (ECDSA over the curve, no ZA) and Node
 * cannot set a user id, so the curve arithmetic is sm-crypto-v2's (on @noble/curves): nothing here touches field
 * elements. ZA comes from sm-crypto-v2's `getZ` (checked against its `getHash` and the OpenSSL CLI in the tests);
 * this module caches it per key and user id and hashes `ZA ‖ M` with Node's native SM3.
 *
 * Keys are PEM: PKCS#8 private, SPKI public, on the SM2 curve — as node:crypto (`generateKeyPairSync('ec',
 * {namedCurve: 'SM2'})`, shared/crypto/keyring.ts) or `openssl genpkey -algorithm SM2` write them. Each PEM is parsed once
 * (its scalar or point read from the DER: Node exports no JWK for SM2); a public key's point gets a window table
 * (sm-crypto-v2's `precomputePublicKey`), so verifying a fixed peer costs about as much as signing (`npm run
 * bench:sm2`). Signatures: DER `SEQUENCE{r, s}` or raw r‖s (32 + 32 bytes).
 */
import { createHash, createPrivateKey, createPublicKey, ECDH, type KeyObject } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';

/** The user id every public SM2 toolkit uses when none is agreed (GM/T 0009). */
export const SM2_DEFAULT_USER_ID = '1234567812345678';

/** ENTL is two bytes counting bits: an id is at most 8191 bytes. */
const USER_ID_BYTES_MAX = 8191;
/** the order of the SM2 base point, for the range checks of GB/T 32918.2 §7.1 B1–B2 (a constant, not arithmetic) */
const SM2_N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
const SCALAR_BYTES = 32;
const RAW_SIGNATURE_BYTES = 2 * SCALAR_BYTES;
/** sm-crypto-v2's (noble's) default window: 2^7 points per 8-bit window, ~100 ms and ~0.7 MB once per peer key */
const PRECOMPUTE_WINDOW_BITS = 8;
const KEY_CACHE_MAX = 32;
const ZA_CACHE_MAX = 8;

export type Sm2SignatureEncoding = 'der' | 'raw';

export interface Sm2Options {
  /** the signer's user id (ZA); default SM2_DEFAULT_USER_ID */
  userId?: string;
}

export interface Sm2SignOptions extends Sm2Options {
  /** 'der' (default): SEQUENCE{INTEGER r, INTEGER s}; 'raw': r‖s, 64 bytes */
  encoding?: Sm2SignatureEncoding;
}

type PrecomputedPoint = ReturnType<typeof sm2.precomputePublicKey>;

/** A parsed SM2 public key: its uncompressed point, optionally with a window table, and its ZA per user id. */
export class Sm2PublicKey {
  private readonly za = new Map<string, Buffer>();

  constructor(
    /** 04 ‖ x ‖ y, lower-case hex */
    readonly pointHex: string,
    /** the point with a precomputed table, or the hex alone (each verify then multiplies from scratch) */
    readonly point: PrecomputedPoint | string,
  ) {}

  /** ZA of this key for userId (SM3 over the curve parameters, the id and the point), cached. */
  zaOf(userId: string): Buffer {
    const cached = this.za.get(userId);
    if (cached) return cached;
    checkUserId(userId);
    const za = Buffer.from(sm2.getZ(this.pointHex, userId));
    if (this.za.size >= ZA_CACHE_MAX) this.za.clear();
    this.za.set(userId, za);
    return za;
  }
}

interface Sm2PrivateKey {
  /** the scalar d, 64 hex digits */
  dHex: string;
  publicKey: Sm2PublicKey;
}

function checkUserId(userId: string): void {
  if (typeof userId !== 'string' || Buffer.byteLength(userId, 'utf8') > USER_ID_BYTES_MAX)
    throw new RangeError(`an SM2 user id is a string of at most ${USER_ID_BYTES_MAX} bytes`);
}

// ───────────────────────────── DER, just enough for keys and signatures ─────────────────────────────

interface Tlv {
  tag: number;
  value: Buffer;
  /** offset just past this element */
  end: number;
}

/** One DER element at offset; null when malformed (indefinite or non-minimal length, past the end). */
function readTlv(der: Buffer, offset: number): Tlv | null {
  if (offset + 2 > der.length) return null;
  const tag = der[offset];
  let length = der[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 2 || start + octets > der.length) return null;
    length = octets === 1 ? der[start] : der.readUInt16BE(start);
    if (length < 0x80 || (octets === 2 && length < 0x100)) return null;
    start += octets;
  }
  const end = start + length;
  if (end > der.length) return null;
  return { tag, value: der.subarray(start, end), end };
}

/** The elements of a constructed value, in order; null when they do not tile it exactly. */
function readAll(content: Buffer): Tlv[] | null {
  const out: Tlv[] = [];
  for (let offset = 0; offset < content.length;) {
    const tlv = readTlv(content, offset);
    if (!tlv) return null;
    out.push(tlv);
    offset = tlv.end;
  }
  return out;
}

const TAG = { integer: 0x02, bitString: 0x03, octetString: 0x04, sequence: 0x30 } as const;

/** A positive DER INTEGER's magnitude, left-padded to 32 bytes; null when not minimal, negative or too long. */
function scalarOfInteger(tlv: Tlv): Buffer | null {
  const v = tlv.value;
  if (tlv.tag !== TAG.integer || v.length === 0 || v[0] & 0x80) return null;
  if (v.length > 1 && v[0] === 0 && !(v[1] & 0x80)) return null;
  const magnitude = v[0] === 0 ? v.subarray(1) : v;
  if (magnitude.length > SCALAR_BYTES) return null;
  return Buffer.concat([Buffer.alloc(SCALAR_BYTES - magnitude.length), magnitude]);
}

function integerOfScalar(scalar: Buffer): Buffer {
  let i = 0;
  while (i < scalar.length - 1 && scalar[i] === 0) i++;
  const magnitude = scalar.subarray(i);
  const body = magnitude[0] & 0x80 ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude;
  return Buffer.concat([Buffer.from([TAG.integer, body.length]), body]);
}

/** raw r‖s (64 bytes) → DER SEQUENCE{INTEGER r, INTEGER s} (at most 72 bytes: short lengths only). */
export function sm2RawToDer(raw: Buffer): Buffer {
  if (raw.length !== RAW_SIGNATURE_BYTES) throw new RangeError('a raw SM2 signature is 64 bytes (r‖s)');
  const body = Buffer.concat([
    integerOfScalar(raw.subarray(0, SCALAR_BYTES)),
    integerOfScalar(raw.subarray(SCALAR_BYTES)),
  ]);
  return Buffer.concat([Buffer.from([TAG.sequence, body.length]), body]);
}

/** Strict DER SEQUENCE{INTEGER r, INTEGER s} → raw r‖s; null when it is not exactly that. */
export function sm2DerToRaw(der: Buffer): Buffer | null {
  const seq = readTlv(der, 0);
  if (!seq || seq.tag !== TAG.sequence || seq.end !== der.length) return null;
  const parts = readAll(seq.value);
  if (!parts || parts.length !== 2) return null;
  const [r, s] = parts.map(scalarOfInteger);
  return r && s ? Buffer.concat([r, s]) : null;
}

// ───────────────────────────── keys ─────────────────────────────

const privateKeys = new Map<string, Sm2PrivateKey>();
const publicKeys = new Map<string, Sm2PublicKey>();

function remember<T>(cache: Map<string, T>, pem: string, value: T): T {
  if (cache.size >= KEY_CACHE_MAX) cache.clear();
  cache.set(pem, value);
  return value;
}

const OID = {
  ecPublicKey: '2a8648ce3d0201', // 1.2.840.10045.2.1
  sm2: '2a811ccf5501822d', // 1.2.156.10197.1.301: the curve, and for some writers the key algorithm too
} as const;

/**
 * The elements of a DER SEQUENCE whose AlgorithmIdentifier (at index algorithmAt) says SM2: id-ecPublicKey or
 * id-sm2 with the SM2 curve as parameter. By DER, not KeyObject.asymmetricKeyType: Node calls a key it made 'ec'
 * but an OpenSSL CLI key (typed SM2 by OpenSSL 3) undefined — and aborts the process when asked for its SEC 1 form.
 */
function sm2Elements(der: Buffer, algorithmAt: number, what: string): Tlv[] {
  const seq = readTlv(der, 0);
  const parts = seq && seq.tag === TAG.sequence && seq.end === der.length ? readAll(seq.value) : null;
  const algorithm = parts?.[algorithmAt];
  const ids = algorithm && algorithm.tag === TAG.sequence ? readAll(algorithm.value) : null;
  const [alg, curve] = ids?.map((id) => (id.tag === 0x06 ? id.value.toString('hex') : '')) ?? [];
  if (!parts || (alg !== OID.ecPublicKey && alg !== OID.sm2) || curve !== OID.sm2)
    throw new TypeError(`not an SM2 ${what} key`);
  return parts;
}

/** SPKI DER → the point as 04‖x‖y hex (a compressed point is expanded, any point checked to be on the curve). */
function pointHexOfSpki(spki: Buffer): string {
  const bits = sm2Elements(spki, 0, 'public')[1];
  if (!bits || bits.tag !== TAG.bitString || bits.value[0] !== 0)
    throw new TypeError('SPKI without a public key');
  // a compressed point (02/03 ‖ x) is legal in SPKI; sm-crypto-v2's ZA wants x and y
  const hex = ECDH.convertKey(bits.value.subarray(1), 'SM2', undefined, 'hex', 'uncompressed') as string;
  if (!sm2.verifyPublicKey(hex)) throw new TypeError('the SM2 public key is not a point of the curve');
  return hex;
}

/** PKCS#8 DER → d, 64 hex digits: PrivateKeyInfo{0, AlgorithmIdentifier, OCTET STRING ECPrivateKey{1, d, …}}. */
function scalarHexOfPkcs8(pkcs8: Buffer): string {
  const wrapped = sm2Elements(pkcs8, 1, 'private')[2];
  const ecPrivateKey = wrapped?.tag === TAG.octetString ? readTlv(wrapped.value, 0) : null;
  const d = ecPrivateKey?.tag === TAG.sequence ? readAll(ecPrivateKey.value)?.[1] : undefined;
  if (!d || d.tag !== TAG.octetString || d.value.length === 0 || d.value.length > SCALAR_BYTES)
    throw new TypeError('SM2 private key without its scalar');
  const scalar = BigInt(`0x${d.value.toString('hex')}`);
  // d = n − 1 would make (1 + d) non-invertible (GB/T 32918.1 §6.1: d ∈ [1, n − 2])
  if (scalar < 1n || scalar > SM2_N - 2n) throw new RangeError('SM2 private scalar out of range');
  return d.value.toString('hex').padStart(2 * SCALAR_BYTES, '0');
}

function publicKeyOfObject(key: KeyObject, precompute: boolean): Sm2PublicKey {
  const hex = pointHexOfSpki(key.export({ format: 'der', type: 'spki' }));
  return new Sm2PublicKey(hex, precompute ? sm2.precomputePublicKey(hex, PRECOMPUTE_WINDOW_BITS) : hex);
}

/**
 * An SM2 public key from SPKI PEM. By default with a window table, cached per PEM: for a peer's fixed key.
 * `{precompute: false}` parses afresh, no table (each verify then multiplies the point from scratch).
 */
export function sm2PublicKey(pem: string, options: { precompute?: boolean } = {}): Sm2PublicKey {
  if (options.precompute === false) return publicKeyOfObject(createPublicKey(pem), false);
  return publicKeys.get(pem) ?? remember(publicKeys, pem, publicKeyOfObject(createPublicKey(pem), true));
}

function privateKeyOf(pem: string): Sm2PrivateKey {
  const cached = privateKeys.get(pem);
  if (cached) return cached;
  const key = createPrivateKey(pem);
  const dHex = scalarHexOfPkcs8(key.export({ format: 'der', type: 'pkcs8' }));
  // P = d·G rather than the copy a PKCS#8 may carry; the signer's own key needs its ZA, no window table
  const pointHex = sm2.getPublicKeyFromPrivateKey(dHex);
  return remember(privateKeys, pem, { dHex, publicKey: new Sm2PublicKey(pointHex, pointHex) });
}

// ───────────────────────────── sign / verify ─────────────────────────────

function bytesOf(message: Buffer | string): Buffer {
  return typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
}

/** e = SM3(ZA ‖ M) for the signer's key and user id. */
export function sm2Digest(
  publicKey: string | Sm2PublicKey,
  message: Buffer | string,
  userId = SM2_DEFAULT_USER_ID,
): Buffer {
  const key = typeof publicKey === 'string' ? sm2PublicKey(publicKey) : publicKey;
  return createHash('sm3').update(key.zaOf(userId)).update(bytesOf(message)).digest();
}

/** Signs message (UTF-8 when a string) with an SM2 private key (PKCS#8 PEM): DER by default, or raw r‖s. */
export function sm2Sign(
  privateKeyPem: string,
  message: Buffer | string,
  options: Sm2SignOptions = {},
): Buffer {
  const key = privateKeyOf(privateKeyPem);
  const e = sm2Digest(key.publicKey, message, options.userId ?? SM2_DEFAULT_USER_ID);
  const raw = Buffer.from(sm2.doSignature(e, key.dHex, { hash: false, der: false }), 'hex');
  if (raw.length !== RAW_SIGNATURE_BYTES) throw new Error('sm-crypto-v2 returned a malformed signature');
  return options.encoding === 'raw' ? raw : sm2RawToDer(raw);
}

/** r and s of a signature (DER or raw 64 bytes), each in [1, n − 1]; an empty list when neither reading fits. */
function candidatesOf(signature: Buffer): Buffer[] {
  // a 64-byte DER signature is possible (short r and s) and so is raw r‖s that parses as DER: try both readings
  const readings = [sm2DerToRaw(signature), signature.length === RAW_SIGNATURE_BYTES ? signature : null];
  return readings.filter((raw): raw is Buffer => {
    if (!raw) return false;
    const r = BigInt(`0x${raw.subarray(0, SCALAR_BYTES).toString('hex')}`);
    const s = BigInt(`0x${raw.subarray(SCALAR_BYTES).toString('hex')}`);
    return r >= 1n && r < SM2_N && s >= 1n && s < SM2_N;
  });
}

/**
 * True when signature (DER or raw r‖s) is the SM2 signature of message by the holder of publicKey (SPKI PEM, or
 * an Sm2PublicKey) under userId. Never throws on a malformed signature: that is false.
 */
export function sm2Verify(
  publicKey: string | Sm2PublicKey,
  message: Buffer | string,
  signature: Buffer,
  options: Sm2Options = {},
): boolean {
  const key = typeof publicKey === 'string' ? sm2PublicKey(publicKey) : publicKey;
  const e = sm2Digest(key, message, options.userId ?? SM2_DEFAULT_USER_ID);
  return candidatesOf(signature).some((raw) => {
    try {
      return sm2.doVerifySignature(e, raw.toString('hex'), key.point, { hash: false, der: false });
    } catch {
      return false;
    }
  });
}
