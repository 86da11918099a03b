/**
 * Insurance adapter, HTTP side: the national platform's standard infno envelope (1101, 3201, 3202, 9102; x-tif
 * headers) and the mobile-payment SM envelope (6201–6401: sealed with the hospital's SM2 key, answers opened
 * with the platform's public key), plus the authCode exchange. All JSON exchanges go through
 * createHttpCaller('insurance'); the 9102 file download is read as a stream here (the caller buffers whole
 * bodies). The wire ↔ port conversions and integrity checks are in transformers/ (by protocol family).
 */
import type { ServerKeys } from '../../../shared/keys';
import { cstCompact, type Clock } from '../../../shared/clock';
import {
  DEFAULT_SM2_USER_IDS,
  openEnvelope,
  sealEnvelope,
  SmEnvelopeError,
  tifHeaders,
  type Sm2UserIds,
} from '../../../shared/crypto/smEnvelope';
import { DAY_FILE, INFNO, INSURANCE_PATHS, type FileInfo } from '../../../shared/protocol/insurance';
import { createHttpCaller, parseJson, type HttpCaller, type HttpResponse } from '../http';
import {
  GatewayError,
  type FeeUpload,
  type FeeUploadResult,
  type InsuranceDayRecord,
  type InsuranceDayTotals,
  type InsuranceGateway,
  type InsuranceRefund,
  type InsuranceTotalsCheck,
  type InsuredIdentity,
  type InsuredPerson,
  type PreSettlement,
  type SettlementRef,
  type SettlementState,
} from '../ports';
import {
  DayFileReader,
  fromAuthUserQuery,
  fromPayOrder,
  fromPersonInfo,
  fromReconcileDetails,
  fromReconcileTotals,
  fromQueryOrder,
  fromRefund,
  fromRevoke,
  fromUploadFees,
  mobileOutcome,
  msgidOf,
  linesOf,
  standardOutput,
  standardRequestWithInput,
  toFileDownload,
  toPayOrder,
  toPersonInfoInput,
  toQueryOrder,
  toReconcileDetails,
  toReconcileTotals,
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
  /** SM2 user ids: ours to sign, the platform's to verify its answers; default 1234567812345678 for both */
  sm2UserIds?: Sm2UserIds;
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

  /** 3201 对总账 of one day, every insutype. A query: safe to repeat. */
  async checkDayTotals(totals: InsuranceDayTotals): Promise<InsuranceTotalsCheck> {
    const input = toReconcileTotals(totals, this.admdvs);
    return fromReconcileTotals(await this.standard(INFNO.reconcileTotals, input), totals);
  }

  /**
   * 3202 对明细账 of one day, then its file by 9102, read as a stream: a chunk is pulled from the socket only when
   * the consumer wants the next record, so memory stays flat however long the day. The totals line is checked
   * at the end (DayFileReader): on any error the consumer must drop what it read.
   */
  dayRecords(date: string): AsyncIterable<InsuranceDayRecord> {
    const input = toReconcileDetails(date, this.admdvs); // a bad date throws here, not at the first pull
    // each iteration asks for a fresh file
    return { [Symbol.asyncIterator]: () => this.readDay(date, input) };
  }

  private async *readDay(date: string, input: Record<string, unknown>): AsyncGenerator<InsuranceDayRecord> {
    const reader = new DayFileReader(date);
    const info = fromReconcileDetails(await this.standard(INFNO.reconcileDetails, input));
    for await (const line of linesOf(this.download(info), DAY_FILE.lineCharsMax)) {
      const record = reader.read(line);
      if (record) yield record;
    }
    reader.finish();
  }

  private tif(): Record<string, string> {
    return tifHeaders(this.options.keys.paasId, this.options.keys.paasToken, this.options.clock.now());
  }

  /** A standard infno call; queries only (3202 only prepares a file), so safe to repeat. */
  private async standard(infno: string, data: Record<string, unknown>): Promise<unknown> {
    const body = this.standardBody(infno, { data });
    const response = await this.post(INSURANCE_PATHS.standard, body, this.tif(), true);
    return standardOutput(response.status, parseJson('insurance', response), infno);
  }

  private standardBody(infno: string, input: Record<string, unknown>): string {
    const nowMs = this.options.clock.now();
    this.msgSeq = (this.msgSeq + 1) % 10_000;
    const request = standardRequestWithInput(infno, input, {
      nowMs,
      msgid: msgidOf(this.options.keys.orgCodg, cstCompact(nowMs), this.msgSeq),
      admdvs: this.admdvs,
      fixmedinsCode: this.options.keys.orgCodg,
      fixmedinsName: this.options.fixmedinsName ?? this.options.keys.orgCodg,
    });
    return JSON.stringify(request);
  }

  /**
   * 9102: the file's bytes, a chunk per pull. Each wait (for the answer, then for every chunk) is bounded by
   * timeoutMs; time the consumer spends between pulls does not count. Not retried and outside the circuit
   * breaker: a stream half consumed cannot be replayed. A JSON answer is the platform's refusal.
   */
  private async *download(info: FileInfo): AsyncGenerator<Uint8Array> {
    const { timeoutMs } = this.options;
    const url = `${this.baseUrl}${INSURANCE_PATHS.standard}`;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      timer = setTimeout(() => controller.abort(), timeoutMs);
    };
    const disarm = () => clearTimeout(timer);
    let answered = false;
    try {
      arm();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: '*/*', ...this.tif() },
        body: this.standardBody(INFNO.fileDownload, toFileDownload(info, this.options.keys.orgCodg)),
        signal: controller.signal,
      });
      answered = true;
      if (response.status >= 500)
        throw new GatewayError(
          'insurance',
          'unavailable',
          `9102 answered ${response.status}`,
          undefined,
          response.status,
        );
      if (
        /json/i.test(response.headers.get('content-type') ?? '') ||
        response.status !== 200 ||
        !response.body
      ) {
        const text = await response.text();
        disarm();
        const body = { status: response.status, headers: {}, body: text };
        standardOutput(response.status, parseJson('insurance', body), INFNO.fileDownload);
        throw new GatewayError(
          'insurance',
          'invalid_response',
          '9102 answered JSON, not the file',
          'NOT_A_FILE',
          response.status,
        );
      }
      disarm();
      const reader = response.body.getReader();
      for (;;) {
        arm();
        const { done, value } = await reader.read();
        disarm();
        if (done) return;
        yield value;
      }
    } catch (err) {
      throw downloadError(err, url, timeoutMs, answered);
    } finally {
      disarm();
      // releases the socket when the consumer stopped early (a no-op after a complete read)
      controller.abort();
    }
  }

  /**
   * A mobile-payment call. Every one of them is safe to repeat: 6201 by medOrgOrd, 6203 by appRefdSn, the
   * others are queries or idempotent on the platform.
   */
  private async mobile(infno: string, path: string, data: object): Promise<unknown> {
    const { keys, clock, sm2UserIds = DEFAULT_SM2_USER_IDS } = this.options;
    const envelope = sealEnvelope(data, {
      appId: keys.appId,
      appSecret: keys.appSecret,
      signingKeyPem: keys.orgPrivateKeyPem,
      timestampMs: clock.now(),
      sm2UserId: sm2UserIds.org,
    });
    const response = await this.post(path, JSON.stringify(envelope), {}, true);
    const sealed = mobileOutcome(response.status, parseJson('insurance', response), infno);
    try {
      return openEnvelope(sealed, {
        appSecret: keys.appSecret,
        verifyKeyPem: keys.platformPublicKeyPem,
        expectedAppId: keys.appId,
        sm2UserId: sm2UserIds.platform,
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

/** A failure of the 9102 download as a GatewayError (classified as http.ts does). */
function downloadError(err: unknown, url: string, timeoutMs: number, answered: boolean): GatewayError {
  if (err instanceof GatewayError) return err;
  // not `instanceof Error`: fetch's DOMException comes from another realm under jest
  const name = typeof err === 'object' && err !== null && 'name' in err ? String(err.name) : '';
  if (name === 'TimeoutError' || name === 'AbortError')
    return new GatewayError('insurance', 'timeout', `9102 ${url}: nothing for ${timeoutMs} ms`);
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
  const midway = answered || /socket|reset|terminated|other side closed/i.test(cause);
  return new GatewayError('insurance', midway ? 'timeout' : 'unavailable', `9102 ${url} failed: ${cause}`);
}
