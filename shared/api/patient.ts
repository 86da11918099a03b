/**
 * The patient API (DESIGN 13): login, patient cards and their SMS verification, insurance authorization, bills,
 * orders and payment, and the patient's refund requests. The refund and refund-request views are defined here
 * because the patient's order shows them; the cashier console shows the same ones.
 */
import { z } from 'zod';
import type { Split } from '../money';
import { trimmed, idNoSchema, billNoSchema, type OrderStatusName, CST_DATE_YEARS } from './common';

export const sessionRequest = z.object({ code: trimmed(128) }).strict();

export const bindPatientRequest = z
  .object({
    name: trimmed(50),
    idNo: idNoSchema,
    phone: z
      .string()
      .trim()
      .regex(/^1\d{10}$/, 'must be an 11-digit mobile number')
      .optional(),
  })
  .strict();

/** The one-time code of a card binding: what the SMS said, 6 digits. */
export const verifyCodeRequest = z
  .object({
    code: z
      .string()
      .trim()
      .regex(/^\d{6}$/, 'must be the 6-digit code from the text message'),
  })
  .strict();

export const insuranceAuthorizationRequest = z.object({ authCode: trimmed(256) }).strict();

export const createOrderRequest = z
  .object({
    patientId: z.string().uuid(),
    billNos: z.array(billNoSchema).min(1).max(20),
    useInsurance: z.boolean(),
  })
  .strict();

export type SessionRequest = z.infer<typeof sessionRequest>;
export type BindPatientRequest = z.infer<typeof bindPatientRequest>;
export type VerifyCodeRequest = z.infer<typeof verifyCodeRequest>;

/**
 * POST /api/v1/patients answers 202 with this — the same answer whether or not the hospital knows the person
 * (DESIGN flow 11); the card exists once POST /api/v1/patients/verifications/:verificationId takes the code.
 */
export interface VerificationView {
  status: 'VERIFICATION_REQUIRED';
  verificationId: string;
  channel: 'sms';
  /** the hospital's number for the patient, masked: 138****0001 */
  phoneMasked: string;
  expiresAt: string;
  /** a new code may be asked for after this many seconds */
  resendAfterS: number;
}
export type CreateOrderRequest = z.infer<typeof createOrderRequest>;

/** POST /api/v1/orders/:id/step-up → 202: a code was texted to the card's phone at the HIS */
export interface StepUpView {
  stepUpId: string;
  channel: 'sms';
  phoneMasked: string;
  expiresAt: string;
  resendAfterS: number;
}

export interface PatientView {
  id: string;
  name: string;
  idNoMasked: string;
  phoneMasked?: string;
  hisPatientId: string;
  insurance?: InsuranceAuthorizationView;
  createdAt: string;
}

export interface InsuranceAuthorizationView {
  eligible: boolean;
  reason?: string;
  insutype?: string;
  insutypeName?: string;
  status?: string;
  /** 个人账户 balance, fen: from the authorization's 1101, kept current by settlements and refunds */
  balance?: number;
  /** when `balance` was true (ISO 8601); present with it */
  balanceAsOf?: string;
  authorizedAt: string;
  expiresAt: string;
}

export interface BillItemView {
  code: string;
  name: string;
  spec?: string;
  price: number;
  qty: number;
  amount: number;
  insuranceClass?: 'A' | 'B' | 'C';
}

export interface BillView {
  billNo: string;
  amount: number;
  dept: string;
  doctor: string;
  createdAt: string;
  items: BillItemView[];
}

export interface PatientTimelineEntry {
  at: string;
  title: string;
  detail?: string;
}

/** What the patient may do with an order now (server/domain/orderPolicy.ts decides; pages offer only these). */
export const PATIENT_ORDER_ACTIONS = ['pay', 'cancel', 'request-refund'] as const;
export type PatientOrderAction = (typeof PATIENT_ORDER_ACTIONS)[number];

export interface OrderView {
  id: string;
  orderNo: string;
  status: OrderStatusName;
  patientId: string;
  billNos: string[];
  useInsurance: boolean;
  mixPayType: 'CASH_ONLY' | 'INSURANCE_ONLY' | 'CASH_AND_INSURANCE';
  split: Split;
  receiptNo?: string;
  outTradeNo?: string;
  mixTradeNo?: string;
  transactionId?: string;
  createdAt: string;
  paidAt?: string;
  expiresAt?: string;
  refunds: RefundView[];
  /** the patient's refund requests and the cashier's decisions, newest first */
  refundRequests?: RefundRequestView[];
  /** the order's history in patient words, oldest first; only on the single-order view */
  timeline?: PatientTimelineEntry[];
  /** what the patient may do now, decided by the server */
  allowedActions: PatientOrderAction[];
  /** the card's name as the patient's card list shows it (masked, e.g. 张*三) */
  patientName: string;
  /** the bills' department(s), joined with 、; absent on orders made before it was recorded */
  dept?: string;
  /** how a closed order really ended, when its status alone would mislead (server/domain/orderGroups.ts) */
  outcome?: OrderOutcome;
  /** the risk rules hold this unpaid order until the hospital has looked at it; it cannot be paid meanwhile */
  heldForReview?: boolean;
  /** the risk rules ask the patient to prove the card again (a texted code) before this order can be paid */
  stepUpRequired?: boolean;
}

/** GET /api/v1/orders?status=: the patient's groups of order statuses (server/domain/orderGroups.ts maps them). */
export const ORDER_GROUP_NAMES = ['unpaid', 'paid', 'refund', 'closed'] as const;
export type OrderGroupName = (typeof ORDER_GROUP_NAMES)[number];

/** INSURANCE_REFUSED: the insurance platform refused the settlement at checkout, so the order was closed. */
export const ORDER_OUTCOMES = ['INSURANCE_REFUSED'] as const;
export type OrderOutcome = (typeof ORDER_OUTCOMES)[number];

/** Months the order history can be filtered by (China time): yyyy-MM within CST_DATE_YEARS. */
export const orderMonthSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式应为 yyyy-MM，例如 2026-03')
  .refine(
    (m) => Number(m.slice(0, 4)) >= CST_DATE_YEARS.min && Number(m.slice(0, 4)) <= CST_DATE_YEARS.max,
    '月份超出可查询的范围',
  );

/** GET /api/v1/orders filters; none given = every order of the caller's bound cards, newest first. */
export const ordersQuery = z
  .object({
    patientId: z.string().uuid('不是有效的就诊卡编号').optional(),
    status: z.enum(ORDER_GROUP_NAMES).optional(),
    month: orderMonthSchema.optional(),
  })
  .strict();
export type OrdersQuery = z.infer<typeof ordersQuery>;

/** AWAITING_APPROVAL: a cashier's large refund waiting for a supervisor; REJECTED: turned down, nothing moved. */
export type RefundStatusName =
  'AWAITING_APPROVAL' | 'REQUESTED' | 'PROCESSING' | 'SUCCEEDED' | 'FAILED' | 'REJECTED';

export interface RefundLegView {
  kind: 'cash' | 'insurance' | 'his';
  amount: number;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
}

/** A refund split by fund as the patient and the cashier see it, with the state of each leg. */
export interface RefundView {
  id: string;
  refundNo: string;
  status: RefundStatusName;
  reason: string;
  split: Split;
  legs: RefundLegView[];
  createdAt: string;
  completedAt?: string;
}

export interface PayParamsView {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA';
  paySign: string;
}

export interface PaymentView {
  status: OrderStatusName;
  outTradeNo?: string;
  mixTradeNo?: string;
  payParams?: PayParamsView;
}

/** GET /api/v1/client-config: what the mini-program needs before anyone logs in (no auth; cacheable 60 s). */
export interface ClientConfigView {
  /** the mini-program's appId, as WeChat Pay knows it */
  appId: string;
  hospitalName: string;
  /** base URL of the WeChat sandbox pages the H5 build uses: `${wechatSandboxUrl}/sandbox/login`, `/sandbox/cashier` */
  wechatSandboxUrl: string;
  /** the insurance authorization page (医保授权); the app adds its query (redirectUrl, …) */
  insuranceAuthUrl: string;
}

/** A patient asks for a refund (POST /api/v1/orders/:id/refund-requests); a cashier approves or rejects it. */
export const patientRefundRequest = z
  .object({
    amount: z.number().int().positive().max(100_000_000_000).optional(),
    reason: trimmed(200),
  })
  .strict();

export type RefundRequestStatus = 'PENDING' | 'APPROVED' | 'REJECTED';

export interface RefundRequestView {
  id: string;
  orderId: string;
  orderNo: string;
  /** requested amount; absent = the rest of the order */
  amount?: number;
  reason: string;
  status: RefundRequestStatus;
  createdAt: string;
  decidedBy?: string;
  decidedAt?: string;
  decisionReason?: string;
  /** the refund made when approved */
  refundId?: string;
}
