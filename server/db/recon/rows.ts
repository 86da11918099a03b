/**
 * SQL of a run's classified rows as the console reads and acts on them (services/reconciliation/rows.ts,
 * actions.ts): one row, keyset pages, the export's cursor, and the claim of a row's resolution. Rows parsed into
 * typed values here.
 */
import type { DataSource } from 'typeorm';
import { ORDER_STATUS_NAMES, RECON_KINDS, type OrderStatusName, type ReconKind } from '../../../shared/api';
import { bool, oneOf, oneOfOrNull, returnedRows, rowsOf, text, textOrNull, type Db, type Row } from '../rows';
import { RECORDS, type ReconRecord } from './items';
import { resolutionOf, sidesOf, type StoredResolution, type StoredSides } from './json';

export interface RowRecord {
  id: string;
  run_id: string;
  date: string;
  kind: ReconKind;
  record: ReconRecord;
  order_no: string;
  refund_no: string | null;
  order_id: string | null;
  sides: StoredSides;
  note: string;
  resolution: StoredResolution | null;
  order_status: OrderStatusName | null;
  closed: boolean;
}

const ROW_SELECT = `
  SELECT x.id::text AS id, x.run_id, to_char(r.date, 'YYYY-MM-DD') AS date, x.kind, x.record, x.order_no,
         x.refund_no, x.order_id, x.sides, x.note, x.resolution, o.status AS order_status,
         EXISTS (SELECT 1 FROM daily_closes c WHERE c.date = r.date) AS closed
    FROM recon_rows x
    JOIN recon_runs r ON r.id = x.run_id
    LEFT JOIN orders o ON o.id = x.order_id`;

function parse(r: Row): RowRecord {
  return {
    id: text(r, 'id'),
    run_id: text(r, 'run_id'),
    date: text(r, 'date'),
    kind: oneOf(r, 'kind', RECON_KINDS),
    record: oneOf(r, 'record', RECORDS),
    order_no: text(r, 'order_no'),
    refund_no: textOrNull(r, 'refund_no'),
    order_id: textOrNull(r, 'order_id'),
    sides: sidesOf(r.sides),
    note: text(r, 'note'),
    resolution: r.resolution === null ? null : resolutionOf(r.resolution),
    order_status: oneOfOrNull(r, 'order_status', ORDER_STATUS_NAMES),
    closed: bool(r, 'closed'),
  };
}

export async function readReconRow(db: Db, rowId: string): Promise<RowRecord | undefined> {
  const rows = rowsOf(await db.query(`${ROW_SELECT} WHERE x.id = $1`, [rowId]));
  return rows.length === 0 ? undefined : parse(rows[0]);
}

/** Which of a run's rows a page holds. */
export interface RowFilter {
  kind?: ReconKind;
  discrepancies?: 'true' | 'false';
  resolved?: 'true' | 'false';
}

function filterSql(filter: RowFilter, params: unknown[]): string {
  const where: string[] = [];
  if (filter.kind) {
    params.push(filter.kind);
    where.push(`x.kind = $${params.length}`);
  }
  if (filter.discrepancies === 'true') where.push(`x.kind <> 'MATCHED'`);
  if (filter.discrepancies === 'false') where.push(`x.kind = 'MATCHED'`);
  if (filter.resolved === 'true') where.push(`x.resolution IS NOT NULL`);
  if (filter.resolved === 'false') where.push(`x.resolution IS NULL`);
  return where.map((w) => ` AND ${w}`).join('');
}

/** Up to `limit` rows of the run after the row `afterId` (by id), matching the filter. */
export async function pageReconRows(
  db: Db,
  runId: string,
  filter: RowFilter,
  afterId: string | undefined,
  limit: number,
): Promise<RowRecord[]> {
  const params: unknown[] = [runId, afterId ?? '0', limit];
  const sql = `${ROW_SELECT} WHERE x.run_id = $1 AND x.id > $2::bigint${filterSql(filter, params)} ORDER BY x.id LIMIT $3`;
  return rowsOf(await db.query(sql, params)).map(parse);
}

/** How long an export may wait for its reader between pages before PostgreSQL ends its transaction. */
export const EXPORT_IDLE_TIMEOUT = '60s';

/**
 * The run's rows matching the filter, by id, a page at a time: one query, read through a cursor of one read-only
 * transaction (a consistent snapshot of the run), on a connection held until the last page or until the consumer
 * stops (the generator's `return`). A reader that stalls longer than EXPORT_IDLE_TIMEOUT loses the transaction.
 */
export async function* streamReconRows(
  db: DataSource,
  runId: string,
  filter: RowFilter,
  pageSize: number,
): AsyncGenerator<RowRecord[]> {
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction('REPEATABLE READ');
    await runner.query(`SET TRANSACTION READ ONLY`);
    await runner.query(`SET LOCAL idle_in_transaction_session_timeout = '${EXPORT_IDLE_TIMEOUT}'`);
    const params: unknown[] = [runId];
    await runner.query(
      `DECLARE recon_export NO SCROLL CURSOR FOR
       ${ROW_SELECT} WHERE x.run_id = $1${filterSql(filter, params)} ORDER BY x.id`,
      params,
    );
    for (;;) {
      const page = rowsOf(await runner.query(`FETCH FORWARD ${Math.trunc(pageSize)} FROM recon_export`));
      if (page.length === 0) break;
      yield page.map(parse);
    }
    await runner.commitTransaction();
  } finally {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    await runner.release();
  }
}

/** Sets the row's resolution if nobody has; false when someone did first. */
export async function claimReconRow(db: Db, rowId: string, resolution: StoredResolution): Promise<boolean> {
  const result = returnedRows(
    await db.query(
      `UPDATE recon_rows SET resolution = $2::jsonb WHERE id = $1 AND resolution IS NULL RETURNING id`,
      [rowId, JSON.stringify(resolution)],
    ),
  );
  return result.length === 1;
}

/** Gives a claimed row back (its action failed). */
export async function releaseReconRow(db: Db, rowId: string): Promise<void> {
  await db.query(`UPDATE recon_rows SET resolution = NULL WHERE id = $1`, [rowId]);
}
