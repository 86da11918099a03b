/**
 * The daily trade bill (PROTOCOLS 1.5), a simple version: GET /v3/bill/tradebill answers {hash_type, hash_value,
 * download_url}; the download (a signed GET, an unsigned answer) is the CSV with backtick-prefixed values and
 * yuan amounts formatted exactly from fen, then the summary block. Payment rows fall on the CST day the trade
 * succeeded, refund rows on the day the refund succeeded.
 */
import type Router from '@koa/router';
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { cstDate, cstDateTime } from '../../shared/clock';
import { applyBasisPoints, fenToYuan } from '../../shared/money';
import type { WeChatPayMockContext } from './context';
import { WxError } from './signing';
import type { Refund, Trade } from './state';

/** 0.60 %, the common rate of WeChat Pay for hospitals; the fee is rounded half up per row. */
const FEE_RATE_BP = 60;
const FEE_RATE_TEXT = '0.60%';
const BILL_READY_HOUR_CST = 9;

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
  cells: string[];
  settledFen: number;
  refundFen: number;
  feeFen: number;
}

/** Free text must not break the CSV: WeChat's format has no quoting. */
const text = (value: string | undefined): string => (value ?? '').replace(/[,\r\n`]/g, ' ');
const line = (cells: readonly string[]): string => cells.map((c) => `\`${c}`).join(',');

function paymentRow(trade: Trade, successTimeMs: number): Row {
  const feeFen = applyBasisPoints(trade.totalFen, FEE_RATE_BP);
  const y = fenToYuan;
  // one cell per column of DETAIL_HEADER, in its order
  // prettier-ignore
  const cells = [
    cstDateTime(successTimeMs), trade.appid, trade.mchid, '0', '', trade.transactionId ?? '', trade.outTradeNo,
    trade.openid, 'JSAPI', 'SUCCESS', 'OTHERS', 'CNY', y(trade.totalFen), y(0), '0', '0', y(0), y(0), '', '',
    text(trade.description), text(trade.attach), y(feeFen), FEE_RATE_TEXT, y(trade.totalFen), y(0), '',
  ];
  return { atMs: successTimeMs, cells, settledFen: trade.totalFen, refundFen: 0, feeFen };
}

function refundRow(trade: Trade, refund: Refund, successTimeMs: number): Row {
  const feeFen = -applyBasisPoints(refund.refundFen, FEE_RATE_BP);
  const y = fenToYuan;
  // one cell per column of DETAIL_HEADER, in its order
  // prettier-ignore
  const cells = [
    cstDateTime(successTimeMs), trade.appid, trade.mchid, '0', '', refund.transactionId, trade.outTradeNo,
    trade.openid, 'JSAPI', 'REFUND', 'OTHERS', 'CNY', y(trade.totalFen), y(0), refund.refundId, refund.outRefundNo,
    y(refund.refundFen), y(0), 'ORIGINAL', 'SUCCESS', text(trade.description), text(trade.attach), y(feeFen),
    FEE_RATE_TEXT, y(trade.totalFen), y(refund.refundFen), '',
  ];
  return { atMs: successTimeMs, cells, settledFen: 0, refundFen: refund.refundFen, feeFen };
}

function tradeBillCsv(mc: WeChatPayMockContext, billDate: string, billType: BillType): string {
  const rows: Row[] = [];
  for (const trade of mc.state.trades.values()) {
    const paidAt = trade.successTimeMs;
    if (billType !== 'REFUND' && paidAt !== undefined && cstDate(paidAt) === billDate)
      rows.push(paymentRow(trade, paidAt));
  }
  for (const refund of mc.state.refunds.values()) {
    const trade = mc.state.trades.get(refund.outTradeNo);
    const doneAt = refund.successTimeMs;
    if (billType === 'SUCCESS' || !trade || refund.status !== 'SUCCESS' || doneAt === undefined) continue;
    if (cstDate(doneAt) === billDate) rows.push(refundRow(trade, refund, doneAt));
  }
  rows.sort((a, b) => a.atMs - b.atMs);
  const settledFen = rows.reduce((sum, r) => sum + r.settledFen, 0);
  const refundFen = rows.reduce((sum, r) => sum + r.refundFen, 0);
  const feeFen = rows.reduce((sum, r) => sum + r.feeFen, 0);
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
  return (
    [DETAIL_HEADER, ...rows.map((r) => line(r.cells)), SUMMARY_HEADER, line(summary)].join('\r\n') + '\r\n'
  );
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

export function registerBillRoutes(v3: Router, mc: WeChatPayMockContext): void {
  const files = new Map<string, StoredBill>();
  mc.frame.onReset(() => files.clear());

  v3.get('/bill/tradebill', (ctx) => {
    const billDate = String(ctx.query.bill_date ?? '');
    const billType = String(ctx.query.bill_type ?? 'ALL');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(billDate))
      throw new WxError(400, 'PARAM_ERROR', 'bill_date 格式为 YYYY-MM-DD');
    if (billType !== 'ALL' && billType !== 'SUCCESS' && billType !== 'REFUND') {
      throw new WxError(400, 'PARAM_ERROR', 'bill_type 取值 ALL|SUCCESS|REFUND');
    }
    checkAvailable(mc, billDate);
    const csv = Buffer.from(tradeBillCsv(mc, billDate, billType), 'utf8');
    const content = ctx.query.tar_type === 'GZIP' ? gzipSync(csv) : csv;
    const token = randomBytes(16).toString('hex');
    files.set(token, { billDate, billType, expiresAtMs: mc.frame.clock.now() + BILL_URL_TTL_MS, content });
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
    ctx.body = file.content;
  });
}
