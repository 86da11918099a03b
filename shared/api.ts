/**
 * The patient API (DESIGN 13): request schemas and answer types shared by the server (validation) and the
 * mini-program (typed client). Amounts are integer fen.
 */
import { z } from 'zod';
import type { Split } from './money';

const trimmed = (max: number) => z.string().trim().min(1).max(max);

export const sessionRequest = z.object({ code: trimmed(128) }).strict();

/** Mainland resident ID: 18 characters (17 digits + digit or X) or the old 15 digits. */
export const idNoSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^(\d{17}[\dX]|\d{15})$/, 'must be an 18-character resident ID number (or 15 digits)');

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

export const insuranceAuthorizationRequest = z.object({ authCode: trimmed(256) }).strict();

export const billNoSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, 'bill numbers are 1–32 letters, digits, _ or -');

export const createOrderRequest = z
  .object({
    patientId: z.string().uuid(),
    billNos: z.array(billNoSchema).min(1).max(20),
    useInsurance: z.boolean(),
  })
  .strict();

export const uuidParam = z.string().uuid();

export const idempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{8,128}$/, 'Idempotency-Key must be 8–128 characters of [A-Za-z0-9_.:-]');

export type SessionRequest = z.infer<typeof sessionRequest>;
export type BindPatientRequest = z.infer<typeof bindPatientRequest>;
export type CreateOrderRequest = z.infer<typeof createOrderRequest>;

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
  balance?: number;
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

export type OrderStatusName =
  | 'CREATED'
  | 'PRESETTLED'
  | 'AWAITING_PAYMENT'
  | 'UNKNOWN'
  | 'PAID'
  | 'COMPLETED'
  | 'CANCELLED'
  | 'EXPIRED'
  | 'PAYMENT_FAILED'
  | 'REFUNDING'
  | 'REFUNDED'
  | 'PARTIALLY_REFUNDED';

export interface OrderEventView {
  from: string | null;
  to: string;
  actor: string;
  reason: string;
  at: string;
}

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
  refunds: unknown[];
  events?: OrderEventView[];
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
