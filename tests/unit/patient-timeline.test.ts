import { patientTimeline, patientWords, type TimelineEvent } from '../../server/domain/patientTimeline';
import { ORDER_STATUSES, type OrderStatus } from '../../server/domain/orderStateMachine';

const at = (minute: number) => `2026-03-01T09:${String(minute).padStart(2, '0')}:00.000Z`;
const ev = (from: string | null, to: string, minute: number): TimelineEvent => ({ from, to, at: at(minute) });

describe('patientWords(from, to, useInsurance)', () => {
  it.each<[OrderStatus | null, OrderStatus, boolean, string, string | undefined]>([
    [null, 'CREATED', true, '已提交', '订单已创建'],
    ['CREATED', 'PRESETTLED', true, '医保预结算完成', '已算出医保支付和自付的金额'],
    ['CREATED', 'PRESETTLED', false, '费用已确认', '全部自费'],
    ['PRESETTLED', 'AWAITING_PAYMENT', false, '等待支付', '请在微信支付中完成付款'],
    ['AWAITING_PAYMENT', 'UNKNOWN', false, '正在确认支付结果', '结果会自动核实，无需重复支付'],
    ['AWAITING_PAYMENT', 'PAID', true, '已支付', '医保已结算，自付部分已支付'],
    ['AWAITING_PAYMENT', 'PAID', false, '已支付', undefined],
    ['PAID', 'COMPLETED', false, '医院已确认收费', '缴费完成'],
    ['REFUNDING', 'COMPLETED', false, '退款未完成', '订单仍为已缴费，如有疑问请咨询收费窗口'],
    ['PRESETTLED', 'CANCELLED', true, '已取消', '没有扣款'],
    ['PRESETTLED', 'EXPIRED', true, '已过期', '超过支付时限，没有扣款'],
    ['AWAITING_PAYMENT', 'PAYMENT_FAILED', false, '支付失败', '这笔订单没有完成支付'],
    ['COMPLETED', 'REFUNDING', false, '退款处理中', undefined],
    ['REFUNDING', 'REFUNDED', false, '已退款', '款项按原支付方式退回'],
    ['REFUNDING', 'PARTIALLY_REFUNDED', false, '已部分退款', '退款部分按原支付方式退回'],
  ])('%s → %s (insurance %s) reads “%s”', (from, to, useInsurance, title, detail) => {
    expect(patientWords(from, to, useInsurance)).toEqual(
      detail === undefined ? { title } : { title, detail },
    );
  });

  it.each([...ORDER_STATUSES])('words %s without an ASCII word', (to) => {
    for (const useInsurance of [true, false]) {
      const words = patientWords(null, to, useInsurance);
      expect(`${words.title}${words.detail ?? ''}`).not.toMatch(/[A-Za-z]/);
    }
  });
});

describe('patientTimeline(events, useInsurance)', () => {
  it('turns a full insurance journey into patient sentences, oldest first, with the events’ times', () => {
    const timeline = patientTimeline(
      [
        ev(null, 'CREATED', 0),
        ev('CREATED', 'PRESETTLED', 1),
        ev('PRESETTLED', 'AWAITING_PAYMENT', 2),
        ev('AWAITING_PAYMENT', 'PAID', 3),
        ev('PAID', 'COMPLETED', 4),
        ev('COMPLETED', 'REFUNDING', 5),
        ev('REFUNDING', 'REFUNDED', 6),
      ],
      true,
    );
    expect(timeline.map((t) => t.title)).toEqual([
      '已提交',
      '医保预结算完成',
      '等待支付',
      '已支付',
      '医院已确认收费',
      '退款处理中',
      '已退款',
    ]);
    expect(timeline.map((t) => t.at)).toEqual([0, 1, 2, 3, 4, 5, 6].map(at));
  });

  it('carries nothing of the actor or reason (they are not even an input)', () => {
    const withInternals = {
      ...ev('COMPLETED', 'REFUNDING', 5),
      actor: 'admin',
      reason: 'refund requested: patient request dd728c42-0000',
    };
    const [entry] = patientTimeline([withInternals], false);
    expect(JSON.stringify(entry)).not.toMatch(/admin|dd728c42|request/);
  });

  it('shows a repeated sentence once (UNKNOWN settled back to AWAITING_PAYMENT twice)', () => {
    const timeline = patientTimeline(
      [ev('PRESETTLED', 'AWAITING_PAYMENT', 2), ev('AWAITING_PAYMENT', 'AWAITING_PAYMENT', 3)],
      false,
    );
    expect(timeline).toEqual([{ at: at(2), title: '等待支付', detail: '请在微信支付中完成付款' }]);
  });

  it('leaves out a status it does not know rather than showing it raw', () => {
    expect(patientTimeline([ev('PAID', 'SOMETHING_NEW', 1)], false)).toEqual([]);
  });

  it('says a checkout the insurance platform refused was refused, not just cancelled', () => {
    const timeline = patientTimeline(
      [ev(null, 'CREATED', 1), ev('CREATED', 'CANCELLED', 2)],
      true,
      'INSURANCE_REFUSED',
    );
    expect(timeline.map((e) => e.title)).toEqual(['已提交', '医保结算未通过']);
    expect(timeline[1].detail).toContain('没有扣款');
  });

  it('is empty for no events', () => {
    expect(patientTimeline([], true)).toEqual([]);
  });
});
