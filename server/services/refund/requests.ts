/**
 * Patients' refund requests (DESIGN 6.9: refunds are cashier-initiated; patients may request). A patient asks
 * for (part of) a completed order back; a cashier approves — the refund is then made by `requestRefund`
 * exactly as if the cashier had asked for it — or rejects with a reason the patient sees.
 *
 * Approving is two writes in two transactions: the refund (requestRefund's own transaction, under the order's
 * row lock) and the request's APPROVED row. A crash between them must neither refund twice nor approve without
 * a refund. Three things make that so:
 *
 *  1. A claim. Before anything else the approver marks the PENDING row with its name and the time
 *     (`UPDATE … SET decided_by, decided_at WHERE status = 'PENDING' AND no live claim`): one statement, so of
 *     two cashiers (or two instances, or one double click) exactly one proceeds; the other gets 409. The
 *     status stays PENDING (the table's check allows no APPROVING), and views show no decider while PENDING.
 *     A claim lives REFUND_REQUEST_CLAIM_MS: a crashed approver's claim lapses and another cashier may approve.
 *  2. The refund names its request (`refunds.refund_request_id`, unique), written in the same transaction as
 *     the refund itself, and `requestRefund` given a request id returns the refund already made for it: a
 *     refund left by a crashed approver is adopted, never made again — the database guarantees it, claim or no
 *     claim. Its reason (`patient request <id>: <the patient's reason>`) tells people where it came from.
 *  3. The finish is guarded: `UPDATE … SET status = 'APPROVED', refund_id WHERE status = 'PENDING' AND the claim
 *     is still ours`, with the audit row in the same transaction. A crash before it leaves the request PENDING
 *     with its refund already made; the next approval (after the claim lapses) adopts that refund and finishes,
 *     and a rejection is refused (409) because money has gone back for it.
 *
 * A claimant that stalls for longer than the claim (a minute) may race a second one: both reach requestRefund,
 * which runs under the order's row lock, so the second finds the first's refund by the request id and returns it.
 */
import { fenToYuan } from '../../../shared/money';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { RefundRequestStatus, RefundRequestView } from '../../../shared/api';
import { REFUNDABLE } from '../../domain/orderPolicy';
import { OrderRow } from '../../db/entities';
import {
  claimRefundRequest,
  countRefundRequests,
  finishRefundRequestApproval,
  insertRefundRequest,
  listRefundRequestRows,
  lockRefundRequest,
  readRefundRequest,
  refundMadeForRequest,
  refundRequestsOfOrders,
  rejectRefundRequestRow,
  releaseRefundRequestClaim,
  reservedRefundFen,
  type RefundRequestRow,
} from '../../db/refundRequests';
import { recordAudit } from '../console/audit';
import { AppError } from '../errors';
import { requestRefund } from './refunds';
import type { Deps } from '../deps';

/** How long an approver's claim keeps others off a request; it covers one short transaction. */
export const REFUND_REQUEST_CLAIM_MS = 60_000;
/** Requests one order may collect (each needs a cashier's decision); beyond that the patient asks at the desk. */
export const REFUND_REQUESTS_PER_ORDER_MAX = 20;

/** The prefix of the reason of a refund made for a request, so people see where it came from. */
export const refundReasonPrefix = (requestId: string): string => `patient request ${requestId}: `;

/** Who decides, for the refund's actor and the audit row. */
export interface Decider {
  username: string;
  role: string;
  requestId?: string;
}

/**
 * `patient`: what the patient sees (not which cashier decided). A PENDING row's decided_* are an approver's
 * claim, not a decision: never shown.
 */
function viewOf(row: RefundRequestRow, audience: 'patient' | 'console'): RefundRequestView {
  const decided = row.status !== 'PENDING';
  return {
    id: row.id,
    orderId: row.order_id,
    orderNo: row.order_no,
    amount: row.amount_fen ?? undefined,
    reason: row.reason,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    decidedBy: decided && audience === 'console' ? (row.decided_by ?? undefined) : undefined,
    decidedAt: decided ? row.decided_at?.toISOString() : undefined,
    decisionReason: decided ? (row.decision_reason ?? undefined) : undefined,
    refundId: row.refund_id ?? undefined,
  };
}

// ---- the patient ----

export interface NewRefundRequest {
  /** fen; absent = the rest of the order */
  amount?: number;
  reason: string;
}

const isPendingClash = (err: unknown) =>
  (err as { code?: unknown }).code === '23505' &&
  (err as { constraint?: unknown }).constraint === 'refund_requests_one_pending';

export async function createRefundRequest(
  deps: Deps,
  openid: string,
  orderId: string,
  input: NewRefundRequest,
): Promise<RefundRequestView> {
  const at = new Date(deps.clock.now());
  try {
    return await deps.db.transaction(async (m) => {
      // the lock requestRefund takes too: what is left and "one pending" are read while nothing of it changes
      const order = await m
        .getRepository(OrderRow)
        .findOne({ where: { id: orderId, openid }, lock: { mode: 'pessimistic_write' } });
      if (!order) throw new AppError('ORDER_NOT_FOUND', '没有找到这笔订单，请返回订单列表。');
      if (!REFUNDABLE.includes(order.status))
        throw new AppError(
          'REFUND_NOT_ALLOWED',
          order.status === 'REFUNDING'
            ? '这笔订单正在退款，请等退款完成后再申请。'
            : '只有已完成的订单可以申请退款。',
        );
      await assertNothingPending(m, orderId);
      // every refund counts against what is left, as in requestRefund: done, in flight, and failed ones
      // (a failed refund's legs may have moved money, so its amount stays reserved)
      const leftFen = order.totalFen - (await reservedRefundFen(m, orderId));
      if (leftFen <= 0 || (input.amount ?? leftFen) > leftFen)
        throw new AppError(
          'REFUND_EXCEEDS_PAID',
          `这笔订单最多还可退 ${fenToYuan(Math.max(leftFen, 0))} 元。`,
          {
            leftFen: Math.max(leftFen, 0),
          },
        );
      const row: RefundRequestRow = {
        id: randomUUID(),
        order_id: orderId,
        order_no: order.orderNo,
        amount_fen: input.amount ?? null,
        reason: input.reason,
        status: 'PENDING',
        created_at: at,
        decided_by: null,
        decided_at: null,
        decision_reason: null,
        refund_id: null,
      };
      await insertRefundRequest(m, {
        id: row.id,
        orderId,
        openid,
        amountFen: row.amount_fen,
        reason: row.reason,
        at,
      });
      return viewOf(row, 'patient');
    });
  } catch (err) {
    // the order lock makes this unreachable from here; the unique index is the last word all the same
    if (isPendingClash(err)) throw pendingAlready();
    throw err;
  }
}

const pendingAlready = () =>
  new AppError('REFUND_REQUEST_PENDING', '这笔订单已有退款申请在等待收费处处理，请耐心等候。');

async function assertNothingPending(m: EntityManager, orderId: string): Promise<void> {
  const { pending, total } = await countRefundRequests(m, orderId);
  if (pending > 0) throw pendingAlready();
  if (total >= REFUND_REQUESTS_PER_ORDER_MAX)
    throw new AppError(
      'REFUND_NOT_ALLOWED',
      `一笔订单最多申请退款 ${REFUND_REQUESTS_PER_ORDER_MAX} 次，请到收费窗口办理。`,
    );
}

/** The refund requests of some orders, newest first per order (the patient's view); [] for orders without. */
export async function refundRequestViewsOf(
  deps: Deps,
  orderIds: readonly string[],
  audience: 'patient' | 'console' = 'patient',
): Promise<Map<string, RefundRequestView[]>> {
  const byOrder = new Map<string, RefundRequestView[]>(orderIds.map((id) => [id, []]));
  if (orderIds.length === 0) return byOrder;
  const rows = await refundRequestsOfOrders(deps.db, orderIds);
  for (const row of rows) byOrder.get(row.order_id)?.push(viewOf(row, audience));
  return byOrder;
}

// ---- the cashier ----

/** Newest first, at most LIST_PAGE_MAX; optionally of one status. */
export async function listRefundRequests(
  deps: Deps,
  status?: RefundRequestStatus,
): Promise<RefundRequestView[]> {
  const rows = await listRefundRequestRows(deps.db, status, deps.settings.LIST_PAGE_MAX);
  return rows.map((r) => viewOf(r, 'console'));
}

/** Why a request cannot be decided now: unknown, decided, or someone else's live claim. */
async function notDecidable(deps: Deps, id: string): Promise<AppError> {
  const row = await readRefundRequest(deps.db, id);
  if (!row) return new AppError('NOT_FOUND', '没有找到这条退款申请。');
  if (row.status !== 'PENDING')
    return new AppError('REFUND_REQUEST_DECIDED', '这条退款申请已经处理过了，请刷新后查看。');
  return new AppError('CONCURRENT_REQUEST', '另一位收费员正在处理这条申请，请一分钟后刷新查看。');
}

/** Approve: claim, make (or adopt) the refund, finish — see the top of this file for why in this order. */
export async function approveRefundRequest(deps: Deps, id: string, by: Decider): Promise<RefundRequestView> {
  const claimAt = new Date(deps.clock.now());
  const claimed = await claimRefundRequest(
    deps.db,
    id,
    by.username,
    claimAt,
    new Date(claimAt.getTime() - REFUND_REQUEST_CLAIM_MS),
  );
  if (!claimed) throw await notDecidable(deps, id);
  const row = await readRefundRequest(deps.db, id);
  if (!row) throw new Error(`refund request ${id} vanished after its claim`);

  let refundId: string;
  try {
    // made once per request (refunds.refund_request_id is unique): a retried approval gets the same refund back
    ({ id: refundId } = await requestRefund(deps, row.order_id, {
      amount: row.amount_fen ?? undefined,
      reason: `${refundReasonPrefix(row.id)}${row.reason}`,
      actor: by.username,
      role: by.role,
      requestId: row.id,
    }));
  } catch (err) {
    // no refund (e.g. the cashier refunded by hand meanwhile): give the request back; if even that fails, the
    // claim lapses by itself
    await releaseRefundRequestClaim(deps.db, id, by.username, claimAt).catch(() => undefined);
    throw err;
  }

  const decidedAt = new Date(deps.clock.now());
  await deps.db.transaction(async (m) => {
    const finished = await finishRefundRequestApproval(m, id, by.username, claimAt, refundId, decidedAt);
    // our claim lapsed and another cashier took over: they adopt the refund made above and finish
    if (!finished) throw new AppError('CONCURRENT_REQUEST', '另一位收费员已处理完这条申请，请刷新查看。');
    await recordAudit(
      deps,
      {
        actor: by.username,
        role: by.role,
        action: 'refund_request.approve',
        target: id,
        details: {
          orderId: row.order_id,
          refundId,
          amount: row.amount_fen ?? 'rest',
        },
        requestId: by.requestId,
      },
      m,
    );
  });
  const approved = await readRefundRequest(deps.db, id);
  if (!approved) throw new Error(`refund request ${id} vanished after its approval`);
  return viewOf(approved, 'console');
}

export async function rejectRefundRequest(
  deps: Deps,
  id: string,
  reason: string,
  by: Decider,
): Promise<RefundRequestView> {
  const at = new Date(deps.clock.now());
  await deps.db.transaction(async (m) => {
    const locked = await lockRefundRequest(m, id);
    const row = locked ? await readRefundRequest(m, id) : undefined;
    if (!row) throw new AppError('NOT_FOUND', '没有找到这条退款申请。');
    if (row.status !== 'PENDING')
      throw new AppError('REFUND_REQUEST_DECIDED', '这条退款申请已经处理过了，请刷新后查看。');
    if (row.decided_at && row.decided_at.getTime() > at.getTime() - REFUND_REQUEST_CLAIM_MS)
      throw new AppError('CONCURRENT_REQUEST', '另一位收费员正在处理这条申请，请一分钟后刷新查看。');
    if (await refundMadeForRequest(m, id))
      throw new AppError(
        'REFUND_REQUEST_DECIDED',
        '这条申请此前的同意操作已发起退款但未完成，请再次点击同意以完成。',
      );
    await rejectRefundRequestRow(m, id, by.username, at, reason);
    await recordAudit(
      deps,
      {
        actor: by.username,
        role: by.role,
        action: 'refund_request.reject',
        target: id,
        details: { orderId: row.order_id, reason },
        requestId: by.requestId,
      },
      m,
    );
  });
  const rejected = await readRefundRequest(deps.db, id);
  if (!rejected) throw new Error(`refund request ${id} vanished after its rejection`);
  return viewOf(rejected, 'console');
}
