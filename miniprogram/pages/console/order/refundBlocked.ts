/** Why the refund form is not offered, in the cashier's words; the server decides that it is not (allowedActions). */
import type { OrderStatusName } from '../../../../shared/api';

const BLOCKED: Record<OrderStatusName, string> = {
  CREATED: '患者尚未支付，没有可退的款项。',
  PRESETTLED: '患者尚未支付，没有可退的款项。',
  AWAITING_PAYMENT: '患者尚未完成支付，没有可退的款项。',
  UNKNOWN: '支付结果尚待确认，确认后才能退款。',
  PAID: '已支付、医院尚未确认收费，确认收费后才能退款。',
  COMPLETED: '可退金额已被此前的退款占用（含未成功的退款，需人工核实），不能再退款。',
  PARTIALLY_REFUNDED: '可退金额已被此前的退款占用（含未成功的退款，需人工核实），不能再退款。',
  CANCELLED: '订单已取消，没有收款，无需退款。',
  EXPIRED: '订单已过期，没有收款，无需退款。',
  PAYMENT_FAILED: '支付未成功，没有收款，无需退款。',
  REFUNDING: '退款处理中，完成后才能再次退款。',
  REFUNDED: '已全额退款。',
};

export function refundBlockedReason(
  status: OrderStatusName,
  remainingFen: number,
  awaitingApproval = false,
): string {
  if (awaitingApproval) return '有一笔退款正在等待主管审批，审批或驳回后才能再退款。';
  if (remainingFen <= 0 && status !== 'REFUNDING') return '已全额退款。';
  return BLOCKED[status];
}
