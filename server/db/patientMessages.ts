/** The messages we meant to send a patient (the 消息 history) and what became of each on WeChat. */
import {
  date,
  dateOrNull,
  int,
  jsonObject,
  oneOf,
  returnedRows,
  rowsOf,
  text,
  textOrNull,
  type Db,
  type Row,
} from './rows';

export const DELIVERIES = ['PENDING', 'SENT', 'NOT_SUBSCRIBED', 'REFUSED', 'FAILED'] as const;
export type Delivery = (typeof DELIVERIES)[number];

export interface NewPatientMessage {
  openid: string;
  purpose: string;
  templateId: string;
  orderId: string | null;
  dedupeKey: string;
  page: string | null;
  data: Record<string, { value: string }>;
  lines: { label: string; value: string }[];
  summary: string;
  delivery: 'PENDING' | 'NOT_SUBSCRIBED';
}

export interface PatientMessageRow extends Omit<NewPatientMessage, 'delivery'> {
  id: string;
  delivery: Delivery;
  errcode: number | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** Inserts once per dedupe key; → the new row's id, or null when the key was taken (already written). */
export async function insertPatientMessage(db: Db, m: NewPatientMessage, at: Date): Promise<string | null> {
  const rows = rowsOf(
    await db.query(
      `INSERT INTO patient_messages
         (openid, purpose, template_id, order_id, dedupe_key, page, data, lines, summary, delivery, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [
        m.openid,
        m.purpose,
        m.templateId,
        m.orderId,
        m.dedupeKey,
        m.page,
        JSON.stringify(m.data),
        JSON.stringify(m.lines),
        m.summary,
        m.delivery,
        at,
      ],
    ),
  );
  return rows[0] ? text(rows[0], 'id') : null;
}

function lineList(r: Row): { label: string; value: string }[] {
  const v = r.lines;
  if (!Array.isArray(v)) throw new TypeError('column lines is not a JSON array');
  return v.map((l: unknown) => {
    const o = (typeof l === 'object' && l !== null ? l : {}) as Record<string, unknown>;
    return { label: String(o.label ?? ''), value: String(o.value ?? '') };
  });
}

function dataOf(r: Row): Record<string, { value: string }> {
  const o = jsonObject(r, 'data');
  return Object.fromEntries(
    Object.entries(o).map(([k, v]) => [k, { value: String((v as { value?: unknown } | null)?.value ?? '') }]),
  );
}

const COLUMNS = `id, openid, purpose, template_id, order_id, dedupe_key, page, data, lines, summary, delivery, errcode,
  created_at, sent_at`;

function messageOf(r: Row): PatientMessageRow {
  return {
    id: text(r, 'id'),
    openid: text(r, 'openid'),
    purpose: text(r, 'purpose'),
    templateId: text(r, 'template_id'),
    orderId: textOrNull(r, 'order_id'),
    dedupeKey: text(r, 'dedupe_key'),
    page: textOrNull(r, 'page'),
    data: dataOf(r),
    lines: lineList(r),
    summary: text(r, 'summary'),
    delivery: oneOf(r, 'delivery', DELIVERIES),
    errcode: r.errcode === null ? null : int(r, 'errcode'),
    createdAt: date(r, 'created_at'),
    sentAt: dateOrNull(r, 'sent_at'),
  };
}

export async function readPatientMessage(db: Db, id: string): Promise<PatientMessageRow | null> {
  const rows = rowsOf(await db.query(`SELECT ${COLUMNS} FROM patient_messages WHERE id = $1`, [id]));
  return rows[0] ? messageOf(rows[0]) : null;
}

/** A user's messages, newest first, `limit` of them before the id `before` (exclusive) when given. */
export async function listPatientMessages(
  db: Db,
  openid: string,
  before: string | null,
  limit: number,
): Promise<PatientMessageRow[]> {
  const rows = rowsOf(
    await db.query(
      `SELECT ${COLUMNS} FROM patient_messages
        WHERE openid = $1 AND ($2::bigint IS NULL OR id < $2::bigint)
        ORDER BY id DESC LIMIT $3`,
      [openid, before, limit],
    ),
  );
  return rows.map(messageOf);
}

/** Records what WeChat said of a PENDING message; false when it was no longer PENDING (another worker). */
export async function settleDelivery(
  db: Db,
  id: string,
  delivery: Exclude<Delivery, 'PENDING' | 'NOT_SUBSCRIBED'>,
  outcome: { errcode: number | null; error: string | null },
  at: Date,
): Promise<boolean> {
  const rows = returnedRows(
    await db.query(
      `UPDATE patient_messages SET delivery = $2, errcode = $3, error = $4,
              sent_at = CASE WHEN $2 = 'SENT' THEN $5::timestamptz ELSE sent_at END
        WHERE id = $1 AND delivery = 'PENDING' RETURNING id`,
      [id, delivery, outcome.errcode, outcome.error, at],
    ),
  );
  return rows.length > 0;
}

/** Messages by purpose and delivery since `since` (the operations page and the metrics). */
export async function deliveryCounts(
  db: Db,
  since: Date,
): Promise<{ purpose: string; delivery: Delivery; count: number }[]> {
  const rows = rowsOf(
    await db.query(
      `SELECT purpose, delivery, count(*)::int AS n FROM patient_messages WHERE created_at >= $1
        GROUP BY purpose, delivery ORDER BY purpose, delivery`,
      [since],
    ),
  );
  return rows.map((r) => ({
    purpose: text(r, 'purpose'),
    delivery: oneOf(r, 'delivery', DELIVERIES),
    count: int(r, 'n'),
  }));
}
