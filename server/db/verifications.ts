/**
 * SQL of card-binding verifications (services/patient/binding.ts): rows parsed into typed values here. Counting a
 * try and reading the row is one statement, so two tries at once can never both use the last attempt.
 */
import type { EntityManager } from 'typeorm';
import { date, int, oneOf, returnedRows, rowsOf, text, textOrNull, type Db, type Row } from './rows';

export type VerificationStatus = 'PENDING' | 'VERIFIED' | 'DEAD';

export interface Verification {
  id: string;
  openid: string;
  idNoHash: string;
  nameEnc: string;
  idNoEnc: string;
  hisPatientId: string | null;
  phoneEnc: string | null;
  phoneMasked: string;
  /** null: the HIS does not know the person (or holds no phone): no code can succeed */
  codeEnc: string | null;
  attempts: number;
  status: VerificationStatus;
  patientId: string | null;
  expiresAt: Date;
  createdAt: Date;
}

const STATUSES: readonly VerificationStatus[] = ['PENDING', 'VERIFIED', 'DEAD'];

function parse(r: Row): Verification {
  return {
    id: text(r, 'id'),
    openid: text(r, 'openid'),
    idNoHash: text(r, 'id_no_hash'),
    nameEnc: text(r, 'name_enc'),
    idNoEnc: text(r, 'id_no_enc'),
    hisPatientId: textOrNull(r, 'his_patient_id'),
    phoneEnc: textOrNull(r, 'phone_enc'),
    phoneMasked: text(r, 'phone_masked'),
    codeEnc: textOrNull(r, 'code_enc'),
    attempts: int(r, 'attempts'),
    status: oneOf(r, 'status', STATUSES),
    patientId: textOrNull(r, 'patient_id'),
    expiresAt: date(r, 'expires_at'),
    createdAt: date(r, 'created_at'),
  };
}

const COLUMNS = `id, openid, id_no_hash, name_enc, id_no_enc, his_patient_id, phone_enc, phone_masked, code_enc,
  attempts, status, patient_id, expires_at, created_at`;

export async function insertVerification(
  m: EntityManager,
  v: Omit<Verification, 'attempts' | 'status' | 'patientId'>,
): Promise<void> {
  await m.query(
    `INSERT INTO patient_verifications (id, openid, id_no_hash, name_enc, id_no_enc, his_patient_id, phone_enc,
       phone_masked, code_enc, expires_at, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
    [
      v.id,
      v.openid,
      v.idNoHash,
      v.nameEnc,
      v.idNoEnc,
      v.hisPatientId,
      v.phoneEnc,
      v.phoneMasked,
      v.codeEnc,
      v.expiresAt,
      v.createdAt,
    ],
  );
}

export async function findVerification(
  m: EntityManager,
  id: string,
  openid: string,
): Promise<Verification | null> {
  const rows = rowsOf(
    await m.query(`SELECT ${COLUMNS} FROM patient_verifications WHERE id = $1 AND openid = $2`, [id, openid]),
  );
  return rows.length === 0 ? null : parse(rows[0]);
}

/** Counts one try of a live verification (PENDING, not expired, tries left) and returns it; null when none is left. */
export async function takeAttempt(
  m: EntityManager,
  id: string,
  openid: string,
  now: Date,
  attemptsMax: number,
): Promise<Verification | null> {
  const result = returnedRows(
    await m.query(
      `UPDATE patient_verifications SET attempts = attempts + 1
      WHERE id = $1 AND openid = $2 AND status = 'PENDING' AND expires_at > $3 AND attempts < $4
      RETURNING ${COLUMNS}`,
      [id, openid, now, attemptsMax],
    ),
  );
  return result.length === 0 ? null : parse(result[0]);
}

export async function markDead(m: EntityManager, id: string): Promise<void> {
  await m.query(`UPDATE patient_verifications SET status = 'DEAD' WHERE id = $1 AND status = 'PENDING'`, [
    id,
  ]);
}

export async function markVerified(m: EntityManager, id: string, patientId: string): Promise<void> {
  await m.query(
    `UPDATE patient_verifications SET status = 'VERIFIED', patient_id = $2 WHERE id = $1 AND status = 'PENDING'`,
    [id, patientId],
  );
}

/** Binds the card (or binds it again after an unbinding); the row of (openid, id_no_hash) afterwards. */
export async function upsertBoundPatient(
  m: EntityManager,
  p: {
    id: string;
    openid: string;
    hisPatientId: string;
    nameEnc: string;
    nameMasked: string;
    idNoEnc: string;
    idNoHash: string;
    idNoMasked: string;
    phoneEnc: string | null;
    phoneMasked: string | null;
    createdAt: Date;
  },
): Promise<string> {
  const rows = rowsOf(
    await m.query(
      `INSERT INTO patients (id, openid, his_patient_id, name_enc, name_masked, id_no_enc, id_no_hash, id_no_masked,
       phone_enc, phone_masked, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)
     ON CONFLICT (openid, id_no_hash) DO UPDATE SET unbound_at = NULL, his_patient_id = EXCLUDED.his_patient_id,
       phone_enc = EXCLUDED.phone_enc, phone_masked = EXCLUDED.phone_masked
     RETURNING id`,
      [
        p.id,
        p.openid,
        p.hisPatientId,
        p.nameEnc,
        p.nameMasked,
        p.idNoEnc,
        p.idNoHash,
        p.idNoMasked,
        p.phoneEnc,
        p.phoneMasked,
        p.createdAt,
      ],
    ),
  );
  return text(rows[0], 'id');
}

/** Unbinds the caller's card; false when there is no such bound card of theirs. */
export async function unbindPatient(
  m: EntityManager,
  patientId: string,
  openid: string,
  at: Date,
): Promise<boolean> {
  const result = returnedRows(
    await m.query(
      `UPDATE patients SET unbound_at = $3 WHERE id = $1 AND openid = $2 AND unbound_at IS NULL RETURNING id`,
      [patientId, openid, at],
    ),
  );
  return result.length > 0;
}

/** The openid of a verification still PENDING and not expired at `now`; null when there is none. */
export async function pendingVerificationOpenid(db: Db, id: string, now: Date): Promise<string | null> {
  const rows = rowsOf(
    await db.query(
      `SELECT openid FROM patient_verifications WHERE id = $1 AND status = 'PENDING' AND expires_at > $2`,
      [id, now],
    ),
  );
  return rows.length === 0 ? null : text(rows[0], 'openid');
}
