/**
 * What the HIS does with money: lock bills for an order, unlock, confirm the charge (缴费确认), refund it,
 * and the cashier window paying a bill behind our back. Each check runs on every bill before anything
 * changes, so a refused call leaves the state as it was.
 */
import { sumFen } from '../../shared/money';
import type { ConfirmChargeRequest, RefundChargeRequest } from '../../shared/protocol/his';
import { MockHttpError } from '../common/app';
import { HisRefusal, type Bill, type Charge, type HisState, type Refund } from './state';

function payableBy(bill: Bill, orderNo: string): boolean {
  return bill.status === 'UNPAID' || (bill.status === 'LOCKED' && bill.lockedBy === orderNo);
}

function whyNotPayable(bill: Bill): string {
  switch (bill.status) {
    case 'UNPAID':
      return `bill ${bill.billNo} is payable`;
    case 'LOCKED':
      return `bill ${bill.billNo} is locked by another order`;
    case 'PAID':
      return `bill ${bill.billNo} is already paid`;
    case 'REFUNDED':
      return `bill ${bill.billNo} was paid and refunded`;
  }
}

/** The bills of patientId that orderNo may pay, or a refusal. */
function payableBills(state: HisState, orderNo: string, patientId: string, billNos: string[]): Bill[] {
  if (!state.patients.has(patientId)) throw new HisRefusal('PATIENT_NOT_FOUND', `no patient ${patientId}`);
  return billNos.map((billNo) => {
    const bill = state.bills.get(billNo);
    if (!bill) throw new HisRefusal('BILL_NOT_FOUND', `no bill ${billNo}`);
    if (bill.patientId !== patientId) {
      throw new HisRefusal('ORDER_MISMATCH', `bill ${billNo} belongs to another patient`);
    }
    if (!payableBy(bill, orderNo)) throw new HisRefusal('BILL_NOT_PAYABLE', whyNotPayable(bill));
    return bill;
  });
}

/** Idempotent by orderNo: bills it already holds stay locked. */
export function lockBills(state: HisState, orderNo: string, patientId: string, billNos: string[]): void {
  const nowMs = state.clock.now();
  for (const bill of payableBills(state, orderNo, patientId, billNos)) {
    if (bill.status === 'LOCKED') continue;
    bill.status = 'LOCKED';
    bill.lockedBy = orderNo;
    bill.lockedAtMs = nowMs;
  }
}

/** Releases the bills orderNo holds; any other bill (unknown, free, paid, another order's) is left alone. */
export function unlockBills(state: HisState, orderNo: string, billNos: string[]): string[] {
  const unlocked: string[] = [];
  for (const billNo of billNos) {
    const bill = state.bills.get(billNo);
    if (!bill || bill.status !== 'LOCKED' || bill.lockedBy !== orderNo) continue;
    bill.status = 'UNPAID';
    bill.lockedBy = undefined;
    bill.lockedAtMs = undefined;
    unlocked.push(billNo);
  }
  return unlocked;
}

function fingerprintOf(request: ConfirmChargeRequest): string {
  return JSON.stringify({ ...request, bill_nos: [...request.bill_nos].sort() });
}

/** 缴费确认. Idempotent by order_no: the same request again gets the same charge (and receipt). */
export function confirmCharge(state: HisState, request: ConfirmChargeRequest): Charge {
  const fingerprint = fingerprintOf(request);
  const earlier = state.charges.get(request.order_no);
  if (earlier) {
    if (earlier.fingerprint === fingerprint) return earlier;
    throw new HisRefusal(
      'ORDER_MISMATCH',
      `order ${request.order_no} was confirmed with other bills or amounts`,
    );
  }
  const bills = payableBills(state, request.order_no, request.patient_id, request.bill_nos);
  const billsFen = sumFen(bills.map((bill) => bill.amount));
  if (request.total_amount !== billsFen) {
    throw new HisRefusal(
      'AMOUNT_MISMATCH',
      `total_amount ${request.total_amount} fen, bills sum to ${billsFen} fen`,
    );
  }
  const nowMs = state.clock.now();
  const charge: Charge = {
    orderNo: request.order_no,
    receiptNo: state.nextReceiptNo(),
    patientId: request.patient_id,
    billNos: [...request.bill_nos],
    total: request.total_amount,
    fund: request.fund_amount,
    account: request.account_amount,
    cash: request.cash_amount,
    transactionId: request.transaction_id,
    payOrdId: request.pay_ord_id,
    setlId: request.setl_id,
    payTime: request.pay_time,
    chargedAtMs: nowMs,
    refundedFen: 0,
    fingerprint,
    seq: state.nextRecordSeq(),
  };
  for (const bill of bills)
    markPaid(bill, {
      paidBy: 'ORDER',
      paidOrderId: charge.orderNo,
      receiptNo: charge.receiptNo,
      paidAtMs: nowMs,
    });
  state.recordCharge(charge);
  return charge;
}

/**
 * Idempotent by refund_no; never more than what is left of the charge. `refundedAtMs` (default now) and
 * `injected` are for the admin API's refunds recorded at the HIS only.
 */
export function refundCharge(
  state: HisState,
  request: RefundChargeRequest,
  options: { refundedAtMs?: number; injected?: boolean } = {},
): Refund {
  const earlier = state.refunds.get(request.refund_no);
  if (earlier) {
    if (earlier.orderNo === request.order_no && earlier.amount === request.amount) return earlier;
    throw new HisRefusal(
      'ORDER_MISMATCH',
      `refund ${request.refund_no} was made for another order or amount`,
    );
  }
  const charge = state.charges.get(request.order_no);
  if (!charge) throw new HisRefusal('CHARGE_NOT_FOUND', `no confirmed charge for order ${request.order_no}`);
  const leftFen = charge.total - charge.refundedFen;
  if (request.amount > leftFen) {
    throw new HisRefusal(
      'REFUND_EXCEEDS_CHARGED',
      `refund ${request.amount} fen, ${leftFen} fen left to refund`,
    );
  }
  charge.refundedFen += request.amount;
  if (charge.refundedFen === charge.total) {
    for (const billNo of charge.billNos) {
      const bill = state.bills.get(billNo);
      if (bill) bill.status = 'REFUNDED';
    }
  }
  const refund: Refund = {
    refundNo: request.refund_no,
    orderNo: request.order_no,
    refundReceiptNo: state.nextRefundReceiptNo(),
    amount: request.amount,
    refundedAtMs: options.refundedAtMs ?? state.clock.now(),
    seq: state.nextRecordSeq(),
  };
  if (options.injected) refund.injected = true;
  state.recordRefund(refund);
  return refund;
}

/** A cashier takes the money at the window: the bill is paid, whoever held the lock. Not an online charge. */
export function payAtWindow(state: HisState, bill: Bill): void {
  if (bill.status === 'PAID' || bill.status === 'REFUNDED') {
    throw new MockHttpError(409, 'BILL_NOT_PAYABLE', whyNotPayable(bill));
  }
  markPaid(bill, {
    paidBy: 'WINDOW',
    paidOrderId: undefined,
    receiptNo: state.nextReceiptNo(),
    paidAtMs: state.clock.now(),
  });
}

interface Payment {
  paidBy: 'ORDER' | 'WINDOW';
  paidOrderId: string | undefined;
  receiptNo: string;
  paidAtMs: number;
}

function markPaid(bill: Bill, payment: Payment): void {
  bill.status = 'PAID';
  bill.lockedBy = undefined;
  bill.lockedAtMs = undefined;
  bill.paidBy = payment.paidBy;
  bill.paidOrderId = payment.paidOrderId;
  bill.receiptNo = payment.receiptNo;
  bill.paidAtMs = payment.paidAtMs;
}

/** Online charges and refunds of one business day (CST), in time order (the unpaged list). */
export function dailyCharges(state: HisState, date: string): { charges: Charge[]; refunds: Refund[] } {
  const day = state.dayLists(date);
  const charges = [...day.charges].sort((a, b) => a.chargedAtMs - b.chargedAtMs || a.seq - b.seq);
  const refunds = [...day.refunds].sort((a, b) => a.refundedAtMs - b.refundedAtMs || a.seq - b.seq);
  return { charges, refunds };
}
