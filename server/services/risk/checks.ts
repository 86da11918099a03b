/**
 * The risk rules at work (issue 13): each evaluation point counts its facts (server/db/risk.ts), asks the pure
 * rules (server/domain/risk.ts) and records the decision — allow too — in risk_events with the rules that fired
 * and what they counted. What a decision does is the caller's: see binding.ts, checkout.ts and start.ts.
 *
 * - binding: block → 403 RISK_BLOCKED; review → 409 RISK_REVIEW (a cashier must look; nothing is started);
 *   step_up → go on: every binding already needs the code texted to the HIS phone, so step_up is that code.
 * - checkout: block → 403 RISK_BLOCKED, nothing written but the event; review → the order is created and held
 *   (`risk_hold = 'REVIEW'`) until a cashier approves it; step_up → held (`'STEP_UP'`) until the patient proves
 *   the card with a texted code (stepUp.ts).
 * - payment: a blocked user → 403 RISK_BLOCKED; held for review → 409 RISK_REVIEW; for step-up → 403 RISK_STEP_UP.
 */
import {
  assessBind,
  assessCheckout,
  assessPayment,
  assessRefund,
  type RiskHit,
  type RiskVerdict,
} from '../../domain/risk';
import {
  bindCounts,
  checkoutCounts,
  insertRiskEvent,
  isBlocked,
  refundsByCashierSince,
  holdOf,
  type RiskEventInsert,
} from '../../db/risk';
import type { Db } from '../../db/rows';
import { ERROR_MESSAGES } from '../../../shared/messages';
import { AppError } from '../errors';
import { riskPolicyOf } from './policy';
import type { Deps } from '../deps';

/** Who is acting, as the HTTP edge knows it. */
export interface RiskContext {
  /** the X-Device-Id header, validated; undefined when the client sent none */
  deviceId?: string;
}

/** The event's rules and inputs: the rule ids, and per rule its decision and what it counted. */
function eventOf(v: RiskVerdict): Pick<RiskEventInsert, 'decision' | 'rules' | 'inputs'> {
  return {
    decision: v.decision,
    rules: v.hits.map((h: RiskHit) => h.rule),
    inputs: Object.fromEntries(v.hits.map((h) => [h.rule, { decision: h.decision, ...h.inputs }])),
  };
}

export function riskBlocked(v: RiskVerdict): AppError {
  return new AppError('RISK_BLOCKED', ERROR_MESSAGES.RISK_BLOCKED, undefined, {
    cause: `risk rules: ${v.hits.map((h) => h.rule).join(', ')}`,
  });
}

export function riskReview(): AppError {
  return new AppError('RISK_REVIEW', ERROR_MESSAGES.RISK_REVIEW);
}

/** Binding a card (POST /api/v1/patients): throws on block and review; records every decision. */
export async function checkBinding(
  deps: Deps,
  openid: string,
  idNoHash: string,
  ctx: RiskContext,
): Promise<RiskVerdict> {
  const now = new Date(deps.clock.now());
  const counts = await bindCounts(deps.db, { openid, idNoHash, deviceId: ctx.deviceId, now });
  const verdict = assessBind(counts, riskPolicyOf(deps.settings));
  await insertRiskEvent(deps.db, {
    at: now,
    action: 'bind',
    openid,
    deviceId: ctx.deviceId,
    ...eventOf(verdict),
  });
  if (verdict.decision === 'block') throw riskBlocked(verdict);
  if (verdict.decision === 'review')
    throw new AppError('RISK_REVIEW', '绑定就诊人的次数过多，需要收费员人工核实，请到医院收费窗口办理。');
  return verdict;
}

export interface CheckoutAssessment {
  verdict: RiskVerdict;
  /** the order is to be held: for a cashier's review, or until the patient proves the card (step-up) */
  hold: 'REVIEW' | 'STEP_UP' | null;
  /** writes the event; pass the order id (and the caller's transaction) once the order exists */
  record: (db: Db, orderId: string | null) => Promise<void>;
}

/**
 * A blocked user's checkout is refused first of all, before the bills are read at the HIS (the amount the other
 * rules need is not known yet): the event is written and 403 RISK_BLOCKED thrown.
 */
export async function refuseBlockedCheckout(
  deps: Deps,
  q: { openid: string; patientId: string },
  ctx: RiskContext,
): Promise<void> {
  if (!(await isBlocked(deps.db, q.openid))) return;
  const verdict = assessPayment({ userBlocked: true });
  await insertRiskEvent(deps.db, {
    at: new Date(deps.clock.now()),
    action: 'checkout',
    openid: q.openid,
    patientId: q.patientId,
    deviceId: ctx.deviceId,
    ...eventOf(verdict),
  });
  throw riskBlocked(verdict);
}

/**
 * A checkout, before anything is locked at the HIS: block → the event is written and 403 RISK_BLOCKED thrown;
 * otherwise the caller creates the order (held on review or step_up) and records the event with it.
 */
export async function checkCheckout(
  deps: Deps,
  q: { openid: string; patientId: string; amountFen: number },
  ctx: RiskContext,
): Promise<CheckoutAssessment> {
  const now = new Date(deps.clock.now());
  const counts = await checkoutCounts(deps.db, {
    openid: q.openid,
    patientId: q.patientId,
    deviceId: ctx.deviceId,
    now,
  });
  const verdict = assessCheckout({ amountFen: q.amountFen, ...counts }, riskPolicyOf(deps.settings));
  const record = (db: Db, orderId: string | null) =>
    insertRiskEvent(db, {
      at: now,
      action: 'checkout',
      openid: q.openid,
      patientId: q.patientId,
      orderId,
      deviceId: ctx.deviceId,
      ...eventOf(verdict),
    });
  if (verdict.decision === 'block') {
    await record(deps.db, null);
    throw riskBlocked(verdict);
  }
  const hold = verdict.decision === 'allow' ? null : verdict.decision === 'step_up' ? 'STEP_UP' : 'REVIEW';
  return { verdict, hold, record };
}

/** Paying an order (POST /api/v1/orders/:id/payments): a blocked user → 403, a held order → 409. */
export async function checkPayment(
  deps: Deps,
  order: { id: string; openid: string; patientId: string; status: string },
  ctx: RiskContext,
): Promise<void> {
  const verdict = assessPayment({ userBlocked: await isBlocked(deps.db, order.openid) });
  await insertRiskEvent(deps.db, {
    at: new Date(deps.clock.now()),
    action: 'pay',
    openid: order.openid,
    patientId: order.patientId,
    orderId: order.id,
    deviceId: ctx.deviceId,
    ...eventOf(verdict),
  });
  if (verdict.decision === 'block') throw riskBlocked(verdict);
  if (order.status !== 'PRESETTLED') return;
  const hold = await holdOf(deps.db, order.id);
  if (hold === 'REVIEW') throw riskReview();
  if (hold === 'STEP_UP') throw new AppError('RISK_STEP_UP', ERROR_MESSAGES.RISK_STEP_UP);
}

const DAY_MS = 24 * 3600_000;

/**
 * A refund a console user asks for, in the refund's transaction: a spike of one cashier's refunds in an hour, or
 * a refund long after the payment, is reviewed — the refund then waits for a supervisor like a large one (four
 * eyes). Records the decision with the cashier and the order.
 */
export async function checkRefundRisk(
  deps: Deps,
  db: Db,
  q: { cashier: string; orderId: string; paidAt: Date | null },
): Promise<RiskVerdict> {
  const now = new Date(deps.clock.now());
  const verdict = assessRefund(
    {
      refundsByCashierLastHour: await refundsByCashierSince(
        db,
        q.cashier,
        new Date(now.getTime() - 3600_000),
      ),
      daysSincePayment: q.paidAt ? Math.floor((now.getTime() - q.paidAt.getTime()) / DAY_MS) : 0,
    },
    riskPolicyOf(deps.settings),
  );
  await insertRiskEvent(db, {
    at: now,
    action: 'refund',
    cashier: q.cashier,
    orderId: q.orderId,
    ...eventOf(verdict),
  });
  return verdict;
}
