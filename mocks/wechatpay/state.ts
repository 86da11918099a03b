/**
 * What the WeChat Pay mock remembers: login codes, JSAPI trades, med-ins orders, refunds and the
 * tester's switches. Notifications live in the notifier. All amounts are integer fen.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { cstCompact } from '../../shared/clock';

export type TradeState = 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'PAYERROR' | 'REFUND';

export interface Trade {
  outTradeNo: string;
  appid: string;
  mchid: string;
  description: string;
  attach?: string;
  notifyUrl: string;
  totalFen: number;
  openid: string;
  timeExpireMs?: number;
  createdAtMs: number;
  prepayId: string;
  prepayCreatedAtMs: number;
  /** canonical JSON of the create request, to tell a retry from a different order under the same number */
  requestKey: string;
  state: TradeState;
  transactionId?: string;
  successTimeMs?: number;
  refundedFen: number;
}

export type MixPayStatus = 'MIX_PAY_CREATED' | 'MIX_PAY_SUCCESS' | 'MIX_PAY_REFUND' | 'MIX_PAY_FAIL';
export type SelfPayStatus =
  'SELF_PAY_CREATED' | 'SELF_PAY_SUCCESS' | 'SELF_PAY_REFUND' | 'SELF_PAY_FAIL' | 'NO_SELF_PAY';
export type MedInsPayStatus =
  | 'MED_INS_PAY_CREATED'
  | 'MED_INS_PAY_SUCCESS'
  | 'MED_INS_PAY_REFUND'
  | 'MED_INS_PAY_FAIL'
  | 'NO_MED_INS_PAY';

export interface MedInsFees {
  total: number;
  gov: number;
  self: number;
  other: number;
  medInsCash: number;
  wechatCash: number;
}

export interface MedInsRefundNotice {
  outRefundNo: string;
  total: number;
  gov: number;
  self: number;
  other: number;
  refundTime: string;
}

export interface MedInsOrder {
  mixTradeNo: string;
  outTradeNo: string;
  /** the request as received, less payer/relative (echoed in the entity) */
  echo: Record<string, unknown>;
  /** decrypted payer, kept for testers; never echoed */
  payer: { name: string; idDigest: string };
  requestKey: string;
  fees: MedInsFees;
  callbackUrl: string;
  payOrderId?: string;
  prepayId?: string;
  mixPayStatus: MixPayStatus;
  selfPayStatus: SelfPayStatus;
  medInsPayStatus: MedInsPayStatus;
  medInsFailReason?: string;
  paidTimeMs?: number;
  setlId?: string;
  createdAtMs: number;
  refundNotices: MedInsRefundNotice[];
}

export type RefundStatus = 'SUCCESS' | 'CLOSED' | 'PROCESSING' | 'ABNORMAL';

export interface Refund {
  refundId: string;
  outRefundNo: string;
  outTradeNo: string;
  transactionId: string;
  reason?: string;
  notifyUrl?: string;
  refundFen: number;
  totalFen: number;
  status: RefundStatus;
  createdAtMs: number;
  /** PROCESSING refunds turn SUCCESS at this mock-clock instant */
  completesAtMs?: number;
  successTimeMs?: number;
  requestKey: string;
}

export interface LoginCode {
  openid: string;
  expiresAtMs: number;
  used: boolean;
}

export type SigningMode = 'certificate' | 'publicKey';

export interface CallbackSwitches {
  /** "paid but no callback": confirmations queue nothing */
  suppress: boolean;
  /** every acknowledged callback is sent once more, byte-identical */
  duplicate: boolean;
  /** callbacks carry a signature that does not verify */
  badSignature: boolean;
}

export interface Options {
  /** SUCCESS: refunds succeed at once; PROCESSING: they succeed refundProcessingMs later (mock clock) */
  refundMode: 'SUCCESS' | 'PROCESSING';
  refundProcessingMs: number;
  /** bills of the current day are available at once (real WeChat: from 09:00 the next day) */
  billsSameDay: boolean;
}

export const LOGIN_CODE_TTL_MS = 5 * 60_000;
export const PREPAY_TTL_MS = 2 * 3600_000;

const defaultOptions = (): Options => ({
  refundMode: 'SUCCESS',
  refundProcessingMs: 60_000,
  billsSameDay: false,
});
const defaultSwitches = (): CallbackSwitches => ({ suppress: false, duplicate: false, badSignature: false });

export class WeChatPayState {
  readonly loginCodes = new Map<string, LoginCode>();
  readonly trades = new Map<string, Trade>();
  /** every prepay_id ever issued → out_trade_no */
  readonly prepays = new Map<string, string>();
  readonly medIns = new Map<string, MedInsOrder>();
  readonly medInsByOutTradeNo = new Map<string, string>();
  readonly refunds = new Map<string, Refund>();
  /** orders whose confirmation is under way (the insurance call is awaited): a second confirm is refused */
  readonly confirming = new Set<string>();
  signingMode: SigningMode = 'certificate';
  callbacks: CallbackSwitches = defaultSwitches();
  options: Options = defaultOptions();

  reset(): void {
    this.loginCodes.clear();
    this.trades.clear();
    this.prepays.clear();
    this.medIns.clear();
    this.medInsByOutTradeNo.clear();
    this.refunds.clear();
    this.confirming.clear();
    this.signingMode = 'certificate';
    this.callbacks = defaultSwitches();
    this.options = defaultOptions();
  }

  medInsByTradeNo(outTradeNo: string): MedInsOrder | undefined {
    const mixTradeNo = this.medInsByOutTradeNo.get(outTradeNo);
    return mixTradeNo === undefined ? undefined : this.medIns.get(mixTradeNo);
  }

  /** Lazily applies time_expire: an unpaid trade past it is CLOSED. */
  refreshTrade(trade: Trade, nowMs: number): Trade {
    if (trade.state === 'NOTPAY' && trade.timeExpireMs !== undefined && nowMs >= trade.timeExpireMs) {
      trade.state = 'CLOSED';
    }
    return trade;
  }

  /**
   * A mixed order whose self-pay JSAPI order was closed (or expired) can no longer be paid: it turns
   * MIX_PAY_FAIL. Unverified: WeChat documents no close for med-ins orders.
   */
  refreshMedIns(order: MedInsOrder, nowMs: number): MedInsOrder {
    if (order.mixPayStatus !== 'MIX_PAY_CREATED' || order.prepayId === undefined) return order;
    const trade = this.trades.get(order.outTradeNo);
    if (!trade || this.refreshTrade(trade, nowMs).state !== 'CLOSED') return order;
    order.mixPayStatus = 'MIX_PAY_FAIL';
    order.selfPayStatus = 'SELF_PAY_FAIL';
    if (order.medInsPayStatus === 'MED_INS_PAY_CREATED') {
      order.medInsPayStatus = 'MED_INS_PAY_FAIL';
      order.medInsFailReason = '自费订单已关闭';
    }
    return order;
  }

  refundsOf(outTradeNo: string): Refund[] {
    return [...this.refunds.values()].filter((r) => r.outTradeNo === outTradeNo);
  }
}

// ───────────────────────────── identifiers ─────────────────────────────

function digits(count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += String(randomInt(10));
  return out;
}

/** "wx" + yyyyMMddHHmmss + 20 hex, like wx201410272009395522657a690389285100 */
export const newPrepayId = (nowMs: number): string =>
  `wx${cstCompact(nowMs)}${randomBytes(10).toString('hex')}`;
/** 28 digits starting 4200, like WeChat's transaction ids */
export const newTransactionId = (nowMs: number): string =>
  `4200${digits(6)}${cstCompact(nowMs).slice(0, 8)}${digits(10)}`;
/** 29 digits starting 5030 */
export const newRefundId = (nowMs: number): string =>
  `5030${digits(7)}${cstCompact(nowMs).slice(0, 8)}${digits(10)}`;
/** unverified format: 28 digits */
export const newMixTradeNo = (nowMs: number): string => `1217${cstCompact(nowMs)}${digits(10)}`;
/** "EV-" + 19 digits, as in PROTOCOLS 1.3 */
export const newNotificationId = (nowMs: number): string => `EV-${cstCompact(nowMs)}${digits(5)}`;
export const newLoginCode = (): string => randomBytes(16).toString('hex');

const OPENID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** "o" + 27 characters, the shape of a mini-program openid */
export function newOpenid(): string {
  const bytes = randomBytes(27);
  let out = 'o';
  for (const byte of bytes) out += OPENID_ALPHABET[byte % 64];
  return out;
}

/** JSON with object keys sorted, so two requests with the same content compare equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
