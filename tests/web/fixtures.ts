/** Answers shaped like the server's (shared/api views); amounts in fen. */
import type { BillView, OrderView, PatientView, PayParamsView, PaymentView } from '../../shared/api';

export const PATIENT_ID = '6f1c2a9e-0d4b-4c55-9a7e-1b2c3d4e5f60';
export const ORDER_ID = '0b7d4c1e-5a6f-4e3d-8c2b-9a1f0e7d6c5b';

export function patient(overrides: Partial<PatientView> = {}): PatientView {
  return {
    id: PATIENT_ID,
    name: '张*',
    idNoMasked: '3601**********1234',
    hisPatientId: 'P0001',
    createdAt: '2026-03-01T08:00:00.000Z',
    ...overrides,
  };
}

export function bill(overrides: Partial<BillView> = {}): BillView {
  return {
    billNo: 'B20260301001',
    amount: 49100,
    dept: '内科门诊',
    doctor: '李医生',
    createdAt: '2026-03-01T08:30:00.000Z',
    items: [
      { code: '110200002', name: '诊查费', price: 2000, qty: 1, amount: 2000, insuranceClass: 'A' },
      { code: '210103001', name: 'CT平扫', price: 35000, qty: 1, amount: 35000, insuranceClass: 'B' },
      { code: 'XJ01DCA001', name: '头孢呋辛酯片', price: 4550, qty: 2, amount: 9100, insuranceClass: 'B' },
      { code: 'ZF0001', name: '自费材料', price: 3000, qty: 1, amount: 3000, insuranceClass: 'C' },
    ],
    ...overrides,
  };
}

/** The journey's mixed order: ¥491.00 = ¥148.33 fund + ¥30.00 account + ¥312.67 cash. */
/** What the server's order policy offers in each state the fixtures use (server/domain/orderPolicy.ts). */
function actionsOf(status: OrderView['status']): OrderView['allowedActions'] {
  if (status === 'PRESETTLED' || status === 'AWAITING_PAYMENT') return ['pay', 'cancel'];
  if (status === 'CREATED') return ['cancel'];
  if (status === 'COMPLETED' || status === 'PARTIALLY_REFUNDED') return ['request-refund'];
  return [];
}

export function order(overrides: Partial<OrderView> = {}): OrderView {
  return {
    allowedActions: actionsOf(overrides.status ?? 'PRESETTLED'),
    id: ORDER_ID,
    orderNo: 'MO2026030100000001',
    status: 'PRESETTLED',
    patientId: PATIENT_ID,
    patientName: '张*',
    dept: '内科门诊',
    billNos: ['B20260301001'],
    useInsurance: true,
    mixPayType: 'CASH_AND_INSURANCE',
    split: { total: 49100, fund: 14833, account: 3000, cash: 31267 },
    createdAt: '2026-03-01T09:00:00.000Z',
    expiresAt: '2026-03-01T09:15:00.000Z',
    refunds: [],
    ...overrides,
  };
}

/** The WeChat Pay parameters of a prepay (WeChat's documented example), signed for the app the bridges use. */
export const PAY_PARAMS: PayParamsView = {
  appId: 'wx0123456789abcdef',
  timeStamp: '1414561699',
  nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
  package: 'prepay_id=wx201410272009395522657a690389285100',
  signType: 'RSA',
  paySign: 'oR9d8PuhnIc+YZ8cBHFCwfgpaK9gd7vaRvkYD7rthRAZ',
};
/** The five cash fields a med-ins or plain payment passes on from PAY_PARAMS. */
export const FIVE = {
  timeStamp: PAY_PARAMS.timeStamp,
  nonceStr: PAY_PARAMS.nonceStr,
  package: PAY_PARAMS.package,
  signType: 'RSA',
  paySign: PAY_PARAMS.paySign,
};

/** A payment of each mix_pay_type, waiting in the sheet. */
export const mixed: PaymentView = {
  status: 'AWAITING_PAYMENT',
  outTradeNo: 'MO2026030100000001',
  mixTradeNo: '1217752501201407033233368318',
  payParams: PAY_PARAMS,
};
export const insuranceOnly: PaymentView = {
  status: 'AWAITING_PAYMENT',
  outTradeNo: 'MO2026030100000002',
  mixTradeNo: '1217752501201407033233368319',
};
export const cashOnly: PaymentView = {
  status: 'AWAITING_PAYMENT',
  outTradeNo: 'MO2026030100000003',
  payParams: PAY_PARAMS,
};
