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

/** Every state an order can be in; the transitions are decided in server/domain/orderStateMachine.ts. */
export const ORDER_STATUS_NAMES = [
  'CREATED',
  'PRESETTLED',
  'AWAITING_PAYMENT',
  'UNKNOWN',
  'PAID',
  'COMPLETED',
  'CANCELLED',
  'EXPIRED',
  'PAYMENT_FAILED',
  'REFUNDING',
  'REFUNDED',
  'PARTIALLY_REFUNDED',
] as const;

export type OrderStatusName = (typeof ORDER_STATUS_NAMES)[number];

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
  refunds: RefundView[];
  events?: OrderEventView[];
}

/** POST /api/v1/console/orders/:id/refunds: no amount = everything left of the order. */
export const refundRequest = z
  .object({
    amount: z.number().int().positive().max(100_000_000_000).optional(),
    reason: trimmed(200),
  })
  .strict();

export type RefundRequest = z.infer<typeof refundRequest>;

export type RefundStatusName = 'REQUESTED' | 'PROCESSING' | 'SUCCEEDED' | 'FAILED';

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

/** The answer to a refund request. */
export interface RefundCreatedView {
  id: string;
  status: RefundStatusName;
  legs: RefundLegView[];
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

// ---- cashier console (DESIGN 13, Cashier API) ----

export const CONSOLE_ROLES = ['cashier', 'supervisor'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

/** Lengths are generous bounds, not policy: a wrong value of any length is one failed login, like the others. */
export const consoleSessionRequest = z
  .object({
    username: trimmed(64),
    password: z.string().min(1).max(256),
    otp: z.string().trim().min(1).max(16),
  })
  .strict();

/** yyyy-MM-dd that names a real calendar day (a business day in China time). */
export const cstDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as yyyy-MM-dd')
  .refine(
    (d) =>
      !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    {
      message: 'must be a real calendar day',
    },
  );

export const consoleOrdersQuery = z
  .object({
    date: cstDateSchema,
    status: z.enum(ORDER_STATUS_NAMES).optional(),
    /** opaque; from the X-Next-Cursor header of the previous page */
    cursor: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,200}$/)
      .optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .strict();

export const consoleAuditQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(1000).optional() })
  .strict();

export type ConsoleSessionRequest = z.infer<typeof consoleSessionRequest>;
export type ConsoleOrdersQuery = z.infer<typeof consoleOrdersQuery>;

export interface ConsoleSessionView {
  token: string;
  role: ConsoleRole;
  expiresInS: number;
}

export interface ConsoleUserView {
  username: string;
  role: ConsoleRole;
}

/** One order as the cashier sees it: amounts in fen, the patient masked. */
export interface ConsoleOrderSummary {
  id: string;
  orderNo: string;
  status: OrderStatusName;
  split: Split;
  refunded: number;
  billNos: string[];
  patientName: string;
  idNoMasked: string;
  createdAt: string;
  paidAt?: string;
  receiptNo?: string;
}

export interface ConsoleOutboxView {
  kind: string;
  status: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string;
}

export interface ConsoleLedgerEntryView {
  postingId: string;
  kind: string;
  account: string;
  direction: 'D' | 'C';
  amount: number;
  at: string;
}

export interface ConsoleOrderDetail extends ConsoleOrderSummary {
  useInsurance: boolean;
  mixTradeNo?: string;
  transactionId?: string;
  lastError?: string;
  events: OrderEventView[];
  outbox: ConsoleOutboxView[];
  ledger: ConsoleLedgerEntryView[];
}

export interface AuditEntryView {
  id: string;
  at: string;
  actor: string;
  role: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  requestId: string | null;
}
