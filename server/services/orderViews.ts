import type { OrderView, RefundRequestView, RefundView } from '../../shared/api';
import { mixPayTypeOf } from '../../shared/money';
import { In, IsNull } from 'typeorm';
import { OrderEventRow, OrderRow, PatientRow } from '../db/entities';
import { AppError } from './errors';
import { splitOf } from './orderSplit';
import { patientTimeline } from '../domain/patientTimeline';
import { refundViewsOf } from './refundViews';
import { refundRequestViewsOf } from './refundRequests';
import type { Deps } from './deps';

export function orderView(
  row: OrderRow,
  events?: OrderEventRow[],
  refunds: RefundView[] = [],
  refundRequests?: RefundRequestView[],
): OrderView {
  const split = splitOf(row);
  return {
    id: row.id,
    orderNo: row.orderNo,
    status: row.status,
    patientId: row.patientId,
    billNos: row.billNos,
    useInsurance: row.useInsurance,
    mixPayType: mixPayTypeOf(split),
    split,
    receiptNo: row.receiptNo ?? undefined,
    outTradeNo: row.prepayId || row.mixTradeNo ? row.orderNo : undefined,
    mixTradeNo: row.mixTradeNo ?? undefined,
    transactionId: row.transactionId ?? undefined,
    createdAt: row.createdAt.toISOString(),
    paidAt: row.paidAt?.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    refunds,
    refundRequests,
    timeline: events
      ? patientTimeline(
          events.map((e) => ({ from: e.fromStatus, to: e.toStatus, at: e.createdAt.toISOString() })),
          row.useInsurance,
        )
      : undefined,
  };
}

/** The caller's own order, or 404 — another user's order is indistinguishable from none. */
export async function ownOrder(deps: Deps, openid: string, orderId: string): Promise<OrderRow> {
  const row = await deps.db.getRepository(OrderRow).findOneBy({ id: orderId, openid });
  if (!row) throw new AppError('ORDER_NOT_FOUND', '没有找到这笔订单，请返回订单列表。');
  return row;
}

export async function getOrder(deps: Deps, openid: string, orderId: string): Promise<OrderView> {
  const row = await ownOrder(deps, openid, orderId);
  const events = await deps.db
    .getRepository(OrderEventRow)
    .find({ where: { orderId }, order: { id: 'ASC' } });
  const refunds = await refundViewsOf(deps.db, [row.id]);
  const requests = await refundRequestViewsOf(deps, [row.id]);
  return orderView(row, events, refunds.get(row.id), requests.get(row.id));
}

export async function listOrders(deps: Deps, openid: string): Promise<OrderView[]> {
  // an unbound card's orders stay for the hospital, out of the patient's list
  const cards = await deps.db.getRepository(PatientRow).find({
    select: { id: true },
    where: { openid, unboundAt: IsNull() },
  });
  if (cards.length === 0) return [];
  const rows = await deps.db.getRepository(OrderRow).find({
    where: { openid, patientId: In(cards.map((c) => c.id)) },
    order: { createdAt: 'DESC' },
    take: deps.settings.LIST_PAGE_MAX,
  });
  const ids = rows.map((r) => r.id);
  const refunds = await refundViewsOf(deps.db, ids);
  const requests = await refundRequestViewsOf(deps, ids);
  return rows.map((r) => orderView(r, undefined, refunds.get(r.id), requests.get(r.id)));
}
