/**
 * SQL of card-binding verifications (services/patientBinding.ts): rows parsed into typed values here. Counting a
 * try and reading the row is one statement, so two tries at once can never both use the last attempt.
 */
import type { EntityManager } from 'typeorm';

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

interface RawVerification {
  id: string;
  openid: string;
  id_no_hash: string;
  name_enc: string;
  id_no_enc: string;
  his_patient_id: string | null;
  phone_enc: string | null;
  phone_masked: string;
  code_enc: string | null;
  attempts: number;
  status: string;
  patient_id: string | null;
  expires_at: Date;
  created_at: Date;
}

function statusOf(raw: string): VerificationStatus {
  const status = raw as VerificationStatus;
  switch (status) {
    case 'PENDING':
    case 'VERIFIED':
    case 'DEAD':
      return status;
  }
  throw new Error(`patient_verifications.status ${JSON.stringify(raw)}`);
}

function parse(r: RawVerification): Verification {
  return {
    id: r.id,
    openid: r.openid,
    idNoHash: r.id_no_hash,
    nameEnc: r.name_enc,
    idNoEnc: r.id_no_enc,
    hisPatientId: r.his_patient_id,
    phoneEnc: r.phone_enc,
    phoneMasked: r.phone_masked,
    codeEnc: r.code_enc,
    attempts: Number(r.attempts),
    status: statusOf(r.status),
    patientId: r.patient_id,
    expiresAt: new Date(r.expires_at),
    createdAt: new Date(r.created_at),
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
  const rows = (await m.query(`SELECT ${COLUMNS} FROM patient_verifications WHERE id = $1 AND openid = $2`, [
    id,
    openid,
  ])) as RawVerification[];
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
  const result = (await m.query(
    `UPDATE patient_verifications SET attempts = attempts + 1
      WHERE id = $1 AND openid = $2 AND status = 'PENDING' AND expires_at > $3 AND attempts < $4
      RETURNING ${COLUMNS}`,
    [id, openid, now, attemptsMax],
  )) as [RawVerification[], number];
  return result[0].length === 0 ? null : parse(result[0][0]);
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
  const rows = (await m.query(
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
  )) as { id: string }[];
  return rows[0].id;
}

/** Unbinds the caller's card; false when there is no such bound card of theirs. */
export async function unbindPatient(
  m: EntityManager,
  patientId: string,
  openid: string,
  at: Date,
): Promise<boolean> {
  const result = (await m.query(
    `UPDATE patients SET unbound_at = $3 WHERE id = $1 AND openid = $2 AND unbound_at IS NULL RETURNING id`,
    [patientId, openid, at],
  )) as [unknown[], number];
  return result[0].length > 0;
}
