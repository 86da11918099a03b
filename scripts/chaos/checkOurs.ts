/**
 * The invariants our database must keep by itself once a chaos run is quiet: every order at rest, nothing left
 * to do in the outbox, a balanced ledger that says what each order kept, refunds never beyond what was paid.
 */
import type { OracleDb, OracleOrder, OracleRefund, Legs } from './oracleData';
import { addLegs, Findings, legsText, POSTED, subLegs, ZERO } from './oracleReport';

/** Statuses an order may rest in after the run (DESIGN 5, server/domain/orderStateMachine.ts). */
const RESTING = ['COMPLETED', 'CANCELLED', 'EXPIRED', 'PAYMENT_FAILED', 'REFUNDED', 'PARTIALLY_REFUNDED'];
/** Open before payment: at rest only while the order's payment window lasts (the janitor closes them after). */
const OPEN_IN_WINDOW = ['CREATED', 'PRESETTLED', 'AWAITING_PAYMENT'];
/** Refund statuses at rest: AWAITING_APPROVAL waits for a supervisor, not for a job. */
const REFUND_RESTING = ['SUCCEEDED', 'FAILED', 'REJECTED', 'AWAITING_APPROVAL'];

/** The refunds of each order (by order id) and what the succeeded ones gave back, per leg. */
export function refundsByOrder(db: OracleDb): Map<string, { refunds: OracleRefund[]; refunded: Legs }> {
  const out = new Map<string, { refunds: OracleRefund[]; refunded: Legs }>();
  for (const r of db.refunds) {
    const entry = out.get(r.orderId) ?? { refunds: [], refunded: ZERO };
    entry.refunds.push(r);
    if (r.status === 'SUCCEEDED') entry.refunded = addLegs(entry.refunded, r);
    out.set(r.orderId, entry);
  }
  return out;
}

export function checkOrderTerminal(db: OracleDb, nowMs: number, f: Findings): void {
  const check = 'order-terminal';
  const orderNoOf = new Map(db.orders.map((o) => [o.id, o.orderNo]));
  let inWindow = 0;
  for (const o of db.orders) {
    f.count(check);
    if (RESTING.includes(o.status)) continue;
    if (OPEN_IN_WINDOW.includes(o.status) && o.expiresAtMs > nowMs) {
      inWindow += 1;
      continue;
    }
    const why = OPEN_IN_WINDOW.includes(o.status)
      ? `its payment window ended at ${new Date(o.expiresAtMs).toISOString()} (now ${new Date(nowMs).toISOString()}) but nothing closed it`
      : 'a status no quiet run may leave an order in';
    f.fail(check, o.orderNo, `order ${o.orderNo} is ${o.status} after the run quiesced: ${why}`);
  }
  if (inWindow > 0) f.count('order-terminal:open-in-window', inWindow);
  for (const r of db.refunds) {
    f.count(check);
    if (REFUND_RESTING.includes(r.status)) continue;
    const pending = r.legs.filter((l) => l.status === 'PENDING').map((l) => `${l.kind} ${l.amount}`);
    f.fail(
      check,
      orderNoOf.get(r.orderId),
      `refund ${r.refundNo} is ${r.status} after the run quiesced (legs still PENDING: ${pending.join(', ') || 'none'})`,
    );
  }
  for (const job of db.outbox) {
    f.count(check);
    if (job.status === 'DONE') continue;
    const orderNo = job.orderId === null ? undefined : orderNoOf.get(job.orderId);
    f.fail(
      check,
      orderNo,
      `outbox job ${job.id} (${job.kind}, key ${job.dedupeKey}${orderNo ? `, order ${orderNo}` : ''}) is ` +
        `${job.status} after ${job.attempts} attempts` +
        (job.lastError ? `; last error: ${job.lastError.slice(0, 300)}` : ''),
    );
  }
}

export function checkRefundWithinPaid(db: OracleDb, f: Findings): void {
  const check = 'refund-within-paid';
  const byOrder = refundsByOrder(db);
  const sums = (l: Legs) => l.total === l.fund + l.account + l.cash;
  for (const o of db.orders) {
    f.count(check);
    if (!sums(o)) f.fail(check, o.orderNo, `order ${o.orderNo} does not add up: ${legsText(o)}`);
    const { refunds, refunded } = byOrder.get(o.id) ?? { refunds: [], refunded: ZERO };
    for (const leg of ['fund', 'account', 'cash', 'total'] as const) {
      if (refunded[leg] > o[leg])
        f.fail(
          check,
          o.orderNo,
          `order ${o.orderNo} refunded ${refunded[leg]} fen of its ${leg}, but only ${o[leg]} was paid ` +
            `(refunds ${refunds.map((r) => `${r.refundNo} ${r.status} ${legsText(r)}`).join('; ')})`,
        );
    }
    if (refunded.total !== o.refundedFen)
      f.fail(
        check,
        o.orderNo,
        `order ${o.orderNo} says refunded_fen ${o.refundedFen}, its succeeded refunds sum to ${refunded.total}`,
      );
    for (const r of refunds) {
      f.count(check);
      if (!sums(r)) f.fail(check, o.orderNo, `refund ${r.refundNo} does not add up: ${legsText(r)}`);
    }
  }
  for (const late of db.latePayments) {
    f.count(check);
    if (!sums(late))
      f.fail(check, late.orderNo, `late payment of ${late.orderNo} does not add up: ${legsText(late)}`);
  }
}

const ACCOUNTS = {
  insurance_fund_receivable: (l: Legs) => l.fund,
  insurance_account_receivable: (l: Legs) => l.account,
  wechatpay_clearing: (l: Legs) => l.cash,
  patient_charges: (l: Legs) => -l.total,
} as const;

/** What each order's postings must net to, per account (debit positive): what it kept. */
function expectedKept(o: OracleOrder, refunded: Legs): Legs {
  return POSTED.includes(o.status) ? subLegs(o, refunded) : ZERO;
}

export function checkLedger(db: OracleDb, f: Findings): void {
  let net = 0;
  const byPosting = new Map<string, { debits: number; credits: number; orderId: string; kind: string }>();
  const byOrder = new Map<string, Record<string, number>>();
  for (const line of db.ledger) {
    f.count('ledger-balanced');
    const signed = line.direction === 'D' ? line.amount : -line.amount;
    net += signed;
    const p = byPosting.get(line.postingId) ?? {
      debits: 0,
      credits: 0,
      orderId: line.orderId,
      kind: line.kind,
    };
    if (line.direction === 'D') p.debits += line.amount;
    else p.credits += line.amount;
    byPosting.set(line.postingId, p);
    const accounts = byOrder.get(line.orderId) ?? {};
    accounts[line.account] = (accounts[line.account] ?? 0) + signed;
    byOrder.set(line.orderId, accounts);
  }
  const orderNoOf = new Map(db.orders.map((o) => [o.id, o.orderNo]));
  if (net !== 0)
    f.fail(
      'ledger-balanced',
      undefined,
      `the trial balance of ${db.ledger.length} ledger entries is ${net}, not 0`,
    );
  for (const [postingId, p] of byPosting) {
    if (p.debits !== p.credits)
      f.fail(
        'ledger-balanced',
        orderNoOf.get(p.orderId),
        `posting ${postingId} (${p.kind}) of order ${orderNoOf.get(p.orderId) ?? p.orderId} is unbalanced: ` +
          `debits ${p.debits} ≠ credits ${p.credits}`,
      );
  }
  const refunds = refundsByOrder(db);
  const known = new Set(db.orders.map((o) => o.id));
  for (const orderId of byOrder.keys()) {
    if (!known.has(orderId))
      f.fail('ledger-per-order', undefined, `ledger entries name order ${orderId}, which is not in orders`);
  }
  for (const o of db.orders) {
    f.count('ledger-per-order');
    const kept = expectedKept(o, refunds.get(o.id)?.refunded ?? ZERO);
    const actual = byOrder.get(o.id) ?? {};
    const diffs: string[] = [];
    for (const [account, of] of Object.entries(ACCOUNTS)) {
      const want = of(kept);
      const have = actual[account] ?? 0;
      if (want !== have) diffs.push(`${account} ${have} (expected ${want})`);
    }
    for (const account of Object.keys(actual)) {
      if (!(account in ACCOUNTS) && actual[account] !== 0)
        diffs.push(`${account} ${actual[account]} (expected 0)`);
    }
    if (diffs.length > 0)
      f.fail(
        'ledger-per-order',
        o.orderNo,
        `order ${o.orderNo} (${o.status}, kept ${legsText(kept)}) nets in the ledger to: ${diffs.join(', ')}`,
      );
  }
}
