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

/** The id of a patient card, order, refund, refund request or reconciliation run (path parameters). */
export const uuidParam = z.string().uuid('不是有效的编号（UUID）');

/** PostgreSQL's bigint: ids (bigserial) and keyset cursors over them are at most 2^63 − 1. */
export const BIGINT_MAX_DIGITS = '9223372036854775807';

/**
 * A bigint id as decimal digits, no sign, no leading zero, within PostgreSQL's bigint: what the server gives
 * out (reconciliation rows, their cursor). Compared as text, so it works without BigInt.
 */
export const bigintIdSchema = z
  .string()
  .regex(/^(0|[1-9]\d{0,18})$/, '不是有效的编号（正整数）')
  .refine(
    (s) => s.length < BIGINT_MAX_DIGITS.length || s <= BIGINT_MAX_DIGITS,
    `编号超出范围（最大 ${BIGINT_MAX_DIGITS}）`,
  );

/** The opaque cursor of GET /api/v1/console/orders: base64url of `<created_at ISO>|<uuid>`, as the server made it. */
const ORDERS_CURSOR =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function decodesToOrdersCursor(cursor: string): boolean {
  try {
    const text = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    return ORDERS_CURSOR.test(text) && !Number.isNaN(Date.parse(text.slice(0, 24)));
  } catch {
    return false;
  }
}

export const ordersCursorSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,200}$/, '游标无效：请使用上一页答复的 X-Next-Cursor')
  .refine(decodesToOrdersCursor, '游标无效：请使用上一页答复的 X-Next-Cursor');

export const idempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{8,128}$/, 'Idempotency-Key must be 8–128 characters of [A-Za-z0-9_.:-]');

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

/** One line of the patient's 状态记录: what happened, in patient words (server/domain/patientTimeline.ts). */
export interface PatientTimelineEntry {
  at: string;
  title: string;
  detail?: string;
}

/** What the patient may do with an order now (server/domain/orderPolicy.ts decides; pages offer only these). */
export const PATIENT_ORDER_ACTIONS = ['pay', 'cancel', 'request-refund'] as const;
export type PatientOrderAction = (typeof PATIENT_ORDER_ACTIONS)[number];
/** What a cashier may do with an order now; the server checks role and state again when it is done. */
export const CONSOLE_ORDER_ACTIONS = ['refund', 'approve-request', 'reject-request'] as const;
export type ConsoleOrderAction = (typeof CONSOLE_ORDER_ACTIONS)[number];

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
    // CST_DATE_YEARS is declared further down: read only when checking, never at module load
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

/** Business days the system knows of: a bound on every date in a request (PostgreSQL has no year 0, say). */
export const CST_DATE_YEARS = { min: 2000, max: 2099 } as const;

/** yyyy-MM-dd that names a real calendar day (a business day in China time) within CST_DATE_YEARS. */
export const cstDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as yyyy-MM-dd')
  .refine(
    (d) =>
      !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    {
      message: 'must be a real calendar day',
    },
  )
  .refine(
    (d) => Number(d.slice(0, 4)) >= CST_DATE_YEARS.min && Number(d.slice(0, 4)) <= CST_DATE_YEARS.max,
    `日期须在 ${CST_DATE_YEARS.min}-01-01 至 ${CST_DATE_YEARS.max}-12-31 之间`,
  );

export const consoleOrdersQuery = z
  .object({
    date: cstDateSchema,
    status: z.enum(ORDER_STATUS_NAMES).optional(),
    /** opaque; from the X-Next-Cursor header of the previous page */
    cursor: ordersCursorSchema.optional(),
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
  /**
   * true after a supervisor reset the password: until the user changes it (POST /api/v1/console/session/password)
   * this token opens nothing else. The server always sends it.
   */
  mustChangePassword?: boolean;
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
  /** the order's refunds, split by fund, with their legs */
  refunds: RefundView[];
  /** patients' refund requests of this order, newest first (pending ones wait for a cashier) */
  refundRequests: RefundRequestView[];
  /** what the cashier may do now, decided by the server (server/domain/orderPolicy.ts) */
  allowedActions: ConsoleOrderAction[];
}

/** POST /api/v1/console/orders/:id/refunds/preview (same body as the refund): what 确认 would give back, in fen. */
export interface RefundPreviewView {
  /** by leg, as the refund would be allocated (server/domain/refunds.ts allocateRefund) */
  split: Split;
  /** what would be left to refund of the order after it */
  leftAfter: number;
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
  /** what was done, as one plain Chinese sentence with amounts in yuan and order numbers (the console shows this) */
  description: string;
}

// ---- reconciliation (DESIGN 6.10), daily close, console users, refund requests ----

/** How a reconciled record came out. MATCHED is the only clean kind; the others are discrepancies. */
export const RECON_KINDS = [
  'MATCHED',
  /** 长款: a channel (WeChat Pay / insurance) has money the HIS has not charged */
  'OVER',
  /** 短款: the HIS charged (or a party expects) money a channel does not have */
  'SHORT',
  'AMOUNT_MISMATCH',
  /** present on every side but the states disagree, or a refund seen on one side only */
  'STATUS_MISMATCH',
  /** the sides fall on different days around midnight: expected to match on the adjacent day */
  'CUTOFF',
] as const;
export type ReconKind = (typeof RECON_KINDS)[number];

export const RECON_ROW_ACTIONS = ['retry-his-confirm', 'post-missing', 'refund', 'resolve'] as const;
export type ReconRowAction = (typeof RECON_ROW_ACTIONS)[number];

export const reconciliationRequest = z.object({ date: cstDateSchema }).strict();
export const reconciliationListQuery = z
  .object({ date: cstDateSchema.optional(), limit: z.coerce.number().int().min(1).max(200).optional() })
  .strict();
export const reconRowsQuery = z
  .object({
    kind: z.enum(RECON_KINDS).optional(),
    /** discrepancies only (everything but MATCHED) */
    discrepancies: z.enum(['true', 'false']).optional(),
    resolved: z.enum(['true', 'false']).optional(),
    /** the id of the last row of the previous page (X-Next-Cursor) */
    cursor: bigintIdSchema.optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .strict();
export const resolveRowRequest = z.object({ reason: trimmed(500) }).strict();
export const dailyCloseRequest = z.object({ date: cstDateSchema }).strict();

export type ReconciliationRequest = z.infer<typeof reconciliationRequest>;
export type ReconRowsQuery = z.infer<typeof reconRowsQuery>;

export type ReconSummary = Record<
  'matched' | 'over' | 'short' | 'amountMismatch' | 'statusMismatch' | 'cutoff',
  number
>;

/** One channel's money for the day as one source saw it (fen). */
export interface ReconChannelTotals {
  count: number;
  paidFen: number;
  refundedFen: number;
}

/** Per source: ours (our database), wechat (trade bill, cash), insurance (3202, fund + account), his. */
export interface ReconTotals {
  ours: {
    cash: ReconChannelTotals;
    fund: ReconChannelTotals;
    account: ReconChannelTotals;
    total: ReconChannelTotals;
  };
  wechat: { cash: ReconChannelTotals; feeFen: number };
  insurance: { fund: ReconChannelTotals; account: ReconChannelTotals; total: ReconChannelTotals };
  his: {
    cash: ReconChannelTotals;
    fund: ReconChannelTotals;
    account: ReconChannelTotals;
    total: ReconChannelTotals;
  };
  /** 3201 对总账: the platform's verdict on our insurance totals */
  insuranceCheck?: { balanced: boolean; message: string };
  /** the day by hour (China time, 0–23) per channel, net of refunds, as the parties report it: the console's chart */
  hourly: { hour: number; wechatFen: number; insuranceFen: number; hisFen: number }[];
}

export type ReconRunStatus = 'RUNNING' | 'DONE' | 'FAILED';

export interface ReconRunView {
  id: string;
  date: string;
  status: ReconRunStatus;
  actor: string;
  startedAt: string;
  finishedAt?: string;
  error?: string;
  summary: ReconSummary;
  totals?: ReconTotals;
  /** discrepancy rows not yet resolved */
  open: number;
  /** the day has been closed (日结): nothing of it changes any more */
  closed: boolean;
}

/** What one source says of one record. Absent source = it has no such record for the day. */
export interface ReconSideView {
  total: number;
  fund: number;
  account: number;
  cash: number;
  /** the source's reference: transaction id, setl_id, receipt number, our status */
  ref?: string;
  at?: string;
}

export interface ReconRowView {
  id: string;
  runId: string;
  kind: ReconKind;
  record: 'PAYMENT' | 'REFUND';
  orderNo: string;
  refundNo?: string;
  /** our order's id when we know the order */
  orderId?: string;
  ours?: ReconSideView & { status: string };
  wechat?: ReconSideView;
  insurance?: ReconSideView;
  his?: ReconSideView;
  /** why it was classified so, in plain words */
  note: string;
  /** actions that make sense for this row (the server checks role and state again) */
  actions: ReconRowAction[];
  resolution?: { action: ReconRowAction; by: string; reason: string; at: string };
}

/** 补单 preview: what posting the missing order to the HIS would record. */
export interface PostMissingPreview {
  rowId: string;
  orderId: string;
  orderNo: string;
  orderStatus: OrderStatusName;
  billNos: string[];
  split: Split;
  transactionId?: string;
  setlId?: string;
  /** what the HIS will be told, in plain words */
  effect: string;
}

export interface DailyCloseView {
  date: string;
  runId: string;
  closedBy: string;
  closedAt: string;
  summary: ReconSummary;
  totals: ReconTotals;
}

export const createConsoleUserRequest = z
  .object({
    username: z
      .string()
      .trim()
      .regex(/^[a-z][a-z0-9_.-]{2,31}$/, 'usernames are 3–32 of a–z, 0–9, _ . - starting with a letter'),
    password: z.string().min(10, 'at least 10 characters').max(256),
    role: z.enum(CONSOLE_ROLES),
  })
  .strict();
export type CreateConsoleUserRequest = z.infer<typeof createConsoleUserRequest>;

/** One console user as a supervisor manages it (GET /api/v1/console/users). */
export interface ConsoleUserListItem extends ConsoleUserView {
  id: string;
  /** a disabled user cannot log in; its sessions ended when it was disabled */
  disabled: boolean;
  /** the password was reset by a supervisor and not yet changed */
  mustChangePassword: boolean;
  /** source addresses locked out of this account right now (too many failures from each) */
  lockedAddresses: number;
  createdAt: string;
}

/** POST /api/v1/console/session/password: the current password always, even right after a reset. */
export const changeConsolePasswordRequest = z
  .object({
    currentPassword: z.string().min(1).max(256),
    newPassword: z.string().min(10, 'at least 10 characters').max(256),
  })
  .strict();
export type ChangeConsolePasswordRequest = z.infer<typeof changeConsolePasswordRequest>;

/** POST /api/v1/console/users/:id/password-reset: a temporary password, shown once; changed at next login. */
export interface ConsolePasswordResetView {
  username: string;
  temporaryPassword: string;
}

/** POST /api/v1/console/users/:id/unlock: how many source addresses were locked out and are no longer. */
export interface ConsoleUnlockView {
  username: string;
  unlockedAddresses: number;
}

/** The answer to creating a console user: the TOTP enrolment, shown once (QR code of otpauthUri). */
export interface ConsoleEnrolmentView {
  username: string;
  role: ConsoleRole;
  /** base32 secret, for typing into an authenticator by hand */
  secret: string;
  otpauthUri: string;
}

/** A patient asks for a refund (POST /api/v1/orders/:id/refund-requests); a cashier approves or rejects it. */
export const patientRefundRequest = z
  .object({
    amount: z.number().int().positive().max(100_000_000_000).optional(),
    reason: trimmed(200),
  })
  .strict();
export const rejectRefundRequest = z.object({ reason: trimmed(200) }).strict();
export const refundRequestsQuery = z
  .object({ status: z.enum(['PENDING', 'APPROVED', 'REJECTED']).optional() })
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
