/**
 * The pure side of the HIS adapter: port types ↔ the HIS wire (shared/protocol/his.ts), with integrity
 * checks on what the HIS answers. Anything the HIS says that does not add up is `invalid_response`: we do
 * not show a patient a bill whose lines do not make its total, nor record a charge without a receipt.
 */
import type { z } from 'zod';
import { cstDate, cstDateTime } from '../../../shared/clock';
import { assertSplit, isValidSplit, type Split } from '../../../shared/money';
import {
  HIS_DAILY_PAGE_SIZE_MAX,
  HIS_SUCCESS_CODE,
  businessDateSchema,
  hisEnvelopeSchema,
  type ConfirmChargeRequest,
  type ConfirmChargeResult,
  type HisWireBill,
  type HisWireBillItem,
  type HisWireBillStatus,
  type HisWireDailyCharge,
  type HisWireDailyCharges,
  type HisWireDailyRefund,
  type HisWirePatient,
  type LockBillsRequest,
  type RefundChargeRequest,
  type RefundChargeResult,
  type UnlockBillsRequest,
} from '../../../shared/protocol/his';
import {
  GatewayError,
  type HisBill,
  type HisBillItem,
  type HisCharge,
  type HisChargeRecord,
  type HisDailyCharges,
  type HisDayRecord,
  type HisPatient,
  type HisRefundRecord,
} from '../ports';

export type HisOutcome<T> = { ok: true; data: T } | { ok: false; code: string; message: string };

function invalid(message: string): GatewayError {
  return new GatewayError('his', 'invalid_response', message);
}

/** Reads the `{code, message, data}` envelope; a success must carry data matching `schema`. */
export function readEnvelope<T>(body: unknown, schema: z.ZodType<T>): HisOutcome<T> {
  const envelope = hisEnvelopeSchema.safeParse(body);
  if (!envelope.success) throw invalid('the answer is not a {code, message, data} envelope');
  const { code, message, data } = envelope.data;
  if (code !== HIS_SUCCESS_CODE) return { ok: false, code, message };
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`unexpected data at ${issue.path.join('.') || 'data'}: ${issue.message}`);
  }
  return { ok: true, data: parsed.data };
}

/** "2026-11-23 19:15:32" (China time) → epoch ms; a time that does not exist is invalid. */
export function cstDateTimeToMs(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!match) throw invalid(`not a yyyy-MM-dd HH:mm:ss time: ${JSON.stringify(text)}`);
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) - 8 * 3600_000;
  if (cstDateTime(ms) !== text) throw invalid(`not a real time: ${text}`);
  return ms;
}

// ───────────────────────────── patients and bills ─────────────────────────────

export function toPatientQuery(name: string, idNo: string): { name: string; id_no: string } {
  return { name, id_no: idNo };
}

export function toPatient(wire: HisWirePatient): HisPatient {
  return { hisPatientId: wire.patient_id, name: wire.name, phone: wire.phone };
}

function toBillStatus(status: HisWireBillStatus): HisBill['status'] {
  switch (status) {
    case 'UNPAID':
      return 'UNPAID';
    case 'LOCKED':
      return 'LOCKED';
    case 'PAID':
      return 'PAID';
    case 'REFUNDED':
      return 'REFUNDED';
  }
}

function toBillItem(wire: HisWireBillItem, billNo: string): HisBillItem {
  if (wire.amount !== wire.price * wire.qty) {
    throw invalid(
      `bill ${billNo} item ${wire.item_code}: amount ${wire.amount} ≠ ${wire.price} × ${wire.qty}`,
    );
  }
  return {
    code: wire.item_code,
    name: wire.item_name,
    spec: wire.spec,
    priceFen: wire.price,
    qty: wire.qty,
    amountFen: wire.amount,
    insuranceClass: wire.insurance_class,
  };
}

export function toBill(wire: HisWireBill): HisBill {
  const items = wire.items.map((item) => toBillItem(item, wire.bill_no));
  const itemsFen = items.reduce((sum, item) => sum + item.amountFen, 0);
  if (itemsFen !== wire.amount) {
    throw invalid(`bill ${wire.bill_no}: amount ${wire.amount} fen but its items sum to ${itemsFen} fen`);
  }
  return {
    billNo: wire.bill_no,
    hisPatientId: wire.patient_id,
    amountFen: wire.amount,
    dept: wire.dept_name,
    doctor: wire.doctor_name,
    createdAtMs: cstDateTimeToMs(wire.billing_time),
    status: toBillStatus(wire.status),
    items,
  };
}

/** Bills of the patient we asked about, each checked; a bill of someone else is an HIS fault. */
export function toUnpaidBills(
  wire: { patient_id: string; bills: HisWireBill[] },
  hisPatientId: string,
): HisBill[] {
  if (wire.patient_id !== hisPatientId)
    throw invalid(`asked for the bills of ${hisPatientId}, got ${wire.patient_id}'s`);
  return wire.bills.map((bill) => {
    if (bill.patient_id !== hisPatientId) throw invalid(`bill ${bill.bill_no} belongs to ${bill.patient_id}`);
    return toBill(bill);
  });
}

export function toRequestedBill(wire: HisWireBill, billNo: string): HisBill {
  if (wire.bill_no !== billNo) throw invalid(`asked for bill ${billNo}, got ${wire.bill_no}`);
  return toBill(wire);
}

// ───────────────────────────── locks, charges, refunds ─────────────────────────────

export function toLockRequest(orderNo: string, hisPatientId: string, billNos: string[]): LockBillsRequest {
  return { order_no: orderNo, patient_id: hisPatientId, bill_nos: [...billNos] };
}

export function toUnlockRequest(orderNo: string, billNos: string[]): UnlockBillsRequest {
  return { order_no: orderNo, bill_nos: [...billNos] };
}

export function toConfirmRequest(charge: HisCharge): ConfirmChargeRequest {
  assertSplit(charge.split, `split of order ${charge.orderNo}`);
  return {
    order_no: charge.orderNo,
    patient_id: charge.hisPatientId,
    bill_nos: [...charge.billNos],
    total_amount: charge.split.total,
    fund_amount: charge.split.fund,
    account_amount: charge.split.account,
    cash_amount: charge.split.cash,
    transaction_id: charge.transactionId,
    pay_ord_id: charge.payOrdId,
    setl_id: charge.setlId,
    pay_time: cstDateTime(charge.paidAtMs),
  };
}

/** The receipt of our confirm: same order, same total, a receipt number. */
export function toReceipt(wire: ConfirmChargeResult, charge: HisCharge): { receiptNo: string } {
  if (wire.order_no !== charge.orderNo)
    throw invalid(`confirmed order ${wire.order_no}, not ${charge.orderNo}`);
  if (wire.total_amount !== charge.split.total) {
    throw invalid(
      `order ${charge.orderNo} confirmed for ${wire.total_amount} fen, not ${charge.split.total}`,
    );
  }
  if (wire.receipt_no.trim() === '')
    throw invalid(`order ${charge.orderNo} confirmed without a receipt number`);
  return { receiptNo: wire.receipt_no };
}

export function toRefundRequest(orderNo: string, refundNo: string, amountFen: number): RefundChargeRequest {
  return { order_no: orderNo, refund_no: refundNo, amount: amountFen };
}

export function toRefundReceipt(
  wire: RefundChargeResult,
  request: RefundChargeRequest,
): { refundReceiptNo: string } {
  if (wire.order_no !== request.order_no || wire.refund_no !== request.refund_no) {
    throw invalid(
      `refund answer is for ${wire.order_no}/${wire.refund_no}, not ${request.order_no}/${request.refund_no}`,
    );
  }
  if (wire.amount !== request.amount)
    throw invalid(`refund ${request.refund_no}: ${wire.amount} fen, not ${request.amount}`);
  if (wire.refund_receipt_no.trim() === '')
    throw invalid(`refund ${request.refund_no} without a receipt number`);
  return { refundReceiptNo: wire.refund_receipt_no };
}

// ───────────────────────────── daily list ─────────────────────────────

function toChargeRecord(wire: HisWireDailyCharge): HisChargeRecord {
  const split: Split = {
    total: wire.total_amount,
    fund: wire.fund_amount,
    account: wire.account_amount,
    cash: wire.cash_amount,
  };
  if (!isValidSplit(split)) throw invalid(`charge of order ${wire.order_no}: total ≠ fund + account + cash`);
  return {
    orderNo: wire.order_no,
    receiptNo: wire.receipt_no,
    hisPatientId: wire.patient_id,
    billNos: wire.bill_nos,
    split,
    transactionId: wire.transaction_id,
    payOrdId: wire.pay_ord_id,
    setlId: wire.setl_id,
    paidAtMs: cstDateTimeToMs(wire.pay_time),
    chargedAtMs: cstDateTimeToMs(wire.charge_time),
  };
}

function toRefundRecord(wire: HisWireDailyRefund): HisRefundRecord {
  return {
    orderNo: wire.order_no,
    refundNo: wire.refund_no,
    refundReceiptNo: wire.refund_receipt_no,
    amountFen: wire.amount,
    refundedAtMs: cstDateTimeToMs(wire.refund_time),
  };
}

export function toDailyCharges(wire: HisWireDailyCharges, date: string): HisDailyCharges {
  if (wire.date !== date) throw invalid(`asked for the charges of ${date}, got ${wire.date}`);
  return { date, charges: wire.charges.map(toChargeRecord), refunds: wire.refunds.map(toRefundRecord) };
}

// ───────────────────────────── daily list, paged ─────────────────────────────

/** The path of one page of the daily list (page_size bounded; the cursor as the HIS gave it). */
export function toDailyPagePath(basePath: string, date: string, pageSize: number, cursor?: string): string {
  if (!businessDateSchema.safeParse(date).success) throw new RangeError(`not a yyyy-MM-dd date: ${date}`);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > HIS_DAILY_PAGE_SIZE_MAX)
    throw new RangeError(`page size must be 1…${HIS_DAILY_PAGE_SIZE_MAX}, got ${pageSize}`);
  const query = new URLSearchParams({ date, page_size: String(pageSize) });
  if (cursor !== undefined) query.set('cursor', cursor);
  return `${basePath}?${query.toString()}`;
}

export interface DailyPage {
  records: HisDayRecord[];
  /** absent on the last page */
  nextCursor?: string;
}

/**
 * One page → records (charges, then refunds), each checked: the page is of the day asked for and no longer
 * than asked, every record falls on that day (China time), a charge's legs add up; a page that promises more
 * must carry some records (else the walk could go on for ever).
 */
export function toDailyPage(wire: HisWireDailyCharges, date: string, pageSize: number): DailyPage {
  if (wire.date !== date) throw invalid(`asked for the charges of ${date}, got ${wire.date}`);
  const size = wire.charges.length + wire.refunds.length;
  if (size > pageSize) throw invalid(`a page of ${size} records, asked for at most ${pageSize}`);
  const records: HisDayRecord[] = [];
  for (const charge of wire.charges) {
    const record = toChargeRecord(charge);
    if (cstDate(record.chargedAtMs) !== date)
      throw invalid(`charge of order ${record.orderNo} at ${charge.charge_time} is not on ${date}`);
    records.push({ kind: 'CHARGE', ...record });
  }
  for (const refund of wire.refunds) {
    const record = toRefundRecord(refund);
    if (cstDate(record.refundedAtMs) !== date)
      throw invalid(`refund ${record.refundNo} at ${refund.refund_time} is not on ${date}`);
    records.push({ kind: 'REFUND', ...record });
  }
  const nextCursor = wire.next_cursor ?? undefined;
  if (nextCursor !== undefined && size === 0) throw invalid('an empty page that promises a next one');
  return nextCursor === undefined ? { records } : { records, nextCursor };
}
