/**
 * Insurance adapter, data side (pure): our port types ↔ the platform's wire (shared/protocol/insurance),
 * yuan ↔ fen, status and error mapping, and integrity checks of what comes back against what was sent
 * (order numbers, split sums, totals, refund amounts). Any answer that breaks them is invalid_response.
 */
import type { z } from 'zod';
import { cstDateTime } from '../../../shared/clock';
import { fenToYuan, isValidSplit, yuanToFen, assertSplit, type Split } from '../../../shared/money';
import {
  authUserQueryOutputSchema,
  mobileErrorName,
  mobileResponseSchema,
  ordStasSchema,
  payOrderOutputSchema,
  personInfoOutputSchema,
  psnInsuStasSchema,
  queryOrderOutputSchema,
  refundOutputSchema,
  revokeOutputSchema,
  standardResponseSchema,
  uploadFeesOutputSchema,
  type OrdStas,
  type PayOrderInput,
  type PersonInfoInput,
  type PsnInsuStas,
  type QueryOrderInput,
  type RefundInput,
  type RevokeInput,
  type StandardRequest,
  type UploadFeesInput,
} from '../../../shared/protocol/insurance';
import {
  GatewayError,
  type FeeUpload,
  type FeeUploadResult,
  type InsuranceRefund,
  type InsuredIdentity,
  type InsuredPerson,
  type InsuredStatus,
  type PreSettlement,
  type SettlementRef,
  type SettlementState,
  type SettlementStatus,
} from '../ports';

const invalid = (message: string, partyCode?: string, httpStatus?: number) =>
  new GatewayError('insurance', 'invalid_response', message, partyCode, httpStatus);
const rejected = (message: string, partyCode: string, httpStatus?: number) =>
  new GatewayError('insurance', 'rejected', message, partyCode, httpStatus);

/** Parses an answer with its schema; a mismatch is invalid_response naming the first bad field. */
export function parseAnswer<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const result = schema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw invalid(`${what}: unexpected answer at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data;
}

function fen(yuan: string, what: string): number {
  try {
    return yuanToFen(yuan);
  } catch {
    throw invalid(`${what}: not a yuan amount: ${JSON.stringify(yuan)}`);
  }
}

/** The legs of an answer as a split; legs that do not sum to the total are invalid_response. */
export function splitFromWire(
  yuan: { total: string; fund: string; account: string; cash: string },
  what: string,
): Split {
  const split = {
    total: fen(yuan.total, what),
    fund: fen(yuan.fund, what),
    account: fen(yuan.account, what),
    cash: fen(yuan.cash, what),
  };
  if (!isValidSplit(split)) {
    throw invalid(
      `${what}: split does not add up: total ${split.total} ≠ fund ${split.fund} + account ${split.account} + cash ${split.cash}`,
      'SPLIT_MISMATCH',
    );
  }
  return split;
}

/** yyyyMMddHHmmss in China Standard Time → ms; undefined for "" or a malformed value. */
export function parseCstCompact(value: string | undefined): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value ?? '');
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s) - 8 * 3600_000;
}

// ───────────────────────────── status mapping (exhaustive, no default) ─────────────────────────────

export function settlementStatusOf(ordStas: OrdStas): SettlementStatus {
  switch (ordStas) {
    case '0':
      return 'UPLOADED';
    case '1':
      return 'PRESETTLED';
    case '4':
    case '6': // partly refunded: still settled
      return 'SETTLED';
    case '7':
      return 'REFUNDED';
    case '9':
      return 'REVOKED';
    case '14':
      return 'FAILED';
  }
}

export function insuredStatusOf(stas: PsnInsuStas): InsuredStatus {
  switch (stas) {
    case '1':
      return 'ACTIVE';
    case '2':
    case '4': // terminated: as ineligible as suspended
      return 'SUSPENDED';
    case '3':
      return 'ARREARS';
    case '5':
      return 'OUT_OF_AREA';
  }
}

export function refundStatusOf(refStatus: 'SUCC' | 'FAIL' | 'EXP'): 'SUCCEEDED' | 'FAILED' | 'PROCESSING' {
  switch (refStatus) {
    case 'SUCC':
      return 'SUCCEEDED';
    case 'FAIL':
      return 'FAILED';
    case 'EXP': // abnormal: the outcome is not final; query again
      return 'PROCESSING';
  }
}

function ordStasOf(value: string, what: string): OrdStas {
  const parsed = ordStasSchema.safeParse(value);
  if (!parsed.success) throw invalid(`${what}: unknown ordStas ${JSON.stringify(value)}`, 'UNKNOWN_ORD_STAS');
  return parsed.data;
}

// ───────────────────────────── standard envelope (1101) ─────────────────────────────

export interface StandardContext {
  nowMs: number;
  /** fixmedins_code(12) + yyyyMMddHHmmss + 4-digit sequence */
  msgid: string;
  admdvs: string;
  fixmedinsCode: string;
  fixmedinsName: string;
}

export function msgidOf(fixmedinsCode: string, compactTime: string, seq: number): string {
  return `${fixmedinsCode}${compactTime}${String(seq % 10_000).padStart(4, '0')}`;
}

export function standardRequest(
  infno: string,
  data: Record<string, unknown>,
  ctx: StandardContext,
): StandardRequest {
  return {
    infno,
    msgid: ctx.msgid,
    mdtrtarea_admvs: ctx.admdvs,
    insuplc_admdvs: '',
    recer_sys_code: 'FSI_LOCAL',
    dev_no: '',
    dev_safe_info: '',
    cainfo: '',
    signtype: 'SM2',
    infver: 'V1.0',
    opter_type: '3',
    opter: 'MINIAPP',
    opter_name: '小程序',
    inf_time: cstDateTime(ctx.nowMs),
    fixmedins_code: ctx.fixmedinsCode,
    fixmedins_name: ctx.fixmedinsName,
    sign_no: '',
    input: { data },
  };
}

/** err_msg is free text (no national code table): the few we act on, recognised by their words. */
const ERR_MSG_CODES: readonly [RegExp, string][] = [
  [/未查询到.*人员|人员.*不存在|无参保信息/, 'PERSON_NOT_FOUND'],
  [/鉴权|签名/, 'TIF_AUTH_FAILED'],
];

export function standardErrorCode(errMsg: string): string {
  return ERR_MSG_CODES.find(([pattern]) => pattern.test(errMsg))?.[1] ?? 'INFCODE_-1';
}

/** The output of a standard answer; infcode ≠ 0 is rejected with a code recognised from err_msg. */
export function standardOutput(httpStatus: number, body: unknown, infno: string): unknown {
  const parsed = standardResponseSchema.safeParse(body);
  if (!parsed.success) {
    if (httpStatus >= 400) throw rejected(`${infno}: HTTP ${httpStatus}`, `HTTP_${httpStatus}`, httpStatus);
    throw invalid(`${infno}: not a standard answer`);
  }
  const { infcode, err_msg } = parsed.data;
  if (infcode !== 0) {
    const message = err_msg ?? '';
    throw rejected(
      `${infno} infcode ${infcode}: ${message}`,
      httpStatus === 401 ? 'TIF_AUTH_FAILED' : standardErrorCode(message),
      httpStatus,
    );
  }
  if (httpStatus >= 300) throw invalid(`${infno}: infcode 0 with HTTP ${httpStatus}`, undefined, httpStatus);
  return parsed.data.output;
}

/** 1101 by ID card (mdtrt_cert_type 02). */
export function toPersonInfoInput(idNo: string, name: string): PersonInfoInput {
  return {
    mdtrt_cert_type: '02',
    mdtrt_cert_no: idNo,
    card_sn: '',
    begntime: '',
    psn_cert_type: '01',
    certno: idNo,
    psn_name: name,
  };
}

/** 1101 output → the insured person; the first active insurance wins, else the first listed. */
export function fromPersonInfo(output: unknown): InsuredPerson {
  const info = parseAnswer(personInfoOutputSchema, output, '1101');
  const chosen = info.insuinfo.find((i) => i.psn_insu_stas === '1') ?? info.insuinfo[0];
  if (!chosen) throw rejected('1101: the person has no insurance record', 'PERSON_NOT_INSURED');
  const stas = psnInsuStasSchema.safeParse(chosen.psn_insu_stas);
  if (!stas.success)
    throw invalid(
      `1101: unknown psn_insu_stas ${JSON.stringify(chosen.psn_insu_stas)}`,
      'UNKNOWN_PSN_INSU_STAS',
    );
  return {
    psnNo: info.baseinfo.psn_no,
    name: info.baseinfo.psn_name,
    insutype: chosen.insutype,
    status: insuredStatusOf(stas.data),
    accountBalanceFen: fen(chosen.balc, '1101 balc'),
    insuplcAdmdvs: chosen.insuplc_admdvs,
  };
}

// ───────────────────────────── auth-code exchange ─────────────────────────────

/** Outer body of a mobile-payment or auth answer: code 0 passes, anything else is rejected with its name. */
export function mobileOutcome(httpStatus: number, body: unknown, what: string): unknown {
  const parsed = mobileResponseSchema.safeParse(body);
  if (!parsed.success) {
    if (httpStatus >= 400) throw rejected(`${what}: HTTP ${httpStatus}`, `HTTP_${httpStatus}`, httpStatus);
    throw invalid(`${what}: answer has no numeric code`);
  }
  if (parsed.data.code !== 0) {
    throw rejected(
      `${what}: ${parsed.data.message ?? ''} (code ${parsed.data.code})`,
      mobileErrorName(parsed.data.code),
      httpStatus,
    );
  }
  if (httpStatus >= 300) throw invalid(`${what}: code 0 with HTTP ${httpStatus}`, undefined, httpStatus);
  return body;
}

export function fromAuthUserQuery(httpStatus: number, body: unknown): InsuredIdentity {
  const answer = parseAnswer(
    authUserQueryOutputSchema,
    mobileOutcome(httpStatus, body, 'auth user-query'),
    'auth user-query',
  );
  const { longitude, latitude } = answer.userLongitudeLatitude;
  return {
    payAuthNo: answer.payAuthNo,
    name: answer.userName,
    idNo: answer.userCardNo,
    cityId: answer.cityId,
    geoLocation: `${String(longitude)},${String(latitude)}`,
  };
}

// ───────────────────────────── 6201 ─────────────────────────────

export interface MobileContext {
  orgCodg: string;
  admdvs: string;
  nowMs: number;
}

export function toUploadFees(upload: FeeUpload, ctx: MobileContext): UploadFeesInput {
  const linesTotal = upload.lines.reduce((sum, line) => sum + line.amountFen, 0);
  if (linesTotal !== upload.totalFen)
    throw new RangeError(`fee lines sum to ${linesTotal} fen, upload total is ${upload.totalFen}`);
  const now = cstDateTime(ctx.nowMs);
  return {
    orgCodg: ctx.orgCodg,
    psnNo: upload.psnNo,
    insutype: upload.insutype,
    medOrgOrd: upload.medOrgOrd,
    initRxOrd: upload.medOrgOrd,
    rxCircFlag: '0',
    begntime: now,
    idNo: upload.idNo,
    userName: upload.name,
    idType: '01',
    payAuthNo: upload.payAuthNo,
    insuCode: ctx.admdvs,
    iptOtpNo: upload.medOrgOrd,
    medType: '11',
    medfeeSumamt: fenToYuan(upload.totalFen),
    acctUsedFlag: upload.accountUsed ? '1' : '0',
    psnSetlway: '01',
    chrgBchno: upload.medOrgOrd,
    uldLatlnt: upload.geoLocation,
    mdtrtCertType: '01',
    feedetailList: upload.lines.map((line, i) => ({
      feedetlSn: String(i + 1).padStart(4, '0'),
      rxno: line.billNo,
      feeOcurTime: now,
      medListCodg: line.code,
      medinsListCodg: line.code,
      medinsListName: line.name.slice(0, 200),
      detItemFeeSumamt: fenToYuan(line.amountFen),
      cnt: String(line.qty),
      pric: fenToYuan(line.priceFen),
    })),
  };
}

export function fromUploadFees(data: unknown): FeeUploadResult {
  const out = parseAnswer(uploadFeesOutputSchema, data, '6201');
  return { payOrdId: out.payOrdId, payToken: out.payToken };
}

// ───────────────────────────── 6202 ─────────────────────────────

export type PreSettleRef = SettlementRef & {
  payAuthNo: string;
  medOrgOrd: string;
  accountUsed: boolean;
  totalFen?: number;
};

export function toPayOrder(ref: PreSettleRef, orgCodg: string): PayOrderInput {
  return {
    payAuthNo: ref.payAuthNo,
    payOrdId: ref.payOrdId,
    payToken: ref.payToken,
    orgCodg,
    orgBizSer: ref.medOrgOrd,
    chrgBchno: ref.medOrgOrd,
    acctUsedFlag: ref.accountUsed ? '1' : '0',
  };
}

export function fromPayOrder(data: unknown, sent: { payOrdId: string; totalFen?: number }): PreSettlement {
  const out = parseAnswer(payOrderOutputSchema, data, '6202');
  if (out.payOrdId !== sent.payOrdId)
    throw invalid(`6202 answered for ${out.payOrdId}, asked ${sent.payOrdId}`, 'PAY_ORD_ID_MISMATCH');
  const status = settlementStatusOf(ordStasOf(out.ordStas, '6202'));
  if (status !== 'PRESETTLED' && status !== 'SETTLED')
    throw invalid(`6202 answered ordStas ${out.ordStas} (${status})`, 'UNEXPECTED_ORD_STAS');
  const split = splitFromWire(
    { total: out.feeSumamt, fund: out.fundPay, account: out.psnAcctPay, cash: out.ownPayAmt },
    '6202',
  );
  if (sent.totalFen !== undefined && split.total !== sent.totalFen) {
    throw invalid(`6202 total ${split.total} fen ≠ uploaded total ${sent.totalFen} fen`, 'TOTAL_MISMATCH');
  }
  return { payOrdId: out.payOrdId, split };
}

// ───────────────────────────── 6301 / 6401 ─────────────────────────────

export function toQueryOrder(ref: SettlementRef, orgCodg: string): QueryOrderInput {
  return {
    payOrdId: ref.payOrdId,
    orgCodg,
    payToken: ref.payToken,
    idNo: ref.idNo,
    userName: ref.name,
    idType: '01',
  };
}

export function fromQueryOrder(data: unknown, sent: { payOrdId: string }): SettlementState {
  const out = parseAnswer(queryOrderOutputSchema, data, '6301');
  if (out.payOrdId !== sent.payOrdId)
    throw invalid(`6301 answered for ${out.payOrdId}, asked ${sent.payOrdId}`, 'PAY_ORD_ID_MISMATCH');
  const state: SettlementState = {
    payOrdId: out.payOrdId,
    medOrgOrd: out.medOrgOrd,
    status: settlementStatusOf(ordStasOf(out.ordStas, '6301')),
    split: splitFromWire(
      { total: out.feeSumamt, fund: out.fundPay, account: out.psnAcctPay, cash: out.ownpayAmt },
      '6301',
    ),
  };
  if (out.setlId) state.setlId = out.setlId;
  const settledAtMs = parseCstCompact(out.hiChrgTime);
  if (settledAtMs !== undefined) state.settledAtMs = settledAtMs;
  return state;
}

export function toRevoke(ref: SettlementRef, orgCodg: string): RevokeInput {
  return {
    payOrdId: ref.payOrdId,
    orgCodg,
    payToken: ref.payToken,
    idNo: ref.idNo,
    userName: ref.name,
    idType: '01',
  };
}

export function fromRevoke(data: unknown): void {
  const out = parseAnswer(revokeOutputSchema, data, '6401');
  if (!out.success) throw rejected(`6401: ${out.message}`, 'REVOKE_FAILED');
}

// ───────────────────────────── 6203 ─────────────────────────────

export function toRefund(refund: InsuranceRefund, appRefdTime: string): RefundInput {
  assertSplit(refund.split, 'insurance refund');
  const { fund, account, cash } = refund.split;
  const insurance = fund + account;
  return {
    payOrdId: refund.payOrdId,
    appRefdSn: refund.refundNo,
    appRefdTime,
    totlRefdAmt: fenToYuan(refund.split.total),
    psnAcctRefdAmt: fenToYuan(account),
    fundRefdAmt: fenToYuan(fund),
    cashRefdAmt: fenToYuan(cash),
    payAuthNo: refund.payAuthNo,
    refdType: cash > 0 && insurance > 0 ? 'ALL' : cash > 0 ? 'CASH' : 'HI',
    expContent: '',
  };
}

export function fromRefund(
  data: unknown,
  sent: RefundInput,
): { status: 'SUCCEEDED' | 'FAILED' | 'PROCESSING' } {
  const out = parseAnswer(refundOutputSchema, data, '6203');
  if (out.payOrdId !== sent.payOrdId || out.appRefdSn !== sent.appRefdSn) {
    throw invalid(
      `6203 answered for ${out.payOrdId}/${out.appRefdSn}, asked ${sent.payOrdId}/${sent.appRefdSn}`,
      'REFUND_NO_MISMATCH',
    );
  }
  const legs = ['totlRefdAmt', 'psnAcctRefdAmt', 'fundRefdAmt', 'cashRefdAmt'] as const;
  for (const leg of legs) {
    if (fen(out[leg], '6203') !== fen(sent[leg], '6203 request')) {
      throw invalid(`6203 ${leg} answered ${out[leg]}, sent ${sent[leg]}`, 'REFUND_AMOUNT_MISMATCH');
    }
  }
  return { status: refundStatusOf(out.refStatus) };
}
