/**
 * Port to the insurance platform (医保平台): authorization exchange, 1101 person query, the 62xx mobile-payment
 * calls (upload, pre-settle, settle query, revoke, refund) and the day's reconciliation (3201 totals, 3202/9102
 * detail). Implemented over HTTP by server/gateways/insurance.
 */
import type { Split } from '../../../shared/money';

export type InsuranceClass = 'A' | 'B' | 'C';
export type InsuredStatus = 'ACTIVE' | 'SUSPENDED' | 'ARREARS' | 'OUT_OF_AREA';

export interface InsuredIdentity {
  payAuthNo: string;
  /** the insured person the payAuthNo is for */
  name: string;
  idNo: string;
  /** 代亲属: the WeChat user holding the e-voucher, when they authorized for a family member */
  holder?: { name: string; idNo: string };
  cityId: string;
  /** "lng,lat" as WeChat's geo_location wants it */
  geoLocation: string;
}

export interface InsuredPerson {
  psnNo: string;
  name: string;
  /** 310 employee, 390 resident */
  insutype: string;
  status: InsuredStatus;
  accountBalanceFen: number;
  insuplcAdmdvs: string;
}

export interface FeeLine {
  /** hospital item code; also the catalogue code */
  code: string;
  name: string;
  spec?: string;
  priceFen: number;
  qty: number;
  amountFen: number;
  insuranceClass?: InsuranceClass;
  billNo: string;
}

export interface FeeUpload {
  /** our hospital order number, 6201 medOrgOrd; idempotency key of the upload */
  medOrgOrd: string;
  psnNo: string;
  insutype: string;
  payAuthNo: string;
  idNo: string;
  name: string;
  totalFen: number;
  /** let the personal account pay (acctUsedFlag) */
  accountUsed: boolean;
  geoLocation: string;
  lines: FeeLine[];
}

export interface FeeUploadResult {
  payOrdId: string;
  payToken: string;
}

export interface PreSettlement {
  payOrdId: string;
  split: Split;
  /**
   * of split.fund, what funds other than 统筹 (hifp_pay) pay — civil-servant subsidy, 大额, assistance — from
   * 6202's pre-settlement detail; 0 when the platform gives no detail
   */
  fundOther: number;
}

export type SettlementStatus = 'UPLOADED' | 'PRESETTLED' | 'SETTLED' | 'REFUNDED' | 'REVOKED' | 'FAILED';

export interface SettlementState {
  payOrdId: string;
  medOrgOrd: string;
  status: SettlementStatus;
  split: Split;
  /** settlement id (setl_id) once settled */
  setlId?: string;
  settledAtMs?: number;
  /** the 个人账户 balance right after the settlement (setlinfo balc), when the platform gives it */
  accountBalanceFen?: number;
}

export interface SettlementRef {
  payOrdId: string;
  payToken: string;
  idNo: string;
  name: string;
}

export interface InsuranceRefund {
  payOrdId: string;
  payAuthNo: string;
  /** our refund number, appRefdSn; idempotency key */
  refundNo: string;
  split: Split;
  requestedAtMs: number;
}

/**
 * One settlement or refund as the insurance platform lists it for a day (3202 detail, fetched as a file):
 * the platform's side of reconciliation. Amounts are positive fen; a refund's split is what was refunded.
 */
export interface InsuranceDayRecord {
  kind: 'SETTLEMENT' | 'REFUND';
  /** our hospital order number (6201 medOrgOrd) */
  medOrgOrd: string;
  payOrdId: string;
  setlId: string;
  /** our refund number (6203 appRefdSn), for refunds */
  refundNo?: string;
  split: Split;
  /** when the platform settled or refunded it; the day is cut on this (China time) */
  atMs: number;
}

/** Our totals of a day's insurance settlements, net of refunds, as 3201 wants them. */
export interface InsuranceDayTotals {
  /** yyyy-MM-dd, China time */
  date: string;
  /** settlements minus refunds counted */
  count: number;
  totalFen: number;
  fundFen: number;
  accountFen: number;
  cashFen: number;
}

/** 3201 对总账: does the platform agree with our totals? */
export interface InsuranceTotalsCheck {
  balanced: boolean;
  /** the platform's own totals for the day */
  theirs: InsuranceDayTotals;
  message: string;
}

export interface InsuranceGateway {
  /** Authorization code from the authorization page → payAuthNo + identity (Tencent's user query). */
  exchangeAuthCode(authCode: string, openid: string): Promise<InsuredIdentity>;
  /** 1101 人员信息获取 by ID number. Unknown person → GatewayError rejected PERSON_NOT_FOUND. */
  queryPerson(idNo: string, name: string): Promise<InsuredPerson>;
  /** 6201 费用明细上传. Same medOrgOrd twice → the same payOrdId. */
  uploadFees(upload: FeeUpload): Promise<FeeUploadResult>;
  /**
   * 6202 支付下单 (pre-settlement): the split, nothing deducted yet. totalFen (the 6201 total), when given, is
   * checked against the total answered (integrity check: a mismatch is invalid_response).
   */
  preSettle(
    ref: SettlementRef & { payAuthNo: string; medOrgOrd: string; accountUsed: boolean; totalFen?: number },
  ): Promise<PreSettlement>;
  /** 6301 订单结算结果查询. */
  querySettlement(ref: SettlementRef): Promise<SettlementState>;
  /** 6401 费用明细上传撤销 (only before settlement). */
  revokeUpload(ref: SettlementRef): Promise<void>;
  /** 6203 医保退费 of a settled order (whole or part). */
  refund(refund: InsuranceRefund): Promise<{ status: 'SUCCEEDED' | 'FAILED' | 'PROCESSING' }>;
  /** 3201 对总账 of one day (China time). */
  checkDayTotals(totals: InsuranceDayTotals): Promise<InsuranceTotalsCheck>;
  /**
   * 3202 对明细账 of one day, then the detail file (9102), read as a stream: memory does not grow with the
   * day's volume. Not yet available → GatewayError rejected.
   */
  dayRecords(date: string): AsyncIterable<InsuranceDayRecord>;
}
