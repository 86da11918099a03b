/** Refunds as the patient and the cashier see them: split by fund, with the state of each leg. */
import { In, type DataSource, type EntityManager } from 'typeorm';
import type { RefundLegView, RefundView } from '../../../shared/api';
import type { Split } from '../../../shared/money';
import { REFUND_LEG_KINDS } from '../../domain/refunds';
import { RefundLegRow, RefundRow } from '../../db/refundEntities';

export function refundSplitOf(row: RefundRow): Split {
  return { total: row.totalFen, fund: row.fundFen, account: row.accountFen, cash: row.cashFen };
}

/** Legs in a fixed order: cash, insurance, HIS. */
export function legViews(legs: readonly RefundLegRow[]): RefundLegView[] {
  return [...legs]
    .sort((a, b) => REFUND_LEG_KINDS.indexOf(a.kind) - REFUND_LEG_KINDS.indexOf(b.kind))
    .map((l) => ({ kind: l.kind, amount: l.amountFen, status: l.status }));
}

export function refundView(row: RefundRow, legs: readonly RefundLegRow[]): RefundView {
  return {
    id: row.id,
    refundNo: row.refundNo,
    status: row.status,
    reason: row.reason,
    split: refundSplitOf(row),
    legs: legViews(legs),
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt?.toISOString(),
  };
}

/** The refunds of some orders, oldest first per order; orders without refunds map to []. */
export async function refundViewsOf(
  db: DataSource | EntityManager,
  orderIds: readonly string[],
): Promise<Map<string, RefundView[]>> {
  const byOrder = new Map<string, RefundView[]>(orderIds.map((id) => [id, []]));
  if (orderIds.length === 0) return byOrder;
  const refunds = await db
    .getRepository(RefundRow)
    .find({ where: { orderId: In([...orderIds]) }, order: { sequence: 'ASC' } });
  if (refunds.length === 0) return byOrder;
  const legs = await db
    .getRepository(RefundLegRow)
    .find({ where: { refundId: In(refunds.map((r) => r.id)) } });
  for (const refund of refunds) {
    const view = refundView(
      refund,
      legs.filter((l) => l.refundId === refund.id),
    );
    byOrder.get(refund.orderId)?.push(view);
  }
  return byOrder;
}
