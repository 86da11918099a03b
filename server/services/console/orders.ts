/**
 * The cashier's view of orders: a day's orders (China time) with the patient masked, and one order with its
 * events, outbox rows and ledger entries. Reads only; nothing here is audited.
 */
import type {
  ConsoleOrderDetail,
  ConsoleOrderSummary,
  ConsoleOrdersQuery,
  OrderEventView,
} from '../../../shared/api';
import { LedgerEntryRow, OrderEventRow, OrderRow, OutboxRow, PatientRow } from '../../db/entities';
import { AppError } from '../errors';
import type { Deps } from '../deps';
import { refundViewsOf } from '../refund/views';
import { splitOf } from '../order/split';
import { orderFacts } from '../order/views';
import { refundRequestViewsOf } from '../refund/requests';
import { consoleActions } from '../../domain/orderPolicy';

const DAY_MS = 24 * 3600_000;

/** [start, end) of a business day: 00:00–24:00 at +08:00 (the day cstDate names). */
export function cstDayRange(date: string): { start: Date; end: Date } {
  const startMs = Date.parse(`${date}T00:00:00+08:00`);
  if (Number.isNaN(startMs)) throw new RangeError(`not a date: ${date}`);
  return { start: new Date(startMs), end: new Date(startMs + DAY_MS) };
}

interface Cursor {
  createdAt: Date;
  id: string;
}

/** Opaque to clients: the (created_at, id) of the last row of the page, newest-first keyset paging. */
function encodeCursor(row: OrderRow): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string): Cursor {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id ?? ''))
    throw new AppError('VALIDATION_FAILED', '翻页位置无效，请从第一页重新查看。');
  return { createdAt, id };
}

interface Masked {
  nameMasked: string;
  idNoMasked: string;
}

function summaryOf(row: OrderRow, patient: Masked | undefined): ConsoleOrderSummary {
  return {
    id: row.id,
    orderNo: row.orderNo,
    status: row.status,
    split: splitOf(row),
    refunded: row.refundedFen,
    billNos: row.billNos,
    // masked columns only: the console never decrypts personal data
    patientName: patient?.nameMasked ?? '',
    idNoMasked: patient?.idNoMasked ?? '',
    createdAt: row.createdAt.toISOString(),
    paidAt: row.paidAt?.toISOString(),
    receiptNo: row.receiptNo ?? undefined,
  };
}

async function maskedPatients(deps: Deps, ids: string[]): Promise<Map<string, Masked>> {
  if (ids.length === 0) return new Map();
  const rows = await deps.db
    .getRepository(PatientRow)
    .createQueryBuilder('p')
    .select(['p.id', 'p.nameMasked', 'p.idNoMasked'])
    .where('p.id IN (:...ids)', { ids: [...new Set(ids)] })
    .getMany();
  return new Map(rows.map((p) => [p.id, p]));
}

export interface OrdersPage {
  orders: ConsoleOrderSummary[];
  /** present when there may be more: pass it back as `cursor` */
  nextCursor?: string;
}

/** Orders created on `date` (China time), newest first, `limit` ≤ LIST_PAGE_MAX per page. */
export async function listDayOrders(deps: Deps, query: ConsoleOrdersQuery): Promise<OrdersPage> {
  const { start, end } = cstDayRange(query.date);
  const limit = Math.min(query.limit ?? deps.settings.LIST_PAGE_MAX, deps.settings.LIST_PAGE_MAX);
  const qb = deps.db
    .getRepository(OrderRow)
    .createQueryBuilder('o')
    .where('o.created_at >= :start AND o.created_at < :end', { start, end });
  if (query.status) qb.andWhere('o.status = :status', { status: query.status });
  if (query.cursor) {
    const c = decodeCursor(query.cursor);
    qb.andWhere('(o.created_at, o.id) < (:cAt, :cId)', { cAt: c.createdAt, cId: c.id });
  }
  const rows = await qb
    .orderBy('o.created_at', 'DESC')
    .addOrderBy('o.id', 'DESC')
    .limit(limit + 1)
    .getMany();
  const page = rows.slice(0, limit);
  const patients = await maskedPatients(
    deps,
    page.map((r) => r.patientId),
  );
  return {
    orders: page.map((r) => summaryOf(r, patients.get(r.patientId))),
    nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : undefined,
  };
}

/** Any order (the console sees all), with what happened to it; unknown id → 404. */
export async function getConsoleOrder(deps: Deps, orderId: string): Promise<ConsoleOrderDetail> {
  const row = await deps.db.getRepository(OrderRow).findOneBy({ id: orderId });
  if (!row) throw new AppError('ORDER_NOT_FOUND', '没有找到这笔订单。');
  const [patients, events, outbox, ledger, refunds, requests] = await Promise.all([
    maskedPatients(deps, [row.patientId]),
    deps.db.getRepository(OrderEventRow).find({ where: { orderId }, order: { id: 'ASC' } }),
    deps.db.getRepository(OutboxRow).find({ where: { orderId }, order: { id: 'ASC' } }),
    deps.db.getRepository(LedgerEntryRow).find({ where: { orderId }, order: { id: 'ASC' } }),
    refundViewsOf(deps.db, [orderId]),
    refundRequestViewsOf(deps, [orderId], 'console'),
  ]);
  const orderRefunds = refunds.get(orderId) ?? [];
  const orderRequests = requests.get(orderId) ?? [];
  return {
    ...summaryOf(row, patients.get(row.patientId)),
    useInsurance: row.useInsurance,
    mixTradeNo: row.mixTradeNo ?? undefined,
    transactionId: row.transactionId ?? undefined,
    lastError: row.lastError ?? undefined,
    events: events.map((e): OrderEventView => ({
      from: e.fromStatus,
      to: e.toStatus,
      actor: e.actor,
      reason: e.reason,
      at: e.createdAt.toISOString(),
    })),
    outbox: outbox.map((o) => ({
      kind: o.kind,
      status: o.status,
      attempts: o.attempts,
      lastError: o.lastError,
      nextAttemptAt: o.nextAttemptAt.toISOString(),
    })),
    ledger: ledger.map((l) => ({
      postingId: l.postingId,
      kind: l.kind,
      account: l.account,
      direction: l.direction,
      amount: l.amountFen,
      at: l.createdAt.toISOString(),
    })),
    refunds: orderRefunds,
    refundRequests: orderRequests,
    allowedActions: consoleActions(orderFacts(row, orderRefunds, orderRequests)),
  };
}
