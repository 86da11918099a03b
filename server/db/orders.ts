/**
 * Writes to orders. Every state change is one versioned UPDATE naming the states it expects to leave, plus an
 * order_events row in the same transaction; a lost race shows as StateConflict, never as a silent overwrite.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { ORDER_STATUSES, assertTransition, type OrderStatus } from '../domain/orderStateMachine';
import { assertSplit, type Split } from '../../shared/money';
import type { OrderOutcome } from '../../shared/api';
import { OrderRow } from './entities';
import { oneOf, returnedRows, text, type Db, type Row } from './rows';

export class StateConflict extends Error {
  constructor(
    readonly orderId: string,
    readonly expected: readonly OrderStatus[],
    readonly to: OrderStatus,
  ) {
    super(`order ${orderId} is no longer in ${expected.join('/')} (wanted → ${to})`);
    this.name = 'StateConflict';
  }
}

/** Columns a transition may set alongside the status. */
export interface OrderPatch {
  split?: Split;
  payOrdId?: string;
  payToken?: string;
  setlId?: string;
  prepayId?: string;
  mixTradeNo?: string;
  transactionId?: string;
  receiptNo?: string;
  lastError?: string | null;
  paymentStartedAt?: Date;
  paidAt?: Date;
  completedAt?: Date;
  nextCheckAt?: Date | null;
  refundedFen?: number;
  fundOtherFen?: number;
  outcome?: OrderOutcome;
}

export interface TransitionEvent {
  actor: string;
  reason: string;
  externalRef?: string;
  at: Date;
}

const PATCH_COLUMNS: Record<Exclude<keyof OrderPatch, 'split'>, string> = {
  payOrdId: 'pay_ord_id',
  payToken: 'pay_token',
  setlId: 'setl_id',
  prepayId: 'prepay_id',
  mixTradeNo: 'mix_trade_no',
  transactionId: 'transaction_id',
  receiptNo: 'receipt_no',
  lastError: 'last_error',
  paymentStartedAt: 'payment_started_at',
  paidAt: 'paid_at',
  completedAt: 'completed_at',
  nextCheckAt: 'next_check_at',
  refundedFen: 'refunded_fen',
  fundOtherFen: 'fund_other_fen',
  outcome: 'outcome',
};

function patchAssignments(patch: OrderPatch, params: unknown[]): string[] {
  const sets: string[] = [];
  if (patch.split) {
    assertSplit(patch.split, 'order split');
    for (const [column, value] of [
      ['total_fen', patch.split.total],
      ['fund_fen', patch.split.fund],
      ['account_fen', patch.split.account],
      ['cash_fen', patch.split.cash],
    ] as const) {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    }
  }
  for (const [key, column] of Object.entries(PATCH_COLUMNS) as [
    Exclude<keyof OrderPatch, 'split'>,
    string,
  ][]) {
    if (patch[key] === undefined) continue;
    params.push(patch[key]);
    sets.push(`${column} = $${params.length}`);
  }
  return sets;
}

export async function transitionOrder(
  manager: EntityManager,
  orderId: string,
  expected: readonly OrderStatus[],
  to: OrderStatus,
  patch: OrderPatch,
  event: TransitionEvent,
): Promise<OrderRow> {
  for (const from of expected) assertTransition(from, to);
  const params: unknown[] = [orderId, [...expected], to, event.at];
  const sets = [
    'status = $3',
    'version = version + 1',
    'updated_at = $4',
    ...patchAssignments(patch, params),
  ];
  params.push(event.actor, event.reason, event.externalRef ?? null);
  const [a, r, x] = [params.length - 2, params.length - 1, params.length];
  // one round trip: lock, update and the event row together (a data-modifying CTE runs whether or not it is read)
  const returned = returnedRows(
    await manager.query(
      `WITH prev AS (SELECT id, status AS from_status FROM orders WHERE id = $1 FOR UPDATE),
       moved AS (
         UPDATE orders o SET ${sets.join(', ')} FROM prev
          WHERE o.id = prev.id AND o.status = ANY($2::text[])
         RETURNING o.*, prev.from_status),
       event AS (
         INSERT INTO order_events (order_id, from_status, to_status, actor, reason, external_ref, created_at)
         SELECT id, from_status, $3, $${a}, $${r}, $${x}, $4 FROM moved)
       SELECT * FROM moved`,
      params,
    ),
  );
  if (returned.length !== 1) throw new StateConflict(orderId, expected, to);
  oneOf(returned[0], 'from_status', ORDER_STATUSES);
  return hydrated(manager, OrderRow, returned[0]);
}

/** An entity from a raw row (RETURNING *), through TypeORM's own column conversions and transformers. */
function hydrated<T extends object>(manager: EntityManager, entity: new () => T, raw: Row): T {
  const metadata = manager.connection.getMetadata(entity);
  const out = metadata.create() as T;
  for (const column of metadata.columns) {
    const value = raw[column.databaseName];
    if (value !== undefined)
      column.setEntityValue(out, manager.connection.driver.prepareHydratedValue(value, column));
  }
  return out;
}

/** Sets columns without a state change (e.g. the prepay id once WeChat gave it), still guarded by state. */
export async function patchOrder(
  manager: EntityManager,
  orderId: string,
  expected: readonly OrderStatus[],
  patch: OrderPatch,
  at: Date,
): Promise<void> {
  const params: unknown[] = [orderId, [...expected], at];
  const sets = ['version = version + 1', 'updated_at = $3', ...patchAssignments(patch, params)];
  const returned = returnedRows(
    await manager.query(
      `UPDATE orders SET ${sets.join(', ')} WHERE id = $1 AND status = ANY($2::text[]) RETURNING id`,
      params,
    ),
  );
  if (returned.length !== 1) throw new StateConflict(orderId, expected, expected[0]);
}

export async function insertOrderEvent(
  manager: EntityManager,
  orderId: string,
  to: OrderStatus,
  event: TransitionEvent,
): Promise<void> {
  await manager.query(
    `INSERT INTO order_events (order_id, from_status, to_status, actor, reason, external_ref, created_at) VALUES ($1,NULL,$2,$3,$4,$5,$6)`,
    [orderId, to, event.actor, event.reason, event.externalRef ?? null, event.at],
  );
}

export function newId(): string {
  return randomUUID();
}

// ---- the janitor's claims (jobs/janitor.ts) ----

/** Claims up to `batchMax` orders matching `where` (whose parameters start at $2) by pushing their next check out. */
async function claimForCheck(
  db: Db,
  where: string,
  params: unknown[],
  leaseUntil: Date,
  batchMax: number,
): Promise<string[]> {
  const result = returnedRows(
    await db.query(
      `UPDATE orders SET next_check_at = $1
      WHERE id IN (SELECT id FROM orders WHERE ${where} ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT ${Math.trunc(batchMax)})
      RETURNING id`,
      [leaseUntil, ...params],
    ),
  );
  return result.map((r) => text(r, 'id'));
}

/** Open orders whose payment window passed at `now`, or (not PRESETTLED) whose next check is due. */
export function claimDueOrders(db: Db, now: Date, leaseUntil: Date, batchMax: number): Promise<string[]> {
  return claimForCheck(
    db,
    `status IN ('AWAITING_PAYMENT','UNKNOWN','PRESETTLED') AND (expires_at <= $2 OR (status <> 'PRESETTLED' AND (next_check_at IS NULL OR next_check_at <= $2)))`,
    [now],
    leaseUntil,
    batchMax,
  );
}

/** CREATED orders made before `createdBefore` (left behind by a crashed checkout). */
export function claimAbandonedOrders(
  db: Db,
  createdBefore: Date,
  leaseUntil: Date,
  batchMax: number,
): Promise<string[]> {
  return claimForCheck(db, `status = 'CREATED' AND created_at <= $2`, [createdBefore], leaseUntil, batchMax);
}

/**
 * Orders closed unpaid (CANCELLED, EXPIRED) whose WeChat order existed and whose late check is due: a payment the
 * sheet took after our close, whose every callback was lost, is found by asking (jobs/janitor.ts).
 */
export function claimLateChecks(db: Db, now: Date, leaseUntil: Date, batchMax: number): Promise<string[]> {
  return claimForCheck(
    db,
    `status IN ('CANCELLED','EXPIRED') AND next_check_at IS NOT NULL AND next_check_at <= $2`,
    [now],
    leaseUntil,
    batchMax,
  );
}

export async function setNextCheck(db: Db, orderId: string, at: Date | null): Promise<void> {
  await db.query(`UPDATE orders SET next_check_at = $2 WHERE id = $1`, [orderId, at]);
}
