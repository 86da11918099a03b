/**
 * The hospital HIS wire protocol, shared by the HIS mock and the server's HIS adapter.
 *
 * Convention (a JSON-over-HTTP vendor style, PROTOCOLS 4): every answer is `{code, message, data?}`.
 * `code "1"` is success and carries `data`; any other code is a refusal with the HIS's own code and no data.
 * Business refusals come with HTTP 200 (as vendors do); malformed requests with HTTP 400 and `PARAM_ERROR`.
 * Field names are snake_case, as the vendor writes them.
 *
 * Amounts are integer fen (分) on this wire — never yuan, never floats. Times are China Standard Time,
 * `yyyy-MM-dd HH:mm:ss`; business dates are `yyyy-MM-dd` (CST).
 */
import { z } from 'zod';
import { FEN_MAX } from '../money';

export const HIS_SUCCESS_CODE = '1';

/** Refusal codes the HIS answers with (HTTP 200, except PARAM_ERROR which comes with 400). */
export const HIS_REFUSAL_CODES = [
  'PARAM_ERROR',
  'PATIENT_NOT_FOUND',
  'BILL_NOT_FOUND',
  /** locked by another order, already paid or refunded */
  'BILL_NOT_PAYABLE',
  /** bills of another patient, or an idempotency key (order_no, refund_no) reused with different content */
  'ORDER_MISMATCH',
  /** confirm: total_amount is not the sum of the bills */
  'AMOUNT_MISMATCH',
  /** refund of an order the HIS never confirmed */
  'CHARGE_NOT_FOUND',
  /** refund beyond what is left of the charge */
  'REFUND_EXCEEDS_CHARGED',
] as const;
export type HisRefusalCode = (typeof HIS_REFUSAL_CODES)[number];

/** Route patterns (koa-router syntax). Build concrete paths with `hisPath`. */
export const HIS_PATHS = {
  patientQuery: '/his/patients/query',
  unpaidBills: '/his/patients/:patientId/unpaid-bills',
  bill: '/his/bills/:billNo',
  lockBills: '/his/bills/lock',
  unlockBills: '/his/bills/unlock',
  confirmCharge: '/his/charges/confirm',
  refundCharge: '/his/charges/refund',
  /** `?date=yyyy-MM-dd`, paged with `&page_size=&cursor=` */
  dailyCharges: '/his/charges/daily',
} as const;

/** Fills `:name` placeholders of a route pattern, URL-encoding each value. */
export function hisPath(pattern: string, params: Record<string, string> = {}): string {
  return pattern.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new RangeError(`missing path parameter ${name} for ${pattern}`);
    return encodeURIComponent(value);
  });
}

export const HIS_BILLS_PER_ORDER_MAX = 20;
export const HIS_BILL_ITEMS_MAX = 50;
export const HIS_ITEM_QTY_MAX = 10_000;
/** Records (charges + refunds) per page of the daily list. */
export const HIS_DAILY_PAGE_SIZE_MAX = 1_000;
export const HIS_DAILY_PAGE_SIZE_DEFAULT = 500;
const CURSOR_CHARS_MAX = 200;

// ───────────────────────────── building blocks ─────────────────────────────

export const fenSchema = z.number().int().min(0).max(FEN_MAX);
const key = z.string().min(1).max(64);
/** yyyy-MM-dd HH:mm:ss, China Standard Time */
export const cstDateTimeSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, 'expected yyyy-MM-dd HH:mm:ss');
/** yyyy-MM-dd that names a real calendar day */
export const businessDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected yyyy-MM-dd')
  .refine((date) => new Date(`${date}T00:00:00Z`).toISOString().startsWith(date), 'not a calendar date');
/** 18-character resident ID number format (the check digit is the HIS's business, not the wire's) */
export const idNoSchema = z.string().regex(/^\d{17}[\dXx]$/, 'expected an 18-character ID number');
export const insuranceClassSchema = z.enum(['A', 'B', 'C']);
export type HisInsuranceClass = z.infer<typeof insuranceClassSchema>;
export const hisBillStatusSchema = z.enum(['UNPAID', 'LOCKED', 'PAID', 'REFUNDED']);
export type HisWireBillStatus = z.infer<typeof hisBillStatusSchema>;

const billNosSchema = z
  .array(key)
  .min(1)
  .max(HIS_BILLS_PER_ORDER_MAX)
  .refine((nos) => new Set(nos).size === nos.length, 'bill numbers must be distinct');

// ───────────────────────────── envelope ─────────────────────────────

export const hisEnvelopeSchema = z.object({
  code: z.string().min(1),
  message: z.string(),
  data: z.unknown().optional(),
});
export type HisEnvelope = z.infer<typeof hisEnvelopeSchema>;

// ───────────────────────────── requests ─────────────────────────────

export const patientQueryRequestSchema = z.object({ name: z.string().min(1).max(64), id_no: idNoSchema });
export type PatientQueryRequest = z.infer<typeof patientQueryRequestSchema>;

export const lockBillsRequestSchema = z.object({ order_no: key, patient_id: key, bill_nos: billNosSchema });
export type LockBillsRequest = z.infer<typeof lockBillsRequestSchema>;

export const unlockBillsRequestSchema = z.object({ order_no: key, bill_nos: billNosSchema });
export type UnlockBillsRequest = z.infer<typeof unlockBillsRequestSchema>;

/** 缴费确认. total_amount = fund_amount + account_amount + cash_amount, and must equal the bills' sum. */
export const confirmChargeRequestSchema = z
  .object({
    order_no: key,
    patient_id: key,
    bill_nos: billNosSchema,
    total_amount: fenSchema,
    /** 统筹 and other funds */
    fund_amount: fenSchema,
    /** 个人账户 */
    account_amount: fenSchema,
    /** 自费, through WeChat Pay */
    cash_amount: fenSchema,
    transaction_id: key.optional(),
    pay_ord_id: key.optional(),
    setl_id: key.optional(),
    pay_time: cstDateTimeSchema,
  })
  .refine((r) => r.total_amount === r.fund_amount + r.account_amount + r.cash_amount, {
    message: 'total_amount must equal fund_amount + account_amount + cash_amount',
    path: ['total_amount'],
  });
export type ConfirmChargeRequest = z.infer<typeof confirmChargeRequestSchema>;

export const refundChargeRequestSchema = z.object({
  order_no: key,
  refund_no: key,
  amount: fenSchema.min(1),
});
export type RefundChargeRequest = z.infer<typeof refundChargeRequestSchema>;

// ───────────────────────────── answers (the `data` of a code "1" envelope) ─────────────────────────────

export const hisPatientSchema = z.object({
  patient_id: key,
  name: z.string().min(1),
  phone: z.string().optional(),
});
export type HisWirePatient = z.infer<typeof hisPatientSchema>;

export const hisBillItemSchema = z.object({
  item_code: z.string().min(1),
  item_name: z.string().min(1),
  spec: z.string().optional(),
  /** unit price, fen */
  price: fenSchema,
  qty: z.number().int().min(1).max(HIS_ITEM_QTY_MAX),
  /** price × qty, fen */
  amount: fenSchema,
  /** 甲 A / 乙 B / 丙 C, when the HIS knows it */
  insurance_class: insuranceClassSchema.optional(),
});
export type HisWireBillItem = z.infer<typeof hisBillItemSchema>;

export const hisBillSchema = z.object({
  bill_no: key,
  patient_id: key,
  /** Σ items.amount, fen */
  amount: fenSchema,
  dept_name: z.string(),
  doctor_name: z.string(),
  billing_time: cstDateTimeSchema,
  status: hisBillStatusSchema,
  items: z.array(hisBillItemSchema).min(1).max(HIS_BILL_ITEMS_MAX),
});
export type HisWireBill = z.infer<typeof hisBillSchema>;

export const unpaidBillsSchema = z.object({ patient_id: key, bills: z.array(hisBillSchema) });
export type HisWireUnpaidBills = z.infer<typeof unpaidBillsSchema>;

export const lockBillsResultSchema = z.object({ order_no: key, bill_nos: z.array(key) });
export type LockBillsResult = z.infer<typeof lockBillsResultSchema>;

export const unlockBillsResultSchema = z.object({
  order_no: key,
  /** the bills this call released (bills not locked by order_no are left alone) */
  unlocked: z.array(key),
});
export type UnlockBillsResult = z.infer<typeof unlockBillsResultSchema>;

export const confirmChargeResultSchema = z.object({
  order_no: key,
  /** the HIS receipt number (收据号); the same one for a repeated confirm */
  receipt_no: z.string(),
  total_amount: fenSchema,
  charge_time: cstDateTimeSchema,
});
export type ConfirmChargeResult = z.infer<typeof confirmChargeResultSchema>;

export const refundChargeResultSchema = z.object({
  order_no: key,
  refund_no: key,
  refund_receipt_no: z.string(),
  amount: fenSchema,
  refund_time: cstDateTimeSchema,
});
export type RefundChargeResult = z.infer<typeof refundChargeResultSchema>;

export const dailyChargeSchema = z.object({
  order_no: key,
  receipt_no: z.string().min(1),
  patient_id: key,
  bill_nos: z.array(key).min(1),
  total_amount: fenSchema,
  fund_amount: fenSchema,
  account_amount: fenSchema,
  cash_amount: fenSchema,
  transaction_id: key.optional(),
  pay_ord_id: key.optional(),
  setl_id: key.optional(),
  /** when the patient paid (as the confirm said) */
  pay_time: cstDateTimeSchema,
  /** when the HIS confirmed; the daily list is cut on this */
  charge_time: cstDateTimeSchema,
});
export type HisWireDailyCharge = z.infer<typeof dailyChargeSchema>;

export const dailyRefundSchema = z.object({
  order_no: key,
  refund_no: key,
  refund_receipt_no: z.string().min(1),
  amount: fenSchema,
  refund_time: cstDateTimeSchema,
});
export type HisWireDailyRefund = z.infer<typeof dailyRefundSchema>;

/**
 * `GET /his/charges/daily` query. Without page_size and cursor: the whole day in one answer, charges and
 * refunds each in time order (kept for small days). With either: one page of at most page_size records
 * (default HIS_DAILY_PAGE_SIZE_DEFAULT) in the order the HIS recorded them, all the day's charges first, then
 * its refunds; `next_cursor` in the answer fetches the next page and is absent on the last one. A cursor is
 * opaque and valid for its date only.
 */
export const dailyChargesQuerySchema = z.object({
  date: businessDateSchema,
  page_size: z.coerce.number().int().min(1).max(HIS_DAILY_PAGE_SIZE_MAX).optional(),
  cursor: z.string().min(1).max(CURSOR_CHARS_MAX).optional(),
});
export type DailyChargesQuery = z.infer<typeof dailyChargesQuerySchema>;

/** Charges and refunds the HIS recorded for online orders on one business day (CST), or a page of them. */
export const dailyChargesSchema = z.object({
  date: businessDateSchema,
  charges: z.array(dailyChargeSchema),
  refunds: z.array(dailyRefundSchema),
  /** paged answers: the cursor of the next page; absent (or null) on the last page */
  next_cursor: z.string().min(1).max(CURSOR_CHARS_MAX).nullable().optional(),
});
export type HisWireDailyCharges = z.infer<typeof dailyChargesSchema>;
