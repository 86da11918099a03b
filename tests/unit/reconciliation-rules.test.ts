import fc from 'fast-check';
import {
  classifyRecord,
  rowActions,
  type ReconCandidate,
  type ReconSide,
} from '../../server/domain/reconciliation';

const DATE = '2026-11-20';
const split = (total: number, fund: number, account: number): ReconSide => ({
  total,
  fund,
  account,
  cash: total - fund - account,
});
const wx = (cash: number): ReconSide => ({ total: cash, fund: 0, account: 0, cash });
const mixed = split(49100, 14833, 3000); // cash 31267

function payment(over: Partial<ReconCandidate> = {}): ReconCandidate {
  return {
    record: 'PAYMENT',
    orderNo: 'MO202611200001',
    ours: mixed,
    wechat: wx(31267),
    insurance: mixed,
    his: mixed,
    order: { orderId: 'o1', status: 'COMPLETED', paidDay: DATE, hisDay: DATE },
    ...over,
  };
}

describe('classifyRecord — payments', () => {
  it('calls a payment every side agrees on MATCHED', () => {
    expect(classifyRecord(payment(), DATE).kind).toBe('MATCHED');
  });

  it('calls money at the channels with no HIS charge 长款 OVER, and says the order waits for the HIS', () => {
    const v = classifyRecord(
      payment({ his: undefined, order: { orderId: 'o1', status: 'PAID', paidDay: DATE } }),
      DATE,
    );
    expect(v.kind).toBe('OVER');
    expect(v.note).toContain('HIS 未记账');
    expect(v.note).toContain('待 HIS 确认');
  });

  it('calls a HIS charge with no payment at any channel and no order of ours 短款 SHORT', () => {
    const v = classifyRecord({ record: 'PAYMENT', orderNo: 'MOX', his: split(1000, 0, 0) }, DATE);
    expect(v.kind).toBe('SHORT');
  });

  it('calls a HIS charge whose WeChat payment is missing SHORT', () => {
    expect(classifyRecord(payment({ wechat: undefined }), DATE).kind).toBe('SHORT');
  });

  it('calls a payment WeChat took for an order nobody knows OVER', () => {
    expect(classifyRecord({ record: 'PAYMENT', orderNo: 'MOY', wechat: wx(500) }, DATE).kind).toBe('OVER');
  });

  it('calls a differing WeChat amount AMOUNT_MISMATCH and names both amounts', () => {
    const v = classifyRecord(payment({ wechat: wx(31266) }), DATE);
    expect(v.kind).toBe('AMOUNT_MISMATCH');
    expect(v.note).toContain('¥312.66');
    expect(v.note).toContain('¥312.67');
  });

  it('calls a differing HIS fund share AMOUNT_MISMATCH', () => {
    expect(classifyRecord(payment({ his: split(49100, 14800, 3033) }), DATE).kind).toBe('AMOUNT_MISMATCH');
  });

  it('calls a HIS charge of an order we still hold as PAID STATUS_MISMATCH', () => {
    const v = classifyRecord(payment({ order: { orderId: 'o1', status: 'PAID', paidDay: DATE } }), DATE);
    expect(v.kind).toBe('STATUS_MISMATCH');
  });

  it('calls a 23:59:59 payment confirmed at the HIS after midnight CUTOFF, on both days', () => {
    const order = { orderId: 'o1', status: 'COMPLETED' as const, paidDay: DATE, hisDay: '2026-11-21' };
    expect(classifyRecord(payment({ his: undefined, order }), DATE).kind).toBe('CUTOFF');
    const nextDay = classifyRecord(
      { record: 'PAYMENT', orderNo: 'MO202611200001', his: mixed, order },
      '2026-11-21',
    );
    expect(nextDay.kind).toBe('CUTOFF');
    expect(nextDay.note).toContain(DATE);
  });

  it('does not call a HIS charge two days later a cut-off', () => {
    const order = { orderId: 'o1', status: 'COMPLETED' as const, paidDay: DATE, hisDay: '2026-11-22' };
    expect(classifyRecord(payment({ his: undefined, order }), DATE).kind).toBe('OVER');
  });

  it('calls a settled-and-reversed insurance share of an expired order MATCHED (nets to zero)', () => {
    const v = classifyRecord(
      {
        record: 'PAYMENT',
        orderNo: 'MO1',
        insurance: split(0, 0, 0),
        order: { orderId: 'o1', status: 'EXPIRED' },
      },
      DATE,
    );
    expect(v.kind).toBe('MATCHED');
  });

  it('calls money taken for an order we closed STATUS_MISMATCH (a late payment), in Chinese', () => {
    const v = classifyRecord(
      { record: 'PAYMENT', orderNo: 'MO1', wechat: wx(100), order: { orderId: 'o1', status: 'EXPIRED' } },
      DATE,
    );
    expect(v.kind).toBe('STATUS_MISMATCH');
    expect(v.note).toContain('已过期');
    expect(v.note).not.toMatch(/[A-Z]{3,}/);
  });

  it('flags a payment booked after its (adjacent) day was closed, never as a cut-off', () => {
    const order = {
      orderId: 'o1',
      status: 'COMPLETED' as const,
      paidDay: '2026-11-19',
      hisDay: DATE,
      bookedAfterClose: '2026-11-19',
    };
    const v = classifyRecord(payment({ wechat: undefined, insurance: undefined, order }), DATE);
    expect(v.kind).toBe('STATUS_MISMATCH');
    expect(v.note).toContain('日结后入账');
    expect(v.note).toContain('2026-11-19');
  });

  it('calls a late payment given back the next day CUTOFF on both days', () => {
    const order = {
      orderId: 'o1',
      status: 'EXPIRED' as const,
      late: { paidDay: DATE, returnedDay: '2026-11-21' },
    };
    const paidDay = classifyRecord({ record: 'PAYMENT', orderNo: 'MO1', wechat: wx(100), order }, DATE);
    expect(paidDay.kind).toBe('CUTOFF');
    const returnDay = classifyRecord(
      { record: 'PAYMENT', orderNo: 'MO1', wechat: { ...wx(-100), total: -100 }, order },
      '2026-11-21',
    );
    expect(returnDay.kind).toBe('CUTOFF');
  });

  it('expects no WeChat record for an insurance-only order', () => {
    const insOnly = split(20000, 14000, 6000);
    expect(
      classifyRecord(payment({ ours: insOnly, wechat: undefined, insurance: insOnly, his: insOnly }), DATE)
        .kind,
    ).toBe('MATCHED');
  });
});

describe('classifyRecord — refunds', () => {
  const ours = split(10000, 3000, 1000);
  const refund = (over: Partial<ReconCandidate> = {}): ReconCandidate => ({
    record: 'REFUND',
    orderNo: 'MO1',
    refundNo: 'RF1',
    ours,
    wechat: wx(6000),
    insurance: ours,
    his: { total: 10000, fund: 0, account: 0, cash: 0 },
    ...over,
  });

  it('matches a refund every side saw', () => {
    expect(classifyRecord(refund(), DATE).kind).toBe('MATCHED');
  });

  it('calls a refund seen at WeChat only STATUS_MISMATCH', () => {
    const v = classifyRecord({ record: 'REFUND', orderNo: 'MO1', refundNo: 'X1', wechat: wx(100) }, DATE);
    expect(v.kind).toBe('STATUS_MISMATCH');
    expect(v.note).toContain('仅见于 微信支付');
  });

  it('calls a refund the HIS never recorded STATUS_MISMATCH', () => {
    expect(classifyRecord(refund({ his: undefined }), DATE).kind).toBe('STATUS_MISMATCH');
  });

  it('calls a refund amount that differs at the HIS AMOUNT_MISMATCH', () => {
    expect(classifyRecord(refund({ his: { total: 9999, fund: 0, account: 0, cash: 0 } }), DATE).kind).toBe(
      'AMOUNT_MISMATCH',
    );
  });

  it('calls a refund whose HIS leg finished after midnight CUTOFF', () => {
    const v = classifyRecord(
      refund({
        his: undefined,
        refund: { refundId: 'r', status: 'SUCCEEDED', legDays: { his: '2026-11-21' } },
      }),
      DATE,
    );
    expect(v.kind).toBe('CUTOFF');
  });
});

describe('classifyRecord — properties', () => {
  const amounts = fc
    .tuple(fc.integer({ min: 1, max: 10_000_000 }), fc.nat(), fc.nat())
    .map(([total, a, b]) => {
      const fund = a % (total + 1);
      const account = b % (total - fund + 1);
      return split(total, fund, account);
    });

  it('any payment every party reports exactly as we booked it is MATCHED', () => {
    fc.assert(
      fc.property(amounts, (s) => {
        const c: ReconCandidate = {
          record: 'PAYMENT',
          orderNo: 'MO',
          ours: s,
          wechat: s.cash > 0 ? wx(s.cash) : undefined,
          insurance: s.fund + s.account > 0 ? s : undefined,
          his: s,
          order: { orderId: 'o', status: 'COMPLETED', paidDay: DATE, hisDay: DATE },
        };
        return classifyRecord(c, DATE).kind === 'MATCHED';
      }),
    );
  });

  it('any change of one fen at one party is never MATCHED', () => {
    fc.assert(
      fc.property(
        amounts,
        fc.constantFrom('wechat', 'insurance', 'his'),
        fc.constantFrom(1, -1),
        (s, party, d) => {
          const base = payment({
            ours: s,
            wechat: wx(s.cash),
            insurance: s,
            his: s,
          });
          const side = base[party] as ReconSide;
          const field = party === 'wechat' ? 'cash' : party === 'insurance' ? 'fund' : 'total';
          base[party] = { ...side, [field]: side[field] + d };
          return classifyRecord(base, DATE).kind !== 'MATCHED';
        },
      ),
    );
  });
});

describe('rowActions', () => {
  const base = {
    kind: 'OVER' as const,
    record: 'PAYMENT' as const,
    resolved: false,
    dayClosed: false,
    hasHis: false,
    channelMoneyFen: 100,
  };

  it('offers retry, 补单 and resolve for a paid order the HIS has not charged', () => {
    expect(rowActions({ ...base, orderStatus: 'PAID' })).toEqual([
      'retry-his-confirm',
      'post-missing',
      'resolve',
    ]);
  });

  it('offers refund for a completed order', () => {
    expect(rowActions({ ...base, kind: 'AMOUNT_MISMATCH', hasHis: true, orderStatus: 'COMPLETED' })).toEqual([
      'refund',
      'resolve',
    ]);
  });

  it('offers nothing on matched, resolved or closed rows', () => {
    expect(rowActions({ ...base, kind: 'MATCHED' })).toEqual([]);
    expect(rowActions({ ...base, resolved: true })).toEqual([]);
    expect(rowActions({ ...base, dayClosed: true })).toEqual([]);
  });

  it('offers refund (give it back) for money a channel holds for an order we closed', () => {
    expect(rowActions({ ...base, kind: 'STATUS_MISMATCH', orderStatus: 'EXPIRED' })).toEqual([
      'refund',
      'resolve',
    ]);
  });

  it('offers only resolve when we know no order', () => {
    expect(rowActions(base)).toEqual(['resolve']);
  });
});
