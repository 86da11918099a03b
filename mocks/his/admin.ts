/**
 * The HIS mock's admin API (DESIGN 13): patients, bills, the cashier-window scenario, and the charges and
 * refunds of the daily list for reconciliation scenarios (admin-charges.ts).
 */
import { z } from 'zod';
import { cstDateTime } from '../../shared/clock';
import { FEN_MAX } from '../../shared/money';
import {
  HIS_BILL_ITEMS_MAX,
  HIS_ITEM_QTY_MAX,
  fenSchema,
  idNoSchema,
  insuranceClassSchema,
} from '../../shared/protocol/his';
import { MockHttpError, parseBody, type MockFrame } from '../common/app';
import { mountChargeAdmin } from './admin-charges';
import { payAtWindow } from './charges';
import { isValidIdNo } from './idno';
import { bindHis } from './scenarios';
import type { Bill, HisState, Patient } from './state';

const newPatientSchema = z.object({
  name: z.string().trim().min(1).max(64),
  idNo: idNoSchema.refine(isValidIdNo, 'the check character of the ID number is wrong'),
  phone: z
    .string()
    .regex(/^1\d{10}$/, 'expected an 11-digit mobile number')
    .optional(),
});

const newBillItemSchema = z.object({
  code: z.string().min(1).max(32),
  name: z.string().min(1).max(64),
  price: fenSchema,
  qty: z.number().int().min(1).max(HIS_ITEM_QTY_MAX),
  spec: z.string().max(64).optional(),
  insuranceClass: insuranceClassSchema.optional(),
});

const newBillSchema = z.object({
  patientId: z.string().min(1),
  items: z
    .array(newBillItemSchema)
    .min(1)
    .max(HIS_BILL_ITEMS_MAX)
    .refine(
      (items) => items.reduce((sum, item) => sum + item.price * item.qty, 0) <= FEN_MAX,
      `the bill must not exceed ${FEN_MAX} fen`,
    ),
  dept: z.string().min(1).max(64).optional(),
  doctor: z.string().min(1).max(64).optional(),
});

const billsQuerySchema = z.object({ patientId: z.string().min(1).optional() });

function patientView(state: HisState, patient: Patient) {
  return { ...patient, billNos: state.billsOf(patient.patientId).map((bill) => bill.billNo) };
}

function billView(bill: Bill) {
  return {
    billNo: bill.billNo,
    patientId: bill.patientId,
    status: bill.status,
    amount: bill.amount,
    items: bill.items,
    dept: bill.dept,
    doctor: bill.doctor,
    createdAt: cstDateTime(bill.createdAtMs),
    lockedBy: bill.lockedBy,
    paidOrderId: bill.paidOrderId,
    paidBy: bill.paidBy,
    receiptNo: bill.receiptNo,
  };
}

function billOr404(state: HisState, billNo: string): Bill {
  const bill = state.bills.get(billNo);
  if (!bill) throw new MockHttpError(404, 'BILL_NOT_FOUND', `no bill ${billNo}`);
  return bill;
}

export function mountHisAdmin(frame: MockFrame, state: HisState): void {
  const { admin } = frame;

  admin.get('/patients', (ctx) => {
    ctx.body = [...state.patients.values()].map((patient) => patientView(state, patient));
  });

  admin.post('/patients', (ctx) => {
    const input = parseBody(newPatientSchema, ctx.request.body);
    if (state.patientByIdNo(input.idNo)) {
      throw new MockHttpError(409, 'PATIENT_EXISTS', 'a patient with this ID number exists');
    }
    const patient = state.addPatient(input);
    bindHis(frame, { patientId: patient.patientId, idNo: patient.idNo });
    ctx.status = 201;
    ctx.body = { patientId: patient.patientId };
  });

  admin.get('/bills', (ctx) => {
    const { patientId } = parseBody(billsQuerySchema, ctx.query);
    const bills = patientId === undefined ? [...state.bills.values()] : state.billsOf(patientId);
    ctx.body = bills.map(billView);
  });

  admin.post('/bills', (ctx) => {
    const input = parseBody(newBillSchema, ctx.request.body);
    if (!state.patients.has(input.patientId)) {
      throw new MockHttpError(404, 'PATIENT_NOT_FOUND', `no patient ${input.patientId}`);
    }
    const bill = state.addBill(input);
    bindHis(frame, { billNo: bill.billNo }, bill.patientId);
    ctx.status = 201;
    ctx.body = { billNo: bill.billNo, amount: bill.amount };
  });

  admin.get('/bills/:billNo', (ctx) => {
    ctx.body = billView(billOr404(state, ctx.params.billNo));
  });

  admin.post('/bills/:billNo/pay-at-window', (ctx) => {
    const bill = billOr404(state, ctx.params.billNo);
    payAtWindow(state, bill);
    ctx.body = billView(bill);
  });

  Object.assign(frame.openapi, hisAdminOpenApi());
  mountChargeAdmin(frame, state);
}

function jsonBody(schema: z.ZodType) {
  return {
    required: true,
    content: {
      'application/json': { schema: z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' }) },
    },
  };
}

const billNoParam = { name: 'billNo', in: 'path', required: true, schema: { type: 'string' } };

function hisAdminOpenApi(): Record<string, unknown> {
  return {
    '/__admin/patients': {
      get: { summary: 'All patients with their bill numbers (ID numbers in clear: test data only)' },
      post: {
        summary:
          'Add a patient {name, idNo, phone?} → 201 {patientId}; a known ID number → 409 PATIENT_EXISTS',
        requestBody: jsonBody(newPatientSchema),
      },
    },
    '/__admin/bills': {
      get: {
        summary: 'All bills (optionally of one patient), each as GET /__admin/bills/{billNo} shows it',
        parameters: [{ name: 'patientId', in: 'query', schema: { type: 'string' } }],
      },
      post: {
        summary: 'Add an unpaid bill; amount = Σ price × qty, fen → 201 {billNo, amount}',
        requestBody: jsonBody(newBillSchema),
      },
    },
    '/__admin/bills/{billNo}': {
      get: {
        summary:
          'One bill: {billNo, status: UNPAID|LOCKED|PAID|REFUNDED, amount, items, lockedBy?, paidOrderId?, paidBy?, receiptNo?}',
        parameters: [billNoParam],
      },
    },
    '/__admin/bills/{billNo}/pay-at-window': {
      post: {
        summary:
          'Scenario: the bill is paid at the cashier window (even if an order holds its lock); a paid bill → 409 BILL_NOT_PAYABLE',
        parameters: [billNoParam],
      },
    },
  };
}
