/**
 * What a cashier does about a discrepancy row: resolve it with a reason, retry the HIS confirm of a paid order,
 * post the missing order to the HIS (补单, after a preview), or refund. Every action is audited and recorded on
 * the row; a row is claimed (resolution set under `WHERE resolution IS NULL`) before anything moves, so two
 * people acting on one row at once cannot both act; a money-moving action that fails gives the row back.
 * Re-running the date afterwards shows whether the action worked: nothing here edits a run's classification.
 */
import type { EntityManager } from 'typeorm';
import type { PostMissingPreview, ReconRowAction, ReconRowView } from '../../../shared/api';
import { OrderRow } from '../../db/entities';
import { enqueue, reviveJob } from '../../db/outbox';
import type { StoredResolution } from '../../db/recon/json';
import { claimReconRow, releaseReconRow, type RowRecord } from '../../db/recon/rows';
import { StateConflict, transitionOrder } from '../../db/orders';
import { channelMoney } from '../../domain/reconciliation';
import { recordAudit } from '../console/audit';
import { AppError } from '../errors';
import { hisChargeOf } from '../payment/hisConfirm';
import { splitOf } from '../order/split';
import { requestRefund } from '../refund/refunds';
import { isClosedUnpaid } from '../../domain/orderPolicy';
import { latePaymentRefundNo } from '../payment/late';
import { queryOrder } from '../payment/query';
import type { Deps } from '../deps';
import type { ReconActor } from './runs';
import { actionsOf, loadRow, rowView } from './rows';

function assertOffers(row: RowRecord, action: ReconRowAction): void {
  if (row.closed) throw new AppError('DAY_CLOSED', `${row.date} 已日结，记录不能再修改。`);
  if (row.resolution) throw new AppError('RECON_ACTION_NOT_ALLOWED', '这条对账记录已经处理过了。');
  if (!actionsOf(row).includes(action)) {
    throw new AppError('RECON_ACTION_NOT_ALLOWED', '这条对账记录现在不能这样处理，请刷新后查看。');
  }
}

/** Sets the row's resolution if nobody has; false when someone did first. */
async function claim(
  m: EntityManager | Deps['db'],
  rowId: string,
  resolution: StoredResolution,
): Promise<boolean> {
  return claimReconRow(m, rowId, resolution);
}

async function release(deps: Deps, rowId: string): Promise<void> {
  await releaseReconRow(deps.db, rowId);
}

function audit(
  deps: Deps,
  actor: ReconActor,
  action: string,
  row: RowRecord,
  details: Record<string, unknown>,
  m?: EntityManager,
) {
  return recordAudit(
    deps,
    {
      actor: actor.username,
      role: actor.role,
      action,
      target: row.id,
      details: {
        runId: row.run_id,
        orderNo: row.order_no,
        refundNo: row.refund_no,
        kind: row.kind,
        ...details,
      },
      requestId: actor.requestId ?? null,
    },
    m,
  );
}

const resolutionOf = (
  deps: Deps,
  action: ReconRowAction,
  actor: ReconActor,
  reason: string,
): StoredResolution => ({
  action,
  by: actor.username,
  reason,
  at: new Date(deps.clock.now()).toISOString(),
});

const lostRace = () => new AppError('RECON_ACTION_NOT_ALLOWED', '另一位同事刚刚处理了这条记录，请刷新查看。');

export async function resolveRow(
  deps: Deps,
  rowId: string,
  reason: string,
  actor: ReconActor,
): Promise<ReconRowView> {
  const row = await loadRow(deps, rowId);
  assertOffers(row, 'resolve');
  await deps.db.transaction(async (m) => {
    if (!(await claim(m, rowId, resolutionOf(deps, 'resolve', actor, reason)))) throw lostRace();
    await audit(deps, actor, 'recon_row.resolve', row, { reason }, m);
  });
  return rowView(await loadRow(deps, rowId));
}

/** The HIS confirm of a PAID order goes back into the outbox (a DEAD job is revived, a missing one queued). */
export async function retryHisConfirm(deps: Deps, rowId: string, actor: ReconActor): Promise<ReconRowView> {
  const row = await loadRow(deps, rowId);
  assertOffers(row, 'retry-his-confirm');
  const orderId = row.order_id as string;
  const now = new Date(deps.clock.now());
  await deps.db.transaction(async (m) => {
    if (!(await claim(m, rowId, resolutionOf(deps, 'retry-his-confirm', actor, '重试 HIS 缴费确认'))))
      throw lostRace();
    const dedupeKey = `his_confirm:${orderId}`;
    if (!(await reviveJob(m, dedupeKey, now)))
      await enqueue(m, 'his_confirm', `${dedupeKey}:retry:${rowId}`, orderId, {}, now);
    await audit(deps, actor, 'recon_row.retry_his_confirm', row, { orderId }, m);
  });
  deps.kickJobs?.();
  return rowView(await loadRow(deps, rowId));
}

async function postableOrder(deps: Deps, row: RowRecord): Promise<OrderRow> {
  assertOffers(row, 'post-missing');
  return deps.db.getRepository(OrderRow).findOneByOrFail({ id: row.order_id as string });
}

export async function postMissingPreview(deps: Deps, rowId: string): Promise<PostMissingPreview> {
  const row = await loadRow(deps, rowId);
  const order = await postableOrder(deps, row);
  const split = splitOf(order);
  return {
    rowId,
    orderId: order.id,
    orderNo: order.orderNo,
    orderStatus: order.status,
    billNos: order.billNos,
    split,
    transactionId: order.transactionId ?? undefined,
    setlId: order.setlId ?? undefined,
    effect:
      `向 HIS 补记缴费：订单 ${order.orderNo}，账单 ${order.billNos.join('、')}，` +
      `渠道已收 ${channelMoney(row.sides)} 分` +
      (order.status === 'PAID' ? '；本系统订单随后记为已完成' : ''),
  };
}

/** 补单: the HIS charge is confirmed for the order (idempotent at the HIS by order number). */
export async function postMissing(
  deps: Deps,
  rowId: string,
  reason: string,
  actor: ReconActor,
): Promise<ReconRowView> {
  const row = await loadRow(deps, rowId);
  const order = await postableOrder(deps, row);
  if (!(await claim(deps.db, rowId, resolutionOf(deps, 'post-missing', actor, reason)))) throw lostRace();
  let receiptNo: string;
  try {
    ({ receiptNo } = await deps.his.confirmCharge(hisChargeOf(order)));
  } catch (err) {
    await release(deps, rowId);
    throw err;
  }
  const at = new Date(deps.clock.now());
  await deps.db.transaction(async (m) => {
    if (order.status === 'PAID') {
      try {
        await transitionOrder(
          m,
          order.id,
          ['PAID'],
          'COMPLETED',
          { receiptNo, completedAt: at },
          {
            actor: actor.username,
            reason: `补单: ${reason}`,
            externalRef: receiptNo,
            at,
          },
        );
      } catch (err) {
        if (!(err instanceof StateConflict)) throw err; // completed meanwhile by the outbox: same receipt
      }
    }
    await audit(deps, actor, 'recon_row.post_missing', row, { orderId: order.id, receiptNo, reason }, m);
  });
  return rowView(await loadRow(deps, rowId));
}

/**
 * Money taken for an order we closed, that no callback announced (the janitor asks only about open orders): ask
 * WeChat Pay now; a payment it confirms is recorded as a late payment and given back whole through the outbox
 * (services/payment/late.ts). Nothing moves on the bill's word alone.
 */
async function returnLatePayment(deps: Deps, row: RowRecord, input: { amount?: number }): Promise<string> {
  if (input.amount !== undefined) {
    throw new AppError('VALIDATION_FAILED', '已关闭订单的款项只能全额退回，请不要填写金额。');
  }
  const order = await deps.db.getRepository(OrderRow).findOneByOrFail({ id: row.order_id as string });
  const verdict = await queryOrder(deps, order);
  if (verdict.kind !== 'late') {
    throw new AppError('RECON_ACTION_NOT_ALLOWED', `微信支付查不到订单 ${order.orderNo} 需要退回的款项。`);
  }
  deps.kickJobs?.();
  return latePaymentRefundNo(order.orderNo);
}

export async function refundRow(
  deps: Deps,
  rowId: string,
  input: { amount?: number; reason: string },
  actor: ReconActor,
): Promise<ReconRowView> {
  const row = await loadRow(deps, rowId);
  assertOffers(row, 'refund');
  if (!(await claim(deps.db, rowId, resolutionOf(deps, 'refund', actor, input.reason)))) throw lostRace();
  if (row.order_status !== null && isClosedUnpaid(row.order_status)) {
    let refundNo: string;
    try {
      refundNo = await returnLatePayment(deps, row, input);
    } catch (err) {
      await release(deps, rowId);
      throw err;
    }
    await audit(deps, actor, 'recon_row.return_late_payment', row, { refundNo, reason: input.reason });
    return rowView(await loadRow(deps, rowId));
  }
  let refundId: string;
  try {
    ({ id: refundId } = await requestRefund(deps, row.order_id as string, {
      amount: input.amount,
      reason: `对账差错退款: ${input.reason}`,
      actor: actor.username,
      role: actor.role,
    }));
  } catch (err) {
    await release(deps, rowId);
    throw err;
  }
  await audit(deps, actor, 'recon_row.refund', row, {
    refundId,
    amount: input.amount ?? 'rest',
    reason: input.reason,
  });
  return rowView(await loadRow(deps, rowId));
}
