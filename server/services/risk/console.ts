/**
 * The risk console (issue 13): the decisions taken (events), the orders held for review — a cashier approves
 * (the patient may pay) or rejects (the order is cancelled and its bills released, through closeAndRelease) —
 * blocks of WeChat users (supervisors), and how often each rule fired. Every change is audited.
 */
import type {
  RiskBlockView,
  RiskEventView,
  RiskEventsQuery,
  RiskReviewDecisionView,
  RiskReviewView,
  RiskRuleStatView,
} from '../../../shared/api';
import { RISK_RULE_IDS } from '../../domain/risk';
import {
  activeBlockOf,
  activeBlocks,
  clearHold,
  endBlock,
  heldOrders,
  insertBlock,
  insertReview,
  listRiskEvents,
  lockHeldOrder,
  releaseHold,
  ruleHitCounts,
} from '../../db/risk';
import { recordAudit } from '../console/audit';
import { closeAndRelease } from '../payment/closeAndRelease';
import { AppError } from '../errors';
import type { Deps } from '../deps';

const DAY_MS = 24 * 3600_000;
export const RISK_LIST_DEFAULT = 50;

export interface RiskActor {
  username: string;
  role: string;
  requestId?: string;
}

export async function listEvents(
  deps: Deps,
  q: RiskEventsQuery,
): Promise<{ events: RiskEventView[]; nextCursor?: string }> {
  const limit = Math.min(q.limit ?? RISK_LIST_DEFAULT, deps.settings.LIST_PAGE_MAX);
  const rows = await listRiskEvents(deps.db, {
    openid: q.userId,
    decision: q.decision,
    action: q.action,
    from: q.from,
    to: q.to,
    before: q.cursor,
    limit,
  });
  const events = rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    action: r.action,
    openid: r.openid,
    cashier: r.cashier,
    patientId: r.patientId,
    orderId: r.orderId,
    deviceId: r.deviceId,
    decision: r.decision,
    rules: r.rules,
    inputs: r.inputs,
  }));
  return { events, nextCursor: rows.length === limit ? rows[rows.length - 1].id : undefined };
}

export async function listReviews(deps: Deps): Promise<RiskReviewView[]> {
  const rows = await heldOrders(deps.db, deps.settings.LIST_PAGE_MAX);
  return rows.map((r) => ({
    ...r,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
  }));
}

const notHeld = () => new AppError('ORDER_STATE_CONFLICT', '这笔订单不在待审核状态，请刷新后查看。');

/** Approves a held order: the patient may pay it, within a fresh payment window from now. */
export async function approveReview(
  deps: Deps,
  orderId: string,
  actor: RiskActor,
): Promise<RiskReviewDecisionView> {
  const at = new Date(deps.clock.now());
  await deps.db.transaction(async (m) => {
    const status = await lockHeldOrder(m, orderId);
    if (status !== 'PRESETTLED') throw notHeld();
    if (!(await releaseHold(m, orderId, 'REVIEW', at, deps.settings.ORDER_PAYMENT_WINDOW_MS)))
      throw notHeld();
    await insertReview(m, { orderId, decidedBy: actor.username, decision: 'APPROVED', reason: null, at });
    await recordAudit(
      deps,
      {
        actor: actor.username,
        role: actor.role,
        action: 'risk.review_approve',
        target: orderId,
        details: { orderId },
        requestId: actor.requestId,
      },
      m,
    );
  });
  return { orderId, decision: 'APPROVED', status: 'PRESETTLED' };
}

/** Rejects a held order: it is cancelled and what it holds (bills, fee upload) released. */
export async function rejectReview(
  deps: Deps,
  orderId: string,
  reason: string,
  actor: RiskActor,
): Promise<RiskReviewDecisionView> {
  const at = new Date(deps.clock.now());
  await deps.db.transaction(async (m) => {
    const status = await lockHeldOrder(m, orderId);
    if (status !== 'PRESETTLED') throw notHeld();
    await closeAndRelease(m, {
      orderId,
      from: ['PRESETTLED'],
      to: 'CANCELLED',
      actor: actor.username,
      reason: `risk review rejected: ${reason}`.slice(0, 500),
      releaseReason: 'risk review rejected',
      at,
    });
    await clearHold(m, orderId);
    await insertReview(m, { orderId, decidedBy: actor.username, decision: 'REJECTED', reason, at });
    await recordAudit(
      deps,
      {
        actor: actor.username,
        role: actor.role,
        action: 'risk.review_reject',
        target: orderId,
        details: { orderId, reason },
        requestId: actor.requestId,
      },
      m,
    );
  });
  deps.kickJobs?.();
  return { orderId, decision: 'REJECTED', status: 'CANCELLED' };
}

export async function listBlocks(deps: Deps): Promise<RiskBlockView[]> {
  const rows = await activeBlocks(deps.db, deps.settings.LIST_PAGE_MAX);
  return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
}

/** Blocks a WeChat user; blocking one already blocked answers the block as it stands (nothing written). */
export async function blockUser(
  deps: Deps,
  openid: string,
  reason: string,
  actor: RiskActor,
): Promise<RiskBlockView> {
  const at = new Date(deps.clock.now());
  const existing = await deps.db.transaction(async (m) => {
    if (!(await insertBlock(m, { openid, blockedBy: actor.username, reason, at })))
      return activeBlockOf(m, openid);
    await recordAudit(
      deps,
      {
        actor: actor.username,
        role: actor.role,
        action: 'risk.block',
        target: openid,
        details: { reason },
        requestId: actor.requestId,
      },
      m,
    );
    return null;
  });
  if (existing) return { ...existing, at: existing.at.toISOString() };
  return { openid, blockedBy: actor.username, reason, at: at.toISOString() };
}

export async function unblockUser(deps: Deps, openid: string, actor: RiskActor): Promise<void> {
  const at = new Date(deps.clock.now());
  await deps.db.transaction(async (m) => {
    if (!(await endBlock(m, openid, actor.username, at)))
      throw new AppError('NOT_FOUND', '该用户没有被封禁。');
    await recordAudit(
      deps,
      {
        actor: actor.username,
        role: actor.role,
        action: 'risk.unblock',
        target: openid,
        requestId: actor.requestId,
      },
      m,
    );
  });
}

/** Every rule, with how often it fired (in all and in the last 24 h); rules that never fired show 0. */
export async function ruleStats(deps: Deps): Promise<RiskRuleStatView[]> {
  const counts = new Map(
    (await ruleHitCounts(deps.db, new Date(deps.clock.now() - DAY_MS))).map((c) => [c.rule, c]),
  );
  return RISK_RULE_IDS.map((rule) => ({
    rule,
    hits: counts.get(rule)?.hits ?? 0,
    hitsLastDay: counts.get(rule)?.hitsSince ?? 0,
  }));
}
