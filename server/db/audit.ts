/**
 * SQL of the audit trail (services/console/audit.ts): one INSERT per audited action, and the numbers the
 * readable sentences name. Rows parsed into typed values here.
 */
import { fenOf } from './columns';
import { rowsOf, text, type Db } from './rows';

export async function insertAuditRow(
  db: Db,
  a: {
    at: Date;
    actor: string;
    role: string;
    action: string;
    target: string | null;
    details: Record<string, unknown>;
    requestId: string | null;
    description: string | null;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (at, actor, role, action, target, details, request_id, description)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)`,
    [a.at, a.actor, a.role, a.action, a.target, JSON.stringify(a.details), a.requestId, a.description],
  );
}

/** Order id → order number, of those ids that name an order. */
export async function orderNosOf(db: Db, orderIds: readonly string[]): Promise<Map<string, string>> {
  const rows = rowsOf(
    await db.query(`SELECT id, order_no FROM orders WHERE id = ANY($1::uuid[])`, [[...orderIds]]),
  );
  return new Map(rows.map((r) => [text(r, 'id'), text(r, 'order_no')]));
}

/** Refund id → its number and amount (fen), of those ids that name a refund. */
export async function refundNamesOf(
  db: Db,
  refundIds: readonly string[],
): Promise<Map<string, { refundNo: string; totalFen: number }>> {
  const rows = rowsOf(
    await db.query(`SELECT id, refund_no, total_fen FROM refunds WHERE id = ANY($1::uuid[])`, [
      [...refundIds],
    ]),
  );
  return new Map(
    rows.map((r) => [text(r, 'id'), { refundNo: text(r, 'refund_no'), totalFen: fenOf(r.total_fen) }]),
  );
}
