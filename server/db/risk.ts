/**
 * The risk engine's SQL (issue 13): the facts the rules count (per WeChat user, card, ID number, device), the
 * append-only event log of decisions, blocks of WeChat users, and orders held for a cashier's review.
 */
import type { RiskActionName, RiskDecisionName } from '../../shared/api';
import { RISK_ACTION_NAMES, RISK_DECISION_NAMES } from '../../shared/api';
import {
  bool,
  date,
  int,
  jsonObject,
  oneOf,
  oneOfOrNull,
  returnedRows,
  rowsOf,
  text,
  textOrNull,
  type Db,
  type Row,
} from './rows';

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
const ago = (now: Date, ms: number) => new Date(now.getTime() - ms);

/** Orders a patient has paid (whatever happened after). */
const PAID_STATUSES = ['PAID', 'COMPLETED', 'REFUNDING', 'REFUNDED', 'PARTIALLY_REFUNDED'];

async function count(db: Db, sql: string, params: unknown[]): Promise<number> {
  const [row] = rowsOf(await db.query(sql, params));
  return int(row, 'n');
}

function textArray(row: Row, name: string): string[] {
  const v = row[name];
  if (!Array.isArray(v) || !v.every((s): s is string => typeof s === 'string'))
    throw new TypeError(`column ${name} is not a text array`);
  return v;
}

// ───────────────────────────── facts ─────────────────────────────

export async function isBlocked(db: Db, openid: string): Promise<boolean> {
  return (
    (await count(
      db,
      `SELECT count(*)::int AS n FROM risk_blocks WHERE openid = $1 AND unblocked_at IS NULL`,
      [openid],
    )) > 0
  );
}

export interface BindCounts {
  userBlocked: boolean;
  cardsBoundByUserToday: number;
  otherUsersWithIdNo: number;
  bindsFromDeviceToday?: number;
  failedCodesLastHour: number;
}

const BLOCKED = `EXISTS (SELECT 1 FROM risk_blocks WHERE openid = $1 AND unblocked_at IS NULL)`;

/** Every fact the bind rules count, in one statement (one round trip on the bind's path). */
export async function bindCounts(
  db: Db,
  q: { openid: string; idNoHash: string; deviceId?: string; now: Date },
): Promise<BindCounts> {
  const [row] = rowsOf(
    await db.query(
      `SELECT ${BLOCKED} AS blocked,
              (SELECT count(*) FROM patients WHERE openid = $1 AND created_at > $2)::int AS cards,
              (SELECT count(DISTINCT openid) FROM patients
                WHERE id_no_hash = $3 AND openid <> $1 AND unbound_at IS NULL)::int AS others,
              CASE WHEN $4::text IS NULL THEN NULL ELSE
                (SELECT count(*) FROM risk_events WHERE device_id = $4 AND action = 'bind' AND at > $2)::int
              END AS device,
              -- every try of a code that did not verify; a verified verification's last try was the right one
              (SELECT COALESCE(sum(attempts - CASE WHEN status = 'VERIFIED' THEN 1 ELSE 0 END), 0)
                 FROM patient_verifications WHERE openid = $1 AND created_at > $5)::int AS failed`,
      [q.openid, ago(q.now, DAY_MS), q.idNoHash, q.deviceId ?? null, ago(q.now, HOUR_MS)],
    ),
  );
  return {
    userBlocked: bool(row, 'blocked'),
    cardsBoundByUserToday: int(row, 'cards'),
    otherUsersWithIdNo: int(row, 'others'),
    bindsFromDeviceToday: q.deviceId === undefined ? undefined : int(row, 'device'),
    failedCodesLastHour: int(row, 'failed'),
  };
}

export interface CheckoutCounts {
  userBlocked: boolean;
  ordersByUserLastHour: number;
  ordersByCardLastHour: number;
  ordersByDeviceLastHour?: number;
  cancelledByUserToday: number;
  failedAuthorizationsToday: number;
  history: { count: number; maxFen: number };
}

/** Every fact the checkout rules count, in one statement. */
export async function checkoutCounts(
  db: Db,
  q: { openid: string; patientId: string; deviceId?: string; now: Date },
): Promise<CheckoutCounts> {
  const [row] = rowsOf(
    await db.query(
      `SELECT ${BLOCKED} AS blocked,
              (SELECT count(*) FROM orders WHERE openid = $1 AND created_at > $2)::int AS by_user,
              (SELECT count(*) FROM orders WHERE patient_id = $3 AND created_at > $2)::int AS by_card,
              CASE WHEN $4::text IS NULL THEN NULL ELSE
                (SELECT count(*) FROM risk_events WHERE device_id = $4 AND action = 'checkout' AND at > $2)::int
              END AS by_device,
              (SELECT count(*) FROM orders
                WHERE openid = $1 AND status IN ('CANCELLED','EXPIRED') AND updated_at > $5)::int AS cancelled,
              (SELECT count(*) FROM insurance_authorizations a JOIN patients p ON p.id = a.patient_id
                WHERE p.openid = $1 AND NOT a.eligible AND a.created_at > $5)::int AS failed_auth,
              h.n AS history_n, h.max_fen AS history_max_fen
         FROM (SELECT count(*)::int AS n, COALESCE(max(total_fen), 0)::bigint AS max_fen FROM orders
                WHERE patient_id = $3 AND status = ANY($6)) h`,
      [q.openid, ago(q.now, HOUR_MS), q.patientId, q.deviceId ?? null, ago(q.now, DAY_MS), PAID_STATUSES],
    ),
  );
  return {
    userBlocked: bool(row, 'blocked'),
    ordersByUserLastHour: int(row, 'by_user'),
    ordersByCardLastHour: int(row, 'by_card'),
    ordersByDeviceLastHour: q.deviceId === undefined ? undefined : int(row, 'by_device'),
    cancelledByUserToday: int(row, 'cancelled'),
    failedAuthorizationsToday: int(row, 'failed_auth'),
    history: { count: int(row, 'history_n'), maxFen: int(row, 'history_max_fen') },
  };
}

// ───────────────────────────── events ─────────────────────────────

export interface RiskEventInsert {
  at: Date;
  action: RiskActionName;
  openid?: string | null;
  cashier?: string | null;
  patientId?: string | null;
  orderId?: string | null;
  deviceId?: string | null;
  decision: RiskDecisionName;
  rules: string[];
  inputs: Record<string, unknown>;
}

/** Refunds a cashier asked for since `since` (every one, whatever became of it). */
export async function refundsByCashierSince(db: Db, cashier: string, since: Date): Promise<number> {
  return count(db, `SELECT count(*)::int AS n FROM refunds WHERE actor = $1 AND created_at >= $2`, [
    cashier,
    since,
  ]);
}

export async function insertRiskEvent(db: Db, e: RiskEventInsert): Promise<void> {
  await db.query(
    `INSERT INTO risk_events (at, action, openid, cashier, patient_id, order_id, device_id, decision, rules, inputs)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      e.at,
      e.action,
      e.openid ?? null,
      e.cashier ?? null,
      e.patientId ?? null,
      e.orderId ?? null,
      e.deviceId ?? null,
      e.decision,
      e.rules,
      JSON.stringify(e.inputs),
    ],
  );
}

export interface RiskEventRow {
  id: string;
  at: Date;
  action: RiskActionName;
  openid: string | null;
  cashier: string | null;
  patientId: string | null;
  orderId: string | null;
  deviceId: string | null;
  decision: RiskDecisionName;
  rules: string[];
  inputs: Row;
}

export interface RiskEventFilter {
  openid?: string;
  decision?: RiskDecisionName;
  action?: RiskActionName;
  from?: Date;
  to?: Date;
  /** events with an id below this (the previous page's last) */
  before?: string;
  limit: number;
}

/** Newest first. */
export async function listRiskEvents(db: Db, f: RiskEventFilter): Promise<RiskEventRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.openid !== undefined) add('openid = ?', f.openid);
  if (f.decision !== undefined) add('decision = ?', f.decision);
  if (f.action !== undefined) add('action = ?', f.action);
  if (f.from !== undefined) add('at >= ?', f.from);
  if (f.to !== undefined) add('at < ?', f.to);
  if (f.before !== undefined) add('id < ?::bigint', f.before);
  params.push(f.limit);
  const rows = rowsOf(
    await db.query(
      `SELECT id::text AS id, at, action, openid, cashier, patient_id::text AS patient_id,
              order_id::text AS order_id, device_id, decision, rules, inputs
         FROM risk_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id DESC LIMIT $${params.length}`,
      params,
    ),
  );
  return rows.map((r) => ({
    id: text(r, 'id'),
    at: date(r, 'at'),
    action: oneOf(r, 'action', RISK_ACTION_NAMES),
    openid: textOrNull(r, 'openid'),
    cashier: textOrNull(r, 'cashier'),
    patientId: textOrNull(r, 'patient_id'),
    orderId: textOrNull(r, 'order_id'),
    deviceId: textOrNull(r, 'device_id'),
    decision: oneOf(r, 'decision', RISK_DECISION_NAMES),
    rules: textArray(r, 'rules'),
    inputs: jsonObject(r, 'inputs'),
  }));
}

/**
 * How often each rule fired: in all (or, given `from`, since `from` — a range of the index on at), and since
 * `since`.
 */
export async function ruleHitCounts(
  db: Db,
  since: Date,
  from?: Date,
): Promise<{ rule: string; hits: number; hitsSince: number }[]> {
  const rows = rowsOf(
    await db.query(
      `SELECT rule, count(*)::int AS hits, count(*) FILTER (WHERE at > $1)::int AS hits_since
         FROM risk_events, unnest(rules) AS rule ${from ? 'WHERE at > $2' : ''} GROUP BY rule ORDER BY rule`,
      from ? [since, from] : [since],
    ),
  );
  return rows.map((r) => ({ rule: text(r, 'rule'), hits: int(r, 'hits'), hitsSince: int(r, 'hits_since') }));
}

/** The decisions taken since `from` (a range of the index on at), per decision: since `from`, and since `since`. */
export async function decisionCounts(
  db: Db,
  since: Date,
  from: Date,
): Promise<{ decision: RiskDecisionName; hits: number; hitsSince: number }[]> {
  const rows = rowsOf(
    await db.query(
      `SELECT decision, count(*)::int AS hits, count(*) FILTER (WHERE at > $1)::int AS hits_since
         FROM risk_events WHERE at > $2 GROUP BY decision ORDER BY decision`,
      [since, from],
    ),
  );
  return rows.map((r) => ({
    decision: oneOf(r, 'decision', RISK_DECISION_NAMES),
    hits: int(r, 'hits'),
    hitsSince: int(r, 'hits_since'),
  }));
}

// ───────────────────────────── blocks ─────────────────────────────

export interface RiskBlockRow {
  openid: string;
  blockedBy: string;
  reason: string;
  at: Date;
}

const blockOf = (r: Row): RiskBlockRow => ({
  openid: text(r, 'openid'),
  blockedBy: text(r, 'blocked_by'),
  reason: text(r, 'reason'),
  at: date(r, 'at'),
});

/** Blocks a user; false when already blocked (the unique index on active blocks decides). */
export async function insertBlock(db: Db, b: RiskBlockRow): Promise<boolean> {
  const rows = rowsOf(
    await db.query(
      `INSERT INTO risk_blocks (openid, blocked_by, reason, at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (openid) WHERE unblocked_at IS NULL DO NOTHING RETURNING id`,
      [b.openid, b.blockedBy, b.reason, b.at],
    ),
  );
  return rows.length === 1;
}

export async function activeBlockOf(db: Db, openid: string): Promise<RiskBlockRow | null> {
  const rows = rowsOf(
    await db.query(
      `SELECT openid, blocked_by, reason, at FROM risk_blocks WHERE openid = $1 AND unblocked_at IS NULL`,
      [openid],
    ),
  );
  return rows.length === 1 ? blockOf(rows[0]) : null;
}

/** Ends a user's active block; false when there was none. */
export async function endBlock(db: Db, openid: string, by: string, at: Date): Promise<boolean> {
  const rows = returnedRows(
    await db.query(
      `UPDATE risk_blocks SET unblocked_by = $2, unblocked_at = $3
        WHERE openid = $1 AND unblocked_at IS NULL RETURNING id`,
      [openid, by, at],
    ),
  );
  return rows.length === 1;
}

export async function activeBlocks(db: Db, limit: number): Promise<RiskBlockRow[]> {
  const rows = rowsOf(
    await db.query(
      `SELECT openid, blocked_by, reason, at FROM risk_blocks WHERE unblocked_at IS NULL
        ORDER BY at DESC LIMIT $1`,
      [limit],
    ),
  );
  return rows.map(blockOf);
}

// ───────────────────────────── reviews ─────────────────────────────

export async function holdForReview(db: Db, orderId: string): Promise<void> {
  await db.query(`UPDATE orders SET risk_hold = 'REVIEW' WHERE id = $1`, [orderId]);
}

/** What holds an order: a cashier's review, the patient's step-up, or nothing. */
export async function holdOf(db: Db, orderId: string): Promise<'REVIEW' | 'STEP_UP' | null> {
  const rows = rowsOf(await db.query(`SELECT risk_hold FROM orders WHERE id = $1`, [orderId]));
  return rows[0] ? oneOfOrNull(rows[0], 'risk_hold', ['REVIEW', 'STEP_UP'] as const) : null;
}

export interface HeldOrderRow {
  orderId: string;
  orderNo: string;
  openid: string;
  patientNameMasked: string;
  status: string;
  totalFen: number;
  createdAt: Date;
  expiresAt: Date;
  rules: string[];
}

/** Orders held for review and still payable (PRESETTLED), oldest first. */
export async function heldOrders(db: Db, limit: number): Promise<HeldOrderRow[]> {
  const rows = rowsOf(
    await db.query(
      `SELECT o.id::text AS order_id, o.order_no, o.openid, p.name_masked, o.status, o.total_fen,
              o.created_at, o.expires_at,
              COALESCE((SELECT e.rules FROM risk_events e WHERE e.order_id = o.id AND e.action = 'checkout'
                         ORDER BY e.id DESC LIMIT 1), '{}') AS rules
         FROM orders o JOIN patients p ON p.id = o.patient_id
        WHERE o.risk_hold = 'REVIEW' AND o.status = 'PRESETTLED'
        ORDER BY o.created_at LIMIT $1`,
      [limit],
    ),
  );
  return rows.map((r) => ({
    orderId: text(r, 'order_id'),
    orderNo: text(r, 'order_no'),
    openid: text(r, 'openid'),
    patientNameMasked: text(r, 'name_masked'),
    status: text(r, 'status'),
    totalFen: int(r, 'total_fen'),
    createdAt: date(r, 'created_at'),
    expiresAt: date(r, 'expires_at'),
    rules: textArray(r, 'rules'),
  }));
}

/**
 * Releases a held, still payable order (the row lock and version bump keep it apart from a concurrent
 * transition) and gives the patient a fresh payment window from now; false when it is not held so (a cashier's
 * REVIEW, or the patient's STEP_UP) or not payable.
 */
export async function releaseHold(
  db: Db,
  orderId: string,
  hold: 'REVIEW' | 'STEP_UP',
  at: Date,
  windowMs: number,
): Promise<boolean> {
  const rows = returnedRows(
    await db.query(
      `UPDATE orders SET risk_hold = NULL, version = version + 1, updated_at = $2,
              expires_at = GREATEST(expires_at, $3)
        WHERE id = $1 AND risk_hold = $4 AND status = 'PRESETTLED' RETURNING id`,
      [orderId, at, new Date(at.getTime() + windowMs), hold],
    ),
  );
  return rows.length === 1;
}

/** Clears the hold of an order (rejected: closed in the same transaction). */
export async function clearHold(db: Db, orderId: string): Promise<void> {
  await db.query(`UPDATE orders SET risk_hold = NULL WHERE id = $1`, [orderId]);
}

/** Locks a held order's row for a decision; its status, or null when not held. */
export async function lockHeldOrder(db: Db, orderId: string): Promise<string | null> {
  const rows = rowsOf(
    await db.query(`SELECT status FROM orders WHERE id = $1 AND risk_hold = 'REVIEW' FOR UPDATE`, [orderId]),
  );
  return rows.length === 1 ? text(rows[0], 'status') : null;
}

export async function insertReview(
  db: Db,
  r: {
    orderId: string;
    decidedBy: string;
    decision: 'APPROVED' | 'REJECTED';
    reason: string | null;
    at: Date;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO risk_reviews (order_id, decided_by, decision, reason, at) VALUES ($1, $2, $3, $4, $5)`,
    [r.orderId, r.decidedBy, r.decision, r.reason, r.at],
  );
}
