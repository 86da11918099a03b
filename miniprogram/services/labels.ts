/** Chinese words for the server's codes. Exhaustive records: a new status fails the type check here. */
import type {
  BillItemView,
  InsuranceAuthorizationView,
  OrderOutcome,
  OrderStatusName,
} from '../../shared/api';
import { formatFen } from '../../shared/money';

export type Tone = 'success' | 'warning' | 'danger' | 'muted' | 'info';

export const ORDER_STATUS: Record<OrderStatusName, { label: string; tone: Tone }> = {
  CREATED: { label: '已创建', tone: 'info' },
  PRESETTLED: { label: '待支付', tone: 'warning' },
  AWAITING_PAYMENT: { label: '支付中', tone: 'warning' },
  UNKNOWN: { label: '支付结果确认中', tone: 'warning' },
  PAID: { label: '已支付', tone: 'success' },
  COMPLETED: { label: '已完成', tone: 'success' },
  CANCELLED: { label: '已取消', tone: 'muted' },
  EXPIRED: { label: '已过期', tone: 'muted' },
  PAYMENT_FAILED: { label: '支付失败', tone: 'danger' },
  REFUNDING: { label: '退款中', tone: 'warning' },
  REFUNDED: { label: '已退款', tone: 'muted' },
  PARTIALLY_REFUNDED: { label: '部分退款', tone: 'muted' },
};

export function orderStatusLabel(status: string): string {
  return (ORDER_STATUS as Record<string, { label: string }>)[status]?.label ?? status;
}

export function orderStatusTone(status: string): Tone {
  return (ORDER_STATUS as Record<string, { tone: Tone }>)[status]?.tone ?? 'info';
}

/** States after which the payment's outcome is known (the result page stops polling). */
export const PAYMENT_SETTLED: ReadonlySet<OrderStatusName> = new Set<OrderStatusName>([
  'PAID',
  'COMPLETED',
  'CANCELLED',
  'EXPIRED',
  'PAYMENT_FAILED',
  'REFUNDING',
  'REFUNDED',
  'PARTIALLY_REFUNDED',
]);

export const INSURANCE_CLASS: Record<
  NonNullable<BillItemView['insuranceClass']>,
  { label: string; tone: Tone }
> = {
  A: { label: '甲类', tone: 'success' },
  B: { label: '乙类', tone: 'info' },
  C: { label: '丙类', tone: 'warning' },
};

export const MIX_PAY_TYPE: Record<'CASH_ONLY' | 'INSURANCE_ONLY' | 'CASH_AND_INSURANCE', string> = {
  CASH_ONLY: '全自费',
  INSURANCE_ONLY: '医保全额支付',
  CASH_AND_INSURANCE: '医保 + 自费',
};

const INSUTYPE: Record<string, string> = {
  '310': '职工基本医疗保险',
  '390': '城乡居民基本医疗保险',
};

export function insutypeLabel(auth: Pick<InsuranceAuthorizationView, 'insutype' | 'insutypeName'>): string {
  return auth.insutypeName ?? (auth.insutype ? (INSUTYPE[auth.insutype] ?? `险种 ${auth.insutype}`) : '医保');
}

export type InsuranceState = 'none' | 'usable' | 'ineligible' | 'expired';

export function insuranceState(
  auth: InsuranceAuthorizationView | undefined,
  nowMs = Date.now(),
): InsuranceState {
  if (!auth) return 'none';
  if (!auth.eligible) return 'ineligible';
  return Date.parse(auth.expiresAt) > nowMs ? 'usable' : 'expired';
}

const pad = (n: number) => String(n).padStart(2, '0');

/** '2026-03-01 14:05' in the phone's time zone; '' for a missing or bad date. */
export function formatDateTime(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * How long ago something was true, in plain Chinese: 刚刚 (under a minute, or a phone clock a little behind the
 * server's), 3 分钟前, 2 小时前, 5 天前, then the date; '' for a missing or bad date.
 */
export function agoLabel(iso: string | undefined, nowMs = Date.now()): string {
  if (!iso) return '';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const ago = nowMs - at;
  if (ago < MINUTE_MS) return '刚刚';
  if (ago < HOUR_MS) return `${Math.floor(ago / MINUTE_MS)} 分钟前`;
  if (ago < DAY_MS) return `${Math.floor(ago / HOUR_MS)} 小时前`;
  if (ago < 30 * DAY_MS) return `${Math.floor(ago / DAY_MS)} 天前`;
  return formatDateTime(iso).slice(0, 10);
}

/** '个账余额 ¥300.00（3 分钟前更新）'; undefined when the authorization gave no balance. */
export function balanceLabel(
  auth: Pick<InsuranceAuthorizationView, 'balance' | 'balanceAsOf'>,
  nowMs = Date.now(),
): string | undefined {
  if (auth.balance === undefined) return undefined;
  const ago = agoLabel(auth.balanceAsOf, nowMs);
  return `个账余额 ${formatFen(auth.balance)}${ago ? `（${ago}更新）` : ''}`;
}

/** How a closed order really ended, when its status alone would mislead (the server decides: OrderView.outcome). */
export const ORDER_OUTCOME: Record<OrderOutcome, { label: string; tone: Tone; detail: string }> = {
  INSURANCE_REFUSED: { label: '医保结算未通过', tone: 'danger', detail: '没有扣款，可重新缴费' },
};
