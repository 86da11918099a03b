/**
 * Patient messages, pure (server/domain/notifications.ts): every builder's keyword values pass WeChat's rules
 * for the template's keyword types, whatever the amounts and names; quiet hours, including spans across
 * midnight, and the end of a quiet span.
 */
import fc from 'fast-check';
import { FEN_MAX } from '../../shared/money';
import {
  keywordProblem,
  SUBSCRIBE_TEMPLATES,
  type TemplatePurpose,
} from '../../shared/protocol/wechat/subscribe';
import {
  billReminderMessage,
  endOfQuiet,
  hhmmOf,
  inQuietHours,
  minutesOf,
  paymentFailedMessage,
  paymentSuccessMessage,
  refundResultMessage,
  thing,
  wechatTime,
  type ComposedMessage,
} from '../../server/domain/notifications';

const HOUR_MS = 3_600_000;
const fen = fc.integer({ min: 0, max: 9_999_999_999 });
const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2040, 0, 1) });
const name = fc.oneof(
  fc.constantFrom('张*', '欧阳**', '李*明', 'A*'),
  fc.string({ minLength: 1, maxLength: 30 }),
);
const uuid = fc.uuid();

function expectWeChatAccepts(message: ComposedMessage): void {
  const keywords = SUBSCRIBE_TEMPLATES[message.purpose as TemplatePurpose].keywords;
  expect(Object.keys(message.data).sort()).toEqual(Object.keys(keywords).sort());
  for (const [key, type] of Object.entries(keywords)) {
    const problem = keywordProblem(type, message.data[key].value);
    if (problem)
      throw new Error(
        `${message.purpose}.${key} (${type}) = ${JSON.stringify(message.data[key].value)}: ${problem}`,
      );
  }
  expect(message.lines).toHaveLength(Object.keys(keywords).length);
  expect(message.summary).toMatch(/[\u4e00-\u9fff]/);
  expect(message.page.startsWith('/')).toBe(false);
}

describe('message builders obey WeChat keyword rules', () => {
  it('payment success', () => {
    fc.assert(
      fc.property(
        uuid,
        name,
        fen,
        fen,
        instant,
        fc.string({ minLength: 1, maxLength: 40 }),
        (orderId, patientName, insurance, cash, at, receiptNo) => {
          expectWeChatAccepts(
            paymentSuccessMessage({
              orderId,
              orderNo: 'MI202612070001',
              patientName: patientName.trim() === '' ? '张*' : patientName,
              totalFen: Math.min(FEN_MAX, insurance + cash),
              insuranceFen: insurance,
              cashFen: cash,
              receiptNo,
              paidAtMs: at,
            }),
          );
        },
      ),
    );
  });

  it('refund result, success or failure, by fund', () => {
    fc.assert(
      fc.property(uuid, fen, fen, fen, fc.boolean(), (orderId, fund, account, cash, succeeded) => {
        const m = refundResultMessage({
          orderId,
          orderNo: 'MI202612070001',
          refundNo: 'RF1',
          fundFen: fund,
          accountFen: account,
          cashFen: cash,
          succeeded,
        });
        expectWeChatAccepts(m);
        expect(m.data.phrase5.value).toBe(succeeded ? '退款成功' : '退款失败');
      }),
    );
  });

  it('payment failed or returned', () => {
    fc.assert(
      fc.property(
        uuid,
        name,
        fen,
        fen,
        fc.constantFrom('failed' as const, 'returned' as const),
        instant,
        (orderId, patientName, amount, cash, kind, at) => {
          expectWeChatAccepts(
            paymentFailedMessage({
              orderId,
              patientName: patientName.trim() || '张*',
              amountFen: amount,
              kind,
              cashReturnedFen: cash,
              atMs: at,
            }),
          );
        },
      ),
    );
  });

  it('bill reminder', () => {
    fc.assert(
      fc.property(
        uuid,
        name,
        fc.string({ minLength: 1, maxLength: 40 }),
        fen,
        instant,
        (patientId, patientName, what, amount, at) => {
          expectWeChatAccepts(
            billReminderMessage({
              patientId,
              patientName: patientName.trim() || '张*',
              what: what.trim() || '门诊',
              amountFen: amount,
              billedAtMs: at,
            }),
          );
        },
      ),
    );
  });

  it('writes WeChat time in China time and cuts long things', () => {
    expect(wechatTime(Date.UTC(2026, 11, 7, 16, 5))).toBe('2026年12月8日 00:05');
    expect(thing('一二三四五六七八九十一二三四五六七八九十')).toHaveLength(20);
    expect([...thing('一二三四五六七八九十一二三四五六七八九十多')].length).toBe(20);
    expect(thing('一二三四五六七八九十一二三四五六七八九十多').endsWith('…')).toBe(true);
  });
});

describe('WeChat keyword rules (the mock refuses what breaks them)', () => {
  it.each([
    ['thing', '一二三四五六七八九十一二三四五六七八九十一', false],
    ['thing', '内科门诊', true],
    ['amount', '¥12.30', true],
    ['amount', '12.30元', true],
    ['amount', '12.30', false],
    ['amount', '¥12.305', false],
    ['character_string', 'SJ00000001', true],
    ['character_string', '收据1', false],
    ['time', '2026年12月7日 21:05', true],
    ['time', '21:05', true],
    ['time', '2026-12-07 21:05', false],
    ['phrase', '退款成功', true],
    ['phrase', '退款已经成功了', false],
    ['phrase', 'ok', false],
    ['name', '张三', true],
    ['number', '12.5', true],
    ['number', 'x1', false],
  ] as const)('%s %s → %s', (type, value, ok) => {
    expect(keywordProblem(type, value) === null).toBe(ok);
  });
});

describe('quiet hours (China time)', () => {
  const at = (hh: number, mm = 0) => Date.UTC(2026, 11, 7, hh - 8, mm);

  it('knows spans within a day and across midnight', () => {
    const night = { startMin: minutesOf('22:00'), endMin: minutesOf('08:00') };
    expect(inQuietHours(at(23), night)).toBe(true);
    expect(inQuietHours(at(7, 59), night)).toBe(true);
    expect(inQuietHours(at(8), night)).toBe(false);
    expect(inQuietHours(at(21, 59), night)).toBe(false);
    const lunch = { startMin: minutesOf('12:00'), endMin: minutesOf('13:30') };
    expect(inQuietHours(at(12, 45), lunch)).toBe(true);
    expect(inQuietHours(at(13, 30), lunch)).toBe(false);
    expect(inQuietHours(at(3), null)).toBe(false);
  });

  it('the end of quiet is the first quiet-free minute, never before now, within a day', () => {
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 0, max: 1439 }),
        (now, startMin, endMin) => {
          const quiet = { startMin, endMin };
          const end = endOfQuiet(now, quiet);
          expect(end).toBeGreaterThanOrEqual(now - 60_000);
          expect(end - now).toBeLessThanOrEqual(24 * HOUR_MS);
          expect(inQuietHours(end, quiet)).toBe(false);
          if (!inQuietHours(now, quiet)) expect(end).toBe(now);
          else expect(inQuietHours(end - 60_000, quiet)).toBe(true);
        },
      ),
    );
  });

  it('reads and writes HH:mm', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1439 }), (m) => expect(minutesOf(hhmmOf(m))).toBe(m)));
  });
});
