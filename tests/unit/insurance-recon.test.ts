/**
 * The pure side of daily reconciliation: 3201 / 3202 / 9102 wire ↔ port types of the insurance adapter (yuan ↔
 * fen exactly, the detail file read line by line with its totals checked), and the HIS daily list's pages.
 */
import { DAY_FILE } from '../../shared/protocol/insurance';
import type { HisWireDailyCharges } from '../../shared/protocol/his';
import { GatewayError, type InsuranceDayTotals } from '../../server/gateways/ports';
import {
  DayFileReader,
  fromReconcileDetails,
  fromReconcileTotals,
  linesOf,
  parseCstDateTime,
  standardRequestWithInput,
  toFileDownload,
  toReconcileDetails,
  toReconcileTotals,
} from '../../server/gateways/insurance/transformers';
import { toDailyPage, toDailyPagePath } from '../../server/gateways/his/transformers';
import { thrownBy } from '../helpers/thrown';

const gatewayError = (fn: () => unknown) => thrownBy(GatewayError, fn);

const DAY = '2026-11-23';
const TOTALS: InsuranceDayTotals = {
  date: DAY,
  count: 3,
  totalFen: 1_234_567,
  fundFen: 1_000_001,
  accountFen: 200_000,
  cashFen: 34_566,
};

describe('toReconcileTotals (3201 input)', () => {
  test('one day, every insutype, amounts as exact yuan strings', () => {
    expect(toReconcileTotals(TOTALS, '360100')).toEqual({
      insutype: '',
      clr_type: '11',
      setl_optins: '360100',
      stmt_begndate: DAY,
      stmt_enddate: DAY,
      medfee_sumamt: '12345.67',
      fund_pay_sumamt: '10000.01',
      acct_pay: '2000.00',
      fixmedins_setl_cnt: 3,
    });
  });

  test('a day of refunds has negative totals', () => {
    const input = toReconcileTotals(
      { date: DAY, count: -1, totalFen: -5, fundFen: 0, accountFen: -5, cashFen: 0 },
      '360100',
    );
    expect(input).toMatchObject({ medfee_sumamt: '-0.05', acct_pay: '-0.05', fixmedins_setl_cnt: -1 });
  });

  test('totals that do not add up, fractions or a bad date are programming errors', () => {
    expect(() => toReconcileTotals({ ...TOTALS, cashFen: 1 }, '360100')).toThrow(RangeError);
    expect(() => toReconcileTotals({ ...TOTALS, count: 1.5 }, '360100')).toThrow(RangeError);
    expect(() => toReconcileTotals({ ...TOTALS, date: '2026-02-29' }, '360100')).toThrow(RangeError);
  });
});

describe('fromReconcileTotals (3201 output)', () => {
  const output = (rslt: string, totals: Partial<Record<string, unknown>> = {}) => ({
    stmtinfo: {
      setl_optins: '360100',
      stmt_rslt: rslt,
      stmt_rslt_dscr: rslt === '0' ? '对账平' : '对账不平：…',
    },
    stmt_totals: {
      medfee_sumamt: '12345.67',
      fund_pay_sumamt: '10000.01',
      acct_pay: '2000.00',
      psn_cash_pay: '345.66',
      fixmedins_setl_cnt: 3,
      ...totals,
    },
  });

  test('balanced: the platform’s totals are ours, converted exactly', () => {
    expect(fromReconcileTotals(output('0'), TOTALS)).toEqual({
      balanced: true,
      theirs: TOTALS,
      message: '对账平',
    });
  });

  test('unbalanced: the platform’s own totals and its words', () => {
    const check = fromReconcileTotals(
      output('1', {
        medfee_sumamt: '-0.01',
        fund_pay_sumamt: '0.00',
        acct_pay: '-0.01',
        psn_cash_pay: '0.00',
        fixmedins_setl_cnt: -1,
      }),
      TOTALS,
    );
    expect(check).toEqual({
      balanced: false,
      theirs: { date: DAY, count: -1, totalFen: -1, fundFen: 0, accountFen: -1, cashFen: 0 },
      message: '对账不平：…',
    });
  });

  test('"balanced" with totals other than ours is a contradiction: invalid_response', () => {
    const err = gatewayError(() => fromReconcileTotals(output('0', { fixmedins_setl_cnt: 4 }), TOTALS));
    expect(err).toMatchObject({ kind: 'invalid_response', partyCode: 'TOTALS_CONTRADICTION' });
  });

  test.each([
    ['an unknown stmt_rslt', output('2'), 'UNKNOWN_STMT_RSLT'],
    ['totals that do not add up', output('1', { psn_cash_pay: '345.67' }), 'SPLIT_MISMATCH'],
    ['a yuan amount with three decimals', output('1', { acct_pay: '2000.001' }), undefined],
    ['no platform totals', { stmtinfo: output('1').stmtinfo }, undefined],
  ])('%s is invalid_response', (_, answer, code) => {
    const err = gatewayError(() => fromReconcileTotals(answer, TOTALS));
    expect(err.kind).toBe('invalid_response');
    if (code) expect(err.partyCode).toBe(code);
  });
});

describe('3202 and 9102 requests', () => {
  test('3202 asks for the platform’s detail of one day, no file of ours', () => {
    expect(toReconcileDetails(DAY, '360100')).toEqual({
      setl_optins: '360100',
      file_qury_no: '',
      stmt_begndate: DAY,
      stmt_enddate: DAY,
      clr_type: '11',
      insutype: '',
    });
    expect(() => toReconcileDetails('23/11/2026', '360100')).toThrow(RangeError);
  });

  test('fileinfo comes back; 9102 sends it inside fsDownloadIn, not data', () => {
    const info = { file_qury_no: 'fsi/stmt/1', filename: 'H1_3202.txt', dld_endtime: '2026-11-24 10:00:00' };
    expect(fromReconcileDetails({ fileinfo: info })).toEqual(info);
    expect(gatewayError(() => fromReconcileDetails({ fileinfo: { filename: 'x' } })).kind).toBe(
      'invalid_response',
    );
    const request = standardRequestWithInput('9102', toFileDownload(info, 'H36010000001'), {
      nowMs: Date.UTC(2026, 10, 23, 2),
      msgid: 'H36010000001202611231000000001',
      admdvs: '360100',
      fixmedinsCode: 'H36010000001',
      fixmedinsName: 'H',
    });
    expect(request).toMatchObject({
      infno: '9102',
      inf_time: '2026-11-23 10:00:00',
      input: {
        fsDownloadIn: { file_qury_no: 'fsi/stmt/1', filename: 'H1_3202.txt', fixmedins_code: 'H36010000001' },
      },
    });
  });
});

// ───────────────────────────── the detail file ─────────────────────────────

const HEADER = DAY_FILE.columns.join('\t');
// settlement 123.45 = 100.00 + 20.45 + 3.00 at 10:00:00; refund of 20.46 (account 20.45, cash 0.01) at 23:59:59
const SETTLEMENT = `0\tSETL1\tORD1\tMO1\t\t3601\t310\t${DAY} 10:00:00\t123.45\t100.00\t20.45\t3.00`;
const REFUND = `1\tSETL1\tORD1\tMO1\tRF1\t3601\t310\t${DAY} 23:59:59\t20.46\t0.00\t20.45\t0.01`;
const TOTAL = `TOTAL\t${DAY}\t${DAY}\t2\t1\t123.45\t100.00\t20.45\t3.00\t1\t20.46\t0.00\t20.45\t0.01`;

function readAll(lines: string[], date = DAY) {
  const reader = new DayFileReader(date);
  const records = lines.map((line) => reader.read(line)).filter((r) => r !== undefined);
  reader.finish();
  return records;
}

const at = (h: number, m: number, s: number) => Date.UTC(2026, 10, 23, h - 8, m, s);

describe('DayFileReader', () => {
  test('settlement and refund lines → port records in exact fen and CST times', () => {
    expect(readAll([HEADER, SETTLEMENT, REFUND, TOTAL])).toEqual([
      {
        kind: 'SETTLEMENT',
        medOrgOrd: 'MO1',
        payOrdId: 'ORD1',
        setlId: 'SETL1',
        split: { total: 12_345, fund: 10_000, account: 2_045, cash: 300 },
        atMs: at(10, 0, 0),
      },
      {
        kind: 'REFUND',
        medOrgOrd: 'MO1',
        payOrdId: 'ORD1',
        setlId: 'SETL1',
        refundNo: 'RF1',
        split: { total: 2_046, fund: 0, account: 2_045, cash: 1 },
        atMs: at(23, 59, 59),
      },
    ]);
  });

  test('an empty day is a header and a zero totals line', () => {
    const zero = `TOTAL\t${DAY}\t${DAY}\t0\t0\t0.00\t0.00\t0.00\t0.00\t0\t0.00\t0.00\t0.00\t0.00`;
    expect(readAll([HEADER, zero])).toEqual([]);
  });

  test('columns are found by name: another order and unknown extra columns are fine', () => {
    const columns = ['memo', ...[...DAY_FILE.columns].reverse()];
    const reorder = (line: string) => {
      const cells = line.split('\t');
      return ['x', ...DAY_FILE.columns.map((_, i) => cells[i]).reverse()].join('\t');
    };
    expect(readAll([columns.join('\t'), reorder(SETTLEMENT), reorder(REFUND), TOTAL])).toHaveLength(2);
  });

  test.each([
    ['a tampered sum', TOTAL.replace('\t123.45\t', '\t123.46\t')],
    ['a tampered count', TOTAL.replace(`${DAY}\t2\t1\t`, `${DAY}\t3\t2\t`)],
    // +0.01 on the settlement and +0.01 on the refund leave the net alone: the per-kind sums still catch it
    [
      'a compensating change of both kinds',
      TOTAL.replace('\t123.45\t', '\t123.46\t').replace('\t20.46\t', '\t20.47\t'),
    ],
    ['the refunds’ cash', TOTAL.replace(/0\.01$/, '0.02')],
  ])('a totals line with %s is invalid_response DAY_FILE_TOTALS_MISMATCH', (_, total) => {
    const err = gatewayError(() => readAll([HEADER, SETTLEMENT, REFUND, total]));
    expect(err).toMatchObject({ kind: 'invalid_response', partyCode: 'DAY_FILE_TOTALS_MISMATCH' });
    expect(err.message).toMatch(/line 4/);
  });

  test('a totals line of another range is DAY_FILE_DATE_MISMATCH', () => {
    const err = gatewayError(() =>
      readAll([HEADER, SETTLEMENT, REFUND, TOTAL.replace(`\t${DAY}\t`, '\t2026-11-22\t')]),
    );
    expect(err.partyCode).toBe('DAY_FILE_DATE_MISMATCH');
  });

  const cells = (line: string, i: number, value: string) => {
    const all = line.split('\t');
    all[i] = value;
    return all.join('\t');
  };
  const col = (name: (typeof DAY_FILE.columns)[number]) => DAY_FILE.columns.indexOf(name);

  test.each([
    ['one field short', SETTLEMENT.split('\t').slice(1).join('\t'), 'DAY_FILE_MALFORMED'],
    ['an unknown refd_setl_flag', cells(SETTLEMENT, col('refd_setl_flag'), '2'), 'DAY_FILE_MALFORMED'],
    ['three decimals', cells(SETTLEMENT, col('acct_pay'), '20.450'), 'DAY_FILE_MALFORMED'],
    ['a negative amount', cells(SETTLEMENT, col('psn_cash_pay'), '-3.00'), 'DAY_FILE_MALFORMED'],
    ['legs that do not make the total', cells(SETTLEMENT, col('psn_cash_pay'), '3.01'), 'SPLIT_MISMATCH'],
    [
      'a time of another day',
      cells(SETTLEMENT, col('trns_time'), '2026-11-24 00:00:00'),
      'DAY_FILE_DATE_MISMATCH',
    ],
    [
      'a time that does not exist',
      cells(SETTLEMENT, col('trns_time'), `${DAY} 24:00:00`),
      'DAY_FILE_MALFORMED',
    ],
    ['a refund without its number', cells(REFUND, col('refd_sn'), ''), 'DAY_FILE_MALFORMED'],
    ['a settlement without setl_id', cells(SETTLEMENT, col('setl_id'), ' '), 'DAY_FILE_MALFORMED'],
  ])('a line with %s is invalid_response naming the line', (_, line, code) => {
    const err = gatewayError(() => readAll([HEADER, line, TOTAL]));
    expect(err).toMatchObject({ kind: 'invalid_response', partyCode: code });
    expect(err.message).toMatch(/3202 file line 2:/);
  });

  test('a file without its totals line is truncated, even when the lines read were fine', () => {
    const reader = new DayFileReader(DAY);
    [HEADER, SETTLEMENT, REFUND].forEach((line) => reader.read(line));
    expect(gatewayError(() => reader.finish())).toMatchObject({ partyCode: 'DAY_FILE_TRUNCATED' });
  });

  test('an empty file, a header lacking a column, and lines after the totals are refused', () => {
    expect(gatewayError(() => readAll([])).partyCode).toBe('DAY_FILE_MALFORMED');
    const lacking = DAY_FILE.columns.filter((c) => c !== 'refd_sn').join('\t');
    expect(gatewayError(() => readAll([lacking])).message).toMatch(/lacks refd_sn/);
    expect(gatewayError(() => readAll([HEADER, SETTLEMENT, REFUND, TOTAL, SETTLEMENT])).message).toMatch(
      /after the totals/,
    );
  });
});

describe('parseCstDateTime', () => {
  test('China time to ms; impossible times are undefined', () => {
    expect(parseCstDateTime('2026-11-24 00:00:01')).toBe(Date.UTC(2026, 10, 23, 16, 0, 1));
    expect(parseCstDateTime('2026-02-29 10:00:00')).toBeUndefined();
    expect(parseCstDateTime('2026-11-23T10:00:00')).toBeUndefined();
  });
});

// ───────────────────────────── lines of a byte stream ─────────────────────────────

const bytes = (text: string) => new TextEncoder().encode(text);

async function* chunks(parts: Uint8Array[], pulled?: { count: number }): AsyncGenerator<Uint8Array> {
  for (const part of parts) {
    if (pulled) pulled.count++;
    yield part;
  }
}

async function allLines(parts: Uint8Array[], maxChars = 100): Promise<string[]> {
  const out: string[] = [];
  for await (const line of linesOf(chunks(parts), maxChars)) out.push(line);
  return out;
}

describe('linesOf', () => {
  test('splits on \\n and \\r\\n across chunk boundaries, the last line with or without its break', async () => {
    expect(await allLines([bytes('a\tb\r'), bytes('\nc'), bytes('d\n\ne')])).toEqual(['a\tb', 'cd', '', 'e']);
    expect(await allLines([bytes('x\n')])).toEqual(['x']);
  });

  test('a character split between two chunks is decoded whole', async () => {
    const encoded = bytes('对账平\n');
    expect(await allLines([encoded.slice(0, 4), encoded.slice(4)])).toEqual(['对账平']);
  });

  test('pulls a chunk only when the consumer wants the next line', async () => {
    const pulled = { count: 0 };
    const lines = linesOf(chunks([bytes('1\n2\n'), bytes('3\n'), bytes('4\n')], pulled), 100);
    expect((await lines.next()).value).toBe('1');
    expect(pulled.count).toBe(1);
    expect((await lines.next()).value).toBe('2');
    expect(pulled.count).toBe(1);
    expect((await lines.next()).value).toBe('3');
    expect(pulled.count).toBe(2);
    await lines.return(undefined);
  });

  test('a line longer than the limit, or bytes that are not UTF-8, are invalid_response', async () => {
    await expect(allLines([bytes('x'.repeat(50)), bytes('y'.repeat(60))], 100)).rejects.toMatchObject({
      kind: 'invalid_response',
      partyCode: 'DAY_FILE_MALFORMED',
    });
    await expect(allLines([bytes(`${'x'.repeat(101)}\n`)], 100)).rejects.toBeInstanceOf(GatewayError);
    await expect(allLines([new Uint8Array([0x61, 0xff, 0x0a])])).rejects.toMatchObject({
      message: expect.stringMatching(/UTF-8/),
    });
  });
});

// ───────────────────────────── HIS daily list pages ─────────────────────────────

describe('HIS daily list pages (toDailyPagePath, toDailyPage)', () => {
  const charge = {
    order_no: 'ORD1',
    receipt_no: 'SJ00000001',
    patient_id: 'P100001',
    bill_nos: ['MZ000001'],
    total_amount: 7_560,
    fund_amount: 1_000,
    account_amount: 560,
    cash_amount: 6_000,
    transaction_id: '4200000001',
    pay_time: `${DAY} 09:59:00`,
    charge_time: `${DAY} 10:00:00`,
  };
  const refund = {
    order_no: 'ORD1',
    refund_no: 'RF1',
    refund_receipt_no: 'TF00000001',
    amount: 560,
    refund_time: `${DAY} 23:59:59`,
  };
  const page = (over: Partial<HisWireDailyCharges> = {}): HisWireDailyCharges => ({
    date: DAY,
    charges: [charge],
    refunds: [refund],
    next_cursor: 'abc',
    ...over,
  });

  test('the path carries date, page_size and the cursor as given', () => {
    expect(toDailyPagePath('/his/charges/daily', DAY, 500)).toBe(
      `/his/charges/daily?date=${DAY}&page_size=500`,
    );
    expect(toDailyPagePath('/his/charges/daily', DAY, 3, 'a+b/=')).toBe(
      `/his/charges/daily?date=${DAY}&page_size=3&cursor=a%2Bb%2F%3D`,
    );
    expect(() => toDailyPagePath('/x', DAY, 1_001)).toThrow(RangeError);
  });

  test('a page → charges then refunds as port records, fen as is, times from China time', () => {
    expect(toDailyPage(page(), DAY, 2)).toEqual({
      records: [
        {
          kind: 'CHARGE',
          orderNo: 'ORD1',
          receiptNo: 'SJ00000001',
          hisPatientId: 'P100001',
          billNos: ['MZ000001'],
          split: { total: 7_560, fund: 1_000, account: 560, cash: 6_000 },
          transactionId: '4200000001',
          payOrdId: undefined,
          setlId: undefined,
          paidAtMs: at(9, 59, 0),
          chargedAtMs: at(10, 0, 0),
        },
        {
          kind: 'REFUND',
          orderNo: 'ORD1',
          refundNo: 'RF1',
          refundReceiptNo: 'TF00000001',
          amountFen: 560,
          refundedAtMs: at(23, 59, 59),
        },
      ],
      nextCursor: 'abc',
    });
    expect(toDailyPage(page({ next_cursor: null }), DAY, 2).nextCursor).toBeUndefined();
  });

  test.each([
    ['of another day', page({ date: '2026-11-22' })],
    ['longer than asked', page({ charges: [charge, { ...charge, order_no: 'ORD2' }] })],
    ['with a charge whose legs do not add up', page({ charges: [{ ...charge, cash_amount: 6_001 }] })],
    ['with a charge of another day', page({ charges: [{ ...charge, charge_time: '2026-11-24 00:00:00' }] })],
    ['with a refund of another day', page({ refunds: [{ ...refund, refund_time: '2026-11-22 23:59:59' }] })],
    ['empty but promising more', page({ charges: [], refunds: [] })],
  ])('a page %s is invalid_response', (_, wire) => {
    expect(gatewayError(() => toDailyPage(wire, DAY, 2)).kind).toBe('invalid_response');
  });
});
