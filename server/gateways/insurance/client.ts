/**
 * Insurance adapter, HTTP side: the national platform's standard infno envelope (1101, x-tif headers) and the
 * mobile-payment SM envelope (6201–6401: sealed with the hospital's SM2 key, answers opened with the
 * platform's public key), plus the authCode exchange. All HTTP goes through createHttpCaller('insurance');
 * the wire ↔ port conversions and integrity checks are in transformers.ts.
 */
import type { ServerKeys } from '../../../shared/keys';
import { cstCompact, type Clock } from '../../../shared/clock';
import { openEnvelope, sealEnvelope, SmEnvelopeError, tifHeaders } from '../../../shared/crypto/smEnvelope';
import { INFNO, INSURANCE_PATHS } from '../../../shared/protocol/insurance';
import { createHttpCaller, parseJson, type HttpCaller, type HttpResponse } from '../http';
import {
  GatewayError,
  type FeeUpload,
  type FeeUploadResult,
  type InsuranceGateway,
  type InsuranceRefund,
  type InsuredIdentity,
  type InsuredPerson,
  type PreSettlement,
  type SettlementRef,
  type SettlementState,
} from '../ports';
import {
  fromAuthUserQuery,
  fromPayOrder,
  fromPersonInfo,
  fromQueryOrder,
  fromRefund,
  fromRevoke,
  fromUploadFees,
  mobileOutcome,
  msgidOf,
  standardOutput,
  standardRequest,
  toPayOrder,
  toPersonInfoInput,
  toQueryOrder,
  toRefund,
  toRevoke,
  toUploadFees,
  type PreSettleRef,
} from './transformers';

/** What the hospital holds for the insurance platform. */
export type InsuranceKeys = ServerKeys['insurance'];

export interface HttpInsuranceGatewayOptions {
  baseUrl: string;
  keys: InsuranceKeys;
  timeoutMs: number;
  clock: Clock;
  /** 就医地 admdvs (mdtrtarea_admvs); default 360100 */
  admdvs?: string;
  fixmedinsName?: string;
}

const DEFAULT_ADMDVS = '360100';

export class HttpInsuranceGateway implements InsuranceGateway {
  private readonly http: HttpCaller = createHttpCaller('insurance');
  private readonly baseUrl: string;
  private readonly admdvs: string;
  private msgSeq = 0;

  constructor(private readonly options: HttpInsuranceGatewayOptions) {
    if (!Number.isInteger(options.timeoutMs) || options.timeoutMs <= 0)
      throw new RangeError(`timeoutMs must be a positive integer, got ${options.timeoutMs}`);
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.admdvs = options.admdvs ?? DEFAULT_ADMDVS;
  }

  async exchangeAuthCode(authCode: string, openid: string): Promise<InsuredIdentity> {
    // an authCode is single-use at Tencent: not safe to repeat
    const response = await this.post(
      INSURANCE_PATHS.authUserQuery,
      JSON.stringify({ authCode, openid }),
      this.tif(),
      false,
    );
    return fromAuthUserQuery(response.status, parseJson('insurance', response));
  }

  async queryPerson(idNo: string, name: string): Promise<InsuredPerson> {
    return fromPersonInfo(await this.standard(INFNO.personInfo, toPersonInfoInput(idNo, name)));
  }

  async uploadFees(upload: FeeUpload): Promise<FeeUploadResult> {
    const input = toUploadFees(upload, {
      orgCodg: this.options.keys.orgCodg,
      admdvs: this.admdvs,
      nowMs: this.options.clock.now(),
    });
    return fromUploadFees(await this.mobile(INFNO.uploadFees, INSURANCE_PATHS.uploadFees, input));
  }

  async preSettle(ref: PreSettleRef): Promise<PreSettlement> {
    const data = await this.mobile(
      INFNO.payOrder,
      INSURANCE_PATHS.payOrder,
      toPayOrder(ref, this.options.keys.orgCodg),
    );
    return fromPayOrder(data, { payOrdId: ref.payOrdId, totalFen: ref.totalFen });
  }

  async querySettlement(ref: SettlementRef): Promise<SettlementState> {
    const data = await this.mobile(
      INFNO.queryOrder,
      INSURANCE_PATHS.queryOrder,
      toQueryOrder(ref, this.options.keys.orgCodg),
    );
    return fromQueryOrder(data, { payOrdId: ref.payOrdId });
  }

  async revokeUpload(ref: SettlementRef): Promise<void> {
    fromRevoke(
      await this.mobile(
        INFNO.revokeOrder,
        INSURANCE_PATHS.revokeOrder,
        toRevoke(ref, this.options.keys.orgCodg),
      ),
    );
  }

  async refund(refund: InsuranceRefund): Promise<{ status: 'SUCCEEDED' | 'FAILED' | 'PROCESSING' }> {
    const input = toRefund(refund, cstCompact(refund.requestedAtMs));
    return fromRefund(await this.mobile(INFNO.refundOrder, INSURANCE_PATHS.refundOrder, input), input);
  }

  private tif(): Record<string, string> {
    return tifHeaders(this.options.keys.paasId, this.options.keys.paasToken, this.options.clock.now());
  }

  /** A standard infno call; queries only, so safe to repeat. */
  private async standard(infno: string, data: Record<string, unknown>): Promise<unknown> {
    const nowMs = this.options.clock.now();
    this.msgSeq = (this.msgSeq + 1) % 10_000;
    const request = standardRequest(infno, data, {
      nowMs,
      msgid: msgidOf(this.options.keys.orgCodg, cstCompact(nowMs), this.msgSeq),
      admdvs: this.admdvs,
      fixmedinsCode: this.options.keys.orgCodg,
      fixmedinsName: this.options.fixmedinsName ?? this.options.keys.orgCodg,
    });
    const response = await this.post(INSURANCE_PATHS.standard, JSON.stringify(request), this.tif(), true);
    return standardOutput(response.status, parseJson('insurance', response), infno);
  }

  /**
   * A mobile-payment call. Every one of them is safe to repeat: 6201 by medOrgOrd, 6203 by appRefdSn, the
   * others are queries or idempotent on the platform.
   */
  private async mobile(infno: string, path: string, data: object): Promise<unknown> {
    const { keys, clock } = this.options;
    const envelope = sealEnvelope(data, {
      appId: keys.appId,
      appSecret: keys.appSecret,
      signingKeyPem: keys.orgPrivateKeyPem,
      timestampMs: clock.now(),
    });
    const response = await this.post(path, JSON.stringify(envelope), {}, true);
    const sealed = mobileOutcome(response.status, parseJson('insurance', response), infno);
    try {
      return openEnvelope(sealed, {
        appSecret: keys.appSecret,
        verifyKeyPem: keys.platformPublicKeyPem,
        expectedAppId: keys.appId,
      });
    } catch (err) {
      if (err instanceof SmEnvelopeError)
        throw new GatewayError(
          'insurance',
          'invalid_response',
          `${infno} answer: ${err.message}`,
          err.code,
          response.status,
        );
      throw err;
    }
  }

  private post(
    path: string,
    body: string,
    headers: Record<string, string>,
    idempotent: boolean,
  ): Promise<HttpResponse> {
    return this.http({
      method: 'POST',
      url: `${this.baseUrl}${path}`,
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body,
      timeoutMs: this.options.timeoutMs,
      idempotent,
    });
  }
}
