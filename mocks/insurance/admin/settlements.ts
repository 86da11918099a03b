/**
 * Admin routes for settlements: list and read orders, the mock → mock settle call of the WeChat Pay mock, and the
 * reconciliation discrepancies (a refund made at the platform only, settled amounts the books show differently).
 * Business refusals of the state come back as 404 / 409 / 422 with the state's own code.
 */
import type { Split } from '../../../shared/money';
import { ORD_STAS, settleRequestSchema, type SettleResponse } from '../../../shared/protocol/insurance';
import { MockHttpError, parseBody, type MockFrame } from '../../common/app';
import { bpToRatio } from '../rules';
import { InsuranceBizError, type InsuranceState } from '../state';
import type { Order } from '../records';
import { latestResult } from '../wire';
import { platformRefundSchema, reportedSplitSchema } from './schemas';

const LIST_LIMIT_MAX = 500;

function settlementView(order: Order): Record<string, unknown> {
  const result = latestResult(order);
  return {
    payOrdId: order.payOrdId,
    medOrgOrd: order.medOrgOrd,
    psnNo: order.psnNo,
    status: order.status,
    ordStas: ORD_STAS[order.status],
    accountUsed: order.accountUsed,
    split: result?.split ?? null,
    /** what 3201 and the 3202 file show, when an admin changed it (else they show split) */
    reportedSplit: order.settlement?.reportedSplit,
    setlId: order.settlement?.setlId,
    settledAt: order.settlement ? new Date(order.settlement.settledAtMs).toISOString() : undefined,
    deductibleConsumedFen: result?.deductibleConsumedFen,
    lines: order.lines.map((line, i) => {
      const classified = result?.lines[i];
      if (!classified) return line;
      return {
        ...line,
        class: classified.class,
        selfPayRatio: bpToRatio(classified.selfPayRatioBp),
        inCatalogue: classified.inCatalogue,
      };
    }),
    refunded: order.refunded,
    refunds: order.refunds.map((r) => ({
      appRefdSn: r.appRefdSn,
      split: r.split,
      at: new Date(r.atMs).toISOString(),
      origin: r.origin,
    })),
    failureReason: order.failureReason,
    createdAt: new Date(order.createdAtMs).toISOString(),
  };
}

function settleAnswer(order: Order): SettleResponse {
  const split: Split | undefined = order.settlement?.result.split;
  switch (order.status) {
    case 'SETTLED':
    case 'PARTIALLY_REFUNDED':
      return { payOrdId: order.payOrdId, status: 'SETTLED', setlId: order.settlement?.setlId, split };
    case 'REFUNDED':
      return { payOrdId: order.payOrdId, status: 'REFUNDED', setlId: order.settlement?.setlId, split };
    case 'FAILED':
      return { payOrdId: order.payOrdId, status: 'FAILED', reason: order.failureReason };
    case 'UPLOADED':
    case 'PRESETTLED':
    case 'REVOKED':
      throw new Error(`settle left order ${order.payOrdId} in ${order.status}`);
  }
}

function knownOrder(state: InsuranceState, payOrdId: string): Order {
  const order = state.orders.get(payOrdId);
  if (!order) throw new MockHttpError(404, 'ORDER_NOT_FOUND', `no order ${payOrdId}`);
  return order;
}

/** A business refusal of the state as an admin answer: 409 for state and reuse, 422 for amounts. */
function bizToHttp<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof InsuranceBizError)) throw err;
    switch (err.code) {
      case 'ORDER_NOT_FOUND':
        throw new MockHttpError(404, err.code, err.message);
      case 'ORDER_STATE_INVALID':
      case 'REFUND_SN_CONFLICT':
        throw new MockHttpError(409, err.code, err.message);
      default:
        throw new MockHttpError(422, err.code, err.message);
    }
  }
}

export function mountSettlements(frame: MockFrame, state: InsuranceState): void {
  frame.admin.get('/settlements', (ctx) => {
    const q = ctx.query;
    const limit = Math.min(Math.max(Number(q.limit ?? 100) || 100, 1), LIST_LIMIT_MAX);
    const out = [...state.orders.values()]
      .reverse()
      .filter(
        (o) =>
          (typeof q.psnNo !== 'string' || o.psnNo === q.psnNo) &&
          (typeof q.medOrgOrd !== 'string' || o.medOrgOrd === q.medOrgOrd),
      )
      .slice(0, limit);
    ctx.body = out.map(settlementView);
  });
  frame.admin.get('/settlements/:payOrdId', (ctx) => {
    ctx.body = settlementView(knownOrder(state, ctx.params.payOrdId));
  });
  frame.admin.patch('/settlements/:payOrdId', (ctx) => {
    const body = parseBody(reportedSplitSchema, ctx.request.body);
    knownOrder(state, ctx.params.payOrdId);
    ctx.body = settlementView(bizToHttp(() => state.reportSettlementAs(ctx.params.payOrdId, body)));
  });
  frame.admin.post('/settlements/:payOrdId/refunds', (ctx) => {
    const body = parseBody(platformRefundSchema, ctx.request.body);
    const order = knownOrder(state, ctx.params.payOrdId);
    const split: Split = {
      total: body.fund + body.account + body.cash,
      fund: body.fund,
      account: body.account,
      cash: body.cash,
    };
    const atMs = body.refundedAt === undefined ? undefined : Date.parse(body.refundedAt);
    const record = bizToHttp(() => state.refundAtPlatform(order.payOrdId, body.refundNo, split, atMs));
    ctx.status = 201;
    ctx.body = {
      payOrdId: order.payOrdId,
      refundNo: record.appRefdSn,
      split: record.split,
      refundedAt: new Date(record.atMs).toISOString(),
      status: order.status,
      ordStas: ORD_STAS[order.status],
    };
  });
  frame.admin.post('/settlements/:payOrdId/settle', (ctx) => {
    const body = parseBody(settleRequestSchema, ctx.request.body ?? {});
    knownOrder(state, ctx.params.payOrdId);
    const outcome = state.settle(ctx.params.payOrdId, body.result ?? 'SUCCESS');
    if (outcome.kind === 'refused') throw new MockHttpError(409, outcome.code, outcome.message);
    ctx.body = settleAnswer(outcome.order);
  });
}
