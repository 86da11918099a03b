/**
 * The HTTP side of the WeChat Pay adapter (APIv3 basic payment + medical-insurance payment 2.0): every request
 * signed with the merchant key (PROTOCOLS 1.1, body = the exact bytes sent), every answer verified before it is
 * read (headers → clock skew ±300 s → known serial, PUB_KEY_ID_ included → SHA256withRSA), callbacks verified
 * and decrypted the same way. The data side is transformers.ts.
 */
import type { ServerKeys } from '../../../shared/keys';
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../../shared/clock';
import {
  aesGcmDecrypt,
  buildAuthorization,
  idDigest,
  paySignMessage,
  privateKeyFromPem,
  publicKeyFromPem,
  randomNonce,
  requestMessage,
  responseMessage,
  rsaOaepEncrypt,
  signSha256Rsa,
  SIGNATURE_PROBE_PREFIX,
  verifySha256Rsa,
} from '../../../shared/crypto/wechatpay';
import { createHttpCaller, parseJson, type HttpCaller, type HttpRequest, type HttpResponse } from '../http';
import {
  GatewayError,
  NotificationRejected,
  type CashRefund,
  type JsapiOrder,
  type MedInsOrder,
  type MedInsOrderState,
  type MedInsRefundNotice,
  type NotificationRejection,
  type PayParams,
  type RefundState,
  type TransactionState,
  type VerifiedNotification,
  type WeChatPayGateway,
} from '../ports';
import {
  errorOf,
  fromMedInsEntity,
  fromPrepay,
  fromRefund,
  fromTransaction,
  notificationEnvelopeSchema,
  outRefundNoOf,
  outTradeNoOf,
  toJsapiRequest,
  toMedInsRefundNotice,
  toMedInsRequest,
  toRefundRequest,
  type MerchantIds,
} from './transformers';

/** Clock skew accepted on answers and callbacks (the official SDK's 5 min). */
export const SIGNATURE_SKEW_MAX_MS = 300_000;

/** What a hospital holds for WeChat Pay. */
export type WeChatMerchantKeys = ServerKeys['wechat'];

export interface WeChatPayGatewayOptions {
  /** api.mch.weixin.qq.com, or the mock */
  baseUrl: string;
  /** api.weixin.qq.com for jscode2session; defaults to baseUrl (the mock serves both) */
  loginBaseUrl?: string;
  keys: WeChatMerchantKeys;
  timeoutMs: number;
  clock: Clock;
  notifyUrl: string;
  medInsCallbackUrl: string;
  /** which WeChat Pay key encrypts sensitive fields: a platform certificate (default) or the public key */
  encryptWith?: 'certificate' | 'publicKey';
  http?: HttpCaller;
}

interface SignedHeaders {
  timestamp: string;
  nonce: string;
  signature: string;
  serial: string;
}

type Check = { reason: NotificationRejection; message: string } | null;

function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

function pickSignedHeaders(headers: Record<string, string | undefined>): SignedHeaders | null {
  const timestamp = header(headers, 'Wechatpay-Timestamp');
  const nonce = header(headers, 'Wechatpay-Nonce');
  const signature = header(headers, 'Wechatpay-Signature');
  const serial = header(headers, 'Wechatpay-Serial');
  if (!timestamp || !nonce || !signature || !serial) return null;
  return { timestamp, nonce, signature, serial };
}

const NOT_FOUND_CODES = new Set(['ORDER_NOT_EXIST', 'RESOURCE_NOT_EXISTS', 'NOT_FOUND']);

/** A verified 404 saying WeChat does not know the order or refund. */
function isNotFound(response: HttpResponse): boolean {
  if (response.status !== 404) return false;
  return NOT_FOUND_CODES.has(errorOf(parseJson('wechatpay', response), 404).code);
}

export class HttpWeChatPayGateway implements WeChatPayGateway {
  private readonly http: HttpCaller;
  private readonly merchantKey: KeyObject;
  /** serial (platform certificate serial or PUB_KEY_ID_…) → verifying key */
  private readonly verifiers: ReadonlyMap<string, KeyObject>;
  private readonly encryption: { serial: string; key: KeyObject };
  private readonly ids: MerchantIds;

  constructor(private readonly opts: WeChatPayGatewayOptions) {
    const { keys } = opts;
    this.http = opts.http ?? createHttpCaller('wechatpay');
    this.merchantKey = privateKeyFromPem(keys.merchant.privateKeyPem);
    const verifiers = new Map<string, KeyObject>();
    for (const cert of keys.platformCerts) verifiers.set(cert.serialNo, publicKeyFromPem(cert.certPem));
    verifiers.set(keys.payPublicKey.id, publicKeyFromPem(keys.payPublicKey.publicKeyPem));
    this.verifiers = verifiers;
    const newestCert = keys.platformCerts[keys.platformCerts.length - 1];
    this.encryption =
      opts.encryptWith === 'publicKey' || !newestCert
        ? { serial: keys.payPublicKey.id, key: publicKeyFromPem(keys.payPublicKey.publicKeyPem) }
        : { serial: newestCert.serialNo, key: publicKeyFromPem(newestCert.certPem) };
    this.ids = { appId: keys.appId, mchId: keys.mchId };
  }

  // ───────────────────────────── login ─────────────────────────────

  async code2session(code: string): Promise<{ openid: string }> {
    const { appId, appSecret } = this.opts.keys;
    const query = new URLSearchParams({
      appid: appId,
      secret: appSecret,
      js_code: code,
      grant_type: 'authorization_code',
    });
    const response = await this.http({
      method: 'GET',
      url: `${this.opts.loginBaseUrl ?? this.opts.baseUrl}/sns/jscode2session?${query}`,
      timeoutMs: this.opts.timeoutMs,
      // a code is single-use: a retry after a lost answer would only be refused
      idempotent: false,
    });
    const body = parseJson('wechatpay', response) as
      { openid?: unknown; errcode?: unknown; errmsg?: unknown } | undefined;
    if (typeof body?.openid === 'string' && body.openid !== '') return { openid: body.openid };
    const errcode = typeof body?.errcode === 'number' ? body.errcode : undefined;
    if (errcode === 40029 || errcode === 40163)
      throw new GatewayError('wechatpay', 'rejected', 'invalid or used login code', 'INVALID_CODE');
    if (errcode !== undefined) {
      throw new GatewayError(
        'wechatpay',
        'rejected',
        `jscode2session: ${String(body?.errmsg)}`,
        `ERRCODE_${errcode}`,
      );
    }
    throw new GatewayError(
      'wechatpay',
      'invalid_response',
      `jscode2session answered ${response.status} without openid`,
    );
  }

  // ───────────────────────────── payments ─────────────────────────────

  async createJsapiOrder(order: JsapiOrder): Promise<{ prepayId: string }> {
    const body = toJsapiRequest(order, this.ids, this.opts.notifyUrl);
    const response = await this.call('POST', '/v3/pay/transactions/jsapi', body, true);
    return fromPrepay(this.ok(response));
  }

  payParams(prepayId: string): PayParams {
    const timeStamp = String(Math.floor(this.opts.clock.now() / 1000));
    const nonceStr = randomNonce();
    const pkg = `prepay_id=${prepayId}`;
    const paySign = signSha256Rsa(paySignMessage(this.ids.appId, timeStamp, nonceStr, pkg), this.merchantKey);
    return { appId: this.ids.appId, timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign };
  }

  async createMedInsOrder(order: MedInsOrder): Promise<MedInsOrderState> {
    const body = toMedInsRequest(order, {
      appId: this.ids.appId,
      callbackUrl: this.opts.medInsCallbackUrl,
      encrypt: (plaintext) => rsaOaepEncrypt(plaintext, this.encryption.key),
      idDigest,
    });
    const response = await this.call('POST', '/v3/med-ins/orders', body, true);
    return fromMedInsEntity(this.ok(response), this.ids.appId, { outTradeNo: order.outTradeNo, order });
  }

  async queryTransaction(outTradeNo: string): Promise<TransactionState | null> {
    const path = `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${encodeURIComponent(this.ids.mchId)}`;
    const response = await this.call('GET', path, undefined, true);
    if (isNotFound(response)) return null;
    return fromTransaction(this.ok(response), this.ids, outTradeNo);
  }

  async queryMedInsOrder(outTradeNo: string): Promise<MedInsOrderState | null> {
    const response = await this.call(
      'GET',
      `/v3/med-ins/orders/out-trade-no/${encodeURIComponent(outTradeNo)}`,
      undefined,
      true,
    );
    if (isNotFound(response)) return null;
    return fromMedInsEntity(this.ok(response), this.ids.appId, { outTradeNo });
  }

  async closeTransaction(outTradeNo: string): Promise<void> {
    const path = `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`;
    this.ok(await this.call('POST', path, { mchid: this.ids.mchId }, true));
  }

  // ───────────────────────────── refunds ─────────────────────────────

  async refund(refund: CashRefund): Promise<RefundState> {
    const response = await this.call(
      'POST',
      '/v3/refund/domestic/refunds',
      toRefundRequest(refund, this.opts.notifyUrl),
      true,
    );
    return fromRefund(this.ok(response), { outRefundNo: refund.outRefundNo, sent: refund });
  }

  async queryRefund(outRefundNo: string): Promise<RefundState | null> {
    const response = await this.call(
      'GET',
      `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}`,
      undefined,
      true,
    );
    if (isNotFound(response)) return null;
    return fromRefund(this.ok(response), { outRefundNo });
  }

  async notifyMedInsRefund(notice: MedInsRefundNotice): Promise<void> {
    const path = `/v3/med-ins/refunds/notify?mix_trade_no=${encodeURIComponent(notice.mixTradeNo)}`;
    this.ok(await this.call('POST', path, toMedInsRefundNotice(notice), true));
  }

  // ───────────────────────────── callbacks ─────────────────────────────

  verifyNotification(
    headers: Record<string, string | undefined>,
    rawBody: string,
    nowMs: number,
  ): VerifiedNotification {
    const signed = pickSignedHeaders(headers);
    if (!signed)
      throw new NotificationRejected(
        'MISSING_HEADERS',
        'Wechatpay-Timestamp/Nonce/Signature/Serial required',
      );
    const problem = this.checkSignature(signed, rawBody, nowMs);
    if (problem) throw new NotificationRejected(problem.reason, problem.message);
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      throw new NotificationRejected('BAD_BODY', 'the body is not JSON');
    }
    const envelope = notificationEnvelopeSchema.safeParse(json);
    if (!envelope.success)
      throw new NotificationRejected(
        'BAD_BODY',
        `not a notification envelope: ${envelope.error.issues[0].message}`,
      );
    const { resource } = envelope.data;
    let plaintext: unknown;
    try {
      plaintext = JSON.parse(
        aesGcmDecrypt(
          this.opts.keys.apiV3Key,
          resource.nonce,
          resource.associated_data ?? '',
          resource.ciphertext,
        ),
      );
    } catch {
      throw new NotificationRejected('DECRYPT_FAILED', 'the resource does not decrypt with our APIv3 key');
    }
    const base = { id: envelope.data.id, nonce: signed.nonce, timestampS: Number(signed.timestamp) };
    try {
      return this.toNotification(base, envelope.data.event_type, plaintext);
    } catch (err) {
      if (err instanceof GatewayError) throw new NotificationRejected('BAD_BODY', err.message);
      throw err;
    }
  }

  private toNotification(
    base: { id: string; nonce: string; timestampS: number },
    eventType: VerifiedNotification['eventType'],
    plaintext: unknown,
  ): VerifiedNotification {
    switch (eventType) {
      case 'TRANSACTION.SUCCESS':
        return {
          ...base,
          eventType,
          transaction: fromTransaction(plaintext, this.ids, outTradeNoOf(plaintext)),
        };
      case 'MEDICAL_INSURANCE.SUCCESS':
        return {
          ...base,
          eventType,
          medIns: fromMedInsEntity(plaintext, this.ids.appId, { outTradeNo: outTradeNoOf(plaintext) }),
        };
      case 'REFUND.SUCCESS':
      case 'REFUND.ABNORMAL':
      case 'REFUND.CLOSED':
        return {
          ...base,
          eventType,
          refund: fromRefund(plaintext, { outRefundNo: outRefundNoOf(plaintext), mchId: this.ids.mchId }),
        };
    }
  }

  // ───────────────────────────── signing and verification ─────────────────────────────

  /** probe → skew → serial → signature; null when the message is WeChat's. */
  private checkSignature(signed: SignedHeaders, body: string, nowMs: number): Check {
    if (signed.signature.startsWith(SIGNATURE_PROBE_PREFIX)) {
      return {
        reason: 'SIGNATURE_PROBE',
        message: 'a signature probe from WeChat Pay: answered with an error',
      };
    }
    const timestampS = /^\d{1,12}$/.test(signed.timestamp) ? Number(signed.timestamp) : NaN;
    const skewMs = Math.abs(nowMs - timestampS * 1000);
    if (!(skewMs <= SIGNATURE_SKEW_MAX_MS)) {
      return {
        reason: 'TIMESTAMP_SKEW',
        message: `Wechatpay-Timestamp ${signed.timestamp} is ${Math.round(skewMs / 1000)} s from now`,
      };
    }
    const key = this.verifiers.get(signed.serial);
    if (!key)
      return { reason: 'UNKNOWN_SERIAL', message: `Wechatpay-Serial ${signed.serial} is not a key we trust` };
    if (!verifySha256Rsa(responseMessage(signed.timestamp, signed.nonce, body), signed.signature, key)) {
      return { reason: 'BAD_SIGNATURE', message: `the signature does not verify with ${signed.serial}` };
    }
    return null;
  }

  /** One signed exchange; the answer is verified before anyone reads it (5xx never gets here: http.ts throws). */
  private async call(
    method: HttpRequest['method'],
    path: string,
    body: unknown,
    idempotent: boolean,
  ): Promise<HttpResponse> {
    const url = `${this.opts.baseUrl}${path}`;
    const parsedUrl = new URL(url);
    const bodyText = body === undefined ? '' : JSON.stringify(body);
    const timestampS = Math.floor(this.opts.clock.now() / 1000);
    const nonce = randomNonce();
    const message = requestMessage(
      method,
      `${parsedUrl.pathname}${parsedUrl.search}`,
      timestampS,
      nonce,
      bodyText,
    );
    const authorization = buildAuthorization({
      mchId: this.ids.mchId,
      serialNo: this.opts.keys.merchant.serialNo,
      nonce,
      timestampS,
      signature: signSha256Rsa(message, this.merchantKey),
    });
    const headers: Record<string, string> = {
      Authorization: authorization,
      Accept: 'application/json',
      'User-Agent': 'medins-cardless-pay/0.1 (node)',
      'Wechatpay-Serial': this.encryption.serial,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    };
    const response = await this.http({
      method,
      url,
      headers,
      body: body === undefined ? undefined : bodyText,
      timeoutMs: this.opts.timeoutMs,
      idempotent,
    });
    this.verifyResponse(method, path, response);
    return response;
  }

  private verifyResponse(method: string, path: string, response: HttpResponse): void {
    const signed = pickSignedHeaders(response.headers);
    const problem: Check = signed
      ? this.checkSignature(signed, response.body, this.opts.clock.now())
      : { reason: 'MISSING_HEADERS', message: 'no Wechatpay-* signature headers' };
    if (problem) {
      throw new GatewayError(
        'wechatpay',
        'invalid_response',
        `${method} ${path}: answer not verified: ${problem.reason}: ${problem.message}`,
        undefined,
        response.status,
      );
    }
  }

  /** The JSON of a 2xx answer; a 4xx is a refusal with WeChat's own code. */
  private ok(response: HttpResponse): unknown {
    const body = parseJson('wechatpay', response);
    if (response.status >= 200 && response.status < 300) return body;
    const { code, message } = errorOf(body, response.status);
    throw new GatewayError('wechatpay', 'rejected', message, code, response.status);
  }
}
