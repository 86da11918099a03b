/**
 * The classified rows of a run, as the console lists them (keyset pages) and exports them (CSV, streamed page by
 * page from one cursor). A row's actions are worked out now, from its kind, its resolution, whether its day is
 * closed and the current state of our order (domain/reconciliation.ts decides).
 */
import type {
  OrderStatusName,
  ReconKind,
  ReconRowAction,
  ReconRowView,
  ReconRowsQuery,
} from '../../../shared/api';
import { ORDER_STATUS_NAMES } from '../../../shared/api';
import { ORDER_STATUS_ZH } from '../../../shared/messages';
import { fenToYuan } from '../../../shared/money';
import { channelMoney, rowActions, type ReconSide } from '../../domain/reconciliation';
import { AppError } from '../errors';
import type { Deps } from '../deps';
import {
  pageReconRows,
  readReconRow,
  streamReconRows,
  type RowFilter,
  type RowRecord,
} from '../../db/recon/rows';
import { runExists } from '../../db/recon/runs';

function sideView(side: ReconSide | undefined) {
  if (!side) return undefined;
  return {
    total: side.total,
    fund: side.fund,
    account: side.account,
    cash: side.cash,
    ref: side.ref,
    at: side.atMs === undefined ? undefined : new Date(side.atMs).toISOString(),
  };
}

export function actionsOf(row: RowRecord): ReconRowAction[] {
  return rowActions({
    kind: row.kind,
    record: row.record,
    resolved: row.resolution !== null,
    dayClosed: row.closed,
    hasHis: row.sides.his !== undefined,
    channelMoneyFen: channelMoney(row.sides),
    orderStatus: row.order_status ?? undefined,
  });
}

export function rowView(row: RowRecord): ReconRowView {
  const ours = sideView(row.sides.ours);
  return {
    id: row.id,
    runId: row.run_id,
    kind: row.kind,
    record: row.record,
    orderNo: row.order_no,
    refundNo: row.refund_no ?? undefined,
    orderId: row.order_id ?? undefined,
    ours: ours ? { ...ours, status: row.sides.ours?.ref ?? row.order_status ?? '' } : undefined,
    wechat: sideView(row.sides.wechat),
    insurance: sideView(row.sides.insurance),
    his: sideView(row.sides.his),
    note: row.note,
    actions: actionsOf(row),
    resolution: row.resolution ?? undefined,
  };
}

export async function loadRow(deps: Deps, rowId: string): Promise<RowRecord> {
  const row = await readReconRow(deps.db, rowId);
  if (!row) throw new AppError('NOT_FOUND', '没有找到这条对账记录。');
  return row;
}

/** One keyset page of a run's rows (by id); `nextCursor` when there may be more. */
export async function pageRows(
  deps: Deps,
  runId: string,
  filter: RowFilter,
  cursor: string | undefined,
  limit: number,
): Promise<{ rows: RowRecord[]; nextCursor?: string }> {
  const rows = await pageReconRows(deps.db, runId, filter, cursor, limit);
  return { rows, nextCursor: rows.length === limit ? rows[rows.length - 1].id : undefined };
}

export async function listRows(
  deps: Deps,
  runId: string,
  query: ReconRowsQuery,
): Promise<{ rows: ReconRowView[]; nextCursor?: string }> {
  await assertRunExists(deps, runId);
  const limit = Math.min(query.limit ?? deps.settings.LIST_PAGE_MAX, deps.settings.LIST_PAGE_MAX);
  const page = await pageRows(deps, runId, query, query.cursor, limit);
  return { rows: page.rows.map(rowView), nextCursor: page.nextCursor };
}

export async function assertRunExists(deps: Deps, runId: string): Promise<void> {
  if (!(await runExists(deps.db, runId))) throw new AppError('NOT_FOUND', '没有找到这次对账。');
}

// ───────────────────────────── CSV export ─────────────────────────────

const CSV_HEADER = [
  '序号',
  '分类',
  '记录',
  '订单号',
  '退款单号',
  '本系统状态',
  '本系统总额',
  '本系统统筹',
  '本系统个账',
  '本系统自费',
  '微信金额',
  '微信单号',
  '医保统筹',
  '医保个账',
  '医保单号',
  'HIS总额',
  'HIS单号',
  '说明',
  '处理',
  '处理人',
  '处理原因',
];

const REFUND_STATUS_NAMES: Record<string, string> = {
  REQUESTED: '退款已申请',
  PROCESSING: '退款处理中',
  SUCCEEDED: '退款成功',
  FAILED: '退款失败',
};

const ACTION_NAMES: Record<ReconRowAction, string> = {
  'retry-his-confirm': '重试医院确认',
  'post-missing': '补单',
  refund: '退款',
  resolve: '标记已处理',
};

/** Our side's status in the cashier's words: an order status, or a refund's. */
function ourStatusName(status: string | undefined): string | undefined {
  if (status === undefined) return undefined;
  if ((ORDER_STATUS_NAMES as readonly string[]).includes(status))
    return ORDER_STATUS_ZH[status as OrderStatusName];
  return REFUND_STATUS_NAMES[status] ?? status;
}

const KIND_NAMES: Record<ReconKind, string> = {
  MATCHED: '一致',
  OVER: '长款',
  SHORT: '短款',
  AMOUNT_MISMATCH: '金额不符',
  STATUS_MISMATCH: '状态不符',
  CUTOFF: '跨日',
};

/** RFC 4180 quoting; a leading = + - @ is defused so a spreadsheet never runs a cell as a formula. */
export function csvCell(value: string | number | undefined): string {
  let text = value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const y = (fen: number | undefined) => (fen === undefined ? undefined : fenToYuan(fen));

function csvLine(row: RowRecord): string {
  const s = row.sides;
  const cells = [
    row.id,
    KIND_NAMES[row.kind],
    row.record === 'PAYMENT' ? '支付' : '退款',
    row.order_no,
    row.refund_no ?? undefined,
    ourStatusName(s.ours?.ref ?? row.order_status ?? undefined),
    y(s.ours?.total),
    y(s.ours?.fund),
    y(s.ours?.account),
    y(s.ours?.cash),
    y(s.wechat?.cash),
    s.wechat?.ref,
    y(s.insurance?.fund),
    y(s.insurance?.account),
    s.insurance?.ref,
    y(s.his?.total),
    s.his?.ref,
    row.note,
    row.resolution ? ACTION_NAMES[row.resolution.action] : undefined,
    row.resolution?.by,
    row.resolution?.reason,
  ];
  return cells.map(csvCell).join(',') + '\r\n';
}

/** The run's rows as CSV (UTF-8 with BOM for spreadsheet programs), read through a cursor a page at a time. */
export async function* rowsCsv(deps: Deps, runId: string, filter: RowFilter): AsyncGenerator<string> {
  yield '\uFEFF' + CSV_HEADER.map(csvCell).join(',') + '\r\n';
  for await (const page of streamReconRows(deps.db, runId, filter, deps.settings.RECON_BATCH_SIZE)) {
    yield page.map(csvLine).join('');
  }
}
