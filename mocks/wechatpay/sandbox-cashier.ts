/**
 * `/sandbox/cashier`, standing in for the WeChat payment sheet in the H5 build: it finds the order by outTradeNo or
 * mixTradeNo, refuses one that cannot be paid (a page with the reason and a way back), checks the pay parameters
 * (sandbox-paysign.ts) on showing and again on confirming, and confirms as POST /__admin/payments/confirm does.
 */
import type Koa from 'koa';
import { z } from 'zod';
import { MockHttpError } from '../common/app';
import {
  assertPayable,
  confirmPayment,
  findPayment,
  outTradeNoOf,
  type ConfirmAnswer,
  type PaymentTarget,
} from './confirm';
import type { WeChatPayMockContext } from './context';
import { cashierPage, messagePage, type CashierView } from './sandbox-pages';
import { tag } from './signing';
import { BACK, redirectSchema, actionSchema, withReturnParams, sendPage, badRequest } from './sandbox-common';
import { type PayParams, payParamsVerified } from './sandbox-paysign';

const TRADE_NO_CHARS_MAX = 64;

const CASHIER = '微信支付（沙箱）';

const tradeNoSchema = z
  .string()
  .trim()
  .max(TRADE_NO_CHARS_MAX)
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/** an optional text field; blank counts as absent */
const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((v) => (v === '' ? undefined : v));
/** the pay parameters of wx.requestPayment / requestMedicalInsurancePay, as the app passes them on */
const payParamsShape = {
  appId: optionalText(32),
  timeStamp: optionalText(32),
  nonceStr: optionalText(64),
  package: optionalText(128),
  signType: optionalText(16),
  // Base64: a '+' that reached us unescaped in a query reads as a space
  paySign: optionalText(1024).transform((v) => v?.replace(/ /g, '+')),
};
const cashierQuery = z.object({
  redirect: redirectSchema,
  outTradeNo: tradeNoSchema,
  mixTradeNo: tradeNoSchema,
  ...payParamsShape,
});
const cashierForm = cashierQuery.extend({ action: actionSchema });

type OrderRef = { outTradeNo?: string; mixTradeNo?: string };

const NO_ORDER = '缺少订单号：请给出 outTradeNo 或 mixTradeNo';
const hasOrderNumber = (ref: OrderRef) => ref.outTradeNo !== undefined || ref.mixTradeNo !== undefined;

export function mountCashierPage(mc: WeChatPayMockContext): void {
  mc.frame.router.get('/sandbox/cashier', (ctx) => {
    const query = cashierQuery.safeParse(ctx.query);
    if (!query.success) return badRequest(ctx, CASHIER, query.error);
    const { redirect, outTradeNo, mixTradeNo, ...pay } = query.data;
    const ref = { outTradeNo, mixTradeNo };
    if (!hasOrderNumber(ref)) return badRequest(ctx, CASHIER, NO_ORDER);
    const target = lookUp(mc, ctx, ref);
    if (!target) return orderNotFound(ctx, ref, redirect);
    try {
      assertPayable(mc, target);
    } catch (err) {
      return notPayable(ctx, err, target, redirect);
    }
    if (!payParamsVerified(mc, ctx, target, pay, redirect)) return;
    sendPage(ctx, 200, cashierPage(cashierView(mc, target, redirect, pay)));
  });

  mc.frame.router.post('/sandbox/cashier', async (ctx) => {
    const form = cashierForm.safeParse(ctx.request.body ?? {});
    if (!form.success) return badRequest(ctx, CASHIER, form.error);
    const { redirect, action, outTradeNo, mixTradeNo, ...pay } = form.data;
    const ref = { outTradeNo, mixTradeNo };
    if (action === 'cancel') {
      tag(ctx.state, 'outTradeNo', ref.outTradeNo);
      tag(ctx.state, 'mixTradeNo', ref.mixTradeNo);
      return ctx.redirect(withReturnParams(redirect, { result: 'cancel' }));
    }
    if (!hasOrderNumber(ref)) return badRequest(ctx, CASHIER, NO_ORDER);
    const target = lookUp(mc, ctx, ref);
    if (!target) return orderNotFound(ctx, ref, redirect);
    try {
      assertPayable(mc, target);
    } catch (err) {
      return notPayable(ctx, err, target, redirect);
    }
    // checked again: the form is the browser's to change
    if (!payParamsVerified(mc, ctx, target, pay, redirect)) return;
    let answer: ConfirmAnswer;
    try {
      answer = await confirmPayment(
        mc,
        target.order
          ? { mixTradeNo: target.order.mixTradeNo, result: 'SUCCESS' }
          : { outTradeNo: target.trade.outTradeNo, result: 'SUCCESS' },
      );
    } catch (err) {
      return notPayable(ctx, err, target, redirect);
    }
    if (paid(answer)) return ctx.redirect(withReturnParams(redirect, { result: 'ok' }));
    // the wechat-user-cancels scenario: the patient backed out of the sheet, as the cancel button does
    if (answer.cancelled) return ctx.redirect(withReturnParams(redirect, { result: 'cancel' }));
    const message = answer.medInsFailReason ?? '微信支付未能完成扣款';
    const back = { href: withReturnParams(redirect, { result: 'fail' }), label: BACK };
    sendPage(ctx, 200, messagePage({ title: '支付失败', message, kind: 'fail', back }));
  });
}

const paid = (answer: ConfirmAnswer): boolean =>
  answer.mixPayStatus === undefined
    ? answer.tradeState === 'SUCCESS'
    : answer.mixPayStatus === 'MIX_PAY_SUCCESS';

/** The order named by the page; both numbers given must name the same order. Tags the journal. */
function lookUp(mc: WeChatPayMockContext, ctx: Koa.Context, ref: OrderRef): PaymentTarget | undefined {
  tag(ctx.state, 'outTradeNo', ref.outTradeNo);
  tag(ctx.state, 'mixTradeNo', ref.mixTradeNo);
  const target = findPayment(mc, ref);
  if (!target) return undefined;
  const outTradeNo = outTradeNoOf(target);
  if (ref.outTradeNo !== undefined && ref.outTradeNo !== outTradeNo) return undefined;
  tag(ctx.state, 'outTradeNo', outTradeNo);
  tag(ctx.state, 'mixTradeNo', target.order?.mixTradeNo);
  return target;
}

function cashierView(
  mc: WeChatPayMockContext,
  target: PaymentTarget,
  redirect: string,
  pay: PayParams,
): CashierView {
  const { order } = target;
  if (!order) {
    const { trade } = target;
    const merchant = trade.description || `商户号 ${trade.mchid}`;
    return {
      merchant,
      outTradeNo: trade.outTradeNo,
      totalFen: trade.totalFen,
      cashFen: trade.totalFen,
      redirect,
      payParams: pay,
    };
  }
  const instName = order.echo.med_inst_name;
  const merchant =
    mc.state.trades.get(order.outTradeNo)?.description ||
    (typeof instName === 'string' && instName !== '' ? instName : '医保移动支付');
  return {
    merchant,
    outTradeNo: order.outTradeNo,
    mixTradeNo: order.mixTradeNo,
    totalFen: order.fees.total,
    cashFen: order.fees.wechatCash,
    insurance: { govFen: order.fees.gov, selfFen: order.fees.self, otherFen: order.fees.other },
    redirect,
    payParams: pay,
  };
}

function orderNotFound(ctx: Koa.Context, ref: OrderRef, redirect: string): void {
  const name = [ref.outTradeNo, ref.mixTradeNo].filter((n) => n !== undefined).join(' / ');
  const message = `微信支付中没有订单 ${name}：它可能从未创建，或模拟器已被重置。`;
  const back = { href: withReturnParams(redirect, { result: 'error' }), label: BACK };
  sendPage(ctx, 404, messagePage({ title: '找不到该订单', message, kind: 'warn', back }));
}

/** A 409 from the payability check or the confirmation becomes a page with a way back; anything else throws. */
function notPayable(ctx: Koa.Context, err: unknown, target: PaymentTarget, redirect: string): void {
  if (!(err instanceof MockHttpError) || err.status !== 409) throw err;
  const message =
    err.code === 'PREPAY_EXPIRED'
      ? '支付参数已超过 2 小时的有效期，请返回应用重新发起支付。'
      : err.code === 'CONFIRM_IN_PROGRESS'
        ? '该订单正在支付中，请勿重复提交。'
        : whyNotPayable(target);
  const back = { href: withReturnParams(redirect, { result: 'error' }), label: BACK };
  sendPage(ctx, 409, messagePage({ title: '订单无法支付', message, kind: 'warn', back }));
}

function whyNotPayable(target: PaymentTarget): string {
  const { order, trade } = target;
  if (order) {
    switch (order.mixPayStatus) {
      case 'MIX_PAY_SUCCESS':
        return '该订单已支付，无需再次支付。';
      case 'MIX_PAY_REFUND':
        return '该订单已支付并已退款。';
      case 'MIX_PAY_FAIL':
        return `该订单已无法支付：${order.medInsFailReason ?? '支付失败'}。`;
      case 'MIX_PAY_CREATED':
        break; // the self-pay order is the reason
    }
  }
  switch (trade?.state) {
    case 'SUCCESS':
      return '该订单已支付，无需再次支付。';
    case 'REFUND':
      return '该订单已支付并已退款。';
    case 'CLOSED':
      return '该订单已关闭或已超过支付期限。';
    case 'PAYERROR':
      return '该订单支付失败，请返回应用重新下单。';
    case 'NOTPAY':
    case undefined:
      return '该订单现在无法支付。';
  }
}
