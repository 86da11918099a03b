/** The JSON shapes WeChat answers with (and encrypts into callbacks), built from the mock's records. */
import { rfc3339Cst } from '../../shared/clock';
import type { MedInsOrder, Refund, Trade, TradeState } from './state';

const TRADE_STATE_DESC: Record<TradeState, string> = {
  NOTPAY: '未支付',
  SUCCESS: '支付成功',
  CLOSED: '已关闭',
  PAYERROR: '支付失败，请重新下单支付',
  REFUND: '转入退款',
};

/** The query-order shape (PROTOCOLS 1.5), also the plaintext of TRANSACTION.SUCCESS. */
export function tradeView(trade: Trade): Record<string, unknown> {
  const paid = trade.transactionId !== undefined;
  return {
    appid: trade.appid,
    mchid: trade.mchid,
    out_trade_no: trade.outTradeNo,
    ...(paid ? { transaction_id: trade.transactionId } : {}),
    trade_type: 'JSAPI',
    trade_state: trade.state,
    trade_state_desc: TRADE_STATE_DESC[trade.state],
    ...(paid ? { bank_type: 'OTHERS' } : {}),
    ...(trade.attach !== undefined ? { attach: trade.attach } : {}),
    ...(trade.successTimeMs !== undefined ? { success_time: rfc3339Cst(trade.successTimeMs) } : {}),
    payer: { openid: trade.openid },
    amount: {
      total: trade.totalFen,
      ...(paid ? { payer_total: trade.totalFen } : {}),
      currency: 'CNY',
      payer_currency: 'CNY',
    },
  };
}

/** The med-ins order entity (PROTOCOLS 2.1): statuses first, then the request echoed (payer left out). */
export function medInsView(order: MedInsOrder): Record<string, unknown> {
  return {
    mix_trade_no: order.mixTradeNo,
    mix_pay_status: order.mixPayStatus,
    self_pay_status: order.selfPayStatus,
    med_ins_pay_status: order.medInsPayStatus,
    ...(order.paidTimeMs !== undefined ? { paid_time: rfc3339Cst(order.paidTimeMs) } : {}),
    ...(order.medInsFailReason !== undefined ? { med_ins_fail_reason: order.medInsFailReason } : {}),
    ...(order.setlId !== undefined
      ? { passthrough_response_content: JSON.stringify({ setlId: order.setlId }) }
      : {}),
    ...order.echo,
  };
}

/** The refund entity of create/query (PROTOCOLS 1.5). */
export function refundView(refund: Refund): Record<string, unknown> {
  return {
    refund_id: refund.refundId,
    out_refund_no: refund.outRefundNo,
    transaction_id: refund.transactionId,
    out_trade_no: refund.outTradeNo,
    channel: 'ORIGINAL',
    user_received_account: '支付用户零钱',
    ...(refund.successTimeMs !== undefined ? { success_time: rfc3339Cst(refund.successTimeMs) } : {}),
    create_time: rfc3339Cst(refund.createdAtMs),
    status: refund.status,
    funds_account: 'AVAILABLE',
    amount: {
      total: refund.totalFen,
      refund: refund.refundFen,
      payer_total: refund.totalFen,
      payer_refund: refund.refundFen,
      settlement_refund: refund.refundFen,
      settlement_total: refund.totalFen,
      discount_refund: 0,
      currency: 'CNY',
      from: [],
    },
  };
}

/** Plaintext of REFUND.* callbacks (PROTOCOLS 1.3). */
export function refundNotificationView(refund: Refund, mchid: string): Record<string, unknown> {
  return {
    mchid,
    transaction_id: refund.transactionId,
    out_trade_no: refund.outTradeNo,
    refund_id: refund.refundId,
    out_refund_no: refund.outRefundNo,
    refund_status: refund.status,
    ...(refund.successTimeMs !== undefined ? { success_time: rfc3339Cst(refund.successTimeMs) } : {}),
    user_received_account: '支付用户零钱',
    amount: {
      total: refund.totalFen,
      refund: refund.refundFen,
      payer_total: refund.totalFen,
      payer_refund: refund.refundFen,
    },
  };
}
