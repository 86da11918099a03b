/** SQL of checkout step-ups (services/risk/stepUp.ts): the held order and the codes texted to prove the card. */
import type { EntityManager } from 'typeorm';
import { date, int, oneOf, returnedRows, rowsOf, text, type Db, type Row } from './rows';

export interface StepUp {
  id: string;
  orderId: string;
  openid: string;
  phoneEnc: string;
  phoneMasked: string;
  codeEnc: string;
  attempts: number;
  status: 'PENDING' | 'VERIFIED' | 'DEAD';
  expiresAt: Date;
  createdAt: Date;
}

const COLUMNS =
  'id, order_id, openid, phone_enc, phone_masked, code_enc, attempts, status, expires_at, created_at';

function parse(r: Row): StepUp {
  return {
    id: text(r, 'id'),
    orderId: text(r, 'order_id'),
    openid: text(r, 'openid'),
    phoneEnc: text(r, 'phone_enc'),
    phoneMasked: text(r, 'phone_masked'),
    codeEnc: text(r, 'code_enc'),
    attempts: int(r, 'attempts'),
    status: oneOf(r, 'status', ['PENDING', 'VERIFIED', 'DEAD'] as const),
    expiresAt: date(r, 'expires_at'),
    createdAt: date(r, 'created_at'),
  };
}

export async function holdForStepUp(db: Db, orderId: string): Promise<void> {
  await db.query(`UPDATE orders SET risk_hold = 'STEP_UP' WHERE id = $1`, [orderId]);
}

/** A step-up that cannot be done (no phone at the HIS) becomes a cashier's review. */
export async function stepUpToReview(db: Db, orderId: string): Promise<void> {
  await db.query(`UPDATE orders SET risk_hold = 'REVIEW' WHERE id = $1 AND risk_hold = 'STEP_UP'`, [orderId]);
}

export async function insertStepUp(m: EntityManager, s: Omit<StepUp, 'attempts' | 'status'>): Promise<void> {
  await m.query(
    `INSERT INTO order_step_ups (id, order_id, openid, phone_enc, phone_masked, code_enc, expires_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [s.id, s.orderId, s.openid, s.phoneEnc, s.phoneMasked, s.codeEnc, s.expiresAt, s.createdAt],
  );
}

export async function findStepUp(
  db: Db,
  id: string,
  orderId: string,
  openid: string,
): Promise<StepUp | null> {
  const rows = rowsOf(
    await db.query(`SELECT ${COLUMNS} FROM order_step_ups WHERE id = $1 AND order_id = $2 AND openid = $3`, [
      id,
      orderId,
      openid,
    ]),
  );
  return rows[0] ? parse(rows[0]) : null;
}

/** A pending, unexpired step-up still to be texted (the outbox job); null otherwise. */
export async function pendingStepUp(db: Db, id: string, now: Date): Promise<StepUp | null> {
  const rows = rowsOf(
    await db.query(
      `SELECT ${COLUMNS} FROM order_step_ups WHERE id = $1 AND status = 'PENDING' AND expires_at > $2`,
      [id, now],
    ),
  );
  return rows[0] ? parse(rows[0]) : null;
}

/** Counts one try and reads the row in one statement (two tries at once never share the last one). */
export async function takeStepUpAttempt(db: Db, id: string, now: Date, max: number): Promise<StepUp | null> {
  const rows = returnedRows(
    await db.query(
      `UPDATE order_step_ups SET attempts = attempts + 1
        WHERE id = $1 AND status = 'PENDING' AND expires_at > $2 AND attempts < $3 RETURNING ${COLUMNS}`,
      [id, now, max],
    ),
  );
  return rows[0] ? parse(rows[0]) : null;
}

export async function markStepUp(db: Db, id: string, status: 'VERIFIED' | 'DEAD'): Promise<void> {
  await db.query(`UPDATE order_step_ups SET status = $2 WHERE id = $1`, [id, status]);
}

/** Codes texted for an order since `since` (a cap on how many one order may ask for). */
export async function stepUpsSince(db: Db, orderId: string, since: Date): Promise<number> {
  const rows = rowsOf(
    await db.query(`SELECT count(*)::int AS n FROM order_step_ups WHERE order_id = $1 AND created_at > $2`, [
      orderId,
      since,
    ]),
  );
  return int(rows[0], 'n');
}
