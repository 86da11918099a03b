/**
 * The HTTP side of the WeChat Pay adapter (APIv3 basic payment + medical-insurance payment 2.0): every request
 * signed with the merchant key (PROTOCOLS 1.1, body = the exact bytes sent), every answer verified before it is
 * read (headers → clock skew ±300 s → known serial, PUB_KEY_ID_ included → SHA256withRSA), callbacks verified
 * and decrypted the same way. An unknown serial in an answer or a callback makes the platform certificate store
 * download GET /v3/certificates once (a rotation is followed; platformCertificates.ts) before it is refused.
 * The data side is transformers.ts.
 */
import type { ServerKeys } from '../../../shared/keys';
import { createHash, type KeyObject } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform, pipeline } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createGunzip } from 'node:zlib';
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
  verifySha256Rsa,
} from '../../../shared/crypto/wechatpay';
import { createHttpCaller, parseJson, type HttpCaller, type HttpRequest, type HttpResponse } from '../http';
import {
  GatewayError,
  NotificationRejected,
  type CashRefund,
  type JsapiOrder,
  type MedInsOrder,
  type MedInsOrderRef,
  type MedInsOrderState,
  type MedInsRefundNotice,
  type NotificationRejection,
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
  notificationEnvelopeSchema,
  outRefundNoOf,
  outTradeNoOf,
  toJsapiRequest,
  toMedInsRefundNotice,
  toMedInsRequest,
  toRefundRequest,
  type MerchantIds,
} from './transformers';
import {
  describeRefresh,
  pickSignedHeaders,
  PlatformCertificateStore,
  signatureSkewMs,
  type SignedHeaders,
} from './platformCertificates';
import { fromTradeBillAnswer, TradeBillReader, type TradeBillDownload } from './tradeBill';

/** Clock skew accepted on answers and callbacks (the official SDK's 5 min). */
export const SIGNATURE_SKEW_MAX_MS = 300_000;

/** The bill download may take this many outside-call timeouts (a day's file is megabytes, not a JSON answer). */
export const TRADE_BILL_DOWNLOAD_TIMEOUT_FACTOR = 10;
/** A bill file larger than this (as downloaded, gzipped) is refused rather than stored. */
export const TRADE_BILL_DOWNLOAD_BYTES_MAX = 512 * 1024 * 1024;
/** A bill line longer than this is refused: a line is held in memory whole. */
export const TRADE_BILL_LINE_BYTES_MAX = 64 * 1024;

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

type Check = { reason: NotificationRejection; message: string } | null;

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
    const dir = await mkdtemp(join(this.opts.tempDir ?? tmpdir(), 'wechatpay-tradebill-'));
    try {
      const file = join(dir, `${date}.csv.gz`);
      await this.downloadBill(download, file);
      const reader = new TradeBillReader();
      for await (const line of gunzippedLines(file)) {
        const row = reader.line(line);
        if (row) yield row;
      }
      reader.end();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** A signed GET of download_url (its answer is unsigned) streamed to `file`; throws unless the SHA1 agrees. */
  private async downloadBill(download: TradeBillDownload, file: string): Promise<void> {
    const what = `GET ${download.downloadUrl.pathname}`;
    const timeoutMs = this.opts.timeoutMs * TRADE_BILL_DOWNLOAD_TIMEOUT_FACTOR;
    const headers = { ...this.signedHeaders('GET', download.downloadUrl, ''), Accept: '*/*' };
    const sha1 = createHash('sha1');
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > TRADE_BILL_DOWNLOAD_BYTES_MAX) {
          done(
            new GatewayError(
              'wechatpay',
              'invalid_response',
              `${what}: the bill is larger than ${TRADE_BILL_DOWNLOAD_BYTES_MAX} bytes`,
            ),
          );
          return;
        }
        sha1.update(chunk);
        done(null, chunk);
      },
    });
    try {
      // no redirects: the signed request goes to the URL WeChat named, on the origin we called, or nowhere
      const response = await fetch(download.downloadUrl, {
        headers,
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (response.status !== 200 || !response.body) {
        const text = (await response.text()).slice(0, 500);
        throw downloadRefusal(what, response.status, text);
      }
      await pipelineAsync(
        Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
        meter,
        createWriteStream(file, { flags: 'wx', mode: 0o600 }),
      );
    } catch (err) {
      throw downloadFailure(what, timeoutMs, err);
    }
    const actual = sha1.digest('hex');
    if (actual !== download.sha1Hex) {
      throw new GatewayError(
        'wechatpay',
        'invalid_response',
        `${what}: SHA1 of the ${bytes} bytes downloaded is ${actual}, WeChat said ${download.sha1Hex}`,
      );
    }
  }

  // ───────────────────────────── callbacks ─────────────────────────────

  /**
   * Verifies and decrypts a callback. An unknown Wechatpay-Serial first makes the store download the certificate
   * list (at most once a minute), so a callback signed with a certificate WeChat has just rotated to is accepted,
   * and a serial still unknown is UNKNOWN_SERIAL as before.
   */
  async verifyNotification(
    headers: Record<string, string | undefined>,
    rawBody: string,
    nowMs: number,
  ): Promise<VerifiedNotification> {
    const signed = signedHeadersOf(headers);
    let problem = this.checkSignature(signed, rawBody, nowMs);
    if (problem?.reason === 'UNKNOWN_SERIAL') {
      const { key, outcome } = await this.platformCertificates.keyFollowingRotation(signed.serial);
      problem = key
        ? this.checkSignatureWith(signed, rawBody, key)
        : unknownSerial(signed.serial, describeRefresh(outcome));
    }
    if (problem) throw new NotificationRejected(problem.reason, problem.message);
    return this.openNotification(signed, rawBody);
  }

  /** The body of a callback whose signature verified: the envelope parsed and its resource decrypted. */
  private openNotification(signed: SignedHeaders, rawBody: string): VerifiedNotification {
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

  /**
   * skew → serial → signature, with the keys held now; null when the message is WeChat's. A signature probe
   * (`WECHATPAY/SIGNTEST/…`) gets no special case (checklist radar 4): it fails here like any bad signature.
   */
  private checkSignature(signed: SignedHeaders, body: string, nowMs: number): Check {
    const skewMs = signatureSkewMs(signed.timestamp, nowMs);
    if (!(skewMs <= SIGNATURE_SKEW_MAX_MS)) {
      return {
        reason: 'TIMESTAMP_SKEW',
        message: `Wechatpay-Timestamp ${signed.timestamp} is ${Math.round(skewMs / 1000)} s from now`,
      };
    }
    const key = this.platformCertificates.key(signed.serial, nowMs);
    if (!key) return unknownSerial(signed.serial);
    return this.checkSignatureWith(signed, body, key);
  }

  private checkSignatureWith(signed: SignedHeaders, body: string, key: KeyObject): Check {
    if (!verifySha256Rsa(responseMessage(signed.timestamp, signed.nonce, body), signed.signature, key)) {
      return { reason: 'BAD_SIGNATURE', message: `the signature does not verify with ${signed.serial}` };
    }
    return null;
  }

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
    await this.verifyResponse(method, path, response);
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

  /**
   * An answer signed with a serial we do not know is checked again after the store has followed a rotation.
   */
  private async verifyResponse(method: string, path: string, response: HttpResponse): Promise<void> {
    const signed = pickSignedHeaders(response.headers);
    // WeChat's gateway may refuse without signing (e.g. 401 SIGN_ERROR): an unsigned 4xx is read as the refusal
    // it says it is — it moves no money — while every 2xx, and every signed answer, is verified
    if (!signed && response.status >= 400 && response.status < 500) return;
    let problem: Check = signed
      ? this.checkSignature(signed, response.body, this.opts.clock.now())
      : { reason: 'MISSING_HEADERS', message: 'no Wechatpay-* signature headers' };
    if (signed && problem?.reason === 'UNKNOWN_SERIAL') {
      const { key, outcome } = await this.platformCertificates.keyFollowingRotation(signed.serial);
      problem = key
        ? this.checkSignatureWith(signed, response.body, key)
        : unknownSerial(signed.serial, describeRefresh(outcome));
    }
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

function signedHeadersOf(headers: Record<string, string | undefined>): SignedHeaders {
  const signed = pickSignedHeaders(headers);
  if (!signed)
    throw new NotificationRejected('MISSING_HEADERS', 'Wechatpay-Timestamp/Nonce/Signature/Serial required');
  return signed;
}

function unknownSerial(serial: string, afterRefresh?: string): Check {
  const message = `Wechatpay-Serial ${serial} is not a key we trust`;
  return { reason: 'UNKNOWN_SERIAL', message: afterRefresh ? `${message}: ${afterRefresh}` : message };
}

/** A non-200 answer to the download: 4xx → rejected with WeChat's code, else unavailable. */
function downloadRefusal(what: string, status: number, text: string): GatewayError {
  if (status >= 400 && status < 500) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const { code, message } = errorOf(body, status);
    return new GatewayError('wechatpay', 'rejected', `${what}: ${message}`, code, status);
  }
  return new GatewayError('wechatpay', 'unavailable', `${what} answered ${status}`, undefined, status);
}

/** Any failure of the download, as a GatewayError (a refusal or a bad file keeps its own). */
function downloadFailure(what: string, timeoutMs: number, err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  // not `instanceof Error`: fetch's DOMException comes from another realm under jest
  const name = typeof err === 'object' && err !== null && 'name' in err ? String(err.name) : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new GatewayError('wechatpay', 'timeout', `${what} timed out after ${timeoutMs} ms`);
  }
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
  return new GatewayError('wechatpay', 'unavailable', `${what} failed: ${cause}`);
}

/**
 * The lines of a gzipped file, read as a stream: split on LF bytes (never inside a UTF-8 sequence), each line
 * decoded strictly. A corrupt gzip, bad UTF-8 or an endless line is invalid_response.
 */
async function* gunzippedLines(file: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const gunzip = pipeline(createReadStream(file), createGunzip(), () => undefined);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let lineNo = 0;
  const decode = (bytes: Uint8Array): string => {
    lineNo++;
    if (bytes.length > TRADE_BILL_LINE_BYTES_MAX) {
      throw new GatewayError(
        'wechatpay',
        'invalid_response',
        `trade bill: line ${lineNo}: longer than ${TRADE_BILL_LINE_BYTES_MAX} bytes`,
      );
    }
    try {
      return decoder.decode(bytes);
    } catch {
      throw new GatewayError('wechatpay', 'invalid_response', `trade bill: line ${lineNo}: not UTF-8`);
    }
  };
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      let start = 0;
      for (let lf = chunk.indexOf(0x0a); lf !== -1; lf = chunk.indexOf(0x0a, start)) {
        const piece = chunk.subarray(start, lf);
        const line = pendingBytes === 0 ? piece : Buffer.concat([...pending, piece]);
        pending = [];
        pendingBytes = 0;
        start = lf + 1;
        yield decode(line);
      }
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
        if (pendingBytes > TRADE_BILL_LINE_BYTES_MAX) decode(Buffer.concat(pending));
      }
    }
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw new GatewayError(
      'wechatpay',
      'invalid_response',
      `trade bill: the file does not gunzip: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (pendingBytes > 0) yield decode(Buffer.concat(pending));
}
