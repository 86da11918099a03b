import { GatewayError, type MedInsOrder } from '../../server/gateways/ports';
import {
  errorOf,
  fromMedInsEntity,
  fromPrepay,
  fromRefund,
  fromTransaction,
  medInsPayStatusOf,
  mixPayStatusOf,
  refundStatusOf,
  selfPayStatusOf,
  toJsapiRequest,
  toMedInsRefundNotice,
  toMedInsRequest,
  toRefundRequest,
  tradeStateOf,
} from '../../server/gateways/wechatpay/transformers';

const ids = { appId: 'wxd930ea5d5a258f4f', mchId: '1900000109' };
const AT_MS = Date.parse('2026-11-23T10:00:00+08:00');

function expectInvalid(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).kind).toBe('invalid_response');
    expect((err as GatewayError).message).toMatch(pattern);
    return;
  }
  throw new Error('expected an invalid_response');
}

const paidTransaction = {
  appid: ids.appId,
  mchid: ids.mchId,
  out_trade_no: 'ORD202611230001',
  transaction_id: '4200000123202611231234567890',
  trade_type: 'JSAPI',
  trade_state: 'SUCCESS',
  trade_state_desc: '支付成功',
  bank_type: 'OTHERS',
  success_time: '2026-11-23T10:00:05+08:00',
  payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
  amount: { total: 1230, payer_total: 1230, currency: 'CNY', payer_currency: 'CNY' },
};

const mixedOrder: MedInsOrder = {
  outTradeNo: 'ORD202611230002',
  mixPayType: 'CASH_AND_INSURANCE',
  orderType: 'DIAG_PAY',
  openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  payer: { name: '张三', idNo: '11010519491231002X' },
  serialNo: 'ORD202611230002',
  payOrderId: 'ORD-PAY-1',
  payAuthNo: 'AUTH-1',
  geoLocation: '115.89,28.68',
  cityId: '360100',
  medInstName: '演示医院',
  medInstNo: 'H36010200001',
  createdAtMs: AT_MS,
  split: { total: 10000, fund: 6000, account: 1500, cash: 2500 },
  fundOther: 0,
  prepayId: 'wx2026112310000012345678901234567890',
};

const entity = {
  mix_trade_no: '1217202611231000001234567890',
  mix_pay_status: 'MIX_PAY_SUCCESS',
  self_pay_status: 'SELF_PAY_SUCCESS',
  med_ins_pay_status: 'MED_INS_PAY_SUCCESS',
  paid_time: '2026-11-23T10:01:00+08:00',
  mix_pay_type: 'CASH_AND_INSURANCE',
  appid: ids.appId,
  out_trade_no: mixedOrder.outTradeNo,
  total_fee: 10000,
  med_ins_gov_fee: 6000,
  med_ins_self_fee: 1500,
  med_ins_other_fee: 0,
  med_ins_cash_fee: 2500,
  wechat_pay_cash_fee: 2500,
};

const requestContext = {
  appId: ids.appId,
  callbackUrl: 'https://hospital.example/api/v1/notify/wechatpay',
  encrypt: (plaintext: string) => `enc(${plaintext})`,
  idDigest: (idNo: string) => `md5(${idNo})`,
};

describe('status mapping', () => {
  it('accepts every trade_state WeChat documents and nothing else', () => {
    for (const state of ['SUCCESS', 'REFUND', 'NOTPAY', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR']) {
      expect(tradeStateOf(state)).toBe(state);
    }
    expectInvalid(() => tradeStateOf('PAID'), /trade_state/);
  });

  it('accepts every mix/self/med-ins pay status and refund status, and nothing else', () => {
    for (const s of ['MIX_PAY_CREATED', 'MIX_PAY_SUCCESS', 'MIX_PAY_REFUND', 'MIX_PAY_FAIL'])
      expect(mixPayStatusOf(s)).toBe(s);
    for (const s of ['SUCCESS', 'CLOSED', 'PROCESSING', 'ABNORMAL']) expect(refundStatusOf(s)).toBe(s);
    for (const s of [
      'SELF_PAY_CREATED',
      'SELF_PAY_SUCCESS',
      'SELF_PAY_REFUND',
      'SELF_PAY_FAIL',
      'NO_SELF_PAY',
    ]) {
      expect(selfPayStatusOf(s)).toBe(s);
    }
    for (const s of [
      'MED_INS_PAY_CREATED',
      'MED_INS_PAY_SUCCESS',
      'MED_INS_PAY_REFUND',
      'MED_INS_PAY_FAIL',
      'NO_MED_INS_PAY',
    ]) {
      expect(medInsPayStatusOf(s)).toBe(s);
    }
    expectInvalid(() => mixPayStatusOf('MIX_PAY_CLOSED'), /mix_pay_status/);
    expectInvalid(() => medInsPayStatusOf('MED_INS_PAY_CLOSED'), /med_ins_pay_status/);
    expectInvalid(() => refundStatusOf('DONE'), /refund status/);
  });
});

describe('toJsapiRequest(order, ids, notifyUrl)', () => {
  it('sends integer fen, CNY, and time_expire in RFC 3339 CST', () => {
    const body = toJsapiRequest(
      {
        outTradeNo: 'ORD1',
        description: '门诊缴费',
        amountFen: 1230,
        openid: 'o1',
        expireAtMs: AT_MS + 15 * 60_000,
      },
      ids,
      'https://h.example/notify',
    );
    expect(body).toEqual({
      appid: ids.appId,
      mchid: ids.mchId,
      description: '门诊缴费',
      out_trade_no: 'ORD1',
      time_expire: '2026-11-23T10:15:00+08:00',
      notify_url: 'https://h.example/notify',
      amount: { total: 1230, currency: 'CNY' },
      payer: { openid: 'o1' },
    });
  });

  it('reads the prepay_id of the answer', () => {
    expect(fromPrepay({ prepay_id: 'wx1' })).toEqual({ prepayId: 'wx1' });
    expectInvalid(() => fromPrepay({}), /prepay_id/);
  });
});

describe('fromTransaction(body, ids, expectedOutTradeNo)', () => {
  it('maps a paid order', () => {
    expect(fromTransaction(paidTransaction, ids, 'ORD202611230001')).toEqual({
      outTradeNo: 'ORD202611230001',
      tradeState: 'SUCCESS',
      transactionId: '4200000123202611231234567890',
      amountFen: 1230,
      successTimeMs: Date.parse('2026-11-23T10:00:05+08:00'),
      payerOpenid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    });
  });

  it('rejects an answer about another out_trade_no', () => {
    expectInvalid(() => fromTransaction(paidTransaction, ids, 'ORD202611239999'), /out_trade_no/);
  });

  it('rejects another merchant, a paid order without transaction_id, and payer_total above total', () => {
    expectInvalid(
      () => fromTransaction({ ...paidTransaction, mchid: '1900000001' }, ids),
      /another merchant/,
    );
    const { transaction_id: _omitted, ...noId } = paidTransaction;
    expectInvalid(() => fromTransaction(noId, ids), /without transaction_id/);
    const inflated = { ...paidTransaction, amount: { total: 1230, payer_total: 1231 } };
    expectInvalid(() => fromTransaction(inflated, ids), /payer_total/);
  });

  it('rejects fractional or string amounts', () => {
    expectInvalid(() => fromTransaction({ ...paidTransaction, amount: { total: 12.3 } }, ids), /amount/);
    expectInvalid(() => fromTransaction({ ...paidTransaction, amount: { total: '1230' } }, ids), /amount/);
  });
});

describe('toMedInsRequest(order, ctx)', () => {
  const invariants = (b: Record<string, unknown>) => {
    const n = (k: string) => (b[k] as number | undefined) ?? 0;
    const add = ((b.cash_add_detail as { cash_add_fee: number }[] | undefined) ?? []).reduce(
      (s, a) => s + a.cash_add_fee,
      0,
    );
    const ins = n('med_ins_gov_fee') + n('med_ins_self_fee') + n('med_ins_other_fee');
    return {
      totalWithWechat: n('total_fee') === ins + n('wechat_pay_cash_fee'),
      totalWithMedInsCash: n('total_fee') === ins + n('med_ins_cash_fee') + add,
      selfPay: n('wechat_pay_cash_fee') === n('med_ins_cash_fee') + add,
    };
  };

  it('builds a mixed order that obeys WeChat’s amount invariants, with payer fields encrypted', () => {
    const body = toMedInsRequest(mixedOrder, requestContext);
    expect(invariants(body)).toEqual({ totalWithWechat: true, totalWithMedInsCash: true, selfPay: true });
    expect(body).toMatchObject({
      mix_pay_type: 'CASH_AND_INSURANCE',
      payer: { name: 'enc(张三)', id_digest: 'enc(md5(11010519491231002X))', card_type: 'ID_CARD' },
      total_fee: 10000,
      med_ins_gov_fee: 6000,
      med_ins_self_fee: 1500,
      wechat_pay_cash_fee: 2500,
      prepay_id: mixedOrder.prepayId,
      pay_order_id: 'ORD-PAY-1',
      med_ins_order_create_time: '2026-11-23T10:00:00+08:00',
    });
  });

  // checklist item 6: INSURANCE_ONLY carries no cash field at all (before, wechat_pay_cash_fee: 0 was sent)
  it('builds INSURANCE_ONLY without any cash field and CASH_ONLY without the insurance fields', () => {
    const insuranceOnly = toMedInsRequest(
      {
        ...mixedOrder,
        mixPayType: 'INSURANCE_ONLY',
        split: { total: 7500, fund: 6000, account: 1500, cash: 0 },
        prepayId: undefined,
      },
      requestContext,
    );
    for (const cash of ['prepay_id', 'wechat_pay_cash_fee', 'cash_add_detail', 'cash_reduce_detail'])
      expect(insuranceOnly).not.toHaveProperty(cash);
    expect(insuranceOnly.med_ins_cash_fee).toBe(0);
    expect(invariants(insuranceOnly)).toEqual({
      totalWithWechat: true,
      totalWithMedInsCash: true,
      selfPay: true,
    });

    const cashOnly = toMedInsRequest(
      { ...mixedOrder, mixPayType: 'CASH_ONLY', split: { total: 2500, fund: 0, account: 0, cash: 2500 } },
      requestContext,
    );
    for (const forbidden of ['pay_order_id', 'pay_auth_no', 'geo_location', 'med_ins_order_create_time']) {
      expect(cashOnly).not.toHaveProperty(forbidden);
    }
    expect(invariants(cashOnly)).toEqual({ totalWithWechat: true, totalWithMedInsCash: true, selfPay: true });
  });

  // checklist item 28: before, passthrough_request_content repeated payAuthNo and payOrdId
  it('never repeats pay_auth_no / pay_ord_id / setl_latlnt in a passthrough', () => {
    expect(toMedInsRequest(mixedOrder, requestContext)).not.toHaveProperty('passthrough_request_content');
    // checklist item 27: never the insurance bureau's test environment
    expect(toMedInsRequest(mixedOrder, requestContext)).not.toHaveProperty('med_ins_test_env');
  });

  it('sets pay_for_relatives with the relative’s encrypted name and ID digest (checklist item 17)', () => {
    const body = toMedInsRequest(
      { ...mixedOrder, relative: { name: '李四', idNo: '110105201501010011' } },
      requestContext,
    );
    expect(body).toMatchObject({
      pay_for_relatives: true,
      payer: { name: 'enc(张三)' },
      relative: { name: 'enc(李四)', id_digest: 'enc(md5(110105201501010011))', card_type: 'ID_CARD' },
    });
    expect(toMedInsRequest(mixedOrder, requestContext)).not.toHaveProperty('pay_for_relatives');
  });

  // before, the whole fund went to med_ins_gov_fee and med_ins_other_fee was always 0
  it('maps 统筹 to med_ins_gov_fee, the other funds to med_ins_other_fee and 个账 to med_ins_self_fee', () => {
    const body = toMedInsRequest({ ...mixedOrder, fundOther: 800 }, requestContext);
    expect(body).toMatchObject({ med_ins_gov_fee: 5200, med_ins_other_fee: 800, med_ins_self_fee: 1500 });
    expect(invariants(body)).toEqual({ totalWithWechat: true, totalWithMedInsCash: true, selfPay: true });
    expect(() => toMedInsRequest({ ...mixedOrder, fundOther: 6001 }, requestContext)).toThrow(/fundOther/);
    // and back: fund = gov + other
    const state = fromMedInsEntity({ ...entity, med_ins_gov_fee: 5200, med_ins_other_fee: 800 }, ids.appId, {
      outTradeNo: entity.out_trade_no,
      order: { ...mixedOrder, fundOther: 800 },
    });
    expect(state.split).toEqual(mixedOrder.split);
  });

  it('refuses a serial_no longer than WeChat’s string(20)', () => {
    expect(() =>
      toMedInsRequest({ ...mixedOrder, serialNo: 'MO20261123100000123456' }, requestContext),
    ).toThrow(/serial_no/);
  });

  it('refuses a mix_pay_type that does not follow from the split, and cash without a prepay_id', () => {
    expect(() => toMedInsRequest({ ...mixedOrder, mixPayType: 'INSURANCE_ONLY' }, requestContext)).toThrow(
      /mix_pay_type/,
    );
    expect(() => toMedInsRequest({ ...mixedOrder, prepayId: undefined }, requestContext)).toThrow(
      /prepay_id/,
    );
  });
});

describe('fromMedInsEntity(body, appId, expected)', () => {
  it('maps the entity to a split: fund = gov + other, account = self, cash = wechat_pay_cash_fee', () => {
    const state = fromMedInsEntity(entity, ids.appId, {
      outTradeNo: mixedOrder.outTradeNo,
      order: mixedOrder,
    });
    expect(state).toEqual({
      mixTradeNo: entity.mix_trade_no,
      outTradeNo: mixedOrder.outTradeNo,
      mixPayStatus: 'MIX_PAY_SUCCESS',
      selfPayStatus: 'SELF_PAY_SUCCESS',
      medInsPayStatus: 'MED_INS_PAY_SUCCESS',
      split: { total: 10000, fund: 6000, account: 1500, cash: 2500 },
      transactionId: undefined,
      paidTimeMs: Date.parse('2026-11-23T10:01:00+08:00'),
    });
  });

  it('rejects a tampered amount (fund moved to cash) even when the total still adds up', () => {
    const tampered = { ...entity, med_ins_gov_fee: 5000, med_ins_cash_fee: 3500, wechat_pay_cash_fee: 3500 };
    expectInvalid(
      () => fromMedInsEntity(tampered, ids.appId, { outTradeNo: mixedOrder.outTradeNo, order: mixedOrder }),
      /med_ins_gov_fee: sent 6000/,
    );
  });

  it('rejects a total that breaks the invariant, and a wrong out_trade_no', () => {
    expectInvalid(
      () =>
        fromMedInsEntity({ ...entity, total_fee: 10001 }, ids.appId, { outTradeNo: mixedOrder.outTradeNo }),
      /invariant/,
    );
    expectInvalid(() => fromMedInsEntity(entity, ids.appId, { outTradeNo: 'ORD-OTHER' }), /out_trade_no/);
  });

  it('rejects another mix_pay_type than sent, another appid and an unknown status', () => {
    const expected = { outTradeNo: mixedOrder.outTradeNo, order: mixedOrder };
    expectInvalid(
      () => fromMedInsEntity({ ...entity, mix_pay_type: 'CASH_ONLY' }, ids.appId, expected),
      /mix_pay_type/,
    );
    expectInvalid(() => fromMedInsEntity({ ...entity, appid: 'wx0000' }, ids.appId, expected), /appid/);
    expectInvalid(
      () => fromMedInsEntity({ ...entity, self_pay_status: 'PAID' }, ids.appId, expected),
      /self_pay_status/,
    );
  });
});

describe('refunds', () => {
  const sent = { outTradeNo: 'ORD1', outRefundNo: 'RF1', reason: '退费', refundFen: 500, totalFen: 1230 };
  const answer = {
    refund_id: '50300000012026112312345678901',
    out_refund_no: 'RF1',
    transaction_id: '4200000123202611231234567890',
    out_trade_no: 'ORD1',
    status: 'SUCCESS',
    success_time: '2026-11-23T11:00:00+08:00',
    amount: { total: 1230, refund: 500, payer_total: 1230, payer_refund: 500, currency: 'CNY' },
  };

  it('sends the refund in fen and maps the answer', () => {
    expect(toRefundRequest(sent, 'https://h/notify')).toEqual({
      out_trade_no: 'ORD1',
      out_refund_no: 'RF1',
      reason: '退费',
      notify_url: 'https://h/notify',
      amount: { refund: 500, total: 1230, currency: 'CNY' },
    });
    expect(fromRefund(answer, { outRefundNo: 'RF1', sent })).toMatchObject({
      status: 'SUCCESS',
      refundFen: 500,
      outTradeNo: 'ORD1',
    });
  });

  it('rejects a tampered refund amount, another refund number and another order', () => {
    expectInvalid(
      () =>
        fromRefund({ ...answer, amount: { ...answer.amount, refund: 1230 } }, { outRefundNo: 'RF1', sent }),
      /amount.refund/,
    );
    expectInvalid(() => fromRefund(answer, { outRefundNo: 'RF2' }), /out_refund_no/);
    expectInvalid(
      () => fromRefund({ ...answer, out_trade_no: 'ORD9' }, { outRefundNo: 'RF1', sent }),
      /out_trade_no/,
    );
  });

  it('reads refund_status in callback plaintexts', () => {
    const { status: _status, ...plain } = answer;
    expect(fromRefund({ ...plain, refund_status: 'ABNORMAL' }, { outRefundNo: 'RF1' }).status).toBe(
      'ABNORMAL',
    );
  });

  it('notifies an insurance refund with total = gov + self + other', () => {
    const body = toMedInsRefundNotice({
      mixTradeNo: 'MIX1',
      outRefundNo: 'RF1',
      split: { total: 10000, fund: 6000, account: 1500, cash: 2500 },
      fundOther: 0,
      refundedAtMs: AT_MS,
    });
    expect(body).toEqual({
      med_refund_total_fee: 7500,
      med_refund_gov_fee: 6000,
      med_refund_self_fee: 1500,
      med_refund_other_fee: 0,
      refund_time: '2026-11-23T10:00:00+08:00',
      out_refund_no: 'RF1',
    });
  });
});

describe('errorOf(body, status)', () => {
  it('reads WeChat’s {code, message}, and names the status otherwise', () => {
    expect(errorOf({ code: 'RULE_LIMIT', message: '订单总金额校验不通过' }, 403)).toEqual({
      code: 'RULE_LIMIT',
      message: '订单总金额校验不通过',
    });
    expect(errorOf('<html>', 404)).toEqual({ code: 'HTTP_404', message: 'WeChat Pay answered 404' });
  });
});
