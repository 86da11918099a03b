import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A reconciliation row's sides are written once, as JSON text built by the run's INSERT … SELECT
 * (server/db/recon/match.ts), and only ever read whole: `json` keeps that text as it is, where `jsonb` would parse
 * and rebuild a million of them per run (the larger part of writing a day's rows).
 */
export class ReconRowSidesJson1763900000017 implements MigrationInterface {
  name = 'ReconRowSidesJson1763900000017';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE recon_rows ALTER COLUMN sides TYPE json USING sides::json`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE recon_rows ALTER COLUMN sides TYPE jsonb USING sides::jsonb`);
  }
}
