/**
 * Admin API for reconciliation tests: charges and refunds as the HIS's books show them, changed behind the
 * hospital server's back — a charge with no payment, an amount that differs, a charge the HIS lost, a refund
 * recorded at the HIS only. Amounts in fen; times ISO 8601 in, ISO and CST out.
 */
import { z } from 'zod';
import { cstDateTime } from '../../shared/clock';
import { FEN_MAX } from '../../shared/money';
import { HIS_BILLS_PER_ORDER_MAX, businessDateSchema, fenSchema } from '../../shared/protocol/his';
import { MockHttpError, parseBody, type MockFrame } from '../common/app';
import { dailyCharges, refundCharge } from './charges';
import { HisRefusal, type Bill, type Charge, type HisState, type Refund } from './state';

const key = z.string().min(1).max(64);
const isoTime = z.iso.datetime({ offset: true });

const newChargeSchema = z
  .object({
    orderNo: key,
    /** default: the first patient (P100001) */
    patientId: key.optional(),
    /** default: a new bill of one line for `total`, paid by this charge */
    billNos: z.array(key).min(1).max(HIS_BILLS_PER_ORDER_MAX).optional(),
    total: fenSchema,
    fund: fenSchema,
    account: fenSchema,
    cash: fenSchema,
    /** default: now (mock clock); the daily list is cut on it */
    chargedAt: isoTime.optional(),
    transactionId: key.optional(),
    payOrdId: key.optional(),
    setlId: key.optional(),
    /** default: the next SJ… number */
    receiptNo: key.optional(),
  })
  .strict();

const chargePatchSchema = z
  .object({
    total: fenSchema.optional(),
    fund: fenSchema.optional(),
    account: fenSchema.optional(),
    cash: fenSchema.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'give at least one of total, fund, account, cash');

const newRefundSchema = z
  .object({
    refundNo: key,
    amount: fenSchema.min(1),
    /** default: now (mock clock); not before the charge */
    refundedAt: isoTime.optional(),
  })
  .strict();

const chargesQuerySchema = z.object({ date: businessDateSchema });

function refundView(refund: Refund) {
  return {
    orderNo: refund.orderNo,
    refundNo: refund.refundNo,
    refundReceiptNo: refund.refundReceiptNo,
    amount: refund.amount,
    refundedAt: new Date(refund.refundedAtMs).toISOString(),
    refundTime: cstDateTime(refund.refundedAtMs),
    injected: refund.injected === true,
  };
}

function chargeView(state: HisState, charge: Charge) {
  const refunds = [...state.refunds.values()].filter((r) => r.orderNo === charge.orderNo);
  return {
    orderNo: charge.orderNo,
    receiptNo: charge.receiptNo,
    patientId: charge.patientId,
    billNos: charge.billNos,
    total: charge.total,
    fund: charge.fund,
    account: charge.account,
    cash: charge.cash,
    transactionId: charge.transactionId,
    payOrdId: charge.payOrdId,
    setlId: charge.setlId,
    payTime: charge.payTime,
    chargedAt: new Date(charge.chargedAtMs).toISOString(),
    chargeTime: cstDateTime(charge.chargedAtMs),
    refundedFen: charge.refundedFen,
    injected: charge.injected === true,
    refunds: refunds.map(refundView),
  };
}

function chargeOr404(state: HisState, orderNo: string): Charge {
  const charge = state.charges.get(orderNo);
  if (!charge) throw new MockHttpError(404, 'CHARGE_NOT_FOUND', `no charge of order ${orderNo}`);
  return charge;
}

function legsAddUp(c: { total: number; fund: number; account: number; cash: number }): void {
  if (c.total !== c.fund + c.account + c.cash) {
    throw new MockHttpError(
      422,
      'AMOUNT_MISMATCH',
      `total ${c.total} ≠ fund ${c.fund} + account ${c.account} + cash ${c.cash}`,
    );
  }
}

/** The bills the charge pays: given ones must exist; none given → a new one-line bill of the total. */
function billsFor(state: HisState, input: z.infer<typeof newChargeSchema>, patientId: string): Bill[] {
  if (input.billNos === undefined) {
    const bill = state.addBill({
      patientId,
      items: [{ code: 'ADMIN0001', name: '补录费用', price: input.total, qty: 1 }],
      dept: '收费处',
    });
    return [bill];
  }
  return input.billNos.map((billNo) => {
    const bill = state.bills.get(billNo);
    if (!bill) throw new MockHttpError(404, 'BILL_NOT_FOUND', `no bill ${billNo}`);
    return bill;
  });
}

/** A confirmed charge with no payment behind it. Unpaid or locked bills it names become PAID by it. */
function injectCharge(state: HisState, input: z.infer<typeof newChargeSchema>): Charge {
  if (state.charges.has(input.orderNo))
    throw new MockHttpError(409, 'ORDER_EXISTS', `order ${input.orderNo} is already charged`);
  legsAddUp(input);
  const patientId = input.patientId ?? (state.patients.keys().next().value as string);
  if (!state.patients.has(patientId))
    throw new MockHttpError(404, 'PATIENT_NOT_FOUND', `no patient ${patientId}`);
  const chargedAtMs = input.chargedAt === undefined ? state.clock.now() : Date.parse(input.chargedAt);
  const bills = billsFor(state, input, patientId);
  const charge: Charge = {
    orderNo: input.orderNo,
    receiptNo: input.receiptNo ?? state.nextReceiptNo(),
    patientId,
    billNos: bills.map((bill) => bill.billNo),
    total: input.total,
    fund: input.fund,
    account: input.account,
    cash: input.cash,
    transactionId: input.transactionId,
    payOrdId: input.payOrdId,
    setlId: input.setlId,
    payTime: cstDateTime(chargedAtMs),
    chargedAtMs,
    refundedFen: 0,
    // no confirm request matches it: a later confirm of this order_no is refused ORDER_MISMATCH
    fingerprint: `injected:${input.orderNo}`,
    seq: state.nextRecordSeq(),
    injected: true,
  };
  for (const bill of bills) {
    if (bill.status !== 'UNPAID' && bill.status !== 'LOCKED') continue;
    Object.assign(bill, {
      status: 'PAID',
      lockedBy: undefined,
      lockedAtMs: undefined,
      paidBy: 'ORDER',
      paidOrderId: charge.orderNo,
      receiptNo: charge.receiptNo,
      paidAtMs: chargedAtMs,
    });
  }
  state.recordCharge(charge);
  return charge;
}

/** The amounts the HIS shows change; total = fund + account + cash (total left out: their sum). */
function patchCharge(charge: Charge, patch: z.infer<typeof chargePatchSchema>): void {
  const fund = patch.fund ?? charge.fund;
  const account = patch.account ?? charge.account;
  const cash = patch.cash ?? charge.cash;
  const next = { total: patch.total ?? fund + account + cash, fund, account, cash };
  legsAddUp(next);
  if (next.total > FEN_MAX) throw new MockHttpError(422, 'AMOUNT_MISMATCH', 'total too large');
  if (next.total < charge.refundedFen) {
    throw new MockHttpError(
      422,
      'REFUND_EXCEEDS_CHARGED',
      `${charge.refundedFen} fen of it are refunded already`,
    );
  }
  Object.assign(charge, next);
}

/** The HIS lost the charge: it leaves the lists, its bills are unpaid again; its refunds stay. */
function deleteCharge(state: HisState, charge: Charge): void {
  for (const billNo of charge.billNos) {
    const bill = state.bills.get(billNo);
    if (!bill || bill.paidOrderId !== charge.orderNo) continue;
    Object.assign(bill, {
      status: 'UNPAID',
      paidBy: undefined,
      paidOrderId: undefined,
      receiptNo: undefined,
      paidAtMs: undefined,
    });
  }
  state.removeCharge(charge);
}

function injectRefund(state: HisState, charge: Charge, input: z.infer<typeof newRefundSchema>): Refund {
  const refundedAtMs = input.refundedAt === undefined ? state.clock.now() : Date.parse(input.refundedAt);
  if (refundedAtMs < charge.chargedAtMs) {
    throw new MockHttpError(
      422,
      'PARAM_ERROR',
      `refundedAt is before the charge (${cstDateTime(charge.chargedAtMs)})`,
    );
  }
  try {
    return refundCharge(
      state,
      { order_no: charge.orderNo, refund_no: input.refundNo, amount: input.amount },
      { refundedAtMs, injected: true },
    );
  } catch (err) {
    if (!(err instanceof HisRefusal)) throw err;
    throw new MockHttpError(err.code === 'ORDER_MISMATCH' ? 409 : 422, err.code, err.message);
  }
}

export function mountChargeAdmin(frame: MockFrame, state: HisState): void {
  const { admin } = frame;

  admin.get('/charges', (ctx) => {
    const { date } = parseBody(chargesQuerySchema, ctx.query);
    const { charges, refunds } = dailyCharges(state, date);
    ctx.body = { date, charges: charges.map((c) => chargeView(state, c)), refunds: refunds.map(refundView) };
  });

  admin.post('/charges', (ctx) => {
    const charge = injectCharge(state, parseBody(newChargeSchema, ctx.request.body));
    ctx.status = 201;
    ctx.body = { orderNo: charge.orderNo, receiptNo: charge.receiptNo };
  });

  admin.get('/charges/:orderNo', (ctx) => {
    ctx.body = chargeView(state, chargeOr404(state, ctx.params.orderNo));
  });

  admin.patch('/charges/:orderNo', (ctx) => {
    const charge = chargeOr404(state, ctx.params.orderNo);
    patchCharge(charge, parseBody(chargePatchSchema, ctx.request.body));
    ctx.body = chargeView(state, charge);
  });

  admin.delete('/charges/:orderNo', (ctx) => {
    deleteCharge(state, chargeOr404(state, ctx.params.orderNo));
    ctx.status = 204;
  });

  admin.post('/charges/:orderNo/refunds', (ctx) => {
    const charge = chargeOr404(state, ctx.params.orderNo);
    const refund = injectRefund(state, charge, parseBody(newRefundSchema, ctx.request.body));
    ctx.status = 201;
    ctx.body = refundView(refund);
  });

  Object.assign(frame.openapi, chargeAdminOpenApi());
}

function jsonBody(schema: z.ZodType) {
  return {
    required: true,
    content: {
      'application/json': { schema: z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' }) },
    },
  };
}

const orderNoParam = { name: 'orderNo', in: 'path', required: true, schema: { type: 'string' } };

function chargeAdminOpenApi(): Record<string, unknown> {
  return {
    '/__admin/charges': {
      get: {
        summary:
          'The charges and refunds of a business day (CST), as the daily list has them, with admin details',
        parameters: [{ name: 'date', in: 'query', required: true, schema: { type: 'string' } }],
      },
      post: {
        summary:
          'Reconciliation scenario "HIS charge with no payment": a confirmed charge → 201 {orderNo, receiptNo}; total ≠ fund + account + cash → 422 AMOUNT_MISMATCH; a known orderNo → 409 ORDER_EXISTS; unknown patient or bill → 404',
        requestBody: jsonBody(newChargeSchema),
      },
    },
    '/__admin/charges/{orderNo}': {
      get: { summary: 'One charge with its refunds', parameters: [orderNoParam] },
      patch: {
        summary:
          'Reconciliation scenario "amount differs": change the amounts the HIS shows; total defaults to fund + account + cash, and must equal it (else 422 AMOUNT_MISMATCH); unknown → 404 CHARGE_NOT_FOUND',
        parameters: [orderNoParam],
        requestBody: jsonBody(chargePatchSchema),
      },
      delete: {
        summary:
          'Reconciliation scenario "the HIS lost a charge": it leaves the daily list, its bills are UNPAID again (its refunds stay) → 204; unknown → 404',
        parameters: [orderNoParam],
      },
    },
    '/__admin/charges/{orderNo}/refunds': {
      post: {
        summary:
          'Reconciliation scenario: a refund recorded at the HIS only → 201 {orderNo, refundNo, refundReceiptNo, amount, refundedAt}; more than is left → 422 REFUND_EXCEEDS_CHARGED; refundNo reused → 409 ORDER_MISMATCH; unknown order → 404',
        parameters: [orderNoParam],
        requestBody: jsonBody(newRefundSchema),
      },
    },
  };
}
