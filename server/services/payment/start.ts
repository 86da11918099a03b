/**
 * Pay (DESIGN 6.6): PRESETTLED → AWAITING_PAYMENT is recorded first (intent), then WeChat orders are created:
 * JSAPI for the cash share, /v3/med-ins/orders when insurance pays. Creates are idempotent by out_trade_no, so
 * calling again after a definite failure re-creates safely; an unknown outcome sends the order to UNKNOWN.
 * The risk rules come first (issue 13): a blocked user → 403 RISK_BLOCKED, an order held for a cashier's review
 * → 409 RISK_REVIEW; either way nothing moves.
 */
import { orderStatusZh } from '../../../shared/messages';
import type { PaymentView } from '../../../shared/api';
import { mixPayTypeOf } from '../../../shared/money';
import type { OrderRow } from '../../db/entities';
import { authorizationOfOrder, cardPersonOfOrder, holderOf, payAuthNoOf } from '../order/insuredIdentity';
import { patchOrder, StateConflict, transitionOrder } from '../../db/orders';
import { GatewayError, type PayParams } from '../../gateways/ports';
import { AppError } from '../errors';
import { upstreamError } from '../gatewayErrors';
import { splitOf } from '../order/split';
import { ownOrder } from '../order/views';
import { checkPayment, type RiskContext } from '../risk/checks';
import type { Deps } from '../deps';

export async function startPayment(
  deps: Deps,
  openid: string,
  orderId: string,
  risk: RiskContext = {},
): Promise<PaymentView> {
  let order = await ownOrder(deps, openid, orderId);
  await checkPayment(deps, order, risk);
  if (order.status === 'PRESETTLED') {
    if (order.expiresAt.getTime() <= deps.clock.now())
      throw new AppError('ORDER_STATE_CONFLICT', '订单已过期，请重新下单。');
    const at = new Date(deps.clock.now());
    try {
      order = await deps.db.transaction((m) =>
        transitionOrder(
          m,
          order.id,
          ['PRESETTLED'],
          'AWAITING_PAYMENT',
          { paymentStartedAt: at, nextCheckAt: new Date(at.getTime() + deps.settings.CALLBACK_GRACE_MS) },
          { actor: 'patient', reason: 'payment started', at },
        ),
      );
    } catch (err) {
      if (!(err instanceof StateConflict)) throw err;
      order = await ownOrder(deps, openid, orderId);
    }
  }
  if (order.status !== 'AWAITING_PAYMENT') {
    if (order.status === 'PAID' || order.status === 'COMPLETED')
      return { status: order.status, outTradeNo: order.orderNo, mixTradeNo: order.mixTradeNo ?? undefined };
    throw new AppError('ORDER_STATE_CONFLICT', `订单当前为“${orderStatusZh(order.status)}”，不能支付。`);
  }
  try {
    return await createWeChatOrders(deps, order);
  } catch (err) {
    if (err instanceof GatewayError && err.outcomeUnknown) {
      await markUnknown(deps, order, err);
      throw upstreamError(err, 'payment');
    }
    if (err instanceof GatewayError && err.kind === 'rejected') {
      throw new AppError('ORDER_STATE_CONFLICT', '微信支付未能受理这笔订单，请稍后重新下单。', undefined, {
        cause: `wechatpay refused the order: ${err.message}`,
      });
    }
    throw upstreamError(err, 'payment');
  }
}

async function createWeChatOrders(deps: Deps, order: OrderRow): Promise<PaymentView> {
  const split = splitOf(order);
  const mixPayType = mixPayTypeOf(split);
  let prepayId = order.prepayId;
  if (split.cash > 0 && !prepayId) {
    ({ prepayId } = await deps.wechat.createJsapiOrder({
      outTradeNo: order.orderNo,
      description: `${deps.settings.HOSPITAL_NAME}-门诊缴费`,
      amountFen: split.cash,
      openid: order.openid,
      expireAtMs: order.expiresAt.getTime(),
      attach: order.id,
    }));
    await patchOrder(
      deps.db.manager,
      order.id,
      ['AWAITING_PAYMENT'],
      { prepayId },
      new Date(deps.clock.now()),
    );
  }
  let mixTradeNo = order.mixTradeNo;
  if (mixPayType !== 'CASH_ONLY' && !mixTradeNo) {
    const [cardPerson, authorization] = await Promise.all([
      cardPersonOfOrder(deps, order),
      authorizationOfOrder(deps, order),
    ]);
    if (!order.payOrdId) throw new Error(`order ${order.id} pays with insurance but has no payOrdId`);
    // 代亲属支付: the e-voucher holder pays, the card's person is the relative (checklist item 17)
    const holder = holderOf(deps, authorization);
    const medIns = await deps.wechat.createMedInsOrder({
      outTradeNo: order.orderNo,
      mixPayType,
      orderType: 'DIAG_PAY',
      openid: order.openid,
      payer: holder ?? cardPerson,
      ...(holder ? { relative: cardPerson } : {}),
      serialNo: order.orderNo,
      payOrderId: order.payOrdId,
      payAuthNo: payAuthNoOf(deps, authorization),
      geoLocation: authorization.geoLocation,
      cityId: authorization.cityId,
      medInstName: deps.settings.HOSPITAL_NAME,
      medInstNo: deps.settings.HOSPITAL_CODE,
      createdAtMs: order.createdAt.getTime(),
      split,
      fundOther: order.fundOtherFen,
      prepayId: prepayId ?? undefined,
    });
    mixTradeNo = medIns.mixTradeNo;
    await patchOrder(
      deps.db.manager,
      order.id,
      ['AWAITING_PAYMENT'],
      { mixTradeNo },
      new Date(deps.clock.now()),
    );
  }
  const payParams: PayParams | undefined = prepayId ? deps.wechat.payParams(prepayId) : undefined;
  return {
    status: 'AWAITING_PAYMENT',
    outTradeNo: order.orderNo,
    mixTradeNo: mixTradeNo ?? undefined,
    payParams,
  };
}

async function markUnknown(deps: Deps, order: OrderRow, err: GatewayError): Promise<void> {
  const at = new Date(deps.clock.now());
  await deps.db
    .transaction((m) =>
      transitionOrder(
        m,
        order.id,
        ['AWAITING_PAYMENT'],
        'UNKNOWN',
        { lastError: err.message.slice(0, 500), nextCheckAt: at },
        { actor: 'system', reason: `outcome unknown: ${err.message}`.slice(0, 500), at },
      ),
    )
    .catch((e: unknown) => {
      if (!(e instanceof StateConflict)) throw e;
    });
}
