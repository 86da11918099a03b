/**
 * The invariant checker's own reading of our database (issue 14): plain SQL over the tables the migrations
 * define (server/db/migrations), nothing of the server's services. Amounts come back as numbers of fen.
 */
import { Client } from 'pg';

export interface Legs {
  total: number;
  fund: number;
  account: number;
  cash: number;
}

export interface OracleOrder extends Legs {
  id: string;
  orderNo: string;
  status: string;
  useInsurance: boolean;
  billNos: string[];
  refundedFen: number;
  payOrdId: string | null;
  setlId: string | null;
  prepayId: string | null;
  mixTradeNo: string | null;
  transactionId: string | null;
  receiptNo: string | null;
  expiresAtMs: number;
}

export interface OracleRefund extends Legs {
  id: string;
  orderId: string;
  refundNo: string;
  status: string;
  legs: { kind: string; amount: number; status: string }[];
}

export interface OracleOutbox {
  id: string;
  kind: string;
  orderId: string | null;
  dedupeKey: string;
  status: string;
  attempts: number;
  lastError: string | null;
}

export interface OracleLedgerLine {
  postingId: string;
  orderId: string;
  kind: string;
  account: string;
  direction: 'D' | 'C';
  amount: number;
}

export interface OracleLatePayment extends Legs {
  orderId: string;
  orderNo: string;
  status: string;
  cashRefundNo: string;
  insuranceRefundNo: string | null;
}

export interface OracleReconRow {
  date: string;
  runId: string;
  kind: string;
  record: string;
  orderNo: string;
  refundNo: string | null;
  note: string;
  sides: unknown;
  resolved: boolean;
}

export interface OracleReconRun {
  id: string;
  date: string;
  status: string;
  totals: { insuranceCheck?: { balanced: boolean; message?: string } } | null;
}

/** Everything the checks read of our database, read once. */
export interface OracleDb {
  orders: OracleOrder[];
  refunds: OracleRefund[];
  outbox: OracleOutbox[];
  ledger: OracleLedgerLine[];
  latePayments: OracleLatePayment[];
}

const fen = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

const SCHEMA = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** A connection whose search_path is the run's schema. */
export async function openOracle(databaseUrl: string, schema: string): Promise<Client> {
  if (!SCHEMA.test(schema)) throw new Error(`not a schema name: ${JSON.stringify(schema)}`);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`SET search_path TO "${schema}"`);
  return client;
}

type Row = Record<string, unknown>;

async function rows(client: Client, sql: string, params: unknown[] = []): Promise<Row[]> {
  return (await client.query(sql, params)).rows as Row[];
}

export async function readOracleDb(client: Client): Promise<OracleDb> {
  const orders = (
    await rows(
      client,
      `SELECT id, order_no, status, use_insurance, bill_nos, total_fen, fund_fen, account_fen, cash_fen,
              refunded_fen, pay_ord_id, setl_id, prepay_id, mix_trade_no, transaction_id, receipt_no, expires_at
         FROM orders ORDER BY created_at, order_no`,
    )
  ).map((r): OracleOrder => ({
    id: String(r.id),
    orderNo: String(r.order_no),
    status: String(r.status),
    useInsurance: r.use_insurance === true,
    billNos: Array.isArray(r.bill_nos) ? (r.bill_nos as unknown[]).map(String) : [],
    total: fen(r.total_fen),
    fund: fen(r.fund_fen),
    account: fen(r.account_fen),
    cash: fen(r.cash_fen),
    refundedFen: fen(r.refunded_fen),
    payOrdId: (r.pay_ord_id as string | null) ?? null,
    setlId: (r.setl_id as string | null) ?? null,
    prepayId: (r.prepay_id as string | null) ?? null,
    mixTradeNo: (r.mix_trade_no as string | null) ?? null,
    transactionId: (r.transaction_id as string | null) ?? null,
    receiptNo: (r.receipt_no as string | null) ?? null,
    expiresAtMs: (r.expires_at as Date).getTime(),
  }));
  const legRows = await rows(client, `SELECT refund_id, kind, amount_fen, status FROM refund_legs`);
  const legsOf = new Map<string, OracleRefund['legs']>();
  for (const l of legRows) {
    const list = legsOf.get(String(l.refund_id)) ?? [];
    list.push({ kind: String(l.kind), amount: fen(l.amount_fen), status: String(l.status) });
    legsOf.set(String(l.refund_id), list);
  }
  const refunds = (
    await rows(
      client,
      `SELECT id, order_id, refund_no, status, total_fen, fund_fen, account_fen, cash_fen
         FROM refunds ORDER BY refund_no`,
    )
  ).map((r): OracleRefund => ({
    id: String(r.id),
    orderId: String(r.order_id),
    refundNo: String(r.refund_no),
    status: String(r.status),
    total: fen(r.total_fen),
    fund: fen(r.fund_fen),
    account: fen(r.account_fen),
    cash: fen(r.cash_fen),
    legs: legsOf.get(String(r.id)) ?? [],
  }));
  const outbox = (
    await rows(
      client,
      `SELECT id, kind, order_id, dedupe_key, status, attempts, last_error FROM outbox ORDER BY id`,
    )
  ).map((r): OracleOutbox => ({
    id: String(r.id),
    kind: String(r.kind),
    orderId: (r.order_id as string | null) ?? null,
    dedupeKey: String(r.dedupe_key),
    status: String(r.status),
    attempts: Number(r.attempts),
    lastError: (r.last_error as string | null) ?? null,
  }));
  const ledger = (
    await rows(
      client,
      `SELECT posting_id, order_id, kind, account, direction, amount_fen FROM ledger_entries ORDER BY id`,
    )
  ).map((r): OracleLedgerLine => ({
    postingId: String(r.posting_id),
    orderId: String(r.order_id),
    kind: String(r.kind),
    account: String(r.account),
    direction: r.direction === 'D' ? 'D' : 'C',
    amount: fen(r.amount_fen),
  }));
  const latePayments = (
    await rows(
      client,
      `SELECT order_id, order_no, status, total_fen, fund_fen, account_fen, cash_fen, cash_refund_no,
              insurance_refund_no
         FROM late_payments ORDER BY order_no`,
    )
  ).map((r): OracleLatePayment => ({
    orderId: String(r.order_id),
    orderNo: String(r.order_no),
    status: String(r.status),
    total: fen(r.total_fen),
    fund: fen(r.fund_fen),
    account: fen(r.account_fen),
    cash: fen(r.cash_fen),
    cashRefundNo: String(r.cash_refund_no),
    insuranceRefundNo: (r.insurance_refund_no as string | null) ?? null,
  }));
  return { orders, refunds, outbox, ledger, latePayments };
}

/** The latest finished (or failed) reconciliation run of each day, with its rows. */
export async function readReconciliation(
  client: Client,
  days: readonly string[],
): Promise<{ runs: Map<string, OracleReconRun>; rows: OracleReconRow[] }> {
  const runs = new Map<string, OracleReconRun>();
  const out: OracleReconRow[] = [];
  for (const date of days) {
    const [run] = await rows(
      client,
      `SELECT id, to_char(date, 'YYYY-MM-DD') AS date, status, totals FROM recon_runs
        WHERE date = $1::date AND status IN ('DONE', 'FAILED') ORDER BY started_at DESC, id LIMIT 1`,
      [date],
    );
    if (!run) continue;
    runs.set(date, {
      id: String(run.id),
      date,
      status: String(run.status),
      totals: (run.totals as OracleReconRun['totals']) ?? null,
    });
    for (const r of await rows(
      client,
      `SELECT kind, record, order_no, refund_no, note, sides, resolution FROM recon_rows WHERE run_id = $1
        ORDER BY id`,
      [run.id],
    )) {
      out.push({
        date,
        runId: String(run.id),
        kind: String(r.kind),
        record: String(r.record),
        orderNo: String(r.order_no),
        refundNo: (r.refund_no as string | null) ?? null,
        note: String(r.note),
        sides: r.sides,
        resolved: r.resolution !== null && r.resolution !== undefined,
      });
    }
  }
  return { runs, rows: out };
}
