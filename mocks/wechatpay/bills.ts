/**
 * The daily trade bill (PROTOCOLS 1.5), a simple version: GET /v3/bill/tradebill answers {hash_type, hash_value,
 * download_url}; the download (a signed GET, an unsigned answer) is the CSV with backtick-prefixed values and
 * yuan amounts formatted exactly from fen, then the summary block. It is what happened: a payment row falls on
 * the CST day its trade succeeded (a mixed med-ins order's cash is its JSAPI trade), a refund row on the day the
 * refund succeeded (a PROCESSING refund that completed later is on that later day). One pass over the trades and
 * the refunds, one sort, one join, gzip off the event loop: a day of 100,000 rows is about a second of CPU on
 * the 2-core box (the shared money helpers are slower inside jest's vm).
 */
import type Router from '@koa/router';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { cstDate } from '../../shared/clock';
import { fenToYuan } from '../../shared/money';
import type { WeChatPayMockContext } from './context';
import { completeDueRefunds } from './refunds';
import { WxError } from './signing';
import type { Refund, Trade } from './state';

const gzipAsync = promisify(gzip);

/** 0.60 %, the common rate of WeChat Pay for hospitals; the fee is rounded half up per row. */
const FEE_RATE_BP = 60;
const FEE_RATE_TEXT = '0.60%';
const BILL_READY_HOUR_CST = 9;
const DAY_MS = 24 * 3600_000;
const CST_OFFSET_MS = 8 * 3600_000;

const DETAIL_HEADER =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,' +
  '应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,' +
  '手续费,费率,订单金额,申请退款金额,费率备注';
const SUMMARY_HEADER =
  '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';

const BILL_URL_TTL_MS = 5 * 60_000;

type BillType = 'ALL' | 'SUCCESS' | 'REFUND';

interface Row {
  atMs: number;
  /** the CSV line, without its line end */
  line: string;
}

/** Free text must not break the CSV: WeChat's format has no quoting. */
const text = (value: string | undefined): string => (value ?? '').replace(/[,\r\n`]/g, ' ');
const line = (cells: readonly string[]): string => '`' + cells.join(',`');

// what runs per row avoids globals and repeated formatting: 100,000 rows must stay fast, in jest's vm too
const ZERO_YUAN = fenToYuan(0);
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));

/**
 * The fee of an amount, rounded half up: applyBasisPoints's rule in integer operations only (no BigInt, which is
 * slow per row under jest), exact while fen × rate stays a safe integer (FEN_MAX × 60 does).
 */
function feeOf(fen: number): number {
  const scaled = fen * FEE_RATE_BP + 5_000;
  return (scaled - (scaled % 10_000)) / 10_000;
}

/** An instant of the bill's day → "yyyy-MM-dd HH:mm:ss" (China time), by integer arithmetic. */
function billTime(day: BillDay, ms: number): string {
  const s = ((ms - day.startMs) / 1000) | 0;
  const d = TWO_DIGITS;
  return `${day.date} ${d[(s / 3600) | 0]}:${d[((s / 60) | 0) % 60]}:${d[s % 60]}`;
}

function paymentRow(trade: Trade, time: string, successTimeMs: number, feeFen: number): Row {
  const total = fenToYuan(trade.totalFen);
  const zero = ZERO_YUAN;
  // one cell per column of DETAIL_HEADER, in its order
  // prettier-ignore
  const cells = [
    time, trade.appid, trade.mchid, '0', '', trade.transactionId ?? '', trade.outTradeNo,
    trade.openid, 'JSAPI', 'SUCCESS', 'OTHERS', 'CNY', total, zero, '0', '0', zero, zero, '', '',
    text(trade.description), text(trade.attach), fenToYuan(feeFen), FEE_RATE_TEXT, total, zero, '',
  ];
  return { atMs: successTimeMs, line: line(cells) };
}

function refundRow(trade: Trade, refund: Refund, time: string, successTimeMs: number, feeFen: number): Row {
  const total = fenToYuan(trade.totalFen);
  const refunded = fenToYuan(refund.refundFen);
  // one cell per column of DETAIL_HEADER, in its order
  // prettier-ignore
  const cells = [
    time, trade.appid, trade.mchid, '0', '', refund.transactionId, trade.outTradeNo,
    trade.openid, 'JSAPI', 'REFUND', 'OTHERS', 'CNY', total, ZERO_YUAN, refund.refundId, refund.outRefundNo,
    refunded, ZERO_YUAN, 'ORIGINAL', 'SUCCESS', text(trade.description), text(trade.attach), fenToYuan(feeFen),
    FEE_RATE_TEXT, total, refunded, '',
  ];
  return { atMs: successTimeMs, line: line(cells) };
}

/** A CST day: [startMs, endMs). */
interface BillDay {
  date: string;
  startMs: number;
  endMs: number;
}

/** The CST day of yyyy-MM-dd; undefined for a date that does not exist. */
function billDayOf(date: string): BillDay | undefined {
  const startMs = Date.parse(`${date}T00:00:00Z`) - CST_OFFSET_MS;
  if (Number.isNaN(startMs) || cstDate(startMs) !== date) return undefined;
  return { date, startMs, endMs: startMs + DAY_MS };
}

/** The bill file: detail header, the day's rows by time, summary header and row; lines end with CRLF. */
function tradeBillCsv(mc: WeChatPayMockContext, day: BillDay, billType: BillType): string {
  const onDay = (ms: number | undefined): ms is number =>
    ms !== undefined && ms >= day.startMs && ms < day.endMs;
  const rows: Row[] = [];
  let settledFen = 0;
  let refundFen = 0;
  let feeFen = 0;
  if (billType !== 'REFUND') {
    for (const trade of mc.state.trades.values()) {
      // SUCCESS or REFUND (a refunded trade was paid): the payment row stays on the day it was paid
      if (trade.transactionId === undefined || !onDay(trade.successTimeMs)) continue;
      const fee = feeOf(trade.totalFen);
      rows.push(paymentRow(trade, billTime(day, trade.successTimeMs), trade.successTimeMs, fee));
      settledFen += trade.totalFen;
      feeFen += fee;
    }
  }
  if (billType !== 'SUCCESS') {
    for (const refund of mc.state.refunds.values()) {
      const trade = mc.state.trades.get(refund.outTradeNo);
      if (!trade || refund.status !== 'SUCCESS' || !onDay(refund.successTimeMs)) continue;
      const fee = -feeOf(refund.refundFen);
      rows.push(refundRow(trade, refund, billTime(day, refund.successTimeMs), refund.successTimeMs, fee));
      refundFen += refund.refundFen;
      feeFen += fee;
    }
  }
  // stable: rows of the same instant keep payments before refunds, each in the order they were recorded
  rows.sort((a, b) => a.atMs - b.atMs);
  const y = fenToYuan;
  const summary = [
    String(rows.length),
    y(settledFen),
    y(refundFen),
    y(0),
    y(feeFen),
    y(settledFen),
    y(refundFen),
  ];
  const lines = new Array<string>(rows.length + 4);
  lines[0] = DETAIL_HEADER;
  for (let i = 0; i < rows.length; i++) lines[i + 1] = rows[i].line;
  lines[rows.length + 1] = SUMMARY_HEADER;
  lines[rows.length + 2] = line(summary);
  lines[rows.length + 3] = '';
  return lines.join('\r\n');
}

/** Real WeChat publishes a day's bill from 09:00 CST the next day. */
function checkAvailable(mc: WeChatPayMockContext, billDate: string): void {
  if (mc.state.options.billsSameDay) return;
  const nowMs = mc.frame.clock.now();
  const today = cstDate(nowMs);
  if (billDate >= today) throw new WxError(400, 'NO_STATEMENT_EXIST', '账单日期须早于今天');
  const hourCst = (Math.floor(nowMs / 3600_000) + 8) % 24;
  if (billDate === cstDate(nowMs - 24 * 3600_000) && hourCst < BILL_READY_HOUR_CST) {
    throw new WxError(400, 'STATEMENT_CREATING', '账单生成中，请在次日 9 点后下载');
  }
}

interface StoredBill {
  billDate: string;
  billType: BillType;
  expiresAtMs: number;
  content: Buffer;
}

export function mountBillRoutes(v3: Router, mc: WeChatPayMockContext): void {
  const files = new Map<string, StoredBill>();
  mc.frame.onReset(() => files.clear());
  const forgetExpired = (nowMs: number): void => {
    for (const [token, file] of files) if (file.expiresAtMs < nowMs) files.delete(token);
  };

  v3.get('/bill/tradebill', async (ctx) => {
    const billDate = String(ctx.query.bill_date ?? '');
    const billType = String(ctx.query.bill_type ?? 'ALL');
    const day = /^\d{4}-\d{2}-\d{2}$/.test(billDate) ? billDayOf(billDate) : undefined;
    if (!day) throw new WxError(400, 'PARAM_ERROR', 'bill_date 格式为 YYYY-MM-DD');
    if (billType !== 'ALL' && billType !== 'SUCCESS' && billType !== 'REFUND') {
      throw new WxError(400, 'PARAM_ERROR', 'bill_type 取值 ALL|SUCCESS|REFUND');
    }
    checkAvailable(mc, billDate);
    // a PROCESSING refund whose time has come is a success (and on the bill) even if no tick has run yet
    completeDueRefunds(mc);
    const csv = Buffer.from(tradeBillCsv(mc, day, billType), 'utf8');
    const content = ctx.query.tar_type === 'GZIP' ? await gzipAsync(csv) : csv;
    const token = randomBytes(16).toString('hex');
    const nowMs = mc.frame.clock.now();
    forgetExpired(nowMs);
    files.set(token, { billDate, billType, expiresAtMs: nowMs + BILL_URL_TTL_MS, content });
    ctx.body = {
      hash_type: 'SHA1',
      hash_value: createHash('sha1').update(content).digest('hex'),
      download_url: `${ctx.protocol}://${ctx.host}/v3/billdownload/file?token=${token}`,
    };
  });

  v3.get('/billdownload/file', (ctx) => {
    const file = files.get(String(ctx.query.token ?? ''));
    if (!file || file.expiresAtMs < mc.frame.clock.now()) {
      throw new WxError(400, 'INVALID_REQUEST', '下载链接无效或已过期 (5 分钟)');
    }
    ctx.state.unsigned = true;
    ctx.type = 'application/octet-stream';
    // a stream that the journal records by its size: JSON.stringify of a bill-sized Buffer takes seconds
    const size = `(trade bill file, ${file.content.length} bytes)`;
    ctx.body = Object.assign(Readable.from([file.content]), { toJSON: () => size });
    ctx.length = file.content.length;
  });
}
