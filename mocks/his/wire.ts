/** The mock's state as the HIS writes it on the wire (snake_case, fen, CST times), and the success envelope. */
import type Koa from 'koa';
import { cstDateTime } from '../../shared/clock';
import {
  HIS_SUCCESS_CODE,
  type HisWireBill,
  type HisWireDailyCharge,
  type HisWireDailyRefund,
  type HisWirePatient,
} from '../../shared/protocol/his';
import type { Bill, Charge, Patient, Refund } from './state';

export function ok(ctx: Koa.Context, data: unknown): void {
  ctx.status = 200;
  ctx.body = { code: HIS_SUCCESS_CODE, message: '成功', data };
}

/** Lets testers find a request in the journal by order, bill, refund or patient. */
export function tag(ctx: Koa.Context, tags: Record<string, string | string[] | undefined>): void {
  const journalTags = ctx.state.journalTags as Record<string, string>;
  for (const [key, value] of Object.entries(tags)) {
    if (value !== undefined) journalTags[key] = Array.isArray(value) ? value.join(',') : value;
  }
}

export function patientToWire(patient: Patient): HisWirePatient {
  return { patient_id: patient.patientId, name: patient.name, phone: patient.phone };
}

export function billToWire(bill: Bill): HisWireBill {
  return {
    bill_no: bill.billNo,
    patient_id: bill.patientId,
    amount: bill.amount,
    dept_name: bill.dept,
    doctor_name: bill.doctor,
    billing_time: cstDateTime(bill.createdAtMs),
    status: bill.status,
    items: bill.items.map((item) => ({
      item_code: item.code,
      item_name: item.name,
      spec: item.spec,
      price: item.price,
      qty: item.qty,
      amount: item.amount,
      insurance_class: item.insuranceClass,
    })),
  };
}

export function chargeToWire(charge: Charge): HisWireDailyCharge {
  return {
    order_no: charge.orderNo,
    receipt_no: charge.receiptNo,
    patient_id: charge.patientId,
    bill_nos: charge.billNos,
    total_amount: charge.total,
    fund_amount: charge.fund,
    account_amount: charge.account,
    cash_amount: charge.cash,
    transaction_id: charge.transactionId,
    pay_ord_id: charge.payOrdId,
    setl_id: charge.setlId,
    pay_time: charge.payTime,
    charge_time: cstDateTime(charge.chargedAtMs),
  };
}

export function refundToWire(refund: Refund): HisWireDailyRefund {
  return {
    order_no: refund.orderNo,
    refund_no: refund.refundNo,
    refund_receipt_no: refund.refundReceiptNo,
    amount: refund.amount,
    refund_time: cstDateTime(refund.refundedAtMs),
  };
}
