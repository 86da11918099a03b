/** The pure side of the HIS adapter, on fixtures as the HIS writes them (fen, CST times, snake_case). */
import {
  dailyChargesSchema,
  hisBillSchema,
  type ConfirmChargeResult,
  type HisWireBill,
  type HisWireDailyCharges,
} from '../../shared/protocol/his';
import { GatewayError, type HisCharge } from '../../server/gateways/ports';
import {
  cstDateTimeToMs,
  readEnvelope,
  toBill,
  toConfirmRequest,
  toDailyCharges,
  toReceipt,
  toRefundReceipt,
  toRefundRequest,
  toRequestedBill,
  toUnpaidBills,
} from '../../server/gateways/his/transformers';
import { thrownBy } from '../helpers/thrown';

// 2026-11-23 09:30:00 China time
const BILLED_AT_MS = Date.UTC(2026, 10, 23, 1, 30, 0);

function wireBill(overrides: Partial<HisWireBill> = {}): HisWireBill {
  return {
    bill_no: 'MZ000001',
    patient_id: 'P100001',
    amount: 7560,
    dept_name: '呼吸内科',
    doctor_name: '周建国',
    billing_time: '2026-11-23 09:30:00',
    status: 'UNPAID',
    items: [
      { item_code: '110200001', item_name: '挂号费', price: 500, qty: 1, amount: 500, insurance_class: 'A' },
      {
        item_code: '110200002',
        item_name: '诊查费',
        price: 2000,
        qty: 1,
        amount: 2000,
        insurance_class: 'A',
      },
      {
        item_code: '250101001',
        item_name: '血常规',
        price: 2500,
        qty: 1,
        amount: 2500,
        insurance_class: 'A',
      },
      {
        item_code: 'XC01AAA001',
        item_name: '阿莫西林胶囊',
        spec: '0.25g×24粒/盒',
        price: 1280,
        qty: 2,
        amount: 2560,
        insurance_class: 'A',
      },
    ],
    ...overrides,
  };
}

const CHARGE: HisCharge = {
  orderNo: 'ORD1',
  hisPatientId: 'P100001',
  billNos: ['MZ000001'],
  split: { total: 7560, fund: 3000, account: 1560, cash: 3000 },
  transactionId: '4200000001',
  payOrdId: 'PO1',
  setlId: 'SETL1',
  paidAtMs: BILLED_AT_MS,
};

const thrown = (fn: () => unknown) => thrownBy(GatewayError, fn);

describe('readEnvelope(body, schema)', () => {
  test('a code "1" answer gives its data, parsed', () => {
    const outcome = readEnvelope({ code: '1', message: '成功', data: wireBill() }, hisBillSchema);
    expect(outcome).toEqual({ ok: true, data: wireBill() });
  });

  test('another code is a refusal with the HIS code and message', () => {
    const outcome = readEnvelope(
      { code: 'BILL_NOT_PAYABLE', message: 'bill MZ000001 is already paid' },
      hisBillSchema,
    );
    expect(outcome).toEqual({
      ok: false,
      code: 'BILL_NOT_PAYABLE',
      message: 'bill MZ000001 is already paid',
    });
  });

  test.each([
    ['not an envelope', { status: 'ok' }],
    ['no body at all', undefined],
    ['a success without data', { code: '1', message: '成功' }],
    ['an amount in yuan', { code: '1', message: '成功', data: { ...wireBill(), amount: 75.6 } }],
    ['an amount as a string', { code: '1', message: '成功', data: { ...wireBill(), amount: '7560' } }],
  ])('%s is invalid_response', (_, body) => {
    expect(thrown(() => readEnvelope(body, hisBillSchema)).kind).toBe('invalid_response');
  });
});

describe('cstDateTimeToMs(text)', () => {
  test('reads China time', () => {
    expect(cstDateTimeToMs('2026-11-23 09:30:00')).toBe(BILLED_AT_MS);
    expect(cstDateTimeToMs('2026-01-01 00:00:00')).toBe(Date.UTC(2025, 11, 31, 16, 0, 0));
  });

  test.each(['2026-02-30 10:00:00', '2026-11-23T09:30:00', '2026-11-23 24:00:00'])('refuses %s', (text) => {
    expect(thrown(() => cstDateTimeToMs(text)).kind).toBe('invalid_response');
  });
});

describe('toBill(wire)', () => {
  test('maps a bill and its items to fen fields', () => {
    const bill = toBill(wireBill());
    expect(bill).toMatchObject({
      billNo: 'MZ000001',
      hisPatientId: 'P100001',
      amountFen: 7560,
      dept: '呼吸内科',
      doctor: '周建国',
      createdAtMs: BILLED_AT_MS,
      status: 'UNPAID',
    });
    expect(bill.items[3]).toEqual({
      code: 'XC01AAA001',
      name: '阿莫西林胶囊',
      spec: '0.25g×24粒/盒',
      priceFen: 1280,
      qty: 2,
      amountFen: 2560,
      insuranceClass: 'A',
    });
  });

  test.each(['UNPAID', 'LOCKED', 'PAID', 'REFUNDED'] as const)('keeps status %s', (status) => {
    expect(toBill(wireBill({ status })).status).toBe(status);
  });

  test('rejects a bill whose items do not sum to its amount', () => {
    const err = thrown(() => toBill(wireBill({ amount: 7000 })));
    expect(err.kind).toBe('invalid_response');
    expect(err.message).toContain('items sum to 7560');
  });

  test('rejects an item whose amount is not price × qty', () => {
    const items = wireBill().items.map((item, i) => (i === 3 ? { ...item, amount: 1280 } : item));
    expect(thrown(() => toBill(wireBill({ items, amount: 6280 }))).kind).toBe('invalid_response');
  });

  test('toRequestedBill rejects a different bill than asked for', () => {
    expect(thrown(() => toRequestedBill(wireBill(), 'MZ000002')).kind).toBe('invalid_response');
  });

  test("toUnpaidBills rejects another patient's bill", () => {
    const wire = {
      patient_id: 'P100001',
      bills: [wireBill(), wireBill({ bill_no: 'MZ000009', patient_id: 'P100002' })],
    };
    expect(thrown(() => toUnpaidBills(wire, 'P100001')).kind).toBe('invalid_response');
    expect(toUnpaidBills({ patient_id: 'P100001', bills: [wireBill()] }, 'P100001')).toHaveLength(1);
  });
});

describe('toConfirmRequest(charge) / toReceipt(wire, charge)', () => {
  const receipt: ConfirmChargeResult = {
    order_no: 'ORD1',
    receipt_no: 'SJ00000001',
    total_amount: 7560,
    charge_time: '2026-11-23 09:31:00',
  };

  test('writes the split in fen and the pay time in China time', () => {
    expect(toConfirmRequest(CHARGE)).toEqual({
      order_no: 'ORD1',
      patient_id: 'P100001',
      bill_nos: ['MZ000001'],
      total_amount: 7560,
      fund_amount: 3000,
      account_amount: 1560,
      cash_amount: 3000,
      transaction_id: '4200000001',
      pay_ord_id: 'PO1',
      setl_id: 'SETL1',
      pay_time: '2026-11-23 09:30:00',
    });
  });

  test('refuses to send a split that does not add up (a programmer error)', () => {
    expect(() => toConfirmRequest({ ...CHARGE, split: { ...CHARGE.split, cash: 2999 } })).toThrow(RangeError);
  });

  test('gives the receipt number of a matching answer', () => {
    expect(toReceipt(receipt, CHARGE)).toEqual({ receiptNo: 'SJ00000001' });
  });

  test.each([
    ['no receipt number', { ...receipt, receipt_no: '' }],
    ['another order', { ...receipt, order_no: 'ORD2' }],
    ['a tampered amount', { ...receipt, total_amount: 7561 }],
  ])('rejects an answer with %s', (_, wire) => {
    expect(thrown(() => toReceipt(wire, CHARGE)).kind).toBe('invalid_response');
  });
});

describe('toRefundReceipt(wire, request)', () => {
  const request = toRefundRequest('ORD1', 'RF1', 2000);
  const wire = {
    order_no: 'ORD1',
    refund_no: 'RF1',
    refund_receipt_no: 'TF00000001',
    amount: 2000,
    refund_time: '2026-11-23 10:00:00',
  };

  test('gives the refund receipt number', () => {
    expect(toRefundReceipt(wire, request)).toEqual({ refundReceiptNo: 'TF00000001' });
  });

  test.each([
    ['a tampered amount', { ...wire, amount: 2001 }],
    ['another refund number', { ...wire, refund_no: 'RF2' }],
    ['no receipt number', { ...wire, refund_receipt_no: ' ' }],
  ])('rejects an answer with %s', (_, answer) => {
    expect(thrown(() => toRefundReceipt(answer, request)).kind).toBe('invalid_response');
  });
});

describe('toDailyCharges(wire, date)', () => {
  const day: HisWireDailyCharges = dailyChargesSchema.parse({
    date: '2026-11-23',
    charges: [
      {
        order_no: 'ORD1',
        receipt_no: 'SJ00000001',
        patient_id: 'P100001',
        bill_nos: ['MZ000001'],
        total_amount: 7560,
        fund_amount: 3000,
        account_amount: 1560,
        cash_amount: 3000,
        transaction_id: '4200000001',
        pay_time: '2026-11-23 09:30:00',
        charge_time: '2026-11-23 09:31:00',
      },
    ],
    refunds: [
      {
        order_no: 'ORD1',
        refund_no: 'RF1',
        refund_receipt_no: 'TF00000001',
        amount: 500,
        refund_time: '2026-11-23 11:00:00',
      },
    ],
  });

  test('maps charges with their split and refunds', () => {
    expect(toDailyCharges(day, '2026-11-23')).toEqual({
      date: '2026-11-23',
      charges: [
        {
          orderNo: 'ORD1',
          receiptNo: 'SJ00000001',
          hisPatientId: 'P100001',
          billNos: ['MZ000001'],
          split: { total: 7560, fund: 3000, account: 1560, cash: 3000 },
          transactionId: '4200000001',
          payOrdId: undefined,
          setlId: undefined,
          paidAtMs: BILLED_AT_MS,
          chargedAtMs: BILLED_AT_MS + 60_000,
        },
      ],
      refunds: [
        {
          orderNo: 'ORD1',
          refundNo: 'RF1',
          refundReceiptNo: 'TF00000001',
          amountFen: 500,
          refundedAtMs: BILLED_AT_MS + 90 * 60_000,
        },
      ],
    });
  });

  test('rejects a charge whose split does not add up', () => {
    const broken = { ...day, charges: [{ ...day.charges[0], cash_amount: 3001 }] };
    expect(thrown(() => toDailyCharges(broken, '2026-11-23')).kind).toBe('invalid_response');
  });

  test('rejects the list of another day', () => {
    expect(thrown(() => toDailyCharges(day, '2026-11-24')).kind).toBe('invalid_response');
  });
});
