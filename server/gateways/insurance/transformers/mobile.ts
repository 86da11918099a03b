/**
 * The mobile-payment family (62xx) and the auth-code exchange that starts it: 6201 fee upload, 6202 pre-settlement,
 * 6301 settlement query, 6401 revoke, 6203 refund. Each answer is checked against what was sent (order numbers,
 * split sums, totals, refund amounts); one that breaks them is invalid_response.
 */
import { cstDateTime } from '../../../../shared/clock';
import { fenToYuan, assertSplit } from '../../../../shared/money';
import {
  authUserQueryOutputSchema,
  mobileErrorName,
  mobileResponseSchema,
  payOrderOutputSchema,
  queryOrderExtDataSchema,
  queryOrderOutputSchema,
  refundOutputSchema,
  revokeOutputSchema,
  uploadFeesOutputSchema,
  type PayOrderInput,
  type QueryOrderInput,
  type RefundInput,
  type RevokeInput,
  type UploadFeesInput,
} from '../../../../shared/protocol/insurance';
import type {
  FeeUpload,
  FeeUploadResult,
  InsuranceRefund,
  InsuredIdentity,
  PreSettlement,
  SettlementRef,
  SettlementState,
} from '../../ports';
import {
  invalid,
  rejected,
  parseAnswer,
  fen,
  splitFromWire,
  parseCstCompact,
  settlementStatusOf,
  refundStatusOf,
  ordStasOf,
} from './common';

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
  if ((answer.holderName === undefined) !== (answer.holderCardNo === undefined))
    throw invalid('auth user-query: holderName and holderCardNo come together');
  return {
    payAuthNo: answer.payAuthNo,
    name: answer.userName,
    idNo: answer.userCardNo,
    ...(answer.holderName !== undefined && answer.holderCardNo !== undefined
      ? { holder: { name: answer.holderName, idNo: answer.holderCardNo } }
      : {}),
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
  return { payOrdId: out.payOrdId, split, fundOther: fundOtherOf(out.extData?.preSetl, split.fund) };
}

/**
 * The part of the fund that is not 统筹, from the 2206-style pre-settlement detail: fund_pay_sumamt − hifp_pay.
 * Without hifp_pay the whole fund is taken as 统筹; a hifp_pay above the fund is invalid_response.
 */
function fundOtherOf(preSetl: Record<string, unknown> | undefined, fundFen: number): number {
  const hifp = preSetl?.hifp_pay;
  if (hifp === undefined || hifp === null || hifp === '') return 0;
  if (typeof hifp !== 'string') throw invalid(`6202 preSetl.hifp_pay is not a yuan string: ${String(hifp)}`);
  const poolFen = fen(hifp, '6202 preSetl.hifp_pay');
  if (poolFen > fundFen)
    throw invalid(`6202 preSetl.hifp_pay ${poolFen} fen exceeds the fund ${fundFen} fen`, 'SPLIT_MISMATCH');
  return fundFen - poolFen;
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
  const balance = settledBalanceOf(out.extData);
  if (balance !== undefined && (state.status === 'SETTLED' || state.status === 'REFUNDED'))
    state.accountBalanceFen = balance;
  return state;
}

/**
 * The 个人账户 balance right after the settlement: `balc` of 6301's extData.setlinfo[0] (the 2207-style setlinfo),
 * undefined when the platform gives none; a malformed one is invalid_response.
 */
function settledBalanceOf(extData: Record<string, unknown> | undefined): number | undefined {
  if (extData?.setlinfo === undefined) return undefined;
  const parsed = queryOrderExtDataSchema.safeParse(extData);
  if (!parsed.success)
    throw invalid(`6301 extData.setlinfo: ${parsed.error.issues[0]?.message ?? 'malformed'}`);
  const balc = parsed.data.setlinfo?.[0]?.balc;
  return balc === undefined ? undefined : fen(balc, '6301 extData.setlinfo.balc');
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
