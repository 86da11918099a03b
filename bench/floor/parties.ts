/**
 * The floor's outgoing calls: the same requests our gateways send for one flow, built with the same wire builders
 * (the gateways' pure `to*` transformers) and signed / verified with the same crypto (shared/crypto): WeChat Pay
 * APIv3 RSA request signatures and answer verification, RSA-OAEP of the med-ins payer, the callback's signature
 * and AES-256-GCM; the insurance platform's SM2-signed SM4 envelope and x-tif headers; plain JSON to the HIS and
 * the SMS platform. What it leaves out is the logic: no schema parsing of answers (a field is read where it is
 * needed), no retries, no circuit breaker, no certificate rotation. A non-success answer throws.
 */
import type { KeyObject } from 'node:crypto';
import type { ServerKeys } from '../../shared/keys';
import { cstCompact } from '../../shared/clock';
import { mixPayTypeOf, yuanToFen, type Split } from '../../shared/money';
import {
  aesGcmDecrypt,
  buildAuthorization,
  idDigest,
  paySignMessage,
  privateKeyFromPem,
  publicKeyFromPem,
  randomNonce,
  requestMessage,
  rsaOaepEncrypt,
  signSha256Rsa,
} from '../../shared/crypto/wechatpay';
import { openEnvelope, sealEnvelope, tifHeaders, type Sm2UserIds } from '../../shared/crypto/smEnvelope';
import { HIS_PATHS, hisPath } from '../../shared/protocol/his';
import { SMS_PATHS } from '../../shared/protocol/sms';
import { INFNO, INSURANCE_PATHS, ORD_STAS } from '../../shared/protocol/insurance';
import { pickSignedHeaders, signatureSkewMs } from '../../server/gateways/wechatpay/platformCertificates';
import { checkSignatureWith, SIGNATURE_SKEW_MAX_MS } from '../../server/gateways/wechatpay/signatures';
import { toJsapiRequest, toMedInsRequest } from '../../server/gateways/wechatpay/transformers';
import {
  msgidOf,
  standardRequest,
  toPayOrder,
  toPersonInfoInput,
  toQueryOrder,
  toUploadFees,
} from '../../server/gateways/insurance/transformers';
import { toConfirmRequest, toLockRequest, toPatientQuery } from '../../server/gateways/his/transformers';
import type { FeeLine } from '../../server/gateways/ports';

export interface PartyUrls {
  wechatPay: string;
  insurance: string;
  his: string;
  sms: string;
  /** where WeChat sends callbacks: `${PUBLIC_BASE_URL}/api/v1/notify/wechatpay` */
  notifyUrl: string;
}

export interface PartyOptions {
  keys: ServerKeys;
  urls: PartyUrls;
  timeoutMs: number;
  sm2UserIds: Sm2UserIds;
  hospitalName: string;
  hospitalCode: string;
}

interface Answer {
  status: number;
  body: string;
  headers: Headers;
}

/** A JSON object read without a schema: the floor trusts the mocks' shapes. */
type Json = Record<string, unknown>;

async function exchange(
  method: 'GET' | 'POST',
  url: string,
  headers: Record<string, string>,
  body: string | undefined,
  timeoutMs: number,
): Promise<Answer> {
  const response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

function refused(what: string, answer: Answer): Error {
  return new Error(`${what} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
}

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

// ───────────────────────────── WeChat Pay ─────────────────────────────

export interface VerifiedCallback {
  eventType: string;
  outTradeNo: string;
  /** the cash leg's transaction id, when the callback carries it */
  transactionId?: string;
  paidAtMs?: number;
}

export class WeChatPayParty {
  private readonly merchantKey: KeyObject;
  /** serial (platform certificate serial or PUB_KEY_ID_…) → verifying key */
  private readonly verifyKeys = new Map<string, KeyObject>();
  private readonly encryption: { serial: string; key: KeyObject };

  constructor(private readonly opts: PartyOptions) {
    const w = opts.keys.wechat;
    this.merchantKey = privateKeyFromPem(w.merchant.privateKeyPem);
    for (const cert of w.platformCerts)
      this.verifyKeys.set(cert.serialNo.toUpperCase(), publicKeyFromPem(cert.certPem));
    this.verifyKeys.set(w.payPublicKey.id.toUpperCase(), publicKeyFromPem(w.payPublicKey.publicKeyPem));
    const newest = w.platformCerts[w.platformCerts.length - 1];
    this.encryption = newest
      ? { serial: newest.serialNo, key: publicKeyFromPem(newest.certPem) }
      : { serial: w.payPublicKey.id, key: publicKeyFromPem(w.payPublicKey.publicKeyPem) };
  }

  private get ids() {
    return { appId: this.opts.keys.wechat.appId, mchId: this.opts.keys.wechat.mchId };
  }

  async code2session(code: string): Promise<string> {
    const { appId, appSecret } = this.opts.keys.wechat;
    const query = new URLSearchParams({
      appid: appId,
      secret: appSecret,
      js_code: code,
      grant_type: 'authorization_code',
    });
    const url = `${this.opts.urls.wechatPay}/sns/jscode2session?${query}`;
    const answer = await exchange('GET', url, {}, undefined, this.opts.timeoutMs);
    const openid = (JSON.parse(answer.body) as Json).openid;
    if (typeof openid !== 'string') throw refused('jscode2session', answer);
    return openid;
  }

  async createJsapi(o: {
    outTradeNo: string;
    amountFen: number;
    openid: string;
    expireAtMs: number;
    attach: string;
  }): Promise<string> {
    const body = toJsapiRequest(
      { ...o, description: `${this.opts.hospitalName}-门诊缴费` },
      this.ids,
      this.opts.urls.notifyUrl,
    );
    return String((await this.call('POST', '/v3/pay/transactions/jsapi', body)).prepay_id);
  }

  async createMedIns(o: {
    outTradeNo: string;
    openid: string;
    payer: { name: string; idNo: string };
    payOrderId: string;
    payAuthNo: string;
    geoLocation: string;
    cityId: string;
    createdAtMs: number;
    split: Split;
    fundOther: number;
    prepayId?: string;
  }): Promise<string> {
    const body = toMedInsRequest(
      {
        ...o,
        mixPayType: mixPayTypeOf(o.split),
        orderType: 'DIAG_PAY',
        serialNo: o.outTradeNo,
        medInstName: this.opts.hospitalName,
        medInstNo: this.opts.hospitalCode,
      },
      {
        appId: this.ids.appId,
        callbackUrl: this.opts.urls.notifyUrl,
        encrypt: (plaintext) => rsaOaepEncrypt(plaintext, this.encryption.key),
        idDigest,
      },
    );
    return String((await this.call('POST', '/v3/med-ins/orders', body)).mix_trade_no);
  }

  async queryTransaction(outTradeNo: string): Promise<{ tradeState: string; transactionId?: string }> {
    const path = `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${this.ids.mchId}`;
    const answer = await this.call('GET', path, undefined);
    return { tradeState: String(answer.trade_state), transactionId: answer.transaction_id as string };
  }

  payParams(prepayId: string): Record<string, string> {
    const timeStamp = String(Math.floor(Date.now() / 1000));
    const nonceStr = randomNonce();
    const pkg = `prepay_id=${prepayId}`;
    const paySign = signSha256Rsa(paySignMessage(this.ids.appId, timeStamp, nonceStr, pkg), this.merchantKey);
    return { appId: this.ids.appId, timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign };
  }

  /** A callback: signature (skew, serial, SHA256withRSA) over the raw body, then the resource decrypted. */
  openCallback(headers: Record<string, string | undefined>, rawBody: string): VerifiedCallback {
    this.verify(headers, rawBody, 'callback');
    const envelope = JSON.parse(rawBody) as {
      event_type: string;
      resource: { nonce: string; associated_data?: string; ciphertext: string };
    };
    const { resource } = envelope;
    const plain = JSON.parse(
      aesGcmDecrypt(
        this.opts.keys.wechat.apiV3Key,
        resource.nonce,
        resource.associated_data ?? '',
        resource.ciphertext,
      ),
    ) as Json;
    const paidAt = plain.success_time ?? plain.paid_time;
    return {
      eventType: envelope.event_type,
      outTradeNo: String(plain.out_trade_no),
      transactionId: typeof plain.transaction_id === 'string' ? plain.transaction_id : undefined,
      paidAtMs: typeof paidAt === 'string' ? Date.parse(paidAt) : undefined,
    };
  }

  private verify(headers: Record<string, string | undefined>, body: string, what: string): void {
    const signed = pickSignedHeaders(headers);
    if (!signed) throw new Error(`${what}: no Wechatpay-* signature headers`);
    if (!(signatureSkewMs(signed.timestamp, Date.now()) <= SIGNATURE_SKEW_MAX_MS))
      throw new Error(`${what}: Wechatpay-Timestamp ${signed.timestamp} is too far from now`);
    const key = this.verifyKeys.get(signed.serial.toUpperCase());
    if (!key) throw new Error(`${what}: unknown Wechatpay-Serial ${signed.serial}`);
    const problem = checkSignatureWith(signed, body, key);
    if (problem) throw new Error(`${what}: ${problem.message}`);
  }

  /** One signed exchange, its answer verified before it is read. */
  private async call(method: 'GET' | 'POST', path: string, body: unknown): Promise<Json> {
    const url = `${this.opts.urls.wechatPay}${path}`;
    const bodyText = body === undefined ? '' : JSON.stringify(body);
    const timestampS = Math.floor(Date.now() / 1000);
    const nonce = randomNonce();
    const w = this.opts.keys.wechat;
    const authorization = buildAuthorization({
      mchId: w.mchId,
      serialNo: w.merchant.serialNo,
      nonce,
      timestampS,
      signature: signSha256Rsa(requestMessage(method, path, timestampS, nonce, bodyText), this.merchantKey),
    });
    const headers: Record<string, string> = {
      Authorization: authorization,
      Accept: 'application/json',
      'User-Agent': 'medins-cardless-pay/0.1 (node)',
      'Wechatpay-Serial': this.encryption.serial,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    };
    const answer = await exchange(
      method,
      url,
      headers,
      body === undefined ? undefined : bodyText,
      this.opts.timeoutMs,
    );
    const picked: Record<string, string | undefined> = {};
    for (const name of ['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial'])
      picked[name] = answer.headers.get(name) ?? undefined;
    this.verify(picked, answer.body, `${method} ${path}`);
    if (answer.status >= 300) throw refused(`WeChat Pay ${method} ${path}`, answer);
    return JSON.parse(answer.body) as Json;
  }
}

// ───────────────────────────── insurance platform ─────────────────────────────

export interface InsuredIdentity {
  payAuthNo: string;
  idNo: string;
  cityId: string;
  geoLocation: string;
}

export class InsuranceParty {
  private msgSeq = 0;

  constructor(private readonly opts: PartyOptions) {}

  private get keys() {
    return this.opts.keys.insurance;
  }

  async authUserQuery(authCode: string, openid: string): Promise<InsuredIdentity> {
    const body = JSON.stringify({ authCode, openid });
    const a = await this.post(INSURANCE_PATHS.authUserQuery, body, this.tif());
    if (a.code !== 0) throw new Error(`auth user-query refused: ${JSON.stringify(a)}`);
    const at = a.userLongitudeLatitude as { longitude: string; latitude: string };
    return {
      payAuthNo: String(a.payAuthNo),
      idNo: String(a.userCardNo),
      cityId: String(a.cityId),
      geoLocation: `${at.longitude},${at.latitude}`,
    };
  }

  /** 1101 人员信息获取 (standard envelope, x-tif headers). */
  async personInfo(idNo: string, name: string): Promise<{ psnNo: string; insutype: string }> {
    const nowMs = Date.now();
    this.msgSeq = (this.msgSeq + 1) % 10_000;
    const request = standardRequest(INFNO.personInfo, toPersonInfoInput(idNo, name), {
      nowMs,
      msgid: msgidOf(this.keys.orgCodg, cstCompact(nowMs), this.msgSeq),
      admdvs: '360100',
      fixmedinsCode: this.keys.orgCodg,
      fixmedinsName: this.keys.orgCodg,
    });
    const a = await this.post(INSURANCE_PATHS.standard, JSON.stringify(request), this.tif());
    if (a.infcode !== 0) throw new Error(`1101 refused: ${String(a.err_msg)}`);
    const output = a.output as {
      baseinfo: { psn_no: string };
      insuinfo: { insutype: string; psn_insu_stas: string }[];
    };
    const chosen = output.insuinfo.find((i) => i.psn_insu_stas === '1') ?? output.insuinfo[0];
    return { psnNo: output.baseinfo.psn_no, insutype: chosen.insutype };
  }

  /** 6201 费用明细上传. */
  async uploadFees(u: {
    medOrgOrd: string;
    psnNo: string;
    insutype: string;
    payAuthNo: string;
    idNo: string;
    name: string;
    totalFen: number;
    geoLocation: string;
    lines: FeeLine[];
  }): Promise<{ payOrdId: string; payToken: string }> {
    const input = toUploadFees(
      { ...u, accountUsed: true },
      { orgCodg: this.keys.orgCodg, admdvs: '360100', nowMs: Date.now() },
    );
    const out = await this.mobile(INSURANCE_PATHS.uploadFees, input);
    return { payOrdId: String(out.payOrdId), payToken: String(out.payToken) };
  }

  /** 6202 支付下单: the split, and the part of the fund that is not 统筹 (WeChat's med_ins_other_fee). */
  async payOrder(ref: {
    payOrdId: string;
    payToken: string;
    payAuthNo: string;
    medOrgOrd: string;
    idNo: string;
    name: string;
  }): Promise<{ split: Split; fundOther: number }> {
    const out = await this.mobile(
      INSURANCE_PATHS.payOrder,
      toPayOrder({ ...ref, accountUsed: true }, this.keys.orgCodg),
    );
    const split = {
      total: yuanToFen(String(out.feeSumamt)),
      fund: yuanToFen(String(out.fundPay)),
      account: yuanToFen(String(out.psnAcctPay)),
      cash: yuanToFen(String(out.ownPayAmt)),
    };
    const hifp = (out.extData as { preSetl?: { hifp_pay?: string } } | undefined)?.preSetl?.hifp_pay;
    return { split, fundOther: hifp ? split.fund - yuanToFen(hifp) : 0 };
  }

  /** 6301 订单结算查询: the settlement id once settled. */
  async queryOrder(ref: { payOrdId: string; payToken: string; idNo: string; name: string }): Promise<string> {
    const out = await this.mobile(INSURANCE_PATHS.queryOrder, toQueryOrder(ref, this.keys.orgCodg));
    if (out.ordStas !== ORD_STAS.SETTLED) throw new Error(`6301: ordStas ${String(out.ordStas)}`);
    return String(out.setlId);
  }

  private tif(): Record<string, string> {
    return tifHeaders(this.keys.paasId, this.keys.paasToken, Date.now());
  }

  /** A mobile-payment call: the SM envelope sealed with our SM2 key, the answer opened with the platform's. */
  private async mobile(path: string, data: object): Promise<Json> {
    const envelope = sealEnvelope(data, {
      appId: this.keys.appId,
      appSecret: this.keys.appSecret,
      signingKeyPem: this.keys.orgPrivateKeyPem,
      timestampMs: Date.now(),
      sm2UserId: this.opts.sm2UserIds.org,
    });
    const answer = await this.post(path, JSON.stringify(envelope), {});
    if (answer.code !== 0) throw new Error(`${path} refused: ${JSON.stringify(answer).slice(0, 300)}`);
    return openEnvelope(answer, {
      appSecret: this.keys.appSecret,
      verifyKeyPem: this.keys.platformPublicKeyPem,
      expectedAppId: this.keys.appId,
      sm2UserId: this.opts.sm2UserIds.platform,
    }) as Json;
  }

  private async post(path: string, body: string, headers: Record<string, string>): Promise<Json> {
    const url = `${this.opts.urls.insurance}${path}`;
    const answer = await exchange('POST', url, { ...JSON_HEADERS, ...headers }, body, this.opts.timeoutMs);
    if (answer.status >= 300) throw refused(`insurance ${path}`, answer);
    return JSON.parse(answer.body) as Json;
  }
}

// ───────────────────────────── HIS and SMS ─────────────────────────────

interface HisWireBill {
  bill_no: string;
  amount: number;
  dept_name: string;
  doctor_name: string;
  billing_time: string;
  status: string;
  items: {
    item_code: string;
    item_name: string;
    spec?: string;
    price: number;
    qty: number;
    amount: number;
    insurance_class?: string;
  }[];
}

export class HisParty {
  constructor(private readonly opts: PartyOptions) {}

  async findPatient(name: string, idNo: string): Promise<{ hisPatientId: string; phone: string }> {
    const data = await this.send('POST', HIS_PATHS.patientQuery, toPatientQuery(name, idNo));
    return { hisPatientId: String(data.patient_id), phone: String(data.phone) };
  }

  async unpaidBills(hisPatientId: string): Promise<HisWireBill[]> {
    const data = await this.send('GET', hisPath(HIS_PATHS.unpaidBills, { patientId: hisPatientId }));
    return data.bills as HisWireBill[];
  }

  async lockBills(orderNo: string, hisPatientId: string, billNos: string[]): Promise<void> {
    await this.send('POST', HIS_PATHS.lockBills, toLockRequest(orderNo, hisPatientId, billNos));
  }

  async confirmCharge(c: Parameters<typeof toConfirmRequest>[0]): Promise<string> {
    return String((await this.send('POST', HIS_PATHS.confirmCharge, toConfirmRequest(c))).receipt_no);
  }

  async sendText(phone: string, text: string): Promise<void> {
    const url = `${this.opts.urls.sms}${SMS_PATHS.send}`;
    const answer = await exchange(
      'POST',
      url,
      JSON_HEADERS,
      JSON.stringify({ phone, text }),
      this.opts.timeoutMs,
    );
    if (answer.status >= 300) throw refused('SMS', answer);
  }

  private async send(method: 'GET' | 'POST', path: string, body?: object): Promise<Json> {
    const headers: Record<string, string> =
      body === undefined ? { accept: 'application/json' } : JSON_HEADERS;
    const url = `${this.opts.urls.his}${path}`;
    const text = body === undefined ? undefined : JSON.stringify(body);
    const answer = await exchange(method, url, headers, text, this.opts.timeoutMs);
    const envelope = JSON.parse(answer.body) as { code?: string; data?: Json };
    if (envelope.code !== '1' || !envelope.data) throw refused(`HIS ${method} ${path}`, answer);
    return envelope.data;
  }
}

/** The HIS bills as fee lines (what 6201 uploads). */
export function feeLinesOf(bills: HisWireBill[]): FeeLine[] {
  return bills.flatMap((bill) =>
    bill.items.map((item) => ({
      code: item.item_code,
      name: item.item_name,
      spec: item.spec,
      priceFen: item.price,
      qty: item.qty,
      amountFen: item.amount,
      billNo: bill.bill_no,
    })),
  );
}

export interface Parties {
  wechat: WeChatPayParty;
  insurance: InsuranceParty;
  his: HisParty;
}

export function createParties(opts: PartyOptions): Parties {
  return { wechat: new WeChatPayParty(opts), insurance: new InsuranceParty(opts), his: new HisParty(opts) };
}
