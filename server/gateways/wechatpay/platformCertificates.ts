/**
 * The WeChat Pay platform certificates the adapter trusts, by serial (PROTOCOLS 1.2, DESIGN 8), as the official
 * SDKs keep them: it starts with the keyring's certificates and the WeChat Pay public key (PUB_KEY_ID_…, never
 * downloaded), and when an answer or a callback names a serial it does not know it downloads GET /v3/certificates
 * once, verifies that answer, decrypts and checks every certificate listed, and keeps the live ones. A download is
 * tried at most once per PLATFORM_CERTIFICATE_REFRESH_INTERVAL_MS (concurrent misses share the one in flight), and
 * at most PLATFORM_CERTIFICATES_MAX are read, so forged serials cannot make it call WeChat or grow without bound.
 *
 * Trust rule for the download. The answer is signed like any other (TIMESTAMP\nNONCE\nBODY\n, ±300 s):
 *  - signed with a serial already trusted (keyring, public key, or an earlier download): that key must verify it;
 *  - signed with a serial we do not know yet (the new certificate signs from the switch on): the signer must be one
 *    of the certificates listed in that very answer, and that certificate must verify the signature. What vouches
 *    for the certificate itself is not the signature (it would vouch for itself) but its encryption: each
 *    `encrypt_certificate` is AEAD_AES_256_GCM with our APIv3 key and AAD "certificate", and the GCM tag
 *    authenticates the ciphertext. The APIv3 key is set by the merchant in the merchant platform and held only
 *    by WeChat Pay and us (it never travels with a request), so a certificate that decrypts was put there by
 *    WeChat Pay: nobody on the path can make one that authenticates, or change one without the tag failing.
 *    This is the rule of WeChat's docs for the first download ("the certificate is obtained by decrypting with
 *    the APIv3 key") and of the SDKs (wechatpay-go's certificate downloader verifies the answer with the
 *    certificates it has just decrypted; wechatpay-java's auto-updating certificate provider likewise).
 * Any entry that does not decrypt, is not an X.509 certificate, or whose serial is not `serial_no` makes the whole
 * answer untrusted (nothing from it is kept); an entry outside its validity window (injected clock) is skipped.
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import type { Clock } from '../../../shared/clock';
import {
  aesGcmDecrypt,
  publicKeyFromPem,
  responseMessage,
  verifySha256Rsa,
} from '../../../shared/crypto/wechatpay';
import type { HttpResponse } from '../http';
import { GatewayError } from '../ports';
import { errorOf, fromCertificatesAnswer, type EncryptedPlatformCertificate } from './transformers';

/** A download of /v3/certificates is tried at most this often per adapter instance. */
export const PLATFORM_CERTIFICATE_REFRESH_INTERVAL_MS = 60_000;
/** At most this many certificates are read from a download (WeChat lists one, two during a rotation). */
export const PLATFORM_CERTIFICATES_MAX = 8;
/** The AAD of encrypt_certificate (PROTOCOLS 1.2). */
export const CERTIFICATE_ASSOCIATED_DATA = 'certificate';
/** The prefix of a WeChat Pay public key id: verified with the keyring's public key, never downloaded. */
export const PUB_KEY_ID_PREFIX = 'PUB_KEY_ID_';

export interface SignedHeaders {
  timestamp: string;
  nonce: string;
  signature: string;
  serial: string;
}

export function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

export function pickSignedHeaders(headers: Record<string, string | undefined>): SignedHeaders | null {
  const timestamp = header(headers, 'Wechatpay-Timestamp');
  const nonce = header(headers, 'Wechatpay-Nonce');
  const signature = header(headers, 'Wechatpay-Signature');
  const serial = header(headers, 'Wechatpay-Serial');
  if (!timestamp || !nonce || !signature || !serial) return null;
  return { timestamp, nonce, signature, serial };
}

/** |now − Wechatpay-Timestamp| in ms; NaN when the header is not a number of seconds. */
export function signatureSkewMs(timestamp: string, nowMs: number): number {
  const timestampS = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
  return Math.abs(nowMs - timestampS * 1000);
}

/** A certificate serial as an integer prints: upper-case hex without leading zeros. */
function canonicalSerial(serial: string): string {
  return serial.toUpperCase().replace(/^0+(?=.)/, '');
}

export interface PlatformCertificate {
  /** as WeChat lists it (serial_no), which is what Wechatpay-Serial carries */
  serialNo: string;
  publicKey: KeyObject;
  notBeforeMs: number;
  notAfterMs: number;
}

export function isValidAt(cert: PlatformCertificate, nowMs: number): boolean {
  return cert.notBeforeMs <= nowMs && nowMs <= cert.notAfterMs;
}

const untrusted = (message: string): never => {
  throw new GatewayError('wechatpay', 'invalid_response', `platform certificates: ${message}`);
};

/**
 * One listed certificate, decrypted with the APIv3 key (AAD "certificate") and parsed; throws invalid_response
 * when it does not authenticate, is not an X.509 certificate, or its serial is not the one listed.
 */
export function openPlatformCertificate(
  entry: EncryptedPlatformCertificate,
  apiV3Key: string,
): PlatformCertificate {
  if (entry.associatedData !== CERTIFICATE_ASSOCIATED_DATA)
    untrusted(`${entry.serialNo}: associated_data is "${entry.associatedData}", not "certificate"`);
  let pem = '';
  try {
    pem = aesGcmDecrypt(apiV3Key, entry.nonce, entry.associatedData, entry.ciphertext);
  } catch {
    untrusted(`${entry.serialNo}: does not decrypt with our APIv3 key (tampered, or not WeChat's)`);
  }
  let cert: X509Certificate | undefined;
  try {
    cert = new X509Certificate(pem);
  } catch {
    untrusted(`${entry.serialNo}: the decrypted text is not an X.509 certificate`);
  }
  const x509 = cert as X509Certificate;
  if (canonicalSerial(x509.serialNumber) !== canonicalSerial(entry.serialNo))
    untrusted(`serial_no ${entry.serialNo} lists a certificate whose serial is ${x509.serialNumber}`);
  const notBeforeMs = Date.parse(x509.validFrom);
  const notAfterMs = Date.parse(x509.validTo);
  if (!Number.isFinite(notBeforeMs) || !Number.isFinite(notAfterMs))
    untrusted(`${entry.serialNo}: unreadable validity dates`);
  return { serialNo: entry.serialNo, publicKey: x509.publicKey, notBeforeMs, notAfterMs };
}

export interface CertificatesAnswerContext {
  apiV3Key: string;
  nowMs: number;
  skewMaxMs: number;
  /** the key of a serial trusted before this answer, if any */
  trusted(serial: string): KeyObject | undefined;
  max?: number;
}

export interface ReadCertificates {
  /** the certificates listed and valid now */
  certificates: PlatformCertificate[];
  /** serials listed but outside their validity window now */
  skipped: string[];
  /** the serial that signed the answer */
  signedBy: string;
}

/**
 * A GET /v3/certificates answer, verified by the trust rule above and opened; throws GatewayError (rejected for a
 * 4xx with WeChat's code, invalid_response for anything not to be trusted). No I/O.
 */
export function readCertificatesAnswer(
  response: HttpResponse,
  ctx: CertificatesAnswerContext,
): ReadCertificates {
  const signed = pickSignedHeaders(response.headers);
  if (!signed) return untrusted('the answer carries no Wechatpay-* signature headers');
  const skewMs = signatureSkewMs(signed.timestamp, ctx.nowMs);
  if (!(skewMs <= ctx.skewMaxMs))
    untrusted(`Wechatpay-Timestamp ${signed.timestamp} is ${Math.round(skewMs / 1000)} s from now`);
  const message = responseMessage(signed.timestamp, signed.nonce, response.body);
  const known = ctx.trusted(signed.serial);
  if (known && !verifySha256Rsa(message, signed.signature, known))
    untrusted(`the signature does not verify with ${signed.serial}`);
  let body: unknown;
  try {
    body = response.body === '' ? undefined : JSON.parse(response.body);
  } catch {
    untrusted(`unreadable JSON (status ${response.status})`);
  }
  if (response.status !== 200) {
    const { code, message: why } = errorOf(body, response.status);
    throw new GatewayError('wechatpay', 'rejected', `GET /v3/certificates: ${why}`, code, response.status);
  }
  const opened = fromCertificatesAnswer(body, ctx.max ?? PLATFORM_CERTIFICATES_MAX).map((entry) =>
    openPlatformCertificate(entry, ctx.apiV3Key),
  );
  if (!known) {
    // signed by a serial we did not know: only a certificate of this answer, authenticated by our APIv3 key, may
    // vouch for it (see the trust rule at the top)
    const signer = opened.find((c) => c.serialNo === signed.serial && isValidAt(c, ctx.nowMs));
    if (!signer)
      untrusted(`signed with ${signed.serial}, neither trusted nor a live certificate of the answer`);
    if (!verifySha256Rsa(message, signed.signature, (signer as PlatformCertificate).publicKey))
      untrusted(`the signature does not verify with the listed certificate ${signed.serial}`);
  }
  return {
    certificates: opened.filter((c) => isValidAt(c, ctx.nowMs)),
    skipped: opened.filter((c) => !isValidAt(c, ctx.nowMs)).map((c) => c.serialNo),
    signedBy: signed.serial,
  };
}

export interface PlatformCertificateStoreOptions {
  apiV3Key: string;
  clock: Clock;
  /** the keyring's platform certificates: trusted as configured, for the life of the instance */
  configured: { serialNo: string; certPem: string }[];
  /** the WeChat Pay public key (PUB_KEY_ID_… mode): from the keyring, never downloaded */
  payPublicKey: { id: string; publicKeyPem: string };
  /** a signed GET /v3/certificates whose answer is not verified yet (the store verifies it) */
  download(): Promise<HttpResponse>;
  skewMaxMs: number;
  refreshIntervalMs?: number;
  max?: number;
}

/** Why a serial is (still) unknown after asking the store to follow a rotation; for messages and logs. */
export type RefreshOutcome =
  | { kind: 'refreshed'; serials: string[] }
  | { kind: 'throttled'; lastAttemptMs: number }
  | { kind: 'not-downloadable' }
  | { kind: 'failed'; message: string };

export class PlatformCertificateStore {
  private readonly configured = new Map<string, KeyObject>();
  /** the live certificates of the last trusted download, replaced whole by the next one (so bounded) */
  private downloaded = new Map<string, PlatformCertificate>();
  private lastAttemptMs: number | undefined;
  private inFlight: Promise<RefreshOutcome> | undefined;
  private readonly refreshIntervalMs: number;
  private readonly max: number;

  constructor(private readonly opts: PlatformCertificateStoreOptions) {
    for (const cert of opts.configured) this.configured.set(cert.serialNo, publicKeyFromPem(cert.certPem));
    this.configured.set(opts.payPublicKey.id, publicKeyFromPem(opts.payPublicKey.publicKeyPem));
    this.refreshIntervalMs = opts.refreshIntervalMs ?? PLATFORM_CERTIFICATE_REFRESH_INTERVAL_MS;
    this.max = opts.max ?? PLATFORM_CERTIFICATES_MAX;
  }

  /** The verifying key of a serial trusted now (no I/O): configured, or downloaded and within its validity. */
  key(serial: string, nowMs = this.opts.clock.now()): KeyObject | undefined {
    const configured = this.configured.get(serial);
    if (configured) return configured;
    const downloaded = this.downloaded.get(serial);
    return downloaded && isValidAt(downloaded, nowMs) ? downloaded.publicKey : undefined;
  }

  /** Every serial trusted now. */
  serials(nowMs = this.opts.clock.now()): string[] {
    return [...this.configured.keys(), ...[...this.downloaded.keys()].filter((s) => this.key(s, nowMs))];
  }

  /**
   * The key of `serial`, downloading the certificate list first when the serial is unknown (once per interval,
   * shared with concurrent misses); undefined with the reason when it is still unknown.
   */
  async keyFollowingRotation(
    serial: string,
  ): Promise<{ key: KeyObject; outcome?: undefined } | { key?: undefined; outcome: RefreshOutcome }> {
    const known = this.key(serial);
    if (known) return { key: known };
    // a public key is configured, never listed by /v3/certificates: downloading cannot make one known
    if (serial.startsWith(PUB_KEY_ID_PREFIX)) return { outcome: { kind: 'not-downloadable' } };
    const outcome = await this.refresh();
    const key = this.key(serial);
    return key ? { key } : { outcome };
  }

  /** Downloads the list unless one was tried within the interval; concurrent callers share the one in flight. */
  refresh(): Promise<RefreshOutcome> {
    if (this.inFlight) return this.inFlight;
    const nowMs = this.opts.clock.now();
    if (this.lastAttemptMs !== undefined && nowMs - this.lastAttemptMs < this.refreshIntervalMs)
      return Promise.resolve({ kind: 'throttled', lastAttemptMs: this.lastAttemptMs });
    this.lastAttemptMs = nowMs;
    const attempt = this.download().finally(() => {
      this.inFlight = undefined;
    });
    this.inFlight = attempt;
    return attempt;
  }

  private async download(): Promise<RefreshOutcome> {
    try {
      const response = await this.opts.download();
      const read = readCertificatesAnswer(response, {
        apiV3Key: this.opts.apiV3Key,
        nowMs: this.opts.clock.now(),
        skewMaxMs: this.opts.skewMaxMs,
        trusted: (serial) => this.key(serial),
        max: this.max,
      });
      const next = new Map<string, PlatformCertificate>();
      for (const cert of read.certificates)
        if (!this.configured.has(cert.serialNo)) next.set(cert.serialNo, cert);
      this.downloaded = next;
      return { kind: 'refreshed', serials: read.certificates.map((c) => c.serialNo) };
    } catch (err) {
      // not `instanceof Error`: errors from fetch come from another realm under jest
      const message =
        typeof err === 'object' && err !== null && 'message' in err ? String(err.message) : String(err);
      return { kind: 'failed', message };
    }
  }
}

/** "after refreshing the certificate list: …", for the message of a rejection. */
export function describeRefresh(outcome: RefreshOutcome): string {
  switch (outcome.kind) {
    case 'refreshed':
      return `not among the certificates WeChat Pay lists now (${outcome.serials.join(', ') || 'none'})`;
    case 'throttled':
      return 'the certificate list was fetched too recently to be fetched again';
    case 'not-downloadable':
      return 'a WeChat Pay public key id is configured, never downloaded';
    case 'failed':
      return `the certificate list could not be fetched: ${outcome.message}`;
  }
}
