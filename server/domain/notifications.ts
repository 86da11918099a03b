/**
 * Patient messages, pure: what each message says (the template's keyword values, the lines the 消息 page shows,
 * one plain sentence), where it leads in the mini-program, and quiet hours (China time; a span may cross
 * midnight). The keyword values obey WeChat's rules (shared/protocol/wechat/subscribe.ts) — a unit test runs
 * every builder through them.
 */
import { formatFen } from '../../shared/money';
import type { TemplatePurpose } from '../../shared/protocol/wechat/subscribe';

const CST_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;
const MINUTE_MS = 60_000;

export interface QuietSpan {
  /** minutes after midnight, China time */
  startMin: number;
  endMin: number;
}

const minuteOfDayCst = (ms: number) =>
  Math.floor(((((ms + CST_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS);

/** Whether `ms` falls in the span [start, end) (China time); a span with end < start crosses midnight. */
export function inQuietHours(ms: number, quiet: QuietSpan | null): boolean {
  if (!quiet || quiet.startMin === quiet.endMin) return false;
  const m = minuteOfDayCst(ms);
  return quiet.startMin < quiet.endMin
    ? m >= quiet.startMin && m < quiet.endMin
    : m >= quiet.startMin || m < quiet.endMin;
}

/** The first instant at or after `ms` outside the quiet span (ms itself when it is not quiet). */
export function endOfQuiet(ms: number, quiet: QuietSpan | null): number {
  if (!quiet || !inQuietHours(ms, quiet)) return ms;
  const m = minuteOfDayCst(ms);
  const startOfMinute = ms - (((ms % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
  const minutesLeft = (quiet.endMin - m + 1440) % 1440;
  return startOfMinute + minutesLeft * MINUTE_MS;
}

export const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
export const hhmmOf = (min: number): string =>
  `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;

/** WeChat's time keyword: 2026年12月7日 21:05, China time. */
export function wechatTime(ms: number): string {
  const d = new Date(ms + CST_OFFSET_MS);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${hh}:${mm}`;
}

/** A thing keyword holds 20 characters at most: longer text is cut with an ellipsis. */
export function thing(text: string): string {
  const chars = [...text.trim()];
  return chars.length <= 20 ? chars.join('') : `${chars.slice(0, 19).join('')}…`;
}

/** A character_string keyword: 1–32 printable ASCII characters; anything else falls back. */
const asciiOr = (value: string, fallback: string) => (/^[\x21-\x7e]{1,32}$/.test(value) ? value : fallback);

export interface ComposedMessage {
  purpose: TemplatePurpose;
  data: Record<string, { value: string }>;
  lines: { label: string; value: string }[];
  summary: string;
  /** the mini-program page the message opens (no leading slash, as WeChat takes it) */
  page: string;
}

const orderPage = (orderId: string) => `pages/order/index?orderId=${orderId}`;

function compose(
  purpose: TemplatePurpose,
  fields: [key: string, label: string, value: string][],
  summary: string,
  page: string,
): ComposedMessage {
  return {
    purpose,
    data: Object.fromEntries(fields.map(([key, , value]) => [key, { value }])),
    lines: fields.map(([, label, value]) => ({ label, value })),
    summary,
    page,
  };
}

export interface PaymentSuccessFacts {
  orderId: string;
  orderNo: string;
  patientName: string;
  totalFen: number;
  /** fund + account: what insurance paid */
  insuranceFen: number;
  cashFen: number;
  receiptNo: string;
  paidAtMs: number;
}

export function paymentSuccessMessage(f: PaymentSuccessFacts): ComposedMessage {
  const paidBy =
    f.insuranceFen > 0 && f.cashFen > 0
      ? `医保支付${formatFen(f.insuranceFen)}，自付${formatFen(f.cashFen)}`
      : f.insuranceFen > 0
        ? '全部由医保支付'
        : `微信支付${formatFen(f.cashFen)}`;
  return compose(
    'payment_success',
    [
      ['thing1', '就诊人', thing(f.patientName)],
      ['amount2', '缴费金额', formatFen(f.totalFen)],
      ['amount3', '医保支付', formatFen(f.insuranceFen)],
      ['character_string4', '收据号', asciiOr(f.receiptNo, f.orderNo)],
      ['time5', '缴费时间', wechatTime(f.paidAtMs)],
    ],
    `缴费成功：共${formatFen(f.totalFen)}，${paidBy}。收据号 ${f.receiptNo}，可凭此到医院打印发票。`,
    orderPage(f.orderId),
  );
}

export interface RefundResultFacts {
  orderId: string;
  orderNo: string;
  refundNo: string;
  /** 医保统筹 (fund and other funds), 个人账户, 微信 */
  fundFen: number;
  accountFen: number;
  cashFen: number;
  succeeded: boolean;
}

export function refundResultMessage(f: RefundResultFacts): ComposedMessage {
  const total = f.fundFen + f.accountFen + f.cashFen;
  const parts = [
    f.fundFen > 0 ? `医保统筹${formatFen(f.fundFen)}退回医保基金` : null,
    f.accountFen > 0 ? `个人账户${formatFen(f.accountFen)}退回您的医保个人账户` : null,
    f.cashFen > 0 ? `${formatFen(f.cashFen)}原路退回微信` : null,
  ].filter((p): p is string => p !== null);
  const summary = f.succeeded
    ? `退款${formatFen(total)}已完成：${parts.join('，')}。微信零钱一般即时到账，银行卡1–5个工作日。`
    : `退款${formatFen(total)}未能完成，医院收费处会与您联系处理，您无需重复申请。`;
  return compose(
    'refund_result',
    [
      ['character_string1', '订单号', asciiOr(f.orderNo, f.refundNo)],
      ['amount2', '医保统筹退回', formatFen(f.fundFen)],
      ['amount3', '个人账户退回', formatFen(f.accountFen)],
      ['amount4', '微信退回', formatFen(f.cashFen)],
      ['phrase5', '退款状态', f.succeeded ? '退款成功' : '退款失败'],
    ],
    summary,
    orderPage(f.orderId),
  );
}

export interface PaymentFailedFacts {
  orderId: string;
  patientName: string;
  amountFen: number;
  /** failed: nothing kept (money taken goes back); returned: a payment that came after the order closed */
  kind: 'failed' | 'returned';
  cashReturnedFen: number;
  atMs: number;
}

export function paymentFailedMessage(f: PaymentFailedFacts): ComposedMessage {
  const reason =
    f.kind === 'returned'
      ? '订单已关闭，款项原路退回'
      : f.cashReturnedFen > 0
        ? '支付未成功，已付款项将退回'
        : '支付未成功，没有扣款';
  const summary =
    f.kind === 'returned'
      ? `这笔${formatFen(f.amountFen)}的支付到账时订单已关闭，已全部原路退回（医保部分退回医保，自付部分退回微信）。如仍需缴费，请重新下单。`
      : f.cashReturnedFen > 0
        ? `缴费未成功，已扣的${formatFen(f.cashReturnedFen)}将原路退回微信。账单仍待缴，可稍后重新缴费。`
        : '缴费未成功，没有扣款。账单仍待缴，可稍后重新缴费。';
  return compose(
    'payment_failed',
    [
      ['thing1', '就诊人', thing(f.patientName)],
      ['amount2', '金额', formatFen(f.amountFen)],
      ['thing3', '原因', thing(reason)],
      ['time4', '时间', wechatTime(f.atMs)],
    ],
    summary,
    orderPage(f.orderId),
  );
}

export interface BillReminderFacts {
  patientId: string;
  patientName: string;
  /** the department or the first item: what the bill is for */
  what: string;
  amountFen: number;
  billedAtMs: number;
}

export function billReminderMessage(f: BillReminderFacts): ComposedMessage {
  return compose(
    'bill_reminder',
    [
      ['thing1', '就诊人', thing(f.patientName)],
      ['thing2', '费用项目', thing(f.what)],
      ['amount3', '待缴金额', formatFen(f.amountFen)],
      ['time4', '开单时间', wechatTime(f.billedAtMs)],
      ['thing5', '温馨提示', '请在小程序内完成缴费'],
    ],
    `您有一笔${formatFen(f.amountFen)}的费用（${f.what}）尚未缴纳，可在小程序内直接缴费；已在窗口缴过请忽略。`,
    `pages/bills/index?patientId=${f.patientId}`,
  );
}
