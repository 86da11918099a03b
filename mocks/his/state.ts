/**
 * The HIS mock's memory: patients, outpatient bills, confirmed charges and their refunds. Everything is
 * in fen. Identifiers come from counters, so a reset gives the same numbers again.
 */
import { cstDate, type Clock } from '../../shared/clock';
import { sumFen } from '../../shared/money';
import type { HisRefusalCode } from '../../shared/protocol/his';
import { MockHttpError } from '../common/app';
import { seedHis } from './seed';
import type { BillItem } from './records';

export type BillStatus = 'UNPAID' | 'LOCKED' | 'PAID' | 'REFUNDED';

export interface Patient {
  patientId: string;
  name: string;
  idNo: string;
  phone?: string;
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
  /** recording order (one counter for charges and refunds): the daily list's order and its cursor */
  seq: number;
  /** injected through the admin API (a charge with no payment behind it) */
  injected?: boolean;
}

export interface Refund {
  refundNo: string;
  orderNo: string;
  refundReceiptNo: string;
  amount: number;
  refundedAtMs: number;
  seq: number;
  injected?: boolean;
}

/** Records of one business day, in recording order (ascending seq). */
export interface DayLists {
  charges: Charge[];
  refunds: Refund[];
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
  /** the daily list's index: business day (CST) → its charges and refunds in recording order */
  private readonly days = new Map<string, DayLists>();
  private counters = { patient: 0, bill: 0, receipt: 0, refundReceipt: 0, record: 0 };

  constructor(readonly clock: Clock) {
    this.reset();
  }

  /** Back to the seeded demo data, with counters from the start. */
  reset(): void {
    this.patients.clear();
    this.bills.clear();
    this.charges.clear();
    this.refunds.clear();
    this.days.clear();
    this.counters = { patient: 0, bill: 0, receipt: 0, refundReceipt: 0, record: 0 };
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

  nextRecordSeq(): number {
    return ++this.counters.record;
  }

  private day(date: string): DayLists {
    let lists = this.days.get(date);
    if (!lists) {
      lists = { charges: [], refunds: [] };
      this.days.set(date, lists);
    }
    return lists;
  }

  /** The day's lists (the caller must not change them). */
  dayLists(date: string): DayLists {
    return this.days.get(date) ?? { charges: [], refunds: [] };
  }

  /** Keeps a charge and lists it on the day it was charged. Its seq must be the newest. */
  recordCharge(charge: Charge): void {
    this.charges.set(charge.orderNo, charge);
    this.day(cstDate(charge.chargedAtMs)).charges.push(charge);
  }

  recordRefund(refund: Refund): void {
    this.refunds.set(refund.refundNo, refund);
    this.day(cstDate(refund.refundedAtMs)).refunds.push(refund);
  }

  /** Forgets a charge (the HIS lost it); its refunds stay. */
  removeCharge(charge: Charge): void {
    this.charges.delete(charge.orderNo);
    const list = this.days.get(cstDate(charge.chargedAtMs))?.charges;
    const at = list?.indexOf(charge) ?? -1;
    if (list && at >= 0) list.splice(at, 1);
  }
}
