/**
 * The day's reconciliation with the platform: 3201 对总账 (our totals against theirs), 3202 对明细账 naming the
 * detail file, 9102 downloading it, and reading that file as a stream (lines pulled one chunk at a time, each
 * row checked, the stated totals compared with the rows read) so memory does not grow with the day's volume.
 */
import { cstDate, cstDateTime } from '../../../../shared/clock';
import { fenToYuan, yuanToFen, type Split } from '../../../../shared/money';
import {
  CLR_TYPE_OUTPATIENT,
  DAY_FILE,
  STMT_RSLT,
  reconcileDetailsOutputSchema,
  reconcileTotalsOutputSchema,
  stmtDateSchema,
  type DayFileColumn,
  type FileDownloadInput,
  type FileInfo,
  type ReconcileDetailsInput,
  type ReconcileTotalsInput,
} from '../../../../shared/protocol/insurance';
import {
  GatewayError,
  type InsuranceDayRecord,
  type InsuranceDayTotals,
  type InsuranceTotalsCheck,
} from '../../ports';
import { invalid, parseAnswer, splitFromWire } from './common';

// ───────────────────────────── 3201 对总账 ─────────────────────────────

/** yyyy-MM-dd HH:mm:ss in China Standard Time → ms; undefined when malformed or not a real time. */
export function parseCstDateTime(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - 8 * 3600_000;
  return cstDateTime(ms) === value ? ms : undefined;
}

function assertDate(date: string): void {
  if (!stmtDateSchema.safeParse(date).success) throw new RangeError(`not a yyyy-MM-dd date: ${date}`);
}

/** One day, every insutype (insutype blank), outpatient clearing; amounts net of refunds, may be negative. */
export function toReconcileTotals(totals: InsuranceDayTotals, setlOptins: string): ReconcileTotalsInput {
  assertDate(totals.date);
  const { count, totalFen, fundFen, accountFen, cashFen } = totals;
  if (![count, totalFen, fundFen, accountFen, cashFen].every(Number.isSafeInteger))
    throw new RangeError(`day totals must be integers: ${JSON.stringify(totals)}`);
  if (totalFen !== fundFen + accountFen + cashFen)
    throw new RangeError(`day totals break total = fund + account + cash: ${JSON.stringify(totals)}`);
  return {
    insutype: '',
    clr_type: CLR_TYPE_OUTPATIENT,
    setl_optins: setlOptins,
    stmt_begndate: totals.date,
    stmt_enddate: totals.date,
    medfee_sumamt: fenToYuan(totalFen),
    fund_pay_sumamt: fenToYuan(fundFen),
    acct_pay: fenToYuan(accountFen),
    fixmedins_setl_cnt: count,
  };
}

function signedFen(yuan: string, what: string): number {
  try {
    return yuanToFen(yuan);
  } catch {
    throw invalid(`${what}: not a yuan amount: ${JSON.stringify(yuan)}`);
  }
}

/**
 * 3201 output → the verdict and the platform's totals (stmt_totals, a mock extension). A platform that says
 * "balanced" while its totals differ from ours contradicts itself: invalid_response.
 */
export function fromReconcileTotals(output: unknown, sent: InsuranceDayTotals): InsuranceTotalsCheck {
  const out = parseAnswer(reconcileTotalsOutputSchema, output, '3201');
  const { stmt_rslt: rslt, stmt_rslt_dscr: dscr } = out.stmtinfo;
  if (rslt !== STMT_RSLT.BALANCED && rslt !== STMT_RSLT.UNBALANCED)
    throw invalid(`3201: unknown stmt_rslt ${JSON.stringify(rslt)}`, 'UNKNOWN_STMT_RSLT');
  const t = out.stmt_totals;
  const theirs: InsuranceDayTotals = {
    date: sent.date,
    count: t.fixmedins_setl_cnt,
    totalFen: signedFen(t.medfee_sumamt, '3201 medfee_sumamt'),
    fundFen: signedFen(t.fund_pay_sumamt, '3201 fund_pay_sumamt'),
    accountFen: signedFen(t.acct_pay, '3201 acct_pay'),
    cashFen: signedFen(t.psn_cash_pay, '3201 psn_cash_pay'),
  };
  if (theirs.totalFen !== theirs.fundFen + theirs.accountFen + theirs.cashFen)
    throw invalid(`3201: platform totals do not add up: ${JSON.stringify(theirs)}`, 'SPLIT_MISMATCH');
  const balanced = rslt === STMT_RSLT.BALANCED;
  const same = (['count', 'totalFen', 'fundFen', 'accountFen', 'cashFen'] as const).every(
    (k) => theirs[k] === sent[k],
  );
  if (balanced && !same) {
    throw invalid(
      `3201 says balanced but its totals ${JSON.stringify(theirs)} differ from ours ${JSON.stringify(sent)}`,
      'TOTALS_CONTRADICTION',
    );
  }
  return { balanced, theirs, message: dscr ?? (balanced ? '对账平' : '对账不平') };
}

// ───────────────────────────── 3202 对明细账 + 9102 文件下载 ─────────────────────────────

/** One day, every insutype, no file of ours uploaded (file_qury_no blank): the platform's own detail. */
export function toReconcileDetails(date: string, setlOptins: string): ReconcileDetailsInput {
  assertDate(date);
  return {
    setl_optins: setlOptins,
    file_qury_no: '',
    stmt_begndate: date,
    stmt_enddate: date,
    clr_type: CLR_TYPE_OUTPATIENT,
    insutype: '',
  };
}

export function fromReconcileDetails(output: unknown): FileInfo {
  return parseAnswer(reconcileDetailsOutputSchema, output, '3202').fileinfo;
}

export function toFileDownload(info: FileInfo, fixmedinsCode: string): { fsDownloadIn: FileDownloadInput } {
  return {
    fsDownloadIn: {
      file_qury_no: info.file_qury_no,
      filename: info.filename,
      fixmedins_code: fixmedinsCode,
    },
  };
}

/**
 * Text lines of a byte stream, pulled one chunk at a time (nothing is read ahead of the consumer), "\n" or
 * "\r\n" ended; a line longer than maxChars, or bytes that are not UTF-8, are invalid_response rather than
 * something to buffer.
 */
export async function* linesOf(
  chunks: AsyncIterable<Uint8Array>,
  maxChars: number,
  what = '3202 file',
): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decode = (chunk?: Uint8Array): string => {
    try {
      return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
    } catch {
      throw invalid(`${what}: not UTF-8 text`, 'DAY_FILE_MALFORMED');
    }
  };
  const tooLong = () => invalid(`${what}: a line longer than ${maxChars} characters`, 'DAY_FILE_MALFORMED');
  let rest = '';
  for await (const chunk of chunks) {
    const text = rest + decode(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const end = nl > start && text[nl - 1] === '\r' ? nl - 1 : nl;
      if (end - start > maxChars) throw tooLong();
      yield text.slice(start, end);
      start = nl + 1;
    }
    rest = text.slice(start);
    if (rest.length > maxChars + 1) throw tooLong();
  }
  rest += decode();
  if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}

interface KindTally {
  count: number;
  sum: Split;
}

const emptyTally = (): KindTally => ({ count: 0, sum: { total: 0, fund: 0, account: 0, cash: 0 } });

/**
 * Reads the 3202 detail file of one day line by line (DAY_FILE): the header, then a record per line, then the
 * totals line, which must agree with the lines read (counts and every sum, per kind). Keeps only running
 * totals, so memory does not grow with the file. Every line must fall on the day asked for (China time).
 * Problems are invalid_response naming the line; a file that ends without its totals line is truncated. The
 * totals are only known at the end: a caller must discard what it read when finish() (or a later read) throws.
 */
export class DayFileReader {
  private columns: Map<string, number> | undefined;
  private lineNo = 0;
  private totalsSeen = false;
  private readonly settled = emptyTally();
  private readonly refunded = emptyTally();

  constructor(private readonly date: string) {
    assertDate(date);
  }

  /** One line of the file (without its line break) → a record, or undefined for the header and totals. */
  read(line: string): InsuranceDayRecord | undefined {
    this.lineNo += 1;
    const cells = line.split(DAY_FILE.separator);
    if (this.columns === undefined) {
      this.columns = this.header(cells);
      return undefined;
    }
    if (this.totalsSeen) throw this.bad('a line after the totals line');
    if (cells[0] === DAY_FILE.totalTag) {
      this.checkTotals(cells.slice(1));
      this.totalsSeen = true;
      return undefined;
    }
    return this.record(cells, this.columns);
  }

  /** The end of the file: header and totals line must have been read. */
  finish(): void {
    if (this.columns === undefined) throw invalid('3202 file: empty', 'DAY_FILE_MALFORMED');
    if (!this.totalsSeen)
      throw invalid(
        `3202 file: no totals line after ${this.lineNo} lines (truncated?)`,
        'DAY_FILE_TRUNCATED',
      );
  }

  private bad(message: string, code = 'DAY_FILE_MALFORMED'): GatewayError {
    return invalid(`3202 file line ${this.lineNo}: ${message}`, code);
  }

  private header(cells: string[]): Map<string, number> {
    const columns = new Map(cells.map((name, i) => [name.trim(), i]));
    if (columns.size !== cells.length) throw this.bad('duplicate column names in the header');
    const missing = DAY_FILE.columns.filter((name) => !columns.has(name));
    if (missing.length > 0) throw this.bad(`header lacks ${missing.join(', ')}`);
    return columns;
  }

  private record(cells: string[], columns: Map<string, number>): InsuranceDayRecord {
    if (cells.length !== columns.size)
      throw this.bad(`${cells.length} fields, the header has ${columns.size}`);
    const get = (name: DayFileColumn) => cells[columns.get(name) as number].trim();
    const flag = get('refd_setl_flag');
    if (flag !== DAY_FILE.flag.SETTLEMENT && flag !== DAY_FILE.flag.REFUND)
      throw this.bad(`refd_setl_flag ${JSON.stringify(flag)}`);
    const kind = flag === DAY_FILE.flag.SETTLEMENT ? 'SETTLEMENT' : 'REFUND';
    const ids = { setlId: get('setl_id'), payOrdId: get('pay_ord_id'), medOrgOrd: get('medins_setl_id') };
    const refundNo = get('refd_sn');
    if (!ids.setlId || !ids.payOrdId || !ids.medOrgOrd)
      throw this.bad('setl_id, pay_ord_id or medins_setl_id empty');
    if (kind === 'REFUND' && !refundNo) throw this.bad('a refund line without refd_sn');
    const atMs = parseCstDateTime(get('trns_time'));
    if (atMs === undefined) throw this.bad(`trns_time ${JSON.stringify(get('trns_time'))}`);
    if (cstDate(atMs) !== this.date)
      throw this.bad(`trns_time ${get('trns_time')} is not on ${this.date}`, 'DAY_FILE_DATE_MISMATCH');
    const split = this.split({
      total: get('medfee_sumamt'),
      fund: get('fund_pay_sumamt'),
      account: get('acct_pay'),
      cash: get('psn_cash_pay'),
    });
    const tally = kind === 'SETTLEMENT' ? this.settled : this.refunded;
    tally.count += 1;
    for (const leg of ['total', 'fund', 'account', 'cash'] as const) tally.sum[leg] += split[leg];
    const record: InsuranceDayRecord = { kind, ...ids, split, atMs };
    if (kind === 'REFUND') record.refundNo = refundNo;
    return record;
  }

  private split(yuan: { total: string; fund: string; account: string; cash: string }): Split {
    if (Object.values(yuan).some((v) => v.startsWith('-')))
      throw this.bad(`a negative amount: ${JSON.stringify(yuan)}`);
    try {
      return splitFromWire(yuan, 'amounts');
    } catch (err) {
      if (err instanceof GatewayError) throw this.bad(err.message, err.partyCode ?? 'DAY_FILE_MALFORMED');
      throw err;
    }
  }

  private checkTotals(values: string[]): void {
    const expected = DAY_FILE.totalColumns.length;
    if (values.length !== expected)
      throw this.bad(`totals line has ${values.length} values, not ${expected}`);
    const at = (name: (typeof DAY_FILE.totalColumns)[number]) =>
      values[DAY_FILE.totalColumns.indexOf(name)].trim();
    if (at('stmt_begndate') !== this.date || at('stmt_enddate') !== this.date) {
      throw this.bad(
        `totals of ${at('stmt_begndate')}…${at('stmt_enddate')}, asked for ${this.date}`,
        'DAY_FILE_DATE_MISMATCH',
      );
    }
    const fenOf = (name: (typeof DAY_FILE.totalColumns)[number]) => {
      const value = at(name);
      if (!/^\d{1,15}(\.\d{1,2})?$/.test(value)) throw this.bad(`${name} ${JSON.stringify(value)}`);
      const [whole, decimals = ''] = value.split('.');
      return Number(whole) * 100 + Number(decimals.padEnd(2, '0'));
    };
    const countOf = (name: (typeof DAY_FILE.totalColumns)[number]) => {
      const value = at(name);
      if (!/^\d{1,9}$/.test(value)) throw this.bad(`${name} ${JSON.stringify(value)}`);
      return Number(value);
    };
    const s = this.settled;
    const r = this.refunded;
    const pairs: [string, number, number][] = [
      ['line_cnt', countOf('line_cnt'), s.count + r.count],
      ['setl_cnt', countOf('setl_cnt'), s.count],
      ['setl_medfee_sumamt', fenOf('setl_medfee_sumamt'), s.sum.total],
      ['setl_fund_pay_sumamt', fenOf('setl_fund_pay_sumamt'), s.sum.fund],
      ['setl_acct_pay', fenOf('setl_acct_pay'), s.sum.account],
      ['setl_psn_cash_pay', fenOf('setl_psn_cash_pay'), s.sum.cash],
      ['refd_cnt', countOf('refd_cnt'), r.count],
      ['refd_medfee_sumamt', fenOf('refd_medfee_sumamt'), r.sum.total],
      ['refd_fund_pay_sumamt', fenOf('refd_fund_pay_sumamt'), r.sum.fund],
      ['refd_acct_pay', fenOf('refd_acct_pay'), r.sum.account],
      ['refd_psn_cash_pay', fenOf('refd_psn_cash_pay'), r.sum.cash],
    ];
    const wrong = pairs.filter(([, stated, counted]) => stated !== counted);
    if (wrong.length > 0) {
      const what = wrong.map(([name, stated, counted]) => `${name} says ${stated}, lines make ${counted}`);
      throw this.bad(`totals disagree with the lines: ${what.join('; ')}`, 'DAY_FILE_TOTALS_MISMATCH');
    }
  }
}
