import { GatewayError, type FeeUpload } from '../../server/gateways/ports';
import {
  fromAuthUserQuery,
  fromPayOrder,
  fromPersonInfo,
  fromQueryOrder,
  fromRefund,
  fromRevoke,
  mobileOutcome,
  parseCstCompact,
  settlementStatusOf,
  standardOutput,
  standardRequest,
  toPayOrder,
  toRefund,
  toUploadFees,
} from '../../server/gateways/insurance/transformers';
import { thrownBy } from '../helpers/thrown';

const gatewayError = (fn: () => unknown) => thrownBy(GatewayError, fn);

const personInfo = {
  baseinfo: {
    psn_no: '36010000000000000001',
    psn_cert_type: '01',
    certno: '360102198503122015',
    psn_name: '张三',
    gend: '1',
    naty: '01',
    brdy: '1985-03-12',
    age: 41,
  },
  insuinfo: [
    {
      balc: '1500.00',
      insutype: '310',
      psn_type: '11',
      psn_insu_stas: '1',
      psn_insu_date: '2015-07-01',
      paus_insu_date: null,
      cvlserv_flag: '0',
      insuplc_admdvs: '360100',
      emp_name: '演示市某某有限公司',
    },
  ],
  idetinfo: [],
};

const payOrderAnswer = {
  payOrdId: 'ORD36010020261123120000000001',
  ordStas: '1',
  feeSumamt: '498.00',
  ownPayAmt: '0.00',
  psnAcctPay: '418.76',
  fundPay: '79.24',
  deposit: '0.00',
  acctMulaidPay: '0.00',
  hospPartAmt: '0.00',
  othFeeAmt: '0.00',
  extData: { preSetl: { hifp_pay: '79.24' } },
};

const queryAnswer = {
  ordStas: '4',
  callType: 'query',
  payOrdId: 'ORD36010020261123120000000001',
  medOrgOrd: 'MO20261123000001',
  traceTime: '20261123193100',
  feeSumamt: '498.00',
  ownpayAmt: '0.00',
  psnAcctPay: '418.76',
  fundPay: '79.24',
  hiChrgTime: '20261123193000',
  hiDocSn: 'SETL36010020261123193000000002',
  setlType: 'ALL',
  setlId: 'SETL36010020261123193000000002',
  extData: {},
};

describe('1101 person info', () => {
  test('maps the fixture to an insured person with the balance in fen', () => {
    expect(fromPersonInfo(personInfo)).toEqual({
      psnNo: '36010000000000000001',
      name: '张三',
      insutype: '310',
      status: 'ACTIVE',
      accountBalanceFen: 150_000,
      insuplcAdmdvs: '360100',
    });
  });

  test.each([
    ['1', 'ACTIVE'],
    ['2', 'SUSPENDED'],
    ['3', 'ARREARS'],
    ['4', 'SUSPENDED'],
    ['5', 'OUT_OF_AREA'],
  ])('psn_insu_stas %s → %s', (stas, status) => {
    const fixture = { ...personInfo, insuinfo: [{ ...personInfo.insuinfo[0], psn_insu_stas: stas }] };
    expect(fromPersonInfo(fixture).status).toBe(status);
  });

  test('an unknown psn_insu_stas is invalid_response; no insurance at all is rejected', () => {
    const unknown = { ...personInfo, insuinfo: [{ ...personInfo.insuinfo[0], psn_insu_stas: '8' }] };
    expect(gatewayError(() => fromPersonInfo(unknown))).toMatchObject({
      kind: 'invalid_response',
      partyCode: 'UNKNOWN_PSN_INSU_STAS',
    });
    expect(gatewayError(() => fromPersonInfo({ ...personInfo, insuinfo: [] }))).toMatchObject({
      kind: 'rejected',
      partyCode: 'PERSON_NOT_INSURED',
    });
  });

  test('a balance that is not a yuan amount is invalid_response', () => {
    const bad = { ...personInfo, insuinfo: [{ ...personInfo.insuinfo[0], balc: '1.5e3' }] };
    expect(gatewayError(() => fromPersonInfo(bad)).kind).toBe('invalid_response');
  });
});

describe('standard envelope', () => {
  const answer = (infcode: number, err_msg: string | null, output: unknown = null) => ({
    infcode,
    inf_refmsgid: '360100202611231200000000000001',
    refmsg_time: '20261123120000000',
    respond_time: '20261123120000012',
    err_msg,
    output,
  });

  test('builds the request with msgid, inf_time in CST and input.data', () => {
    const request = standardRequest(
      '1101',
      { certno: 'x' },
      {
        nowMs: Date.UTC(2026, 10, 23, 4, 0, 0),
        msgid: 'H360102000012026112312000000001',
        admdvs: '360100',
        fixmedinsCode: 'H36010200001',
        fixmedinsName: '医院',
      },
    );
    expect(request).toMatchObject({
      infno: '1101',
      inf_time: '2026-11-23 12:00:00',
      mdtrtarea_admvs: '360100',
      input: { data: { certno: 'x' } },
    });
  });

  test('infcode 0 gives the output', () => {
    expect(standardOutput(200, answer(0, null, personInfo), '1101')).toEqual(personInfo);
  });

  test('an unknown person is rejected PERSON_NOT_FOUND; other err_msg keep infcode -1', () => {
    expect(
      gatewayError(() => standardOutput(200, answer(-1, 'FSI-未查询到人员参保信息'), '1101')),
    ).toMatchObject({ kind: 'rejected', partyCode: 'PERSON_NOT_FOUND' });
    expect(gatewayError(() => standardOutput(200, answer(-1, 'FSI-业务处理异常'), '1101'))).toMatchObject({
      kind: 'rejected',
      partyCode: 'INFCODE_-1',
    });
  });

  test('HTTP 401 is rejected TIF_AUTH_FAILED; an unreadable 200 is invalid_response', () => {
    expect(gatewayError(() => standardOutput(401, answer(-1, 'FSI-网关鉴权失败'), '1101'))).toMatchObject({
      kind: 'rejected',
      partyCode: 'TIF_AUTH_FAILED',
      httpStatus: 401,
    });
    expect(gatewayError(() => standardOutput(200, { hello: 'world' }, '1101')).kind).toBe('invalid_response');
  });
});

describe('auth-code exchange and mobile outcome', () => {
  test('maps the user query to an identity with "lng,lat"', () => {
    const body = {
      code: 0,
      message: '成功',
      payAuthNo: 'PAN1',
      userName: '张三',
      userCardNo: '360102198503122015',
      cityId: '360100',
      userLongitudeLatitude: { longitude: '115.858198', latitude: '28.682892' },
    };
    expect(fromAuthUserQuery(200, body)).toEqual({
      payAuthNo: 'PAN1',
      name: '张三',
      idNo: '360102198503122015',
      cityId: '360100',
      geoLocation: '115.858198,28.682892',
    });
  });

  test('a non-zero code is rejected with the code’s name, or INSURANCE_<code> when unknown', () => {
    expect(
      gatewayError(() => fromAuthUserQuery(200, { code: 2007, message: 'authCode 无效' })),
    ).toMatchObject({ kind: 'rejected', partyCode: 'AUTH_CODE_INVALID' });
    expect(gatewayError(() => mobileOutcome(200, { code: 3007, message: 'too much' }, '6203'))).toMatchObject(
      { partyCode: 'REFUND_EXCEEDS_SETTLED' },
    );
    expect(gatewayError(() => mobileOutcome(200, { code: 4242, message: '?' }, '6203'))).toMatchObject({
      partyCode: 'INSURANCE_4242',
    });
  });
});

describe('6201 upload', () => {
  const upload: FeeUpload = {
    medOrgOrd: 'MO20261123000001',
    psnNo: '36010000000000000001',
    insutype: '310',
    payAuthNo: 'PAN1',
    idNo: '360102198503122015',
    name: '张三',
    totalFen: 35_300,
    accountUsed: true,
    geoLocation: '115.858198,28.682892',
    lines: [
      {
        code: '210300001',
        name: 'CT平扫（头颅）',
        priceFen: 30_000,
        qty: 1,
        amountFen: 30_000,
        billNo: 'B1',
      },
      { code: 'XJ01DDA087', name: '头孢克肟胶囊', priceFen: 2_400, qty: 2, amountFen: 4_800, billNo: 'B1' },
      { code: '110100001', name: '挂号费', priceFen: 500, qty: 1, amountFen: 500, billNo: 'B2' },
    ],
  };

  test('sends yuan strings that add up to medfeeSumamt', () => {
    const input = toUploadFees(upload, { orgCodg: 'H36010200001', admdvs: '360100', nowMs: 0 });
    expect(input.medfeeSumamt).toBe('353.00');
    expect(input.acctUsedFlag).toBe('1');
    expect(
      input.feedetailList.map((d) => [d.feedetlSn, d.medListCodg, d.detItemFeeSumamt, d.cnt, d.pric]),
    ).toEqual([
      ['0001', '210300001', '300.00', '1', '300.00'],
      ['0002', 'XJ01DDA087', '48.00', '2', '24.00'],
      ['0003', '110100001', '5.00', '1', '5.00'],
    ]);
  });

  test('refuses to send lines that do not sum to the total (a programmer error)', () => {
    expect(() =>
      toUploadFees({ ...upload, totalFen: 35_301 }, { orgCodg: 'H', admdvs: '360100', nowMs: 0 }),
    ).toThrow(RangeError);
  });
});

describe('6202 pre-settlement integrity', () => {
  const sent = { payOrdId: payOrderAnswer.payOrdId, totalFen: 49_800 };

  test('maps the answer to a split in fen', () => {
    expect(fromPayOrder(payOrderAnswer, sent)).toEqual({
      payOrdId: sent.payOrdId,
      split: { total: 49_800, fund: 7_924, account: 41_876, cash: 0 },
      fundOther: 0,
    });
    expect(
      toPayOrder(
        {
          payOrdId: 'P',
          payToken: 'T',
          idNo: 'I',
          name: 'N',
          payAuthNo: 'A',
          medOrgOrd: 'M',
          accountUsed: false,
        },
        'H',
      ),
    ).toMatchObject({ acctUsedFlag: '0', orgBizSer: 'M' });
  });

  test('reads the funds other than 统筹 from the pre-settlement detail: fund_pay_sumamt − hifp_pay', () => {
    const withSubsidy = {
      ...payOrderAnswer,
      extData: { preSetl: { hifp_pay: '70.00', cvlserv_pay: '9.24' } },
    };
    expect(fromPayOrder(withSubsidy, sent).fundOther).toBe(924);
    const { extData: _none, ...noDetail } = payOrderAnswer;
    expect(fromPayOrder(noDetail, sent).fundOther).toBe(0);
    const above = { ...payOrderAnswer, extData: { preSetl: { hifp_pay: '79.25' } } };
    expect(gatewayError(() => fromPayOrder(above, sent)).kind).toBe('invalid_response');
  });

  test('rejects a tampered amount: legs that no longer sum to the total', () => {
    const tampered = { ...payOrderAnswer, fundPay: '89.24' };
    expect(gatewayError(() => fromPayOrder(tampered, sent))).toMatchObject({
      kind: 'invalid_response',
      partyCode: 'SPLIT_MISMATCH',
    });
  });

  test('rejects a consistent split whose total is not the one uploaded', () => {
    const tampered = { ...payOrderAnswer, feeSumamt: '499.00', ownPayAmt: '1.00' };
    expect(gatewayError(() => fromPayOrder(tampered, sent))).toMatchObject({
      kind: 'invalid_response',
      partyCode: 'TOTAL_MISMATCH',
    });
  });

  test('rejects an answer for another order, or in a state pre-settlement cannot leave', () => {
    expect(
      gatewayError(() => fromPayOrder({ ...payOrderAnswer, payOrdId: 'ORD-OTHER' }, sent)).partyCode,
    ).toBe('PAY_ORD_ID_MISMATCH');
    expect(gatewayError(() => fromPayOrder({ ...payOrderAnswer, ordStas: '9' }, sent)).partyCode).toBe(
      'UNEXPECTED_ORD_STAS',
    );
    expect(gatewayError(() => fromPayOrder({ ...payOrderAnswer, ordStas: '99' }, sent)).partyCode).toBe(
      'UNKNOWN_ORD_STAS',
    );
  });

  test('rejects a negative amount as not a yuan amount', () => {
    expect(gatewayError(() => fromPayOrder({ ...payOrderAnswer, ownPayAmt: '-1.00' }, sent)).kind).toBe(
      'invalid_response',
    );
  });
});

describe('6301 query', () => {
  test('maps a settled answer with setlId and the settlement time (CST)', () => {
    expect(fromQueryOrder(queryAnswer, { payOrdId: queryAnswer.payOrdId })).toEqual({
      payOrdId: queryAnswer.payOrdId,
      medOrgOrd: 'MO20261123000001',
      status: 'SETTLED',
      split: { total: 49_800, fund: 7_924, account: 41_876, cash: 0 },
      setlId: 'SETL36010020261123193000000002',
      settledAtMs: Date.UTC(2026, 10, 23, 11, 30, 0),
    });
  });

  test.each([
    ['0', 'UPLOADED'],
    ['1', 'PRESETTLED'],
    ['4', 'SETTLED'],
    ['6', 'SETTLED'],
    ['7', 'REFUNDED'],
    ['9', 'REVOKED'],
    ['14', 'FAILED'],
  ] as const)('ordStas %s → %s', (ordStas, status) => {
    expect(settlementStatusOf(ordStas)).toBe(status);
  });

  test('rejects a tampered amount', () => {
    const tampered = { ...queryAnswer, psnAcctPay: '418.77' };
    expect(gatewayError(() => fromQueryOrder(tampered, { payOrdId: queryAnswer.payOrdId }))).toMatchObject({
      kind: 'invalid_response',
      partyCode: 'SPLIT_MISMATCH',
    });
  });

  test('parseCstCompact reads yyyyMMddHHmmss as China Standard Time', () => {
    expect(parseCstCompact('20260101000000')).toBe(Date.UTC(2025, 11, 31, 16, 0, 0));
    expect(parseCstCompact('')).toBeUndefined();
  });
});

describe('6203 refund and 6401 revoke', () => {
  const refund = {
    payOrdId: 'ORD1',
    payAuthNo: 'PAN1',
    refundNo: 'RF1',
    split: { total: 49_800, fund: 7_924, account: 41_876, cash: 0 },
    requestedAtMs: 0,
  };

  test('sends yuan legs and the refund type from the legs', () => {
    const input = toRefund(refund, '20261123120000');
    expect(input).toMatchObject({
      appRefdSn: 'RF1',
      totlRefdAmt: '498.00',
      fundRefdAmt: '79.24',
      psnAcctRefdAmt: '418.76',
      cashRefdAmt: '0.00',
      refdType: 'HI',
    });
    expect(
      toRefund({ ...refund, split: { total: 100, fund: 0, account: 0, cash: 100 } }, '20261123120000')
        .refdType,
    ).toBe('CASH');
    expect(
      toRefund({ ...refund, split: { total: 200, fund: 100, account: 0, cash: 100 } }, '20261123120000')
        .refdType,
    ).toBe('ALL');
  });

  test('maps refStatus and checks the echoed amounts', () => {
    const input = toRefund(refund, '20261123120000');
    const echo = {
      payOrdId: 'ORD1',
      appRefdSn: 'RF1',
      refStatus: 'SUCC',
      totlRefdAmt: '498.00',
      psnAcctRefdAmt: '418.76',
      fundRefdAmt: '79.24',
      cashRefdAmt: '0.00',
      ordStas: '7',
    };
    expect(fromRefund(echo, input)).toEqual({ status: 'SUCCEEDED' });
    expect(fromRefund({ ...echo, refStatus: 'EXP' }, input)).toEqual({ status: 'PROCESSING' });
    expect(
      gatewayError(() => fromRefund({ ...echo, fundRefdAmt: '89.24', totlRefdAmt: '508.00' }, input))
        .partyCode,
    ).toBe('REFUND_AMOUNT_MISMATCH');
    expect(gatewayError(() => fromRefund({ ...echo, appRefdSn: 'RF2' }, input)).partyCode).toBe(
      'REFUND_NO_MISMATCH',
    );
  });

  test('a revoke answered with success false is rejected', () => {
    expect(() => fromRevoke({ success: true, message: 'ok' })).not.toThrow();
    expect(gatewayError(() => fromRevoke({ success: false, message: 'no' }))).toMatchObject({
      kind: 'rejected',
      partyCode: 'REVOKE_FAILED',
    });
  });
});
