/**
 * The pure side of the daily trade bill (PROTOCOLS 1.5): the answer of GET /v3/bill/tradebill, and the CSV read
 * one line at a time — the detail header checked, each detail row turned into a TradeBillRow (backtick prefixes
 * stripped, yuan → fen exactly with yuanToFen, 交易时间 read as China time), then the summary checked against the
 * rows read. The HTTP side (download, SHA1, gunzip, temporary file) is tradeBillDownload.ts. Anything not as expected is
 * invalid_response naming the line: a bill we cannot read exactly must not be reconciled.
 */
import { z } from 'zod';
import { yuanToFen } from '../../../shared/money';
import { GatewayError, type TradeBillRow } from '../ports';

/** The detail columns of an ALL bill, as WeChat names them (PROTOCOLS 1.5). */
export const TRADE_BILL_DETAIL_COLUMNS = [
  '交易时间',
  '公众账号ID',
  '商户号',
  '特约商户号',
  '设备号',
  '微信订单号',
  '商户订单号',
  '用户标识',
  '交易类型',
  '交易状态',
  '付款银行',
  '货币种类',
  '应结订单金额',
  '代金券金额',
  '微信退款单号',
  '商户退款单号',
  '退款金额',
  '充值券退款金额',
  '退款类型',
  '退款状态',
  '商品名称',
  '商户数据包',
  '手续费',
  '费率',
  '订单金额',
  '申请退款金额',
  '费率备注',
] as const;

export const TRADE_BILL_SUMMARY_COLUMNS = [
  '总交易单数',
  '应结订单总金额',
  '退款总金额',
  '充值券退款总金额',
  '手续费总金额',
  '订单总金额',
  '申请退款总金额',
] as const;

type DetailColumn = (typeof TRADE_BILL_DETAIL_COLUMNS)[number];
type SummaryColumn = (typeof TRADE_BILL_SUMMARY_COLUMNS)[number];

/** The columns a row is read from; the others may be absent but must not be unknown. */
const DETAIL_COLUMNS_NEEDED: readonly DetailColumn[] = [
  '交易时间',
  '微信订单号',
  '商户订单号',
  '交易状态',
  '应结订单金额',
  '微信退款单号',
  '商户退款单号',
  '退款金额',
  '手续费',
];
const SUMMARY_COLUMNS_NEEDED: readonly SummaryColumn[] = [
  '总交易单数',
  '应结订单总金额',
  '退款总金额',
  '手续费总金额',
];

const BILL_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const CST_OFFSET_MS = 8 * 3600_000;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const invalid = (message: string): never => {
  throw new GatewayError('wechatpay', 'invalid_response', `trade bill: ${message}`);
};
const invalidAt = (lineNo: number, message: string): never => invalid(`line ${lineNo}: ${message}`);

// ───────────────────────────── the answer of /v3/bill/tradebill ─────────────────────────────

export interface TradeBillDownload {
  /** lower-case hex SHA1 of the file as served */
  sha1Hex: string;
  downloadUrl: URL;
}

const answerSchema = z.object({
  hash_type: z.literal('SHA1'),
  hash_value: z.string().regex(/^[0-9a-fA-F]{40}$/, 'must be 40 hex digits'),
  download_url: z.url({ protocol: /^https?$/ }),
});

/**
 * {hash_type, hash_value, download_url}; the URL must be on the origin we called (it receives a signed request,
 * and the file is what we reconcile).
 */
export function fromTradeBillAnswer(body: unknown, baseUrl: string): TradeBillDownload {
  const parsed = answerSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return invalid(`answer: ${issue.path.join('.') || 'body'} ${issue.message}`);
  }
  const downloadUrl = new URL(parsed.data.download_url);
  const expected = new URL(baseUrl).origin;
  if (downloadUrl.origin !== expected) {
    return invalid(`download_url ${downloadUrl.origin} is not on ${expected}`);
  }
  return { sha1Hex: parsed.data.hash_value.toLowerCase(), downloadUrl };
}

// ───────────────────────────── lines and cells ─────────────────────────────

/** One CSV line → its values: no quoting in WeChat's format; each value loses its one leading backtick. */
export function billCells(line: string): string[] {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  return text.split(',').map((cell) => (cell.startsWith('`') ? cell.slice(1) : cell));
}

/** "2026-11-23 23:59:59" (China time) → ms; exact: 2026-02-30 or 24:00:00 are refused. */
export function billTimeMs(text: string): number | undefined {
  const m = BILL_TIME.exec(text);
  if (!m) return undefined;
  const y = +m[1];
  const mo = +m[2];
  const d = +m[3];
  const h = +m[4];
  const mi = +m[5];
  const s = +m[6];
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const daysInMonth = mo === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[mo - 1];
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 59)
    return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, s) - CST_OFFSET_MS;
}

function columnsOf<C extends string>(
  cells: string[],
  known: readonly C[],
  needed: readonly C[],
  lineNo: number,
): Map<C, number> {
  const columns = new Map<C, number>();
  cells.forEach((name, index) => {
    if (!(known as readonly string[]).includes(name))
      invalidAt(lineNo, `unknown column ${JSON.stringify(name)}`);
    if (columns.has(name as C)) invalidAt(lineNo, `column ${name} appears twice`);
    columns.set(name as C, index);
  });
  for (const name of needed) if (!columns.has(name)) invalidAt(lineNo, `column ${name} is missing`);
  return columns;
}

// ───────────────────────────── the reader ─────────────────────────────

/** What the detail rows add up to; the summary row must say the same. */
export interface TradeBillTotals {
  count: number;
  /** Σ 应结订单金额 of the payments */
  paymentFen: number;
  /** Σ 退款金额 of the refunds */
  refundFen: number;
  /** Σ 手续费 of every row */
  feeFen: number;
}

type Phase = 'detailHeader' | 'details' | 'summaryRow' | 'done';

/**
 * Reads a trade bill line by line, keeping only running totals (memory does not grow with the bill). Feed every
 * line of the file, in order, to `line()`; it answers the detail row of that line, if it is one. Then `end()`
 * checks that the summary came and agrees with the rows. Every error is invalid_response naming the line.
 */
export class TradeBillReader {
  private lineNo = 0;
  private phase: Phase = 'detailHeader';
  private detail = new Map<DetailColumn, number>();
  private detailWidth = 0;
  private summaryColumns = new Map<SummaryColumn, number>();
  private summaryWidth = 0;
  private summary: TradeBillTotals | undefined;
  private summaryLineNo = 0;
  private readonly totals: TradeBillTotals = { count: 0, paymentFen: 0, refundFen: 0, feeFen: 0 };

  /** The detail row on this line, or undefined for a header, the summary or a blank line. */
  line(raw: string): TradeBillRow | undefined {
    this.lineNo++;
    const text = this.lineNo === 1 && raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
    if (text === '' || text === '\r') return undefined;
    const cells = billCells(text);
    switch (this.phase) {
      case 'detailHeader':
        if (!cells.includes('交易时间')) invalidAt(this.lineNo, 'expected the detail header (交易时间,…)');
        this.detail = columnsOf(cells, TRADE_BILL_DETAIL_COLUMNS, DETAIL_COLUMNS_NEEDED, this.lineNo);
        this.detailWidth = cells.length;
        this.phase = 'details';
        return undefined;
      case 'details':
        if (cells[0] === TRADE_BILL_SUMMARY_COLUMNS[0]) {
          this.summaryColumns = columnsOf(
            cells,
            TRADE_BILL_SUMMARY_COLUMNS,
            SUMMARY_COLUMNS_NEEDED,
            this.lineNo,
          );
          this.summaryWidth = cells.length;
          this.phase = 'summaryRow';
          return undefined;
        }
        return this.detailRow(cells);
      case 'summaryRow':
        this.summary = this.summaryRow(cells);
        this.summaryLineNo = this.lineNo;
        this.phase = 'done';
        return undefined;
      case 'done':
        return invalidAt(this.lineNo, 'text after the summary row');
    }
  }

  /** After the last line: the summary must have come and must agree with the rows read. */
  end(): TradeBillTotals {
    if (!this.summary) {
      return invalid(`ended at line ${this.lineNo} without the summary (总交易单数…) and its row`);
    }
    const theirs = this.summary;
    const ours = this.totals;
    const checks: [string, number, number][] = [
      ['总交易单数', theirs.count, ours.count],
      ['应结订单总金额 (fen)', theirs.paymentFen, ours.paymentFen],
      ['退款总金额 (fen)', theirs.refundFen, ours.refundFen],
      ['手续费总金额 (fen)', theirs.feeFen, ours.feeFen],
    ];
    for (const [what, said, read] of checks) {
      if (said !== read)
        invalidAt(this.summaryLineNo, `summary says ${what} ${said}, the rows add up to ${read}`);
    }
    return { ...ours };
  }

  private cell(cells: string[], column: DetailColumn): string {
    const index = this.detail.get(column);
    return index === undefined ? '' : cells[index];
  }

  private fen(text: string, what: string, lineNo: number, sign: 'nonNegative' | 'any'): number {
    let fen: number;
    try {
      fen = yuanToFen(text);
    } catch {
      return invalidAt(
        lineNo,
        `${what} ${JSON.stringify(text)} is not an amount in yuan (at most 2 decimals)`,
      );
    }
    if (sign === 'nonNegative' && fen < 0) invalidAt(lineNo, `${what} ${text} is negative`);
    return fen;
  }

  private detailRow(cells: string[]): TradeBillRow {
    const lineNo = this.lineNo;
    if (cells.length !== this.detailWidth) {
      invalidAt(lineNo, `${cells.length} values for ${this.detailWidth} columns`);
    }
    const time = this.cell(cells, '交易时间');
    const atMs =
      billTimeMs(time) ?? invalidAt(lineNo, `交易时间 ${JSON.stringify(time)} is not yyyy-MM-dd HH:mm:ss`);
    const transactionId = this.cell(cells, '微信订单号');
    const outTradeNo = this.cell(cells, '商户订单号');
    if (transactionId === '' || outTradeNo === '')
      invalidAt(lineNo, '微信订单号 and 商户订单号 are required');
    const feeFen = this.fen(this.cell(cells, '手续费'), '手续费', lineNo, 'any');
    const status = this.cell(cells, '交易状态');
    let row: TradeBillRow;
    if (status === 'SUCCESS') {
      const amountFen = this.fen(this.cell(cells, '应结订单金额'), '应结订单金额', lineNo, 'nonNegative');
      row = { kind: 'PAYMENT', atMs, transactionId, outTradeNo, amountFen, feeFen };
      this.totals.paymentFen += amountFen;
    } else if (status === 'REFUND') {
      const amountFen = this.fen(this.cell(cells, '退款金额'), '退款金额', lineNo, 'nonNegative');
      const refundId = this.cell(cells, '微信退款单号');
      const outRefundNo = this.cell(cells, '商户退款单号');
      if (amountFen === 0) invalidAt(lineNo, 'a refund of 退款金额 0');
      if (refundId === '' || refundId === '0' || outRefundNo === '' || outRefundNo === '0') {
        invalidAt(lineNo, 'a refund needs 微信退款单号 and 商户退款单号');
      }
      row = { kind: 'REFUND', atMs, transactionId, outTradeNo, amountFen, feeFen, refundId, outRefundNo };
      this.totals.refundFen += amountFen;
    } else {
      return invalidAt(lineNo, `交易状态 ${JSON.stringify(status)} is neither SUCCESS nor REFUND`);
    }
    this.totals.count++;
    this.totals.feeFen += feeFen;
    return row;
  }

  private summaryRow(cells: string[]): TradeBillTotals {
    const lineNo = this.lineNo;
    if (cells.length !== this.summaryWidth) {
      invalidAt(lineNo, `${cells.length} summary values for ${this.summaryWidth} columns`);
    }
    const value = (column: SummaryColumn): string => {
      const index = this.summaryColumns.get(column);
      return index === undefined ? '' : cells[index];
    };
    const countText = value('总交易单数');
    if (!/^\d{1,9}$/.test(countText))
      invalidAt(lineNo, `总交易单数 ${JSON.stringify(countText)} is not a count`);
    // every amount column present must be an amount, even those not compared
    for (const column of TRADE_BILL_SUMMARY_COLUMNS) {
      if (column !== '总交易单数' && this.summaryColumns.has(column))
        this.fen(value(column), column, lineNo, 'any');
    }
    return {
      count: Number(countText),
      paymentFen: this.fen(value('应结订单总金额'), '应结订单总金额', lineNo, 'any'),
      refundFen: this.fen(value('退款总金额'), '退款总金额', lineNo, 'any'),
      feeFen: this.fen(value('手续费总金额'), '手续费总金额', lineNo, 'any'),
    };
  }
}
