/**
 * Daily reconciliation on the standard envelope: 3201 对总账 (the platform compares the hospital's totals with
 * its books), 3202 对明细账 (the platform prepares its detail of the range as a file) and 9102 文件下载 (the file,
 * streamed: generated line by line from the day book, linear in the range's records, never held whole).
 * Layouts in shared/protocol/insurance/dayFiles.ts (DAY_FILE); the choices are listed as unverified in the README.
 */
import { Readable } from 'node:stream';
import { cstCompact, cstDate, cstDateTime, type Clock } from '../../shared/clock';
import { fenToYuan, yuanToFen, type Split } from '../../shared/money';
import {
  DAY_FILE,
  RECON_DAYS_MAX,
  STMT_RSLT,
  fileDownloadInputSchema,
  reconcileDetailsInputSchema,
  reconcileTotalsInputSchema,
  type FileInfo,
  type ReconcileTotalsInput,
  type StmtTotals,
} from '../../shared/protocol/insurance';
import type { z } from 'zod';
import { bookedAtMs, bookedSplit, datesBetween, type DayBook, type DayEvent } from './daybook';

/** Files kept for 9102 at once (the oldest goes first) and how long each can be downloaded. */
export const DAY_FILES_MAX = 100;
export const DAY_FILE_TTL_MS = 24 * 3600_000;
/** characters handed to the socket at a time */
const CHUNK_CHARS = 64 * 1024;

export type StandardOutcome = { output: object } | { errMsg: string };
export type DownloadOutcome = { errMsg: string } | { filename: string; body: Readable };

interface DayFile {
  info: FileInfo;
  begn: string;
  end: string;
  /** "" = every insutype */
  insutype: string;
  /** how many events of each date of the range the file lists (the books as they were at 3202) */
  lengths: number[];
  expiresAtMs: number;
}

interface Tally {
  count: number;
  sum: Split;
}

const ZERO_TALLY = (): Tally => ({ count: 0, sum: { total: 0, fund: 0, account: 0, cash: 0 } });

function addTo(tally: Tally, split: Split): void {
  tally.count += 1;
  tally.sum.total += split.total;
  tally.sum.fund += split.fund;
  tally.sum.account += split.account;
  tally.sum.cash += split.cash;
}

/** Values written into the file must not break its layout. */
const cell = (value: string): string => value.replace(/[\t\r\n]/g, ' ');

function parse<T>(schema: z.ZodType<T>, data: unknown, where: string): T | { errMsg: string } {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return { errMsg: `FSI-入参校验失败：${where}.${issue.path.join('.')} ${issue.message}` };
}

const failed = (value: unknown): value is { errMsg: string } =>
  typeof value === 'object' && value !== null && 'errMsg' in value;

export class Reconciliation {
  private readonly files = new Map<string, DayFile>();
  private fileSeq = 0;

  constructor(
    private readonly book: DayBook,
    private readonly clock: Clock,
  ) {}

  reset(): void {
    this.files.clear();
    this.fileSeq = 0;
  }

  /** A range the platform can reconcile: begn ≤ end, at most RECON_DAYS_MAX days, not after today. */
  private rangeProblem(begn: string, end: string): string | undefined {
    if (begn > end) return `FSI-对账开始日期 ${begn} 晚于结束日期 ${end}`;
    if (datesBetween(begn, end).length > RECON_DAYS_MAX) return `FSI-对账区间超过 ${RECON_DAYS_MAX} 天`;
    const today = cstDate(this.clock.now());
    if (end > today) return `FSI-对账结束日期 ${end} 晚于当前日期 ${today}，对账数据尚未生成`;
    return undefined;
  }

  private *eventsOf(dates: string[], insutype: string, lengths?: number[]): Generator<DayEvent> {
    for (const [i, date] of dates.entries()) {
      const events = this.book.events(date);
      const n = lengths ? lengths[i] : events.length;
      for (let k = 0; k < n; k++) {
        const event = events[k];
        if (insutype === '' || event.order.insutype === insutype) yield event;
      }
    }
  }

  /** 3201: the platform's totals of the range, net of refunds, against the hospital's. */
  totals(data: unknown): StandardOutcome {
    const input = parse(reconcileTotalsInputSchema, data, 'input.data');
    if (failed(input)) return input;
    const problem = this.rangeProblem(input.stmt_begndate, input.stmt_enddate);
    if (problem) return { errMsg: problem };
    const settled = ZERO_TALLY();
    const refunded = ZERO_TALLY();
    const dates = datesBetween(input.stmt_begndate, input.stmt_enddate);
    for (const event of this.eventsOf(dates, input.insutype.trim()))
      addTo(event.kind === 'SETTLEMENT' ? settled : refunded, bookedSplit(event));
    const net = {
      count: settled.count - refunded.count,
      total: settled.sum.total - refunded.sum.total,
      fund: settled.sum.fund - refunded.sum.fund,
      account: settled.sum.account - refunded.sum.account,
      cash: settled.sum.cash - refunded.sum.cash,
    };
    const differences = totalsDifferences(input, net);
    const stmtTotals: StmtTotals = {
      medfee_sumamt: fenToYuan(net.total),
      fund_pay_sumamt: fenToYuan(net.fund),
      acct_pay: fenToYuan(net.account),
      psn_cash_pay: fenToYuan(net.cash),
      fixmedins_setl_cnt: net.count,
    };
    return {
      output: {
        stmtinfo: {
          setl_optins: input.setl_optins,
          stmt_rslt: differences.length === 0 ? STMT_RSLT.BALANCED : STMT_RSLT.UNBALANCED,
          stmt_rslt_dscr: differences.length === 0 ? '对账平' : `对账不平：${differences.join('；')}`,
        },
        stmt_totals: stmtTotals,
      },
    };
  }

  /** 3202: the platform's detail of the range becomes a file to fetch with 9102 until dld_endtime. */
  details(data: unknown, fixmedinsCode: string): StandardOutcome {
    const input = parse(reconcileDetailsInputSchema, data, 'input.data');
    if (failed(input)) return input;
    const problem = this.rangeProblem(input.stmt_begndate, input.stmt_enddate);
    if (problem) return { errMsg: problem };
    const nowMs = this.clock.now();
    const dates = datesBetween(input.stmt_begndate, input.stmt_enddate);
    this.fileSeq += 1;
    const compact = (date: string) => date.replace(/-/g, '');
    const info: FileInfo = {
      file_qury_no: `fsi/stmt/${cstCompact(nowMs)}${String(this.fileSeq).padStart(6, '0')}`,
      filename: `${cell(fixmedinsCode)}_3202_${compact(input.stmt_begndate)}_${compact(input.stmt_enddate)}.txt`,
      dld_endtime: cstDateTime(nowMs + DAY_FILE_TTL_MS),
    };
    if (this.files.size >= DAY_FILES_MAX) this.files.delete(this.files.keys().next().value as string);
    this.files.set(info.file_qury_no, {
      info,
      begn: input.stmt_begndate,
      end: input.stmt_enddate,
      insutype: (input.insutype ?? '').trim(),
      lengths: dates.map((date) => this.book.events(date).length),
      expiresAtMs: nowMs + DAY_FILE_TTL_MS,
    });
    return { output: { fileinfo: info } };
  }

  /** 9102: the file of a 3202, streamed. */
  download(input: Record<string, unknown>): DownloadOutcome {
    const request = parse(fileDownloadInputSchema, input.fsDownloadIn, 'input.fsDownloadIn');
    if (failed(request)) return request;
    const file = this.files.get(request.file_qury_no);
    if (!file || file.info.filename !== request.filename)
      return { errMsg: `FSI-文件不存在：${request.file_qury_no}` };
    if (this.clock.now() > file.expiresAtMs)
      return { errMsg: `FSI-文件已过期（下载截止时间 ${file.info.dld_endtime}）` };
    return {
      filename: file.info.filename,
      body: Readable.from(this.fileChunks(file), { objectMode: false }),
    };
  }

  /** The file, a chunk at a time; the totals line sums exactly the lines written. */
  private *fileChunks(file: DayFile): Generator<string> {
    const settled = ZERO_TALLY();
    const refunded = ZERO_TALLY();
    let chunk = DAY_FILE.columns.join(DAY_FILE.separator) + '\n';
    const dates = datesBetween(file.begn, file.end);
    for (const event of this.eventsOf(dates, file.insutype, file.lengths)) {
      const split = bookedSplit(event);
      addTo(event.kind === 'SETTLEMENT' ? settled : refunded, split);
      chunk += detailLine(event, split) + '\n';
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
    }
    yield chunk + totalsLine(file, settled, refunded) + '\n';
  }
}

function totalsDifferences(
  input: ReconcileTotalsInput,
  net: { count: number; total: number; fund: number; account: number },
): string[] {
  const compare: [string, number, number, (n: number) => string][] = [
    ['医疗费总额', yuanToFen(input.medfee_sumamt), net.total, fenToYuan],
    ['基金支付总额', yuanToFen(input.fund_pay_sumamt), net.fund, fenToYuan],
    ['个人账户支付', yuanToFen(input.acct_pay), net.account, fenToYuan],
    ['结算笔数', input.fixmedins_setl_cnt, net.count, String],
  ];
  return compare
    .filter(([, ours, theirs]) => ours !== theirs)
    .map(([name, ours, theirs, show]) => `${name} 机构 ${show(ours)} / 中心 ${show(theirs)}`);
}

function detailLine(event: DayEvent, split: Split): string {
  const { order } = event;
  const settlement = order.settlement as NonNullable<typeof order.settlement>;
  const values: Record<(typeof DAY_FILE.columns)[number], string> = {
    refd_setl_flag: event.kind === 'SETTLEMENT' ? DAY_FILE.flag.SETTLEMENT : DAY_FILE.flag.REFUND,
    setl_id: settlement.setlId,
    pay_ord_id: order.payOrdId,
    medins_setl_id: order.medOrgOrd,
    refd_sn: event.kind === 'REFUND' ? event.refund.appRefdSn : '',
    psn_no: order.psnNo,
    insutype: order.insutype,
    trns_time: cstDateTime(bookedAtMs(event)),
    medfee_sumamt: fenToYuan(split.total),
    fund_pay_sumamt: fenToYuan(split.fund),
    acct_pay: fenToYuan(split.account),
    psn_cash_pay: fenToYuan(split.cash),
  };
  return DAY_FILE.columns.map((column) => cell(values[column])).join(DAY_FILE.separator);
}

function totalsLine(file: DayFile, settled: Tally, refunded: Tally): string {
  const y = fenToYuan;
  const values: Record<(typeof DAY_FILE.totalColumns)[number], string> = {
    stmt_begndate: file.begn,
    stmt_enddate: file.end,
    line_cnt: String(settled.count + refunded.count),
    setl_cnt: String(settled.count),
    setl_medfee_sumamt: y(settled.sum.total),
    setl_fund_pay_sumamt: y(settled.sum.fund),
    setl_acct_pay: y(settled.sum.account),
    setl_psn_cash_pay: y(settled.sum.cash),
    refd_cnt: String(refunded.count),
    refd_medfee_sumamt: y(refunded.sum.total),
    refd_fund_pay_sumamt: y(refunded.sum.fund),
    refd_acct_pay: y(refunded.sum.account),
    refd_psn_cash_pay: y(refunded.sum.cash),
  };
  return [DAY_FILE.totalTag, ...DAY_FILE.totalColumns.map((column) => values[column])].join(
    DAY_FILE.separator,
  );
}
