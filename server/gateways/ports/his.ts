/**
 * Port to the hospital HIS: patients, unpaid bills, bill locks, charge confirmation and refunds, and the day's
 * charge list for reconciliation. Implemented over HTTP by server/gateways/his.
 */
import type { Split } from '../../../shared/money';
import type { InsuranceClass } from './insurance';

export interface HisPatient {
  hisPatientId: string;
  name: string;
  /** the mobile number the hospital holds for the patient: where a card-binding code goes */
  phone?: string;
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
