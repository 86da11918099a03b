/**
 * The HTTP side of the WeChat Pay adapter (APIv3 basic payment + medical-insurance payment 2.0): every request
 * signed with the merchant key (PROTOCOLS 1.1, body = the exact bytes sent), every answer verified before it is
 * read (headers → clock skew ±300 s → known serial, PUB_KEY_ID_ included → SHA256withRSA), callbacks verified
 * and decrypted the same way. An unknown serial in an answer or a callback makes the platform certificate store
 * download GET /v3/certificates once (a rotation is followed; platformCertificates.ts) before it is refused.
 * The data side is transformers.ts; the signature check is signatures.ts, callbacks are callbacks.ts, and the trade
 * bill file is read by tradeBillDownload.ts (parsed by tradeBill.ts).
 */
import type { ServerKeys } from '../../../shared/keys';
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../../shared/clock';
import {
  buildAuthorization,
  idDigest,
  paySignMessage,
  privateKeyFromPem,
  publicKeyFromPem,
  randomNonce,
  requestMessage,
  rsaOaepEncrypt,
  signSha256Rsa,
} from '../../../shared/crypto/wechatpay';
import { createHttpCaller, parseJson, type HttpCaller, type HttpRequest, type HttpResponse } from '../http';
import {
  GatewayError,
  type CashRefund,
  type JsapiOrder,
  type MedInsOrder,
  type MedInsOrderRef,
  type MedInsOrderState,
  type MedInsRefundNotice,
  type PayParams,
  type RefundState,
  type TradeBillRow,
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
  toJsapiRequest,
  toMedInsRefundNotice,
  toMedInsRequest,
  toRefundRequest,
  type MerchantIds,
} from './transformers';
import { PlatformCertificateStore } from './platformCertificates';
import { fromTradeBillAnswer } from './tradeBill';
import { readTradeBillFile } from './tradeBillDownload';
import { verifyNotification } from './callbacks';
import { SIGNATURE_SKEW_MAX_MS, verifyResponse } from './signatures';

export { SIGNATURE_SKEW_MAX_MS } from './signatures';

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
  /** where trade bills are stored while read (removed afterwards); default os.tmpdir() */
  tempDir?: string;
}

const ALREADY_EXISTS = 'ALREADY_EXISTS';

/** The query path of a med-ins order: by mix_trade_no when we hold it (checklist: 用混合订单号查单). */
function medInsPath(ref: MedInsOrderRef): string {
  return ref.mixTradeNo
    ? `/v3/med-ins/orders/mix-trade-no/${encodeURIComponent(ref.mixTradeNo)}`
    : `/v3/med-ins/orders/out-trade-no/${encodeURIComponent(ref.outTradeNo)}`;
}

function invalidAnswer(message: string): never {
  throw new GatewayError('wechatpay', 'invalid_response', message);
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
  /** serial (platform certificate serial or PUB_KEY_ID_…) → verifying key; follows rotations */
  readonly platformCertificates: PlatformCertificateStore;
  private readonly encryption: { serial: string; key: KeyObject };
  private readonly ids: MerchantIds;

  constructor(private readonly opts: WeChatPayGatewayOptions) {
    const { keys } = opts;
    this.http = opts.http ?? createHttpCaller('wechatpay');
    this.merchantKey = privateKeyFromPem(keys.merchant.privateKeyPem);
    this.platformCertificates = new PlatformCertificateStore({
      apiV3Key: keys.apiV3Key,
      clock: opts.clock,
      configured: keys.platformCerts,
      payPublicKey: keys.payPublicKey,
      skewMaxMs: SIGNATURE_SKEW_MAX_MS,
      // signed like every request; its answer is verified by the store's own trust rule, not by verifyResponse
      // (which would ask the store again for the serial that signed it)
      download: () => this.exchange('GET', '/v3/certificates', undefined, true),
    });
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

  /**
   * Creates the med-ins order. WeChat answers a repeated out_trade_no with 400 ALREADY_EXISTS, even for the same
   * body (a retry after a lost answer, a re-create after UNKNOWN): then the order is asked for by out_trade_no, its
   * amounts checked against ours, and adopted — unless it failed, which stays a refusal (排障手册 268512536).
   */
  async createMedInsOrder(order: MedInsOrder): Promise<MedInsOrderState> {
    const body = toMedInsRequest(order, {
      appId: this.ids.appId,
      callbackUrl: this.opts.medInsCallbackUrl,
      encrypt: (plaintext) => rsaOaepEncrypt(plaintext, this.encryption.key),
      idDigest,
    });
    const response = await this.call('POST', '/v3/med-ins/orders', body, true);
    if (response.status === 400 && errorOf(parseJson('wechatpay', response), 400).code === ALREADY_EXISTS)
      return this.adoptMedInsOrder(order);
    return fromMedInsEntity(this.ok(response), this.ids.appId, { outTradeNo: order.outTradeNo, order });
  }

  private async adoptMedInsOrder(order: MedInsOrder): Promise<MedInsOrderState> {
    const response = await this.call('GET', medInsPath({ outTradeNo: order.outTradeNo }), undefined, true);
    if (isNotFound(response)) {
      throw new GatewayError(
        'wechatpay',
        'invalid_response',
        `med-ins order ${order.outTradeNo}: ALREADY_EXISTS, yet WeChat does not find it`,
      );
    }
    const existing = fromMedInsEntity(this.ok(response), this.ids.appId, {
      outTradeNo: order.outTradeNo,
      order,
    });
    if (existing.mixPayStatus === 'MIX_PAY_FAIL') {
      throw new GatewayError(
        'wechatpay',
        'rejected',
        `med-ins order ${order.outTradeNo} exists and has failed (${existing.medInsPayStatus}/${existing.selfPayStatus})`,
        ALREADY_EXISTS,
        400,
      );
    }
    return existing;
  }

  async queryTransaction(outTradeNo: string): Promise<TransactionState | null> {
    const path = `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${encodeURIComponent(this.ids.mchId)}`;
    const response = await this.call('GET', path, undefined, true);
    if (isNotFound(response)) return null;
    return fromTransaction(this.ok(response), this.ids, outTradeNo);
  }

  async queryMedInsOrder(ref: MedInsOrderRef): Promise<MedInsOrderState | null> {
    const response = await this.call('GET', medInsPath(ref), undefined, true);
    if (isNotFound(response)) return null;
    const state = fromMedInsEntity(this.ok(response), this.ids.appId, { outTradeNo: ref.outTradeNo });
    if (ref.mixTradeNo && state.mixTradeNo !== ref.mixTradeNo)
      invalidAnswer(`asked for mix_trade_no ${ref.mixTradeNo}, got ${state.mixTradeNo}`);
    return state;
  }

  /**
   * Closes a JSAPI order. WeChat knowing no such order (404 ORDER_NOT_EXIST: our create never reached it) is as
   * good as closed: nobody can pay an order WeChat does not have.
   */
  async closeTransaction(outTradeNo: string): Promise<void> {
    const path = `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`;
    const response = await this.call('POST', path, { mchid: this.ids.mchId }, true);
    if (isNotFound(response)) return;
    this.ok(response);
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

  // ───────────────────────────── trade bill ─────────────────────────────

  /**
   * The day's trade bill (ALL, GZIP): the file is downloaded to a temporary file while its SHA1 is computed, and
   * a mismatch throws before any row is yielded; then it is gunzipped and read line by line (nothing grows with
   * the file), and the summary is checked at the end. The temporary file is removed however the reading ends.
   */
  async *tradeBill(date: string): AsyncGenerator<TradeBillRow> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RangeError(`bill date must be yyyy-MM-dd, got ${date}`);
    const query = new URLSearchParams({ bill_date: date, bill_type: 'ALL', tar_type: 'GZIP' });
    const response = await this.call('GET', `/v3/bill/tradebill?${query}`, undefined, true);
    const download = fromTradeBillAnswer(this.ok(response), this.opts.baseUrl);
    yield* readTradeBillFile(download, {
      date,
      tempDir: this.opts.tempDir,
      timeoutMs: this.opts.timeoutMs,
      sign: (url) => this.signedHeaders('GET', url, ''),
    });
  }

  // ───────────────────────────── callbacks ─────────────────────────────

  /**
   * Verifies and decrypts a callback (callbacks.ts). An unknown Wechatpay-Serial first makes the store download the
   * certificate list (at most once a minute), so a callback signed with a certificate WeChat has just rotated to is
   * accepted, and a serial still unknown is UNKNOWN_SERIAL as before.
   */
  verifyNotification(
    headers: Record<string, string | undefined>,
    rawBody: string,
    nowMs: number,
  ): Promise<VerifiedNotification> {
    const ctx = {
      platformCertificates: this.platformCertificates,
      apiV3Key: this.opts.keys.apiV3Key,
      ids: this.ids,
    };
    return verifyNotification(ctx, headers, rawBody, nowMs);
  }

  // ───────────────────────────── signing and verification ─────────────────────────────

  /** The Authorization of one request (PROTOCOLS 1.1): SHA256withRSA over method, path?query, time, nonce, body. */
  private signedHeaders(method: HttpRequest['method'], url: URL, bodyText: string): Record<string, string> {
    const timestampS = Math.floor(this.opts.clock.now() / 1000);
    const nonce = randomNonce();
    const message = requestMessage(method, `${url.pathname}${url.search}`, timestampS, nonce, bodyText);
    const authorization = buildAuthorization({
      mchId: this.ids.mchId,
      serialNo: this.opts.keys.merchant.serialNo,
      nonce,
      timestampS,
      signature: signSha256Rsa(message, this.merchantKey),
    });
    return {
      Authorization: authorization,
      Accept: 'application/json',
      'User-Agent': 'medins-cardless-pay/0.1 (node)',
      'Wechatpay-Serial': this.encryption.serial,
    };
  }

  /** One signed exchange; the answer is verified before anyone reads it (5xx never gets here: http.ts throws). */
  private async call(
    method: HttpRequest['method'],
    path: string,
    body: unknown,
    idempotent: boolean,
  ): Promise<HttpResponse> {
    const response = await this.exchange(method, path, body, idempotent);
    await verifyResponse(this.platformCertificates, this.opts.clock, method, path, response);
    return response;
  }

  /** One signed exchange, its answer not yet verified. */
  private exchange(
    method: HttpRequest['method'],
    path: string,
    body: unknown,
    idempotent: boolean,
  ): Promise<HttpResponse> {
    const url = `${this.opts.baseUrl}${path}`;
    const bodyText = body === undefined ? '' : JSON.stringify(body);
    const headers: Record<string, string> = {
      ...this.signedHeaders(method, new URL(url), bodyText),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    };
    return this.http({
      method,
      url,
      headers,
      body: body === undefined ? undefined : bodyText,
      timeoutMs: this.opts.timeoutMs,
      idempotent,
    });
  }

  /** The JSON of a 2xx answer; a 4xx is a refusal with WeChat's own code. */
  private ok(response: HttpResponse): unknown {
    const body = parseJson('wechatpay', response);
    if (response.status >= 200 && response.status < 300) return body;
    const { code, message } = errorOf(body, response.status);
    throw new GatewayError('wechatpay', 'rejected', message, code, response.status);
  }
}
