/**
 * Refunds end to end (DESIGN 5, 6.9). A cashier asks for a refund; under the order's row lock, in one
 * transaction, what is left is recomputed from the refunds table, allocated over the legs (domain/refunds.ts),
 * and the refund, its legs and the outbox jobs of its money legs are written while the order goes REFUNDING.
 *
 * Legs: cash (WeChat refund) and insurance (6203) run independently. Once both money legs have succeeded, the
 * job of the one that finished last tells WeChat's med-ins order of the insurance refund (POST
 * /v3/med-ins/refunds/notify, for orders paid through it): after the self-pay refund, under the same
 * out_refund_no, with refund_time = the moment 6203 succeeded (the insurance leg's completed_at), as WeChat's
 * 开发参数与业务规则 §七 orders it. Then the HIS leg is queued, so the HIS never records a refund whose money has
 * not gone back nor WeChat been told of. A notice that fails is retried with that money leg's job (the leg stays
 * SUCCEEDED; only what follows it is repeated) and ends DEAD if it keeps failing. When every leg has succeeded,
 * one short transaction marks the refund SUCCEEDED, appends the ledger posting, adds to orders.refunded_fen and
 * moves the order to REFUNDED or PARTIALLY_REFUNDED.
 *
 * Failures: a leg whose call fails is retried by the outbox with backoff; after OUTBOX_ATTEMPTS_MAX the job
 * is DEAD and the refund stays PROCESSING (the order REFUNDING), visible to the cashier. Only a final refusal
 * by the party (WeChat CLOSED/ABNORMAL, 6203 FAILED, a rejected request) seen on the last attempt marks the leg
 * and the refund FAILED; the order then stays REFUNDING for a person to resolve, and the refund's amount stays
 * reserved (it counts against what is left), since some of its legs may have moved money.
 */
import { fenToYuan } from '../../../shared/money';
import { orderStatusZh } from '../../../shared/messages';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { RefundCreatedView, RefundView } from '../../../shared/api';
import type { Split } from '../../../shared/money';
import { refundPosting } from '../../domain/ledger';
import {
  REFUND_LEG_KINDS,
  REFUNDS_PER_ORDER_MAX,
  allocateRefund,
  assertRefundTransition,
  isMoneyLeg,
  legsOf,
  refundNoOf,
  sumSplits,
  type RefundLegKind,
  type RefundStatus,
  claimsMoney,
  needsApproval,
} from '../../domain/refunds';
import { REFUNDABLE } from '../../domain/orderPolicy';
import { OrderRow } from '../../db/entities';
import { appendPosting } from '../../db/ledger';
import { transitionOrder } from '../../db/orders';
import { enqueue, isQueued, nudgeJob } from '../../db/outbox';
import { lockRefundFollowUp, recordRefundDecision } from '../../db/refunds';
import { checkRefundRisk } from '../risk/checks';
import { markLegFailed, markLegSucceeded, moveRefundRow } from '../../db/refunds';
import { RefundLegRow, RefundRow } from '../../db/refundEntities';
import { GatewayError } from '../../gateways/ports';
import { AppError } from '../errors';
import { splitOf } from '../order/split';
import { callLeg, needsMedInsRefundNotice, sendMedInsRefundNotice, type LegOutcome } from './legs';
import { legViews, refundSplitOf, refundView } from './views';
import type { Deps } from '../deps';
import { tellRefundFinished } from '../notify/events';

export interface RefundInput {
  /** fen; absent = everything left of the order */
  amount?: number;
  reason: string;
  /** who asked (the cashier's username) */
  actor: string;
  /** the asker's console role: a cashier's refund above REFUND_APPROVAL_THRESHOLD_FEN waits for a supervisor */
  role: string;
  /** the patient's refund request it is made for: a second call for the same request returns the first refund */
  requestId?: string;
}

const legKey = (refundNo: string, kind: RefundLegKind) => `refund_leg:${refundNo}:${kind}`;

async function lockOrder(m: EntityManager, orderId: string): Promise<OrderRow> {
  const order = await m
    .getRepository(OrderRow)
    .findOne({ where: { id: orderId }, lock: { mode: 'pessimistic_write' } });
  if (!order) throw new AppError('ORDER_NOT_FOUND', '没有找到这笔订单。');
  return order;
}

async function lockRefund(m: EntityManager, refundId: string): Promise<RefundRow> {
  return m
    .getRepository(RefundRow)
    .findOneOrFail({ where: { id: refundId }, lock: { mode: 'pessimistic_write' } });
}

/** What a refund of `amountFen` would give back by leg, and what would be left after it. */
export interface RefundCheck {
  split: Split;
  leftAfter: number;
}

/**
 * Whether a refund of `amountFen` (absent: everything left) may start on this order now, and its split; throws
 * the error the cashier reads otherwise. `earlier` is every refund of the order, failed ones too.
 */
export function checkRefund(order: OrderRow, earlier: readonly RefundRow[], amountFen?: number): RefundCheck {
  if (![...REFUNDABLE, 'REFUNDING', 'REFUNDED'].includes(order.status))
    throw new AppError('REFUND_NOT_ALLOWED', `订单当前为“${orderStatusZh(order.status)}”，不能退款。`);
  const claiming = earlier.filter((r) => claimsMoney(r.status));
  const refunded = sumSplits(claiming.map(refundSplitOf));
  const allocation = allocateRefund(splitOf(order), refunded, amountFen);
  if (!allocation.ok) {
    const left = allocation.code === 'REFUND_EXCEEDS_PAID' ? allocation.leftFen : 0;
    throw new AppError('REFUND_EXCEEDS_PAID', `这笔订单最多还可退 ${fenToYuan(left)} 元。`, {
      leftFen: left,
    });
  }
  if (!REFUNDABLE.includes(order.status))
    throw new AppError('REFUND_NOT_ALLOWED', '这笔订单正在退款，请等退款完成后再操作。');
  if (earlier.some((r) => r.status === 'AWAITING_APPROVAL'))
    throw new AppError('REFUND_NOT_ALLOWED', '这笔订单有一笔退款正在等待主管审批，请先审批或驳回。');
  if (earlier.length >= REFUNDS_PER_ORDER_MAX)
    throw new AppError('REFUND_NOT_ALLOWED', `一笔订单最多退款 ${REFUNDS_PER_ORDER_MAX} 次。`);
  return { split: allocation.split, leftAfter: order.totalFen - refunded.total - allocation.split.total };
}

/** The refund a cashier is about to confirm, as checkRefund sees it now: nothing is written. */
export async function previewRefund(deps: Deps, orderId: string, amountFen?: number): Promise<RefundCheck> {
  const order = await deps.db.getRepository(OrderRow).findOneBy({ id: orderId });
  if (!order) throw new AppError('ORDER_NOT_FOUND', '没有找到这笔订单。');
  const earlier = await deps.db.getRepository(RefundRow).find({ where: { orderId } });
  return checkRefund(order, earlier, amountFen);
}

export async function requestRefund(
  deps: Deps,
  orderId: string,
  input: RefundInput,
): Promise<RefundCreatedView> {
  const at = new Date(deps.clock.now());
  const created = await deps.db.transaction(async (m) => {
    const order = await lockOrder(m, orderId);
    if (input.requestId) {
      const made = await m.getRepository(RefundRow).findOneBy({ orderId, refundRequestId: input.requestId });
      if (made) {
        const legs = await m.getRepository(RefundLegRow).findBy({ refundId: made.id });
        return { id: made.id, status: made.status, legs: legViews(legs) };
      }
    }
    // what is left comes from the refunds table, read under the order lock; every refund counts, failed too
    const earlier = await m.getRepository(RefundRow).find({ where: { orderId } });
    const { split } = checkRefund(order, earlier, input.amount);
    const risk = await checkRefundRisk(deps, m, { cashier: input.actor, orderId, paidAt: order.paidAt });
    // four eyes for a large refund, and for one the risk rules want a person to look at
    const awaiting =
      needsApproval(input.role, split.total, deps.settings.REFUND_APPROVAL_THRESHOLD_FEN) ||
      risk.decision !== 'allow';
    const refund = m.getRepository(RefundRow).create({
      id: randomUUID(),
      orderId,
      refundNo: refundNoOf(order.orderNo, earlier.length + 1),
      sequence: earlier.length + 1,
      status: awaiting ? 'AWAITING_APPROVAL' : 'REQUESTED',
      reason: input.reason,
      actor: input.actor,
      refundRequestId: input.requestId ?? null,
      totalFen: split.total,
      fundFen: split.fund,
      accountFen: split.account,
      cashFen: split.cash,
      createdAt: at,
      updatedAt: at,
      completedAt: null,
      decidedBy: null,
      decidedAt: null,
      decisionReason: null,
    });
    await m.getRepository(RefundRow).insert(refund);
    const legs = legsOf(split).map((l) =>
      m.getRepository(RefundLegRow).create({
        refundId: refund.id,
        kind: l.kind,
        amountFen: l.amountFen,
        status: 'PENDING',
        externalRef: null,
        lastError: null,
        updatedAt: at,
        completedAt: null,
      }),
    );
    await m.getRepository(RefundLegRow).insert(legs);
    // waiting for a supervisor: nothing moves, and the order stays as it is until the refund is approved
    if (!awaiting) await startRefund(m, refund, legs, input.actor, `refund requested: ${input.reason}`, at);
    return { id: refund.id, status: refund.status, legs: legViews(legs) };
  });
  deps.kickJobs?.();
  return created;
}

/** The order goes REFUNDING and the money legs are queued, in the caller's transaction (order locked). */
async function startRefund(
  m: EntityManager,
  refund: RefundRow,
  legs: readonly RefundLegRow[],
  actor: string,
  reason: string,
  at: Date,
): Promise<void> {
  await transitionOrder(
    m,
    refund.orderId,
    REFUNDABLE,
    'REFUNDING',
    {},
    {
      actor,
      reason,
      externalRef: refund.refundNo,
      at,
    },
  );
  for (const leg of legs.filter((l) => isMoneyLeg(l.kind)))
    await enqueue(
      m,
      'refund_leg',
      legKey(refund.refundNo, leg.kind),
      refund.orderId,
      { refundId: refund.id, kind: leg.kind },
      at,
    );
}

export interface Approver {
  username: string;
  role: string;
}

/** The refund awaiting approval, with its order locked; the errors a supervisor reads otherwise. */
async function awaitingRefund(
  m: EntityManager,
  refundId: string,
): Promise<{ refund: RefundRow; order: OrderRow }> {
  const found = await m.getRepository(RefundRow).findOneBy({ id: refundId });
  if (!found) throw new AppError('NOT_FOUND', '没有找到这笔退款。');
  const order = await lockOrder(m, found.orderId);
  const refund = await lockRefund(m, refundId);
  if (refund.status !== 'AWAITING_APPROVAL')
    throw new AppError('REFUND_NOT_ALLOWED', '这笔退款不在待审批状态，可能已被其他主管处理，请刷新。');
  return { refund, order };
}

/** A supervisor approves a cashier's large refund: it starts as if made now. Never one's own refund. */
export async function approveRefund(deps: Deps, refundId: string, by: Approver): Promise<RefundCreatedView> {
  const at = new Date(deps.clock.now());
  const view = await deps.db.transaction(async (m) => {
    const { refund, order } = await awaitingRefund(m, refundId);
    if (refund.actor === by.username)
      throw new AppError('FORBIDDEN', '不能审批自己发起的退款，请另一位主管审批。');
    if (!REFUNDABLE.includes(order.status))
      throw new AppError('REFUND_NOT_ALLOWED', '这笔订单正在退款，请等退款完成后再审批。');
    await moveRefund(m, refund.id, 'AWAITING_APPROVAL', 'REQUESTED', at.getTime());
    await recordRefundDecision(m, refund.id, by.username, null, at);
    const legs = await m.getRepository(RefundLegRow).findBy({ refundId });
    await startRefund(m, refund, legs, by.username, `refund approved: ${refund.reason}`, at);
    return { id: refund.id, status: 'REQUESTED' as const, legs: legViews(legs) };
  });
  deps.kickJobs?.();
  return view;
}

/** A supervisor turns a large refund down: nothing moved, the amount is free again; the reason is kept. */
export async function rejectRefund(
  deps: Deps,
  refundId: string,
  by: Approver,
  reason: string,
): Promise<RefundCreatedView> {
  const at = new Date(deps.clock.now());
  return deps.db.transaction(async (m) => {
    const { refund } = await awaitingRefund(m, refundId);
    await moveRefund(m, refund.id, 'AWAITING_APPROVAL', 'REJECTED', at.getTime());
    await recordRefundDecision(m, refund.id, by.username, reason, at);
    const legs = await m.getRepository(RefundLegRow).findBy({ refundId });
    return { id: refund.id, status: 'REJECTED' as const, legs: legViews(legs) };
  });
}

export async function getRefund(deps: Deps, refundId: string): Promise<RefundView> {
  const refund = await deps.db.getRepository(RefundRow).findOneBy({ id: refundId });
  if (!refund) throw new AppError('NOT_FOUND', '没有找到这笔退款。');
  const legs = await deps.db.getRepository(RefundLegRow).findBy({ refundId });
  return refundView(refund, legs);
}

function parseLegPayload(payload: Record<string, unknown>): { refundId: string; kind: RefundLegKind } {
  const { refundId, kind } = payload;
  if (typeof refundId !== 'string' || !REFUND_LEG_KINDS.includes(kind as RefundLegKind))
    throw new Error(`bad refund_leg payload ${JSON.stringify(payload)}`);
  return { refundId, kind: kind as RefundLegKind };
}

/**
 * Outbox handler of one leg. Returns when the leg is done (now or earlier); throws to be retried. `final` is
 * true on the last attempt the outbox will make.
 */
export async function runRefundLeg(
  deps: Deps,
  payload: Record<string, unknown>,
  final: boolean,
): Promise<void> {
  const { refundId, kind } = parseLegPayload(payload);
  const refund = await deps.db.getRepository(RefundRow).findOneByOrFail({ id: refundId });
  const leg = await deps.db.getRepository(RefundLegRow).findOneByOrFail({ refundId, kind });
  if (refund.status === 'SUCCEEDED' || refund.status === 'FAILED') return;
  if (leg.status !== 'PENDING') {
    // recorded by an earlier attempt whose follow-up (the med-ins notice, the HIS leg) may not have happened
    if (leg.status === 'SUCCEEDED' && isMoneyLeg(kind)) await afterMoneyLegs(deps, refundId);
    return;
  }
  const order = await deps.db.getRepository(OrderRow).findOneByOrFail({ id: refund.orderId });
  if (refund.status === 'REQUESTED')
    await moveRefund(deps.db.manager, refund.id, 'REQUESTED', 'PROCESSING', deps.clock.now());

  let outcome: LegOutcome;
  try {
    outcome = await callLeg(deps, order, refund, leg);
  } catch (err) {
    if (!(final && err instanceof GatewayError && err.kind === 'rejected')) throw err;
    outcome = { kind: 'refused', message: `${err.party} refused: ${err.partyCode ?? ''} ${err.message}` };
  }
  switch (outcome.kind) {
    case 'succeeded':
      await legSucceeded(deps, refund.id, kind, outcome.ref);
      if (isMoneyLeg(kind)) await afterMoneyLegs(deps, refund.id);
      return;
    case 'pending':
      throw new Error(outcome.message);
    case 'refused':
      if (!final) throw new Error(outcome.message);
      return legFailed(deps, refund.id, kind, outcome.message);
  }
}

async function moveRefund(
  m: EntityManager,
  refundId: string,
  from: RefundStatus,
  to: RefundStatus,
  atMs: number,
): Promise<boolean> {
  assertRefundTransition(from, to);
  return moveRefundRow(m, refundId, from, to, new Date(atMs));
}

/**
 * Records a leg's success; its completed_at is the party's success as we saw it (for the insurance leg, the
 * refund_time of the med-ins notice). The last leg to succeed completes the refund; what follows the money legs
 * is afterMoneyLegs, outside this transaction.
 */
async function legSucceeded(deps: Deps, refundId: string, kind: RefundLegKind, ref: string): Promise<void> {
  const at = new Date(deps.clock.now());
  await deps.db.transaction(async (m) => {
    // the same lock order as requestRefund: the order, then the refund
    const refund0 = await m.getRepository(RefundRow).findOneByOrFail({ id: refundId });
    const order = await lockOrder(m, refund0.orderId);
    const refund = await lockRefund(m, refundId);
    if (!(await markLegSucceeded(m, refundId, kind, ref, at))) return; // another worker recorded it first
    const legs = await m.getRepository(RefundLegRow).findBy({ refundId });
    if (!legs.every((l) => l.status === 'SUCCEEDED')) return;
    await completeRefund(m, order, refund, at);
    await tellRefundFinished(deps, m, order, refund, true);
  });
}

/**
 * Once every money leg has succeeded: the med-ins refund notice (orders paid through WeChat's med-ins order),
 * then the HIS leg is queued. The two money legs may finish at the same moment (the outbox works jobs in
 * parallel, and so do instances): the follow-up runs under a transaction-scoped advisory lock of the refund, so
 * the second to arrive finds the HIS leg queued and tells WeChat nothing. The lock is the refund's alone and is
 * held for one bounded outside call (the gateway's timeout). A failed notice throws: nothing is queued, the lock
 * goes with the rolled-back transaction, and the money leg's job is retried.
 */
async function afterMoneyLegs(deps: Deps, refundId: string): Promise<void> {
  await deps.db.transaction(async (m) => {
    await lockRefundFollowUp(m, refundId);
    const refund = await m.getRepository(RefundRow).findOneByOrFail({ id: refundId });
    if (refund.status !== 'PROCESSING') return;
    const legs = await m.getRepository(RefundLegRow).findBy({ refundId });
    if (!legs.filter((l) => isMoneyLeg(l.kind)).every((l) => l.status === 'SUCCEEDED')) return;
    if (legs.find((l) => l.kind === 'his')?.status !== 'PENDING') return;
    const hisKey = legKey(refund.refundNo, 'his');
    if (await isQueued(m, hisKey)) return;
    const order = await m.getRepository(OrderRow).findOneByOrFail({ id: refund.orderId });
    if (needsMedInsRefundNotice(order, legs)) {
      try {
        await sendMedInsRefundNotice(deps, order, refund, legs);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new Error(`med-ins refund notice of ${refund.refundNo}: ${message}`, { cause: err });
      }
    }
    await enqueue(m, 'refund_leg', hisKey, order.id, { refundId, kind: 'his' }, new Date(deps.clock.now()));
  });
  deps.kickJobs?.();
}

/** Every leg succeeded: the refund, the ledger, refunded_fen and the order move together. */
async function completeRefund(m: EntityManager, order: OrderRow, refund: RefundRow, at: Date): Promise<void> {
  if (!(await moveRefund(m, refund.id, 'PROCESSING', 'SUCCEEDED', at.getTime())))
    throw new Error(`refund ${refund.refundNo} was not PROCESSING when its legs completed`);
  await appendPosting(m, order.id, 'refund', refundPosting(refundSplitOf(refund)), at);
  const refundedFen = order.refundedFen + refund.totalFen;
  await transitionOrder(
    m,
    order.id,
    ['REFUNDING'],
    refundedFen === order.totalFen ? 'REFUNDED' : 'PARTIALLY_REFUNDED',
    { refundedFen },
    { actor: 'outbox', reason: `refund ${refund.refundNo} succeeded`, externalRef: refund.refundNo, at },
  );
}

async function legFailed(deps: Deps, refundId: string, kind: RefundLegKind, message: string): Promise<void> {
  const at = new Date(deps.clock.now());
  await deps.db.transaction(async (m) => {
    const refund0 = await m.getRepository(RefundRow).findOneByOrFail({ id: refundId });
    const order = await lockOrder(m, refund0.orderId);
    const refund = await lockRefund(m, refundId);
    await markLegFailed(m, refundId, kind, message.slice(0, 2000), at);
    if (await moveRefund(m, refundId, 'PROCESSING', 'FAILED', at.getTime()))
      await tellRefundFinished(deps, m, order, refund, false);
  });
  deps.logger.error(
    { refundId, kind, err: message },
    'refund leg refused for good; the order needs a person',
  );
}

/**
 * A WeChat refund callback: make the cash leg's job due now and kick the jobs (the leg asks WeChat itself;
 * the callback is only a hint). Unknown refund numbers are ignored.
 */
export async function nudgeCashLeg(deps: Deps, outRefundNo: string): Promise<void> {
  if (await nudgeJob(deps.db, legKey(outRefundNo, 'cash'), new Date(deps.clock.now()))) deps.kickJobs?.();
}
