/**
 * Quiesce: with the trouble stopped and every instance up again, let the jobs run until nothing is open — no
 * order short of a settled state, no outbox row PENDING, no refund REQUESTED/PROCESSING, no late payment
 * RETURNING, no WeChat callback still to be retried — moving the mocks' clock forward a little at a time so WeChat's callback retries and refund
 * completions come due. Bounded: what is still open at the deadline is reported (a violation).
 */
import { Client } from 'pg';
import type { Instance } from './processes';

/** Orders in these states still owe something to someone. */
export const OPEN_ORDER_STATES = [
  'CREATED',
  'PRESETTLED',
  'AWAITING_PAYMENT',
  'UNKNOWN',
  'PAID',
  'REFUNDING',
];

export interface OpenThings {
  orders: { orderNo: string; status: string }[];
  outboxPending: number;
  refundsOpen: number;
  latePaymentsReturning: number;
  /** WeChat callbacks not yet answered 2xx that WeChat will still retry */
  callbacksPending: number;
}

export interface QuiesceResult {
  ok: boolean;
  ms: number;
  /** how far the mocks' clock was moved */
  clockAdvancedMs: number;
  open: OpenThings;
}

const CLOCK_STEP_MS = 30_000;
/** below WeChat's ±5 min signature window (the server's CALLBACK_CLOCK_SKEW_MS is set wider for the run) */
const CLOCK_ADVANCE_MAX_MS = 4 * 60_000;
const LOOK_EVERY_MS = 1000;
const ADVANCE_EVERY_MS = 5000;

async function callbacksPending(wechatUrl: string): Promise<number> {
  const res = await fetch(`${wechatUrl}/__admin/notifications`, { signal: AbortSignal.timeout(10_000) });
  const list = (await res.json()) as { delivered: boolean; nextAttemptAtMs?: number }[];
  return list.filter((n) => !n.delivered && n.nextAttemptAtMs !== undefined).length;
}

async function openThings(client: Client, wechatUrl: string): Promise<OpenThings> {
  const orders = await client.query<{ orderNo: string; status: string }>(
    `SELECT order_no AS "orderNo", status FROM orders WHERE status = ANY($1) ORDER BY created_at LIMIT 200`,
    [OPEN_ORDER_STATES],
  );
  const one = async (sql: string) => (await client.query<{ n: number }>(sql)).rows[0]?.n ?? 0;
  return {
    orders: orders.rows,
    outboxPending: await one(`SELECT count(*)::int AS n FROM outbox WHERE status = 'PENDING'`),
    refundsOpen: await one(
      `SELECT count(*)::int AS n FROM refunds WHERE status IN ('REQUESTED', 'PROCESSING')`,
    ),
    latePaymentsReturning: await one(
      `SELECT count(*)::int AS n FROM late_payments WHERE status = 'RETURNING'`,
    ),
    callbacksPending: await callbacksPending(wechatUrl),
  };
}

const quiet = (o: OpenThings) =>
  o.orders.length === 0 &&
  o.outboxPending === 0 &&
  o.refundsOpen === 0 &&
  o.latePaymentsReturning === 0 &&
  o.callbacksPending === 0;

/** Quiet this many looks in a row (a callback in flight, a job between two steps, shows on the next look). */
const QUIET_LOOKS = 3;

export async function quiesce(o: {
  databaseUrl: string;
  schema: string;
  instances: Instance[];
  wechatUrl: string;
  timeoutMs: number;
}): Promise<QuiesceResult> {
  const started = Date.now();
  for (const instance of o.instances) if (!instance.alive) await instance.start();
  const client = new Client({ connectionString: o.databaseUrl, options: `-c search_path=${o.schema}` });
  await client.connect();
  let advanced = 0;
  let lastAdvance = Date.now();
  let quietLooks = 0;
  try {
    for (;;) {
      const open = await openThings(client, o.wechatUrl);
      quietLooks = quiet(open) ? quietLooks + 1 : 0;
      if (quietLooks >= QUIET_LOOKS)
        return { ok: true, ms: Date.now() - started, clockAdvancedMs: advanced, open };
      if (Date.now() - started > o.timeoutMs)
        return { ok: false, ms: Date.now() - started, clockAdvancedMs: advanced, open };
      if (Date.now() - lastAdvance >= ADVANCE_EVERY_MS && advanced + CLOCK_STEP_MS <= CLOCK_ADVANCE_MAX_MS) {
        await fetch(`${o.wechatUrl}/__admin/clock`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ advance: `${CLOCK_STEP_MS / 1000}s` }),
        });
        advanced += CLOCK_STEP_MS;
        lastAdvance = Date.now();
      }
      // an instance killed by the last event may have been restarted late; keep them all up
      for (const instance of o.instances) if (!instance.alive) await instance.start();
      await new Promise((r) => setTimeout(r, LOOK_EVERY_MS));
    }
  } finally {
    await client.end();
  }
}
