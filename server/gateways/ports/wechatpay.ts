/**
 * Port to WeChat Pay: login, JSAPI and med-ins (医保混合支付) orders, their queries and closing, callback
 * verification, cash refunds, the med-ins refund notice and the daily trade bill. Implemented over HTTP by
 * server/gateways/wechatpay.
 */
import type { Split, MixPayType } from '../../../shared/money';
import type { PayParamsView } from '../../../shared/api';

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
