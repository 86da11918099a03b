import type { OrderView, OrdersQuery, RefundRequestView, RefundView } from '../../../shared/api';
import { mixPayTypeOf } from '../../../shared/money';
import { And, In, IsNull, LessThan, MoreThanOrEqual, type FindOptionsWhere } from 'typeorm';
import { OrderEventRow, OrderRow, PatientRow } from '../../db/entities';
import { AppError } from '../errors';
import { splitOf } from './split';
import { patientTimeline } from '../../domain/patientTimeline';
import { canPatientPay, mayHoldRefunds, patientActions, type OrderFacts } from '../../domain/orderPolicy';
import { cstMonthRange, orderOutcome, statusesOfGroup } from '../../domain/orderGroups';
import { refundViewsOf } from '../refund/views';
import { refundRequestViewsOf } from '../refund/requests';
import type { Deps } from '../deps';

/** The facts the order policy decides on: every refund counts against what is left, failed ones too. */
export function orderFacts(
  row: OrderRow,
  refunds: readonly RefundView[],
  requests: readonly RefundRequestView[] | undefined,
): OrderFacts {
  return {
    status: row.status,
    totalFen: row.totalFen,
    refundedOrClaimedFen: refunds
      .filter((r) => r.status !== 'REJECTED')
      .reduce((sum, r) => sum + r.split.total, 0),
    pendingRequest: (requests ?? []).some((r) => r.status === 'PENDING'),
    refundAwaitingApproval: refunds.some((r) => r.status === 'AWAITING_APPROVAL'),
    riskHeld: row.riskHold !== null,
  };
}

/** `patientName`: the card's masked name, as the patient's card list shows it. */
export function orderView(
  row: OrderRow,
  patientName: string,
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
    patientName,
    dept: row.dept ?? undefined,
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
          orderOutcome(row),
        )
      : undefined,
    allowedActions: patientActions(orderFacts(row, refunds, refundRequests)),
    outcome: orderOutcome(row),
    heldForReview: row.riskHold === 'REVIEW' && canPatientPay(row.status) ? true : undefined,
    stepUpRequired: row.riskHold === 'STEP_UP' && canPatientPay(row.status) ? true : undefined,
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
  // the card may have been unbound since: the order still names it
  const card = await deps.db.getRepository(PatientRow).findOneBy({ id: row.patientId, openid });
  const events = await deps.db
    .getRepository(OrderEventRow)
    .find({ where: { orderId }, order: { id: 'ASC' } });
  const withRefunds = mayHoldRefunds(row.status) ? [row.id] : [];
  const refunds = await refundViewsOf(deps.db, withRefunds);
  const requests = await refundRequestViewsOf(deps, withRefunds);
  return orderView(row, card?.nameMasked ?? '', events, refunds.get(row.id), requests.get(row.id) ?? []);
}

/**
 * The caller's orders, newest first, at most LIST_PAGE_MAX, optionally of one card, one status group and one
 * month (China time). A patientId that is not one of the caller's bound cards matches nothing.
 */
export async function listOrders(deps: Deps, openid: string, query: OrdersQuery = {}): Promise<OrderView[]> {
  // an unbound card's orders stay for the hospital, out of the patient's list
  const cards = await deps.db.getRepository(PatientRow).find({
    select: { id: true, nameMasked: true },
    where: { openid, unboundAt: IsNull() },
  });
  const names = new Map(cards.map((c) => [c.id, c.nameMasked]));
  const patientIds = query.patientId ? [query.patientId].filter((id) => names.has(id)) : [...names.keys()];
  if (patientIds.length === 0) return [];
  const where: FindOptionsWhere<OrderRow> = { openid, patientId: In(patientIds) };
  if (query.status) where.status = In(statusesOfGroup(query.status));
  if (query.month) {
    const { fromMs, toMs } = cstMonthRange(query.month);
    where.createdAt = And(MoreThanOrEqual(new Date(fromMs)), LessThan(new Date(toMs)));
  }
  const rows = await deps.db.getRepository(OrderRow).find({
    where,
    order: { createdAt: 'DESC' },
    take: deps.settings.LIST_PAGE_MAX,
  });
  const ids = rows.filter((r) => mayHoldRefunds(r.status)).map((r) => r.id);
  const refunds = await refundViewsOf(deps.db, ids);
  const requests = await refundRequestViewsOf(deps, ids);
  return rows.map((r) =>
    orderView(r, names.get(r.patientId) ?? '', undefined, refunds.get(r.id), requests.get(r.id) ?? []),
  );
}
