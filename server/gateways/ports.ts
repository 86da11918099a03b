/**
 * Ports to the outside parties. Services depend on these interfaces only; adapters in
 * server/gateways/{insurance,his,wechatpay} implement them over HTTP (signing, timeouts, retries live there).
 *
 * Failures: adapters throw GatewayError. `outcomeUnknown` says whether the party may have acted (timeout,
 * 5xx, unreadable or unverifiable answer): a create whose outcome is unknown is never re-sent with a new key;
 * the order goes UNKNOWN and the janitor settles it by query. A business refusal is `kind: 'rejected'` with
 * the party's own code.
 */
import type { Split, MixPayType } from '../../shared/money';
import type { PayParamsView } from '../../shared/api';

export type Party = 'insurance' | 'his' | 'wechatpay' | 'sms';

export type GatewayErrorKind = 'timeout' | 'unavailable' | 'rejected' | 'invalid_response';

export class GatewayError extends Error {
  constructor(
    readonly party: Party,
    readonly kind: GatewayErrorKind,
    message: string,
    /** The party's own error code when it gave one (e.g. RULE_LIMIT, SIGN_ERROR, BILL_NOT_PAYABLE). */
    readonly partyCode?: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'GatewayError';
  }

  /** True when the party may have carried the request out: never retry a create with a new key. */
  get outcomeUnknown(): boolean {
    return (
      this.kind === 'timeout' ||
      this.kind === 'invalid_response' ||
      (this.kind === 'unavailable' && this.httpStatus !== undefined)
    );
  }
}

// ───────────────────────────── insurance platform ─────────────────────────────

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

// ───────────────────────────── hospital HIS ─────────────────────────────

export interface HisPatient {
  hisPatientId: string;
  name: string;
  /** the mobile number the hospital holds for the patient: where a card-binding code goes */
  phone?: string;
}

// ───────────────────────────── SMS ─────────────────────────────

/** The hospital's SMS platform (短信平台): one text to one mainland mobile number. */
export interface SmsGateway {
  /** Sends; a refusal is GatewayError rejected, an outage unavailable / timeout. */
  send(phone: string, text: string): Promise<void>;
}

export interface HisBillItem {
  code: string;
  name: string;
  spec?: string;
  priceFen: number;
  qty: number;
  amountFen: number;
  insuranceClass?: InsuranceClass;
}

export interface HisBill {
  billNo: string;
  hisPatientId: string;
  amountFen: number;
  dept: string;
  doctor: string;
  createdAtMs: number;
  status: 'UNPAID' | 'LOCKED' | 'PAID' | 'REFUNDED';
  items: HisBillItem[];
}

export interface HisCharge {
  orderNo: string;
  hisPatientId: string;
  billNos: string[];
  split: Split;
  /** WeChat transaction id of the cash part, when there is one */
  transactionId?: string;
  /** insurance payOrdId / setlId, when insurance paid */
  payOrdId?: string;
  setlId?: string;
  paidAtMs: number;
}

/** A confirmed charge as the HIS lists it for a day (reconciliation). */
export interface HisChargeRecord extends HisCharge {
  receiptNo: string;
  /** when the HIS confirmed the charge; the daily list is cut on this */
  chargedAtMs: number;
}

export interface HisRefundRecord {
  orderNo: string;
  refundNo: string;
  refundReceiptNo: string;
  amountFen: number;
  refundedAtMs: number;
}

export interface HisDailyCharges {
  /** yyyy-MM-dd, China time */
  date: string;
  charges: HisChargeRecord[];
  refunds: HisRefundRecord[];
}

export type HisDayRecord = ({ kind: 'CHARGE' } & HisChargeRecord) | ({ kind: 'REFUND' } & HisRefundRecord);

export interface HisGateway {
  /** Patient by name + ID number; null when HIS does not know them. */
  findPatient(name: string, idNo: string): Promise<HisPatient | null>;
  listUnpaidBills(hisPatientId: string): Promise<HisBill[]>;
  /** One bill (any status); null when unknown. */
  getBill(billNo: string): Promise<HisBill | null>;
  /** Lock bills for an order; idempotent by orderNo. Already locked by another order / paid → rejected BILL_NOT_PAYABLE. */
  lockBills(orderNo: string, hisPatientId: string, billNos: string[]): Promise<void>;
  /** Release the lock of orderNo; unlocking bills not locked by orderNo is a no-op. */
  unlockBills(orderNo: string, billNos: string[]): Promise<void>;
  /** 缴费确认; idempotent by orderNo (same receipt number again). */
  confirmCharge(charge: HisCharge): Promise<{ receiptNo: string }>;
  /** Refund (part of) a confirmed charge; idempotent by refundNo. */
  refundCharge(orderNo: string, refundNo: string, amountFen: number): Promise<{ refundReceiptNo: string }>;
  /** The day's online charges and refunds (China time), for reconciliation. */
  listDailyCharges(date: string): Promise<HisDailyCharges>;
  /** The same list read page by page as a stream (memory does not grow with the day's volume). */
  dailyRecords(date: string): AsyncIterable<HisDayRecord>;
}

// ───────────────────────────── WeChat Pay ─────────────────────────────

export interface JsapiOrder {
  outTradeNo: string;
  description: string;
  amountFen: number;
  openid: string;
  expireAtMs: number;
  attach?: string;
}

/** wx.requestPayment / requestMedicalInsurancePay parameters (shared with the mini-program). */
export type PayParams = PayParamsView;

export interface MedInsOrder {
  outTradeNo: string;
  mixPayType: MixPayType;
  orderType: 'DIAG_PAY' | 'REG_PAY' | 'MED_PAY';
  openid: string;
  /** the WeChat user who pays (the holder of the insurance e-voucher) */
  payer: { name: string; idNo: string };
  /** 代亲属支付: the family member whose bill this is, when not the payer (sets pay_for_relatives) */
  relative?: { name: string; idNo: string };
  /** hospital order number = 6201 medOrgOrd; WeChat's serial_no is string(20) */
  serialNo: string;
  payOrderId: string;
  payAuthNo: string;
  geoLocation: string;
  cityId: string;
  medInstName: string;
  medInstNo: string;
  createdAtMs: number;
  split: Split;
  /** of split.fund, what is not 统筹: WeChat's med_ins_other_fee (med_ins_gov_fee is the rest) */
  fundOther: number;
  /** required when split.cash > 0 */
  prepayId?: string;
}

export interface MedInsOrderRef {
  outTradeNo: string;
  mixTradeNo?: string | null;
}

export type TradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';

export interface TransactionState {
  outTradeNo: string;
  tradeState: TradeState;
  transactionId?: string;
  amountFen: number;
  successTimeMs?: number;
  /** payer.openid: who paid (a callback must name the order's own WeChat user) */
  payerOpenid?: string;
}

export type MixPayStatus = 'MIX_PAY_CREATED' | 'MIX_PAY_SUCCESS' | 'MIX_PAY_REFUND' | 'MIX_PAY_FAIL';

export interface MedInsOrderState {
  mixTradeNo: string;
  outTradeNo: string;
  mixPayStatus: MixPayStatus;
  selfPayStatus: string;
  medInsPayStatus: string;
  split: Split;
  transactionId?: string;
  paidTimeMs?: number;
  /** the openid the order was created for (echoed by WeChat) */
  openid?: string;
}

/** A callback after headers, clock skew, serial, signature and decryption all checked. */
export type VerifiedNotification =
  | {
      id: string;
      nonce: string;
      timestampS: number;
      eventType: 'TRANSACTION.SUCCESS';
      transaction: TransactionState;
    }
  | {
      id: string;
      nonce: string;
      timestampS: number;
      eventType: 'MEDICAL_INSURANCE.SUCCESS';
      medIns: MedInsOrderState;
    }
  | {
      id: string;
      nonce: string;
      timestampS: number;
      eventType: 'REFUND.SUCCESS' | 'REFUND.ABNORMAL' | 'REFUND.CLOSED';
      refund: RefundState;
    };

export type NotificationRejection =
  'MISSING_HEADERS' | 'TIMESTAMP_SKEW' | 'UNKNOWN_SERIAL' | 'BAD_SIGNATURE' | 'BAD_BODY' | 'DECRYPT_FAILED';

export class NotificationRejected extends Error {
  constructor(
    readonly reason: NotificationRejection,
    message: string,
  ) {
    super(message);
    this.name = 'NotificationRejected';
  }
}

export interface CashRefund {
  outTradeNo: string;
  outRefundNo: string;
  reason: string;
  refundFen: number;
  totalFen: number;
}

export interface RefundState {
  outRefundNo: string;
  outTradeNo: string;
  refundId?: string;
  status: 'SUCCESS' | 'CLOSED' | 'PROCESSING' | 'ABNORMAL';
  refundFen: number;
  successTimeMs?: number;
}

export interface MedInsRefundNotice {
  mixTradeNo: string;
  outRefundNo: string;
  split: Split;
  /** of split.fund, what goes back to funds other than 统筹 (med_ins_other_fee) */
  fundOther: number;
  refundedAtMs: number;
}

/** One detail row of the daily trade bill (PROTOCOLS 1.5), amounts converted from yuan to fen exactly. */
export interface TradeBillRow {
  kind: 'PAYMENT' | 'REFUND';
  /** 交易时间 (China time), as ms */
  atMs: number;
  transactionId: string;
  outTradeNo: string;
  /** payment: 应结订单金额; refund: 退款金额 */
  amountFen: number;
  /** 手续费 (negative on refunds) */
  feeFen: number;
  refundId?: string;
  outRefundNo?: string;
}

export interface WeChatPayGateway {
  /** jscode2session: login code → openid. Bad or used code → rejected INVALID_CODE. */
  code2session(code: string): Promise<{ openid: string }>;
  /** POST /v3/pay/transactions/jsapi. Same outTradeNo again → the same prepay_id (idempotent). */
  createJsapiOrder(order: JsapiOrder): Promise<{ prepayId: string }>;
  /** wx.requestPayment / requestMedicalInsurancePay parameters, signed with the merchant key (no I/O). */
  payParams(prepayId: string): PayParams;
  /** POST /v3/med-ins/orders. */
  createMedInsOrder(order: MedInsOrder): Promise<MedInsOrderState>;
  /** GET /v3/pay/transactions/out-trade-no/{}; null when WeChat does not know the order. */
  queryTransaction(outTradeNo: string): Promise<TransactionState | null>;
  /**
   * GET /v3/med-ins/orders/mix-trade-no/{} when the order holds its mixTradeNo, else …/out-trade-no/{};
   * null when unknown.
   */
  queryMedInsOrder(ref: MedInsOrderRef): Promise<MedInsOrderState | null>;
  /** POST /v3/pay/transactions/out-trade-no/{}/close (no-op when already closed). */
  closeTransaction(outTradeNo: string): Promise<void>;
  /**
   * Verify a callback over its raw body and decrypt it; rejects with NotificationRejected. Replay (nonce) is the
   * caller's check. An unknown Wechatpay-Serial first makes the adapter download WeChat's certificate list (WeChat
   * may have rotated its certificate), at most once a minute.
   */
  verifyNotification(
    headers: Record<string, string | undefined>,
    rawBody: string,
    nowMs: number,
  ): Promise<VerifiedNotification>;
  /** POST /v3/refund/domestic/refunds, idempotent by outRefundNo. */
  refund(refund: CashRefund): Promise<RefundState>;
  /** GET /v3/refund/domestic/refunds/{out_refund_no}; null when unknown. */
  queryRefund(outRefundNo: string): Promise<RefundState | null>;
  /** POST /v3/med-ins/refunds/notify?mix_trade_no= (after 6203). */
  notifyMedInsRefund(notice: MedInsRefundNotice): Promise<void>;
  /**
   * GET /v3/bill/tradebill (bill_type ALL, GZIP) + the download: the file is stored to a temporary file while
   * its SHA1 is checked, then read back row by row. Before yielding anything a hash mismatch throws
   * (invalid_response); at the end the summary rows must agree with the rows read, else it throws. Not yet
   * available (before 09:00 the next day) → GatewayError rejected with WeChat's code.
   */
  tradeBill(date: string): AsyncIterable<TradeBillRow>;
}
