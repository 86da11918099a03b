import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The payment spine's tables. Unique keys on every external reference; amounts are int8 fen with checks. */
export class Initial1763900000000 implements MigrationInterface {
  name = 'Initial1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE patients (
        id uuid PRIMARY KEY,
        openid text NOT NULL,
        his_patient_id text NOT NULL,
        name_enc text NOT NULL,
        name_masked text NOT NULL,
        id_no_enc text NOT NULL,
        id_no_hash text NOT NULL,
        id_no_masked text NOT NULL,
        phone_enc text,
        phone_masked text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (openid, id_no_hash)
      )`);
    await q.query(`
      CREATE TABLE insurance_authorizations (
        id uuid PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES patients(id),
        eligible boolean NOT NULL,
        reason text,
        pay_auth_no_enc text NOT NULL,
        psn_no text,
        insutype text,
        insured_status text,
        balance_fen bigint CHECK (balance_fen >= 0),
        city_id text NOT NULL,
        geo_location text NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX insurance_authorizations_patient ON insurance_authorizations (patient_id, created_at DESC)`,
    );
    await q.query(`
      CREATE TABLE orders (
        id uuid PRIMARY KEY,
        order_no text NOT NULL UNIQUE,
        openid text NOT NULL,
        patient_id uuid NOT NULL REFERENCES patients(id),
        his_patient_id text NOT NULL,
        status text NOT NULL,
        version integer NOT NULL DEFAULT 0,
        use_insurance boolean NOT NULL,
        bill_nos jsonb NOT NULL,
        fee_lines jsonb NOT NULL,
        total_fen bigint NOT NULL CHECK (total_fen >= 0),
        fund_fen bigint NOT NULL CHECK (fund_fen >= 0),
        account_fen bigint NOT NULL CHECK (account_fen >= 0),
        cash_fen bigint NOT NULL CHECK (cash_fen >= 0),
        refunded_fen bigint NOT NULL DEFAULT 0 CHECK (refunded_fen >= 0 AND refunded_fen <= total_fen),
        authorization_id uuid REFERENCES insurance_authorizations(id),
        pay_ord_id text UNIQUE,
        pay_token text,
        setl_id text UNIQUE,
        prepay_id text,
        mix_trade_no text UNIQUE,
        transaction_id text UNIQUE,
        receipt_no text,
        last_error text,
        expires_at timestamptz NOT NULL,
        payment_started_at timestamptz,
        paid_at timestamptz,
        completed_at timestamptz,
        next_check_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (total_fen = fund_fen + account_fen + cash_fen)
      )`);
    await q.query(`CREATE INDEX orders_openid_created ON orders (openid, created_at DESC)`);
    await q.query(
      `CREATE INDEX orders_open_status ON orders (status, expires_at) WHERE status IN ('CREATED','PRESETTLED','AWAITING_PAYMENT','UNKNOWN','PAID')`,
    );
    await q.query(`CREATE INDEX orders_created ON orders (created_at)`);
    await q.query(`
      CREATE TABLE order_events (
        id bigserial PRIMARY KEY,
        order_id uuid NOT NULL REFERENCES orders(id),
        from_status text,
        to_status text NOT NULL,
        actor text NOT NULL,
        reason text NOT NULL,
        external_ref text,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX order_events_order ON order_events (order_id, id)`);
    await q.query(`
      CREATE TABLE ledger_entries (
        id bigserial PRIMARY KEY,
        posting_id uuid NOT NULL,
        order_id uuid NOT NULL REFERENCES orders(id),
        kind text NOT NULL,
        account text NOT NULL,
        direction char(1) NOT NULL CHECK (direction IN ('D','C')),
        amount_fen bigint NOT NULL CHECK (amount_fen > 0),
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX ledger_entries_order ON ledger_entries (order_id)`);
    // one settlement posting per order, ever (a replayed callback cannot post twice)
    await q.query(
      `CREATE UNIQUE INDEX ledger_one_settlement ON ledger_entries (order_id, account) WHERE kind = 'settlement'`,
    );
    await q.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        kind text NOT NULL,
        order_id uuid REFERENCES orders(id),
        dedupe_key text NOT NULL UNIQUE,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING','DONE','DEAD')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        last_error text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'PENDING'`);
    await q.query(`
      CREATE TABLE idempotency_keys (
        scope text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        status_code integer NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (scope, key)
      )`);
    await q.query(`
      CREATE TABLE received_notifications (
        id text PRIMARY KEY,
        event_type text NOT NULL,
        out_trade_no text,
        received_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'received_notifications',
      'idempotency_keys',
      'outbox',
      'ledger_entries',
      'order_events',
      'orders',
      'insurance_authorizations',
      'patients',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
