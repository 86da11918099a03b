/**
 * Writes to orders. Every state change is one versioned UPDATE naming the states it expects to leave, plus an
 * order_events row in the same transaction; a lost race shows as StateConflict, never as a silent overwrite.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { assertTransition, type OrderStatus } from '../domain/orderStateMachine';
import { assertSplit, type Split } from '../../shared/money';
import type { OrderOutcome } from '../../shared/api';
import { OrderRow } from './entities';

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
  const rows = (await manager.query(
    `UPDATE orders o SET ${sets.join(', ')}
       FROM (SELECT id, status AS from_status FROM orders WHERE id = $1 FOR UPDATE) prev
      WHERE o.id = prev.id AND o.status = ANY($2::text[])
      RETURNING o.id, prev.from_status`,
    params,
  )) as [{ id: string; from_status: OrderStatus }[], number] | { id: string; from_status: OrderStatus }[];
  const returned = Array.isArray(rows[0])
    ? (rows[0] as { id: string; from_status: OrderStatus }[])
    : (rows as { id: string; from_status: OrderStatus }[]);
  if (returned.length !== 1) throw new StateConflict(orderId, expected, to);
  await manager.query(
    `INSERT INTO order_events (order_id, from_status, to_status, actor, reason, external_ref, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
    [orderId, returned[0].from_status, to, event.actor, event.reason, event.externalRef ?? null, event.at],
  );
  const row = await manager.findOneByOrFail(OrderRow, { id: orderId });
  return row;
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
  const result = (await manager.query(
    `UPDATE orders SET ${sets.join(', ')} WHERE id = $1 AND status = ANY($2::text[]) RETURNING id`,
    params,
  )) as unknown[];
  const returned = Array.isArray(result[0]) ? (result[0] as unknown[]) : result;
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
