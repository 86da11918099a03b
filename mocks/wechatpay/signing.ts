/**
 * The mock's side of APIv3 security: it checks the merchant's Authorization on every /v3 request, signs every
 * /v3 answer and every callback with the platform key (or the WeChat Pay public key in publicKey mode), and
 * decrypts the RSA-OAEP sensitive fields of med-ins orders. All crypto comes from shared/crypto/wechatpay.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import type { Middleware } from 'koa';
import type { MockFrame } from '../common/app';
import { MockHttpError } from '../common/app';
import type { MockKeys } from '../../shared/crypto/keyring';
import {
  parseAuthorization,
  privateKeyFromPem,
  publicKeyFromPem,
  randomNonce,
  requestMessage,
  responseMessage,
  rsaOaepDecrypt,
  SIGNATURE_PROBE_PREFIX,
  signSha256Rsa,
  verifySha256Rsa,
} from '../../shared/crypto/wechatpay';
import type { SigningMode, WeChatPayState } from './state';

const CLOCK_SKEW_MAX_S = 300;

export interface MockKeyring {
  appId: string;
  appSecret: string;
  mchId: string;
  apiV3Key: string;
  merchantSerialNo: string;
  merchantPublicKey: KeyObject;
  /** the platform certificate that signs now (the newest after a rotation) */
  platform: PlatformKey;
  /** every live platform certificate, oldest first (two or more during a rotation: /v3/certificates lists them) */
  platforms: PlatformKey[];
  payPublicKey: { id: string; privateKey: KeyObject };
}

export interface PlatformKey {
  serialNo: string;
  certPem: string;
  privateKey: KeyObject;
}

export function loadMockKeyring(keys: MockKeys['wechat']): MockKeyring {
  const platform: PlatformKey = {
    serialNo: keys.platform.serialNo,
    certPem: keys.platform.certPem,
    privateKey: privateKeyFromPem(keys.platform.privateKeyPem),
  };
  return {
    appId: keys.appId,
    appSecret: keys.appSecret,
    mchId: keys.mchId,
    apiV3Key: keys.apiV3Key,
    merchantSerialNo: keys.merchantSerialNo,
    merchantPublicKey: publicKeyFromPem(keys.merchantCertPem),
    platform,
    platforms: [platform],
    payPublicKey: {
      id: keys.payPublicKey.id,
      privateKey: privateKeyFromPem(keys.payPublicKey.privateKeyPem),
    },
  };
}

/** A WeChat-style error; detailCode is the numeric suffix WeChat appends to Request-ID (PROTOCOLS 2.1). */
export class WxError extends MockHttpError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly detailCode?: number,
  ) {
    super(status, code, message);
  }
}

const newRequestId = (): string => randomBytes(16).toString('hex').toUpperCase();

/** How a message is signed: genuinely, over other bytes ("invalid"), or as WeChat's signature probe. */
export type SignatureKind = 'valid' | 'invalid' | 'signtest';

/** A `WECHATPAY/SIGNTEST/` probe signature (PROTOCOLS 1.2): the merchant must answer it with 4xx/5xx. */
export const signTestSignature = (): string =>
  `${SIGNATURE_PROBE_PREFIX}${randomBytes(192).toString('base64')}`;

/**
 * Wechatpay-* headers for a body signed now with the key of the signing mode; corrupt → a wrong signature
 * (or, as a SignatureKind, a probe); serial overrides the Wechatpay-Serial header only.
 */
export function signedHeaders(
  keyring: MockKeyring,
  mode: SigningMode,
  nowMs: number,
  body: string,
  corrupt: boolean | SignatureKind = false,
  serial?: string,
): Record<string, string> {
  const kind: SignatureKind = corrupt === true ? 'invalid' : corrupt === false ? 'valid' : corrupt;
  const timestamp = String(Math.floor(nowMs / 1000));
  const nonce = randomNonce();
  const key = mode === 'publicKey' ? keyring.payPublicKey.privateKey : keyring.platform.privateKey;
  // a corrupted signature is a real signature over other bytes: valid Base64 that does not verify
  const signed = kind === 'invalid' ? `${body}#corrupted` : body;
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature':
      kind === 'signtest'
        ? signTestSignature()
        : signSha256Rsa(responseMessage(timestamp, nonce, signed), key),
    'Wechatpay-Serial':
      serial ?? (mode === 'publicKey' ? keyring.payPublicKey.id : keyring.platform.serialNo),
    'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
  };
}

function checkMerchantSignature(
  keyring: MockKeyring,
  nowMs: number,
  method: string,
  url: string,
  header: string | undefined,
  body: string,
): string | null {
  if (!header) return 'Authorization header missing';
  const auth = parseAuthorization(header);
  if (!auth) return 'Authorization header malformed';
  if (auth.mchId !== keyring.mchId) return `mchid ${auth.mchId} does not match`;
  if (auth.serialNo !== keyring.merchantSerialNo)
    return `serial_no ${auth.serialNo} is not the merchant certificate`;
  if (Math.abs(auth.timestampS - Math.floor(nowMs / 1000)) > CLOCK_SKEW_MAX_S) {
    return `timestamp ${auth.timestampS} is more than ${CLOCK_SKEW_MAX_S} s from the mock clock`;
  }
  const message = requestMessage(method, url, auth.timestampS, auth.nonce, body);
  return verifySha256Rsa(message, auth.signature, keyring.merchantPublicKey)
    ? null
    : '签名错误 (signature does not verify)';
}

/**
 * Middleware of every /v3 route: merchant signature → handler → signed answer. Errors are answered here
 * (not by the frame) so that they are signed too. ctx.state.unsigned marks the bill download.
 */
export function v3Security(frame: MockFrame, state: WeChatPayState, keyring: MockKeyring): Middleware {
  return async (ctx, next) => {
    let requestId = newRequestId();
    try {
      const rawBody = typeof ctx.request.rawBody === 'string' ? ctx.request.rawBody : '';
      const problem = checkMerchantSignature(
        keyring,
        frame.clock.now(),
        ctx.method,
        ctx.originalUrl,
        ctx.get('Authorization') || undefined,
        rawBody,
      );
      if (problem) throw new WxError(401, 'SIGN_ERROR', problem);
      await next();
    } catch (err) {
      const wx = err instanceof MockHttpError ? err : new WxError(500, 'SYSTEM_ERROR', String(err));
      ctx.status = wx.status;
      ctx.body = { code: wx.code, message: wx.message };
      if (wx instanceof WxError && wx.detailCode !== undefined) requestId = `${requestId}-${wx.detailCode}`;
    }
    ctx.set('Request-ID', requestId);
    if (ctx.state.unsigned === true) return;
    const body =
      ctx.body === undefined || ctx.body === null
        ? ''
        : typeof ctx.body === 'string'
          ? ctx.body
          : JSON.stringify(ctx.body);
    if (body !== '') {
      ctx.type = 'application/json';
      ctx.body = body;
    }
    const headers = signedHeaders(
      keyring,
      state.signingMode,
      frame.clock.now(),
      body,
      frame.wantsBadSignature(ctx),
    );
    for (const [name, value] of Object.entries(headers)) ctx.set(name, value);
  };
}

/** Decrypts a sensitive field encrypted for the key named by the request's Wechatpay-Serial header. */
export function decryptSensitive(
  keyring: MockKeyring,
  serialHeader: string,
  ciphertextB64: string,
): string | null {
  const key =
    keyring.platforms.find((p) => p.serialNo === serialHeader)?.privateKey ??
    (serialHeader === keyring.payPublicKey.id ? keyring.payPublicKey.privateKey : null);
  if (!key) return null;
  try {
    return rsaOaepDecrypt(ciphertextB64, key);
  } catch {
    return null;
  }
}

export function isKnownWechatpaySerial(keyring: MockKeyring, serial: string): boolean {
  return keyring.platforms.some((p) => p.serialNo === serial) || serial === keyring.payPublicKey.id;
}

/** Adds a journal tag (outTradeNo, mixTradeNo, outRefundNo) to the current request. */
export function tag(ctxState: Record<string, unknown>, key: string, value: string | undefined): void {
  const tags = ctxState.journalTags as Record<string, string> | undefined;
  if (tags && value !== undefined) tags[key] = value;
}
