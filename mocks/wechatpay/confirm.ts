/**
 * The patient confirms in the WeChat sheet (POST /__admin/payments/confirm). For a med-ins order: the
 * insurance share is settled first (through the insurance mock, as WeChat does), then the cash is taken, then
 * one MEDICAL_INSURANCE.SUCCESS callback is queued. For a plain JSAPI order: the cash, then TRANSACTION.SUCCESS.
 */
import { z } from 'zod';
import { MockHttpError } from '../common/app';
import type { WeChatPayMockContext } from './context';
import type { NewNotification } from './notifications';
import { wechatEffects } from './scenarios';
import { insurancePartOf } from './medins-rules';
import { newTransactionId, PREPAY_TTL_MS, type MedInsOrder, type Trade, type TradeState } from './state';
import { medInsView, tradeView } from './views';

const INSURANCE_CALL_TIMEOUT_MS = 5_000;

export const confirmSchema = z
  .object({
    mixTradeNo: z.string().min(1).optional(),
    outTradeNo: z.string().min(1).optional(),
    result: z.enum(['SUCCESS', 'FAIL']).default('SUCCESS'),
  })
  .refine(
    (b) => (b.mixTradeNo === undefined) !== (b.outTradeNo === undefined),
    'give mixTradeNo or outTradeNo',
  );

type ConfirmRequest = z.infer<typeof confirmSchema>;

export interface ConfirmAnswer {
  outTradeNo: string;
  mixTradeNo?: string;
  tradeState: TradeState;
  mixPayStatus?: MedInsOrder['mixPayStatus'];
  medInsFailReason?: string;
  notificationId?: string;
  /** the patient closed the sheet (scenario wechat-user-cancels): nothing changed */
  cancelled?: boolean;
}

const settleAnswer = z.object({
  status: z.string(),
  setlId: z.string().optional(),
  split: z.object({ total: z.number(), fund: z.number(), account: z.number(), cash: z.number() }).optional(),
});

type Settlement = { ok: true; setlId: string } | { ok: false; reason: string };

/** Asks the insurance mock to settle pay_order_id; any failure is the reason the med-ins part failed. */
async function settleInsurance(mc: WeChatPayMockContext, order: MedInsOrder): Promise<Settlement> {
  if (!mc.insuranceBaseUrl) return { ok: false, reason: '医保结算失败: 未配置医保平台' };
  if (!order.payOrderId) return { ok: false, reason: '医保结算失败: 缺少 pay_order_id' };
  const url = `${mc.insuranceBaseUrl.replace(/\/$/, '')}/__admin/settlements/${encodeURIComponent(order.payOrderId)}/settle`;
  let status: number;
  let text: string;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(INSURANCE_CALL_TIMEOUT_MS),
    });
    status = response.status;
    text = await response.text();
  } catch (err) {
    return {
      ok: false,
      reason: `医保结算失败: 医保平台不可达 (${err instanceof Error ? err.message : String(err)})`,
    };
  }
  let parsed: z.infer<typeof settleAnswer>;
  try {
    parsed = settleAnswer.parse(JSON.parse(text));
  } catch {
    return { ok: false, reason: `医保结算失败: 医保平台应答 ${status} ${text.slice(0, 200)}` };
  }
  if (status !== 200 || parsed.status !== 'SETTLED' || !parsed.setlId) {
    return { ok: false, reason: `医保结算失败: 医保平台应答 ${status} ${parsed.status}` };
  }
  const { split } = parsed;
  if (split && (split.fund !== order.fees.gov + order.fees.other || split.account !== order.fees.self)) {
    return { ok: false, reason: '医保结算失败: 医保结算金额与订单金额不一致' };
  }
  return { ok: true, setlId: parsed.setlId };
}

function takeCash(mc: WeChatPayMockContext, trade: Trade): void {
  const nowMs = mc.frame.clock.now();
  trade.state = 'SUCCESS';
  trade.transactionId = newTransactionId(nowMs);
  trade.successTimeMs = nowMs;
}

/** The self-pay order must still be payable through its prepay_id. */
function payableTrade(mc: WeChatPayMockContext, trade: Trade): Trade {
  const nowMs = mc.frame.clock.now();
  const state = mc.state.refreshTrade(trade, nowMs).state;
  if (state !== 'NOTPAY')
    throw new MockHttpError(409, 'ORDER_NOT_PAYABLE', `order ${trade.outTradeNo} is ${state}`);
  if (nowMs - trade.prepayCreatedAtMs >= PREPAY_TTL_MS) {
    throw new MockHttpError(409, 'PREPAY_EXPIRED', 'prepay_id is older than 2 h: order again for a new one');
  }
  return trade;
}

/**
 * What a confirmation pays: a med-ins order (with its self-pay JSAPI order when there is cash to take), or a
 * plain JSAPI order.
 */
export type PaymentTarget = { order: MedInsOrder; trade?: Trade } | { order?: undefined; trade: Trade };

export const outTradeNoOf = (target: PaymentTarget): string =>
  target.order ? target.order.outTradeNo : target.trade.outTradeNo;

/** An outTradeNo that has a med-ins order names the med-ins order. */
export function findPayment(
  mc: WeChatPayMockContext,
  ref: { mixTradeNo?: string; outTradeNo?: string },
): PaymentTarget | undefined {
  const order =
    ref.mixTradeNo !== undefined
      ? mc.state.medIns.get(ref.mixTradeNo)
      : mc.state.medInsByTradeNo(ref.outTradeNo ?? '');
  if (order) {
    const trade = order.fees.wechatCash > 0 ? mc.state.trades.get(order.outTradeNo) : undefined;
    return { order, trade };
  }
  const trade = ref.mixTradeNo === undefined ? mc.state.trades.get(ref.outTradeNo ?? '') : undefined;
  return trade ? { trade } : undefined;
}

/** Throws 409 ORDER_NOT_PAYABLE or PREPAY_EXPIRED unless the patient could pay now (expiry applied first). */
export function assertPayable(mc: WeChatPayMockContext, target: PaymentTarget): void {
  const { order, trade } = target;
  if (order) {
    mc.state.refreshMedIns(order, mc.frame.clock.now());
    if (order.mixPayStatus !== 'MIX_PAY_CREATED') {
      throw new MockHttpError(409, 'ORDER_NOT_PAYABLE', `order ${order.mixTradeNo} is ${order.mixPayStatus}`);
    }
  }
  if (trade) payableTrade(mc, trade);
}

function fail(order: MedInsOrder, reason: string): void {
  order.mixPayStatus = 'MIX_PAY_FAIL';
  if (order.selfPayStatus === 'SELF_PAY_CREATED') order.selfPayStatus = 'SELF_PAY_FAIL';
  if (order.medInsPayStatus === 'MED_INS_PAY_CREATED') {
    order.medInsPayStatus = 'MED_INS_PAY_FAIL';
    order.medInsFailReason = reason;
  }
}

const INSURANCE_FAILS_REASON = '医保局结算校验失败（模拟：自费已扣款，医保未结算）';

/**
 * Scenario insurance-fails-cash-taken (WeChat's 排障手册 2.8 C: "自费可能已成功但医保失败"): the cash part is
 * taken, the insurance share is not settled (the insurance mock is not asked: its settlement stays
 * pre-settled), and the order reads MIX_PAY_FAIL / SELF_PAY_SUCCESS / MED_INS_PAY_FAIL. No callback: WeChat
 * sends MEDICAL_INSURANCE.SUCCESS only for a success, so the merchant finds out by query, and must refund the cash.
 */
function insuranceFailsCashTaken(
  mc: WeChatPayMockContext,
  order: MedInsOrder,
  trade: Trade | undefined,
): void {
  if (trade) {
    takeCash(mc, trade);
    if (order.selfPayStatus === 'SELF_PAY_CREATED') order.selfPayStatus = 'SELF_PAY_SUCCESS';
  }
  order.mixPayStatus = 'MIX_PAY_FAIL';
  if (order.medInsPayStatus === 'MED_INS_PAY_CREATED') {
    order.medInsPayStatus = 'MED_INS_PAY_FAIL';
    order.medInsFailReason = INSURANCE_FAILS_REASON;
  }
}

/** How a med-ins confirmation ends beyond the patient's result: as asked, or as a scenario says. */
type MedInsEnding = 'AS_ASKED' | 'CASH_FAILS' | 'INSURANCE_FAILS_CASH_TAKEN';

async function confirmMedIns(
  mc: WeChatPayMockContext,
  order: MedInsOrder,
  trade: Trade | undefined,
  result: 'SUCCESS' | 'FAIL',
  ending: MedInsEnding = 'AS_ASKED',
): Promise<ConfirmAnswer> {
  assertPayable(mc, { order, trade });
  let notificationId: string | undefined;
  if (result === 'FAIL') {
    fail(order, '用户支付失败');
    if (trade) trade.state = 'PAYERROR';
  } else if (ending === 'INSURANCE_FAILS_CASH_TAKEN') {
    insuranceFailsCashTaken(mc, order, trade);
  } else {
    const settlement = insurancePartOf(order.fees) > 0 ? await settleInsurance(mc, order) : undefined;
    if (settlement && !settlement.ok) {
      fail(order, settlement.reason);
    } else if (ending === 'CASH_FAILS') {
      // scenario insurance-settles-wechat-fails: the insurance share is settled, the cash part is not taken
      order.setlId = settlement?.setlId;
      if (order.medInsPayStatus === 'MED_INS_PAY_CREATED') order.medInsPayStatus = 'MED_INS_PAY_SUCCESS';
      if (order.selfPayStatus === 'SELF_PAY_CREATED') order.selfPayStatus = 'SELF_PAY_FAIL';
      order.mixPayStatus = 'MIX_PAY_FAIL';
      if (trade) trade.state = 'PAYERROR';
    } else {
      if (trade) takeCash(mc, trade);
      order.setlId = settlement?.setlId;
      order.mixPayStatus = 'MIX_PAY_SUCCESS';
      if (order.selfPayStatus === 'SELF_PAY_CREATED') order.selfPayStatus = 'SELF_PAY_SUCCESS';
      if (order.medInsPayStatus === 'MED_INS_PAY_CREATED') order.medInsPayStatus = 'MED_INS_PAY_SUCCESS';
      order.paidTimeMs = mc.frame.clock.now();
      if (!mc.state.callbacks.suppress) {
        notificationId = queued(mc, {
          eventType: 'MEDICAL_INSURANCE.SUCCESS',
          url: order.callbackUrl,
          outTradeNo: order.outTradeNo,
          mixTradeNo: order.mixTradeNo,
          plaintext: medInsView(order),
        });
      }
    }
  }
  const tradeState: TradeState = trade
    ? trade.state
    : order.mixPayStatus === 'MIX_PAY_SUCCESS'
      ? 'SUCCESS'
      : 'PAYERROR';
  return {
    outTradeNo: order.outTradeNo,
    mixTradeNo: order.mixTradeNo,
    tradeState,
    mixPayStatus: order.mixPayStatus,
    medInsFailReason: order.medInsFailReason,
    notificationId,
  };
}

function confirmJsapi(mc: WeChatPayMockContext, trade: Trade, result: 'SUCCESS' | 'FAIL'): ConfirmAnswer {
  assertPayable(mc, { trade });
  if (result === 'FAIL') {
    trade.state = 'PAYERROR';
    return { outTradeNo: trade.outTradeNo, tradeState: trade.state };
  }
  takeCash(mc, trade);
  const notificationId = mc.state.callbacks.suppress
    ? undefined
    : queued(mc, {
        eventType: 'TRANSACTION.SUCCESS',
        url: trade.notifyUrl,
        outTradeNo: trade.outTradeNo,
        plaintext: tradeView(trade),
      });
  return { outTradeNo: trade.outTradeNo, tradeState: trade.state, notificationId };
}

/** A callback queued; its id only when it is in the notifications list (a scenario may withhold it). */
function queued(mc: WeChatPayMockContext, input: NewNotification): string | undefined {
  const { id } = mc.notifier.enqueue(input);
  return mc.notifier.get(id) ? id : undefined;
}

/** The patient closed the sheet: nothing changes at WeChat, and the order stays payable. */
function cancelled(mc: WeChatPayMockContext, target: PaymentTarget): ConfirmAnswer {
  assertPayable(mc, target);
  const { order, trade } = target;
  return {
    outTradeNo: outTradeNoOf(target),
    mixTradeNo: order?.mixTradeNo,
    tradeState: trade?.state ?? 'NOTPAY',
    mixPayStatus: order?.mixPayStatus,
    cancelled: true,
  };
}

export async function confirmPayment(
  mc: WeChatPayMockContext,
  request: ConfirmRequest,
): Promise<ConfirmAnswer> {
  const target = findPayment(mc, request);
  if (!target) throw new MockHttpError(404, 'ORDER_NOT_EXIST', 'no such order');
  const key = outTradeNoOf(target);
  if (mc.state.confirming.has(key))
    throw new MockHttpError(409, 'CONFIRM_IN_PROGRESS', 'this order is being confirmed');
  const effect = wechatEffects(mc.frame, { outTradeNo: key, mixTradeNo: target.order?.mixTradeNo })?.confirm;
  if (effect === 'CANCEL') return cancelled(mc, target);
  const result = effect === 'FAIL' || (effect === 'CASH_FAILS' && !target.order) ? 'FAIL' : request.result;
  mc.state.confirming.add(key);
  try {
    if (target.order) {
      const ending: MedInsEnding =
        effect === 'CASH_FAILS' || effect === 'INSURANCE_FAILS_CASH_TAKEN' ? effect : 'AS_ASKED';
      return await confirmMedIns(mc, target.order, target.trade, result, ending);
    }
    return confirmJsapi(mc, target.trade, result);
  } finally {
    mc.state.confirming.delete(key);
  }
}
