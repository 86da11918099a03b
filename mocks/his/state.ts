/**
 * The HIS mock's memory: patients, outpatient bills, confirmed charges and their refunds. Everything is
 * in fen. Identifiers come from counters, so a reset gives the same numbers again.
 */
import type { Clock } from '../../shared/clock';
import { sumFen } from '../../shared/money';
import type { HisInsuranceClass, HisRefusalCode } from '../../shared/protocol/his';
import { MockHttpError } from '../common/app';
import { seedHis } from './seed';

export type BillStatus = 'UNPAID' | 'LOCKED' | 'PAID' | 'REFUNDED';

export interface Patient {
  patientId: string;
  name: string;
  idNo: string;
  phone?: string;
}

export interface BillItem {
  code: string;
  name: string;
  spec?: string;
  price: number;
  qty: number;
  amount: number;
  insuranceClass?: HisInsuranceClass;
}

export interface Bill {
  billNo: string;
  patientId: string;
  dept: string;
  doctor: string;
  createdAtMs: number;
  items: BillItem[];
  amount: number;
  status: BillStatus;
  lockedBy?: string;
  lockedAtMs?: number;
  /** the online order that paid it (absent when paid at the window) */
  paidOrderId?: string;
  paidBy?: 'ORDER' | 'WINDOW';
  paidAtMs?: number;
  receiptNo?: string;
}

export interface Charge {
  orderNo: string;
  receiptNo: string;
  patientId: string;
  billNos: string[];
  total: number;
  fund: number;
  account: number;
  cash: number;
  transactionId?: string;
  payOrdId?: string;
  setlId?: string;
  /** pay time as the confirm request gave it (CST text) */
  payTime: string;
  chargedAtMs: number;
  refundedFen: number;
  /** the canonical confirm request, to tell a repeat from a different request with the same order_no */
  fingerprint: string;
}

export interface Refund {
  refundNo: string;
  orderNo: string;
  refundReceiptNo: string;
  amount: number;
  refundedAtMs: number;
}

export interface NewPatient {
  name: string;
  idNo: string;
  phone?: string;
}

export interface NewBill {
  patientId: string;
  items: Omit<BillItem, 'amount'>[];
  dept?: string;
  doctor?: string;
  createdAtMs?: number;
}

/** A business refusal: HTTP 200 with the HIS's own code, as the vendor convention has it. */
export class HisRefusal extends MockHttpError {
  constructor(code: HisRefusalCode, message: string) {
    super(200, code, message);
  }
}

export class HisState {
  readonly patients = new Map<string, Patient>();
  readonly bills = new Map<string, Bill>();
  /** by order_no */
  readonly charges = new Map<string, Charge>();
  /** by refund_no */
  readonly refunds = new Map<string, Refund>();
  private counters = { patient: 0, bill: 0, receipt: 0, refundReceipt: 0 };

  constructor(readonly clock: Clock) {
    this.reset();
  }

  /** Back to the seeded demo data, with counters from the start. */
  reset(): void {
    this.patients.clear();
    this.bills.clear();
    this.charges.clear();
    this.refunds.clear();
    this.counters = { patient: 0, bill: 0, receipt: 0, refundReceipt: 0 };
    seedHis(this);
  }

  addPatient(input: NewPatient): Patient {
    const patientId = `P${String(100_000 + ++this.counters.patient)}`;
    const patient: Patient = {
      patientId,
      name: input.name,
      idNo: input.idNo.toUpperCase(),
      phone: input.phone,
    };
    this.patients.set(patientId, patient);
    return patient;
  }

  patientByIdNo(idNo: string): Patient | undefined {
    const wanted = idNo.toUpperCase();
    for (const patient of this.patients.values()) if (patient.idNo === wanted) return patient;
    return undefined;
  }

  /** Amounts are computed here, never taken from the caller: amount = price × qty, bill = Σ items. */
  addBill(input: NewBill): Bill {
    if (!this.patients.has(input.patientId)) throw new RangeError(`unknown patient ${input.patientId}`);
    const items = input.items.map((item) => ({ ...item, amount: item.price * item.qty }));
    const bill: Bill = {
      billNo: `MZ${String(++this.counters.bill).padStart(6, '0')}`,
      patientId: input.patientId,
      dept: input.dept ?? '普通内科',
      doctor: input.doctor ?? '值班医生',
      createdAtMs: input.createdAtMs ?? this.clock.now(),
      items,
      amount: sumFen(items.map((item) => item.amount)),
      status: 'UNPAID',
    };
    this.bills.set(bill.billNo, bill);
    return bill;
  }

  billsOf(patientId: string): Bill[] {
    return [...this.bills.values()].filter((bill) => bill.patientId === patientId);
  }

  nextReceiptNo(): string {
    return `SJ${String(++this.counters.receipt).padStart(8, '0')}`;
  }

  nextRefundReceiptNo(): string {
    return `TF${String(++this.counters.refundReceipt).padStart(8, '0')}`;
  }
}
