import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Card ownership (DESIGN flow 11): a card is bound only after a one-time code sent to the phone the HIS holds for
 * the patient comes back. A verification is written for every binding attempt — also for a person the HIS does
 * not know (no code then, so it can never succeed) — so the answer never tells whether somebody is a patient.
 * Unbinding keeps the card for the hospital (`unbound_at`) and takes it out of the patient's lists.
 */
export class PatientVerifications1763900000008 implements MigrationInterface {
  name = 'PatientVerifications1763900000008';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE patient_verifications (
        id uuid PRIMARY KEY,
        openid text NOT NULL,
        id_no_hash text NOT NULL,
        name_enc text NOT NULL,
        id_no_enc text NOT NULL,
        his_patient_id text,
        phone_enc text,
        phone_masked text NOT NULL,
        code_enc text,
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING','VERIFIED','DEAD')),
        patient_id uuid REFERENCES patients(id),
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX patient_verifications_openid ON patient_verifications (openid, created_at)`);
    await q.query(`ALTER TABLE patients ADD COLUMN unbound_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE patients DROP COLUMN unbound_at`);
    await q.query(`DROP TABLE patient_verifications`);
  }
}
