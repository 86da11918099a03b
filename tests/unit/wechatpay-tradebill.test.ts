import { GatewayError, type TradeBillRow } from '../../server/gateways/ports';
import {
  billCells,
  billTimeMs,
  fromTradeBillAnswer,
  TRADE_BILL_DETAIL_COLUMNS,
  TRADE_BILL_SUMMARY_COLUMNS,
  TradeBillReader,
} from '../../server/gateways/wechatpay/tradeBill';

// ───────────────────────────── fixtures, written here by hand ─────────────────────────────

const HEADER = TRADE_BILL_DETAIL_COLUMNS.join(',');
const SUMMARY_HEADER = TRADE_BILL_SUMMARY_COLUMNS.join(',');
const APPID = 'wxd930ea5d5a258f4f';
const MCHID = '1900000109';

const tick = (cells: string[]): string => cells.map((c) => `\`${c}`).join(',');

interface Detail {
  time: string;
  transactionId: string;
  outTradeNo: string;
  status: string;
  settled: string;
  refundId?: string;
  outRefundNo?: string;
  refund?: string;
  fee: string;
  order?: string;
}

// one value per column of TRADE_BILL_DETAIL_COLUMNS, in its order
function detail(d: Detail): string {
  const refund = d.status === 'REFUND';
  // prettier-ignore
  return tick([
    d.time, APPID, MCHID, '0', '', d.transactionId, d.outTradeNo, 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', 'JSAPI', d.status,
    'OTHERS', 'CNY', d.settled, '0.00', d.refundId ?? '0', d.outRefundNo ?? '0', d.refund ?? '0.00', '0.00',
    refund ? 'ORIGINAL' : '', refund ? 'SUCCESS' : '', '门诊缴费', '', d.fee, '0.60%', d.order ?? d.settled,
    d.refund ?? '0.00', '',
  ]);
}

const PAYMENT = detail({
  time: '2026-11-23 10:00:00',
  transactionId: '4200000123202611231234567890',
  outTradeNo: 'ORD202611230001',
  status: 'SUCCESS',
  settled: '12.05',
  fee: '0.07',
});
const PAYMENT_AT_MIDNIGHT = detail({
  time: '2026-11-23 23:59:59',
  transactionId: '4200000124202611231234567891',
  outTradeNo: 'ORD202611230002',
  status: 'SUCCESS',
  settled: '100000.00',
  fee: '600.00',
});
const REFUND = detail({
  time: '2026-11-23 11:30:00',
  transactionId: '4200000123202611231234567890',
  outTradeNo: 'ORD202611230001',
  status: 'REFUND',
  settled: '12.05',
  refundId: '50300001232026112312345678901',
  outRefundNo: 'RF-ORD202611230001-1',
  refund: '5.00',
  fee: '-0.03',
});

/** 3 rows, payments 12.05 + 100000.00, refunds 5.00, fees 0.07 + 600.00 − 0.03 */
const SUMMARY = tick(['3', '100012.05', '5.00', '0.00', '600.04', '100012.05', '5.00']);
const GOOD = [HEADER, PAYMENT, REFUND, PAYMENT_AT_MIDNIGHT, SUMMARY_HEADER, SUMMARY, ''];

/** Feeds the lines one by one, as the adapter does; returns the rows yielded before any error. */
function read(lines: string[]): { rows: TradeBillRow[]; error?: GatewayError } {
  const reader = new TradeBillReader();
  const rows: TradeBillRow[] = [];
  try {
    for (const line of lines) {
      const row = reader.line(line);
      if (row) rows.push(row);
    }
    reader.end();
    return { rows };
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    return { rows, error: err };
  }
}

function expectInvalid(lines: string[], pattern: RegExp): TradeBillRow[] {
  const { rows, error } = read(lines);
  expect(error).toBeInstanceOf(GatewayError);
  expect(error?.kind).toBe('invalid_response');
  expect(error?.party).toBe('wechatpay');
  expect(error?.message).toMatch(pattern);
  return rows;
}

const withCrLf = (lines: string[]): string[] => lines.map((l) => `${l}\r`);

// ───────────────────────────── tests ─────────────────────────────

describe('TradeBillReader: a bill as WeChat writes it', () => {
  it('turns payment and refund rows into TradeBillRows in fen, backticks stripped, China time exact', () => {
    const { rows, error } = read(withCrLf(GOOD));
    expect(error).toBeUndefined();
    expect(rows).toEqual([
      {
        kind: 'PAYMENT',
        atMs: Date.parse('2026-11-23T10:00:00+08:00'),
        transactionId: '4200000123202611231234567890',
        outTradeNo: 'ORD202611230001',
        amountFen: 1205,
        feeFen: 7,
      },
      {
        kind: 'REFUND',
        atMs: Date.parse('2026-11-23T11:30:00+08:00'),
        transactionId: '4200000123202611231234567890',
        outTradeNo: 'ORD202611230001',
        amountFen: 500,
        feeFen: -3,
        refundId: '50300001232026112312345678901',
        outRefundNo: 'RF-ORD202611230001-1',
      },
      {
        kind: 'PAYMENT',
        atMs: Date.parse('2026-11-23T23:59:59+08:00'),
        transactionId: '4200000124202611231234567891',
        outTradeNo: 'ORD202611230002',
        amountFen: 10_000_000,
        feeFen: 60_000,
      },
    ]);
  });

  it('answers the totals the summary agreed with', () => {
    const reader = new TradeBillReader();
    for (const line of GOOD) reader.line(line);
    expect(reader.end()).toEqual({ count: 3, paymentFen: 10_001_205, refundFen: 500, feeFen: 60_004 });
  });

  it('reads a day without trades: header, summary of zeros', () => {
    const { rows, error } = read([
      HEADER,
      SUMMARY_HEADER,
      tick(['0', '0.00', '0.00', '0.00', '0.00', '0.00', '0.00']),
    ]);
    expect(error).toBeUndefined();
    expect(rows).toEqual([]);
  });

  it('accepts a byte-order mark before the header and ignores blank lines', () => {
    const { rows, error } = read([
      `\uFEFF${HEADER}`,
      '',
      PAYMENT,
      REFUND,
      PAYMENT_AT_MIDNIGHT,
      SUMMARY_HEADER,
      SUMMARY,
    ]);
    expect(error).toBeUndefined();
    expect(rows).toHaveLength(3);
  });

  it('maps the columns by name, so another column order reads the same', () => {
    const order = [...TRADE_BILL_DETAIL_COLUMNS.keys()].reverse();
    const reorder = (line: string) => {
      const cells = line.split(',');
      return order.map((i) => cells[i]).join(',');
    };
    const { rows, error } = read([
      reorder(HEADER),
      reorder(PAYMENT),
      reorder(REFUND),
      reorder(PAYMENT_AT_MIDNIGHT),
      SUMMARY_HEADER,
      SUMMARY,
    ]);
    expect(error).toBeUndefined();
    expect(rows).toEqual(read(GOOD).rows);
  });
});

describe('TradeBillReader: what it refuses (invalid_response naming the line)', () => {
  it('a tampered amount: the rows are yielded, then the summary disagrees at the end', () => {
    const tampered = PAYMENT.replace('`12.05', '`12.06');
    const rows = expectInvalid(
      [HEADER, tampered, REFUND, PAYMENT_AT_MIDNIGHT, SUMMARY_HEADER, SUMMARY],
      /line 6: summary says 应结订单总金额 \(fen\) 10001205, the rows add up to 10001206/,
    );
    expect(rows.map((r) => r.amountFen)).toEqual([1206, 500, 10_000_000]);
  });

  it('a bad summary: a count, a refund total or a fee total that disagrees', () => {
    const summaries: [string[], RegExp][] = [
      [
        ['4', '100012.05', '5.00', '0.00', '600.04', '100012.05', '5.00'],
        /总交易单数 4, the rows add up to 3/,
      ],
      [
        ['3', '100012.05', '5.01', '0.00', '600.04', '100012.05', '5.01'],
        /退款总金额 \(fen\) 501, the rows add up to 500/,
      ],
      [
        ['3', '100012.05', '5.00', '0.00', '600.05', '100012.05', '5.00'],
        /手续费总金额 \(fen\) 60005, the rows add up to 60004/,
      ],
    ];
    for (const [summary, pattern] of summaries) {
      expectInvalid([HEADER, PAYMENT, REFUND, PAYMENT_AT_MIDNIGHT, SUMMARY_HEADER, tick(summary)], pattern);
    }
  });

  it('a float-looking amount such as 12.345 (never rounded)', () => {
    const rows = expectInvalid(
      [HEADER, PAYMENT, PAYMENT_AT_MIDNIGHT.replace('`100000.00', '`12.345'), SUMMARY_HEADER, SUMMARY],
      /line 3: 应结订单金额 "12.345" is not an amount in yuan/,
    );
    expect(rows).toHaveLength(1);
  });

  it('other amounts that are not yuan: exponent, blank, thousands separator, negative payment', () => {
    for (const amount of ['1e3', '', '1 000.00', '-12.05']) {
      expectInvalid(
        [HEADER, PAYMENT.replace('`12.05', `\`${amount}`), SUMMARY_HEADER, SUMMARY],
        /line 2: 应结订单金额/,
      );
    }
  });

  it('an unknown, repeated or missing header column, naming line 1', () => {
    expectInvalid([`${HEADER},优惠金额`, PAYMENT], /line 1: unknown column "优惠金额"/);
    expectInvalid([`${HEADER},手续费`, PAYMENT], /line 1: column 手续费 appears twice/);
    expectInvalid([HEADER.replace(',手续费', '')], /line 1: column 手续费 is missing/);
    expectInvalid([PAYMENT], /line 1: expected the detail header/);
  });

  it('an unknown summary column', () => {
    expectInvalid([HEADER, PAYMENT, `${SUMMARY_HEADER},优惠总金额`], /line 3: unknown column "优惠总金额"/);
  });

  it('a row with too few or too many values', () => {
    expectInvalid(
      [HEADER, PAYMENT, REFUND.slice(0, REFUND.lastIndexOf(','))],
      /line 3: 26 values for 27 columns/,
    );
    expectInvalid([HEADER, `${PAYMENT},\`x`], /line 2: 28 values for 27 columns/);
  });

  it('a time that is not exact China time', () => {
    for (const time of [
      '2026-02-30 10:00:00',
      '2026-11-23 24:00:00',
      '2026-11-23T10:00:00',
      '2026-11-23 10:00',
    ]) {
      expectInvalid([HEADER, PAYMENT.replace('2026-11-23 10:00:00', time)], /line 2: 交易时间/);
    }
  });

  it('a status other than SUCCESS or REFUND', () => {
    expectInvalid([HEADER, PAYMENT.replace('`SUCCESS', '`REVOKED')], /line 2: 交易状态 "REVOKED"/);
  });

  it('a refund row without its refund numbers, or of 0', () => {
    expectInvalid(
      [HEADER, REFUND.replace('`50300001232026112312345678901', '`0')],
      /line 2: a refund needs 微信退款单号/,
    );
    expectInvalid([HEADER, REFUND.replace('`RF-ORD202611230001-1', '`')], /line 2: a refund needs/);
    expectInvalid([HEADER, REFUND.replace(/`5\.00/g, '`0.00')], /line 2: a refund of 退款金额 0/);
  });

  it('a row without 微信订单号', () => {
    expectInvalid(
      [HEADER, PAYMENT.replace('`4200000123202611231234567890', '`')],
      /line 2: 微信订单号 and 商户订单号/,
    );
  });

  it('a bill that ends without its summary, or with text after it', () => {
    expectInvalid([HEADER, PAYMENT], /ended at line 2 without the summary/);
    expectInvalid([HEADER, PAYMENT, SUMMARY_HEADER], /ended at line 3 without the summary/);
    expectInvalid([...GOOD.slice(0, 6), PAYMENT], /line 7: text after the summary row/);
  });

  it('a summary row that is not a count and amounts', () => {
    expectInvalid(
      [HEADER, SUMMARY_HEADER, tick(['x', '0.00', '0.00', '0.00', '0.00', '0.00', '0.00'])],
      /line 3: 总交易单数 "x"/,
    );
    expectInvalid(
      [HEADER, SUMMARY_HEADER, tick(['0', '0.00', '0.00', '0.001', '0.00', '0.00', '0.00'])],
      /line 3: 充值券退款总金额/,
    );
    expectInvalid([HEADER, SUMMARY_HEADER, tick(['0', '0.00'])], /line 3: 2 summary values for 7 columns/);
  });
});

describe('billCells and billTimeMs', () => {
  it('strips one backtick per value and the CR of CRLF', () => {
    expect(billCells('`a,``b,c,`\r')).toEqual(['a', '`b', 'c', '']);
  });

  it('reads China time: 23:59:59 CST is 15:59:59 UTC of the same day', () => {
    expect(billTimeMs('2026-11-23 23:59:59')).toBe(Date.UTC(2026, 10, 23, 15, 59, 59));
    expect(billTimeMs('2026-11-24 00:00:00')).toBe(Date.UTC(2026, 10, 23, 16, 0, 0));
    expect(billTimeMs('2026-11-24 00:00:60')).toBeUndefined();
  });

  it('knows the calendar: 29 February only in leap years, no 31 April', () => {
    expect(billTimeMs('2028-02-29 12:00:00')).toBe(Date.parse('2028-02-29T12:00:00+08:00'));
    expect(billTimeMs('2000-02-29 12:00:00')).toBe(Date.parse('2000-02-29T12:00:00+08:00'));
    expect(billTimeMs('2026-02-29 12:00:00')).toBeUndefined();
    expect(billTimeMs('2100-02-29 12:00:00')).toBeUndefined();
    expect(billTimeMs('2026-04-31 12:00:00')).toBeUndefined();
    expect(billTimeMs('2026-12-31 23:59:59')).toBe(Date.parse('2026-12-31T23:59:59+08:00'));
    expect(billTimeMs('2026-00-10 12:00:00')).toBeUndefined();
  });
});

describe('fromTradeBillAnswer', () => {
  const base = 'https://api.mch.weixin.qq.com';
  const answer = {
    hash_type: 'SHA1',
    hash_value: 'A94A8FE5CCB19BA61C4C0873D391E987982FBBD3',
    download_url: `${base}/v3/billdownload/file?token=abc`,
  };

  it('answers the lower-case SHA1 and the URL', () => {
    const download = fromTradeBillAnswer(answer, base);
    expect(download.sha1Hex).toBe('a94a8fe5ccb19ba61c4c0873d391e987982fbbd3');
    expect(download.downloadUrl.href).toBe(answer.download_url);
  });

  it('refuses another hash type, a hash that is not 40 hex digits, a URL on another origin', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...answer, hash_type: 'MD5' }, /hash_type/],
      [{ ...answer, hash_value: 'abc' }, /hash_value/],
      [{ ...answer, download_url: 'https://evil.example/v3/billdownload/file' }, /not on https:\/\/api\.mch/],
      [{ ...answer, download_url: 'file:///etc/passwd' }, /download_url/],
    ];
    for (const [body, pattern] of cases) {
      expect(() => fromTradeBillAnswer(body, base)).toThrow(pattern);
      try {
        fromTradeBillAnswer(body, base);
      } catch (err) {
        expect((err as GatewayError).kind).toBe('invalid_response');
      }
    }
  });
});
