/**
 * Risk rules (issue 13), pure: the facts a service counted about one attempt — binding a card, a checkout, a
 * payment, a cashier's refund — in, a decision with the rules that led to it out. No I/O and no clock: the
 * services count (per WeChat user, card, device, cashier) and pass the numbers; the thresholds come from
 * settings (`RISK_*`) as a RiskPolicy. The most severe decision of the rules that fire wins:
 * block > review > step_up > allow.
 *
 * - allow: go on.
 * - step_up: prove the card again (a code texted to the HIS phone) before going on.
 * - review: hold the order until a cashier approves it (paying answers 409 RISK_REVIEW meanwhile).
 * - block: refuse (403 RISK_BLOCKED); nothing is written but the risk event.
 */

export const RISK_DECISIONS = ['allow', 'step_up', 'review', 'block'] as const;
export type RiskDecision = (typeof RISK_DECISIONS)[number];

export const RISK_RULE_IDS = [
  'user_blocked',
  'cards_per_user_per_day',
  'users_per_id_no',
  'binds_per_device_per_day',
  'failed_codes_per_hour',
  'failed_authorizations_per_day',
  'orders_per_user_per_hour',
  'orders_per_card_per_hour',
  'orders_per_device_per_hour',
  'cancelled_per_day',
  'amount_above_history',
  'refunds_per_cashier_per_hour',
  'refund_long_after_payment',
] as const;
export type RiskRuleId = (typeof RISK_RULE_IDS)[number];

/** The thresholds, and what a few rules decide when they fire (settings choose step_up or block, say). */
export interface RiskPolicy {
  cardsPerUserPerDay: number;
  cardsPerUserDecision: 'step_up' | 'review' | 'block';
  usersPerIdNo: number;
  bindsPerDevicePerDay: number;
  failedCodesPerHour: number;
  failedAuthorizationsPerDay: number;
  ordersPerUserPerHour: number;
  ordersPerCardPerHour: number;
  ordersPerDevicePerHour: number;
  cancelledPerDay: number;
  /** an amount above factor × the patient's largest earlier payment (and above the floor) is reviewed */
  amountFactor: number;
  amountFloorFen: number;
  /** earlier payments needed before the amount rule judges at all */
  amountHistoryMin: number;
  refundsPerCashierPerHour: number;
  refundAfterDays: number;
}

export interface RiskHit {
  rule: RiskRuleId;
  decision: Exclude<RiskDecision, 'allow'>;
  /** what was counted and the threshold it crossed, for the console and the event log */
  inputs: Record<string, number | string | boolean>;
}

export interface RiskVerdict {
  decision: RiskDecision;
  hits: RiskHit[];
}

/** Facts common to everything a patient does. */
interface PatientFacts {
  userBlocked: boolean;
}

export interface BindFacts extends PatientFacts {
  /** cards this WeChat user bound in the last 24 h, this one not counted */
  cardsBoundByUserToday: number;
  /** other WeChat users who hold this ID number bound now */
  otherUsersWithIdNo: number;
  /** bindings started from this device in the last 24 h, this one not counted; undefined: no device id */
  bindsFromDeviceToday?: number;
  /** wrong verification codes this user entered in the last hour */
  failedCodesLastHour: number;
}

export interface CheckoutFacts extends PatientFacts {
  /** orders this user created in the last hour, this one not counted */
  ordersByUserLastHour: number;
  ordersByCardLastHour: number;
  /** undefined: the client sent no device id */
  ordersByDeviceLastHour?: number;
  /** orders this user cancelled (or let expire) in the last 24 h */
  cancelledByUserToday: number;
  failedAuthorizationsToday: number;
  amountFen: number;
  /** the patient's (card's) earlier completed payments */
  history: { count: number; maxFen: number };
}

export interface RefundFacts {
  /** refunds this cashier started in the last hour, this one not counted */
  refundsByCashierLastHour: number;
  /** whole days between the payment and now */
  daysSincePayment: number;
}

const SEVERITY: Record<RiskDecision, number> = { allow: 0, step_up: 1, review: 2, block: 3 };

function verdictOf(hits: RiskHit[]): RiskVerdict {
  let decision: RiskDecision = 'allow';
  for (const h of hits) if (SEVERITY[h.decision] > SEVERITY[decision]) decision = h.decision;
  return { decision, hits };
}

/** A count that would reach `limit` with this attempt: `count` earlier ones, so this one is number count + 1. */
const beyond = (count: number, limit: number) => count + 1 > limit;

function blockedUser(f: PatientFacts): RiskHit[] {
  return f.userBlocked ? [{ rule: 'user_blocked', decision: 'block', inputs: { userBlocked: true } }] : [];
}

export function assessBind(f: BindFacts, p: RiskPolicy): RiskVerdict {
  const hits = blockedUser(f);
  if (beyond(f.cardsBoundByUserToday, p.cardsPerUserPerDay))
    hits.push({
      rule: 'cards_per_user_per_day',
      decision: p.cardsPerUserDecision,
      inputs: { cardsBoundToday: f.cardsBoundByUserToday, limit: p.cardsPerUserPerDay },
    });
  if (beyond(f.otherUsersWithIdNo, p.usersPerIdNo))
    hits.push({
      rule: 'users_per_id_no',
      decision: 'step_up',
      inputs: { otherUsers: f.otherUsersWithIdNo, limit: p.usersPerIdNo },
    });
  if (f.bindsFromDeviceToday !== undefined && beyond(f.bindsFromDeviceToday, p.bindsPerDevicePerDay))
    hits.push({
      rule: 'binds_per_device_per_day',
      decision: 'block',
      inputs: { bindsFromDevice: f.bindsFromDeviceToday, limit: p.bindsPerDevicePerDay },
    });
  if (f.failedCodesLastHour >= p.failedCodesPerHour)
    hits.push({
      rule: 'failed_codes_per_hour',
      decision: 'block',
      inputs: { failedCodes: f.failedCodesLastHour, limit: p.failedCodesPerHour },
    });
  return verdictOf(hits);
}

export function assessCheckout(f: CheckoutFacts, p: RiskPolicy): RiskVerdict {
  const hits = blockedUser(f);
  if (beyond(f.ordersByUserLastHour, p.ordersPerUserPerHour))
    hits.push({
      rule: 'orders_per_user_per_hour',
      decision: 'block',
      inputs: { orders: f.ordersByUserLastHour, limit: p.ordersPerUserPerHour },
    });
  if (beyond(f.ordersByCardLastHour, p.ordersPerCardPerHour))
    hits.push({
      rule: 'orders_per_card_per_hour',
      decision: 'review',
      inputs: { orders: f.ordersByCardLastHour, limit: p.ordersPerCardPerHour },
    });
  if (f.ordersByDeviceLastHour !== undefined && beyond(f.ordersByDeviceLastHour, p.ordersPerDevicePerHour))
    hits.push({
      rule: 'orders_per_device_per_hour',
      decision: 'block',
      inputs: { orders: f.ordersByDeviceLastHour, limit: p.ordersPerDevicePerHour },
    });
  if (f.cancelledByUserToday >= p.cancelledPerDay)
    hits.push({
      rule: 'cancelled_per_day',
      decision: 'step_up',
      inputs: { cancelled: f.cancelledByUserToday, limit: p.cancelledPerDay },
    });
  if (f.failedAuthorizationsToday >= p.failedAuthorizationsPerDay)
    hits.push({
      rule: 'failed_authorizations_per_day',
      decision: 'step_up',
      inputs: { failed: f.failedAuthorizationsToday, limit: p.failedAuthorizationsPerDay },
    });
  if (
    f.history.count >= p.amountHistoryMin &&
    f.amountFen > p.amountFloorFen &&
    f.amountFen > f.history.maxFen * p.amountFactor
  )
    hits.push({
      rule: 'amount_above_history',
      decision: 'review',
      inputs: { amountFen: f.amountFen, largestEarlierFen: f.history.maxFen, factor: p.amountFactor },
    });
  return verdictOf(hits);
}

/** Paying an order: a blocked user is refused even for an order made before the block. */
export function assessPayment(f: PatientFacts): RiskVerdict {
  return verdictOf(blockedUser(f));
}

export function assessRefund(f: RefundFacts, p: RiskPolicy): RiskVerdict {
  const hits: RiskHit[] = [];
  if (beyond(f.refundsByCashierLastHour, p.refundsPerCashierPerHour))
    hits.push({
      rule: 'refunds_per_cashier_per_hour',
      decision: 'review',
      inputs: { refunds: f.refundsByCashierLastHour, limit: p.refundsPerCashierPerHour },
    });
  if (f.daysSincePayment > p.refundAfterDays)
    hits.push({
      rule: 'refund_long_after_payment',
      decision: 'review',
      inputs: { days: f.daysSincePayment, limit: p.refundAfterDays },
    });
  return verdictOf(hits);
}
