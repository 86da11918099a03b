/** The HIS protocol routes (shared/protocol/his.ts): what the server's HIS adapter calls. */
import {
  HIS_PATHS,
  confirmChargeRequestSchema,
  dailyChargesQuerySchema,
  lockBillsRequestSchema,
  patientQueryRequestSchema,
  refundChargeRequestSchema,
  unlockBillsRequestSchema,
  type ConfirmChargeResult,
  type HisWireDailyCharges,
  type HisWireUnpaidBills,
  type LockBillsResult,
  type RefundChargeResult,
  type UnlockBillsResult,
} from '../../shared/protocol/his';
import { cstDateTime } from '../../shared/clock';
import { parseBody, type MockFrame } from '../common/app';
import { confirmCharge, dailyCharges, lockBills, refundCharge, unlockBills } from './charges';
import { dailyPage } from './daily';
import { applyLockScenario } from './scenarios';
import { HisRefusal, type HisState } from './state';
import { billToWire, chargeToWire, ok, patientToWire, refundToWire, tag } from './wire';

export function mountHisRoutes(frame: MockFrame, state: HisState): void {
  const { router } = frame;

  router.post(HIS_PATHS.patientQuery, (ctx) => {
    const request = parseBody(patientQueryRequestSchema, ctx.request.body);
    const patient = state.patientByIdNo(request.id_no);
    // a wrong name is answered exactly like an unknown ID number
    if (!patient || patient.name !== request.name) {
      throw new HisRefusal('PATIENT_NOT_FOUND', 'no patient with this name and ID number');
    }
    tag(ctx, { patientId: patient.patientId });
    ok(ctx, patientToWire(patient));
  });

  router.get(HIS_PATHS.unpaidBills, (ctx) => {
    const patientId = ctx.params.patientId;
    tag(ctx, { patientId });
    if (!state.patients.has(patientId)) throw new HisRefusal('PATIENT_NOT_FOUND', `no patient ${patientId}`);
    const bills = state
      .billsOf(patientId)
      .filter((bill) => bill.status === 'UNPAID' || bill.status === 'LOCKED');
    const data: HisWireUnpaidBills = { patient_id: patientId, bills: bills.map(billToWire) };
    ok(ctx, data);
  });

  router.get(HIS_PATHS.bill, (ctx) => {
    const billNo = ctx.params.billNo;
    tag(ctx, { billNo });
    const bill = state.bills.get(billNo);
    if (!bill) throw new HisRefusal('BILL_NOT_FOUND', `no bill ${billNo}`);
    ok(ctx, billToWire(bill));
  });

  router.post(HIS_PATHS.lockBills, (ctx) => {
    const request = parseBody(lockBillsRequestSchema, ctx.request.body);
    tag(ctx, { orderNo: request.order_no, billNo: request.bill_nos, patientId: request.patient_id });
    applyLockScenario(frame, state, request);
    lockBills(state, request.order_no, request.patient_id, request.bill_nos);
    const data: LockBillsResult = { order_no: request.order_no, bill_nos: request.bill_nos };
    ok(ctx, data);
  });

  router.post(HIS_PATHS.unlockBills, (ctx) => {
    const request = parseBody(unlockBillsRequestSchema, ctx.request.body);
    tag(ctx, { orderNo: request.order_no, billNo: request.bill_nos });
    const data: UnlockBillsResult = {
      order_no: request.order_no,
      unlocked: unlockBills(state, request.order_no, request.bill_nos),
    };
    ok(ctx, data);
  });

  router.post(HIS_PATHS.confirmCharge, (ctx) => {
    const request = parseBody(confirmChargeRequestSchema, ctx.request.body);
    tag(ctx, { orderNo: request.order_no, billNo: request.bill_nos, patientId: request.patient_id });
    const charge = confirmCharge(state, request);
    tag(ctx, { receiptNo: charge.receiptNo });
    const data: ConfirmChargeResult = {
      order_no: charge.orderNo,
      receipt_no: charge.receiptNo,
      total_amount: charge.total,
      charge_time: cstDateTime(charge.chargedAtMs),
    };
    ok(ctx, data);
  });

  router.post(HIS_PATHS.refundCharge, (ctx) => {
    const request = parseBody(refundChargeRequestSchema, ctx.request.body);
    tag(ctx, { orderNo: request.order_no, refundNo: request.refund_no });
    const refund = refundCharge(state, request);
    const data: RefundChargeResult = { ...refundToWire(refund) };
    ok(ctx, data);
  });

  router.get(HIS_PATHS.dailyCharges, (ctx) => {
    const query = parseBody(dailyChargesQuerySchema, ctx.query);
    const { date } = query;
    if (query.page_size === undefined && query.cursor === undefined) {
      const { charges, refunds } = dailyCharges(state, date);
      const data: HisWireDailyCharges = {
        date,
        charges: charges.map(chargeToWire),
        refunds: refunds.map(refundToWire),
      };
      ok(ctx, data);
      return;
    }
    const page = dailyPage(state, date, query.page_size, query.cursor);
    const data: HisWireDailyCharges = {
      date,
      charges: page.charges.map(chargeToWire),
      refunds: page.refunds.map(refundToWire),
    };
    if (page.nextCursor !== undefined) data.next_cursor = page.nextCursor;
    ok(ctx, data);
  });
}
