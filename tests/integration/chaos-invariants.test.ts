/**
 * The chaos run's invariant checker (scripts/chaos/invariants.ts) on a quiet stack: orders of every kind (cash,
 * mixed, insurance-only, cancelled, partly refunded, a late payment given back) give no violation and non-zero
 * counts; then one thing at a time is broken — in our database, at a party, in a mock's journal — and the
 * checker names the broken promise and the order.
 */
import { adminGet, adminPost, call, seedPatient, useStack, type SeededPatient } from '../helpers/stack';
import {
  authorize,
  checkout,
  confirmAtWeChat,
  pay,
  payInFull,
  waitForStatus,
  type OrderAnswer,
} from '../helpers/flow';
import { NO_APPROVAL_ENV, useRefundApi } from '../helpers/refundApi';
import { cstDate } from '../../shared/clock';
import { reconcileDay } from '../../server/services/reconciliation/runs';
import { checkInvariants } from '../../scripts/chaos/invariants';
import type { InvariantContext, InvariantReport, Violation } from '../../scripts/chaos/types';

jest.setTimeout(60_000);

const stack = useStack({ env: NO_APPROVAL_ENV });
const refunds = useRefundApi(stack);

interface Made {
  cash: OrderAnswer;
  mixed: OrderAnswer;
  insuranceOnly: OrderAnswer;
  cancelled: OrderAnswer;
  partlyRefunded: OrderAnswer;
  refunded: OrderAnswer;
  late: OrderAnswer;
}
const made = {} as Made;
const days = new Set<string>();

function context(): InvariantContext {
  return {
    databaseUrl: stack.db.url,
    schema: stack.db.schema,
    insuranceUrl: stack.insurance.url,
    hisUrl: stack.his.url,
    wechatUrl: stack.wechat.url,
    days: [...days].sort(),
  };
}

async function check(reconcile = false): Promise<InvariantReport> {
  const actor = { username: 'chaos', role: 'supervisor' };
  return checkInvariants(
    context(),
    reconcile ? { reconcile: (date) => reconcileDay(stack.server.deps, date, actor) } : {},
  );
}

/** Runs the jobs until nothing more is due (bounded). */
async function untilQuiet(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await stack.runJobs();
    const [{ n }] = (await stack.db.db.query(
      `SELECT count(*)::int AS n FROM outbox WHERE status = 'PENDING'`,
    )) as { n: number }[];
    if (n === 0) return;
    stack.clock.advance(60_000);
  }
}

const insured = { insured: { insutype: '310' as const, balance: 3000 } };
const rich = { insured: { insutype: '310' as const, balance: 10_000_000 } };

async function checkedOut(p: SeededPatient, useInsurance: boolean): Promise<OrderAnswer> {
  if (useInsurance) await authorize(stack, p);
  const order = await checkout(stack, p, useInsurance);
  if (order.status !== 201) throw new Error(`checkout failed: ${JSON.stringify(order.body)}`);
  return order.body;
}

/** A cash order left in the sheet until the janitor closed it, then paid at WeChat anyway (late-payments.test.ts). */
async function latePaymentReturned(): Promise<OrderAnswer> {
  const p = await seedPatient(stack);
  const order = await checkedOut(p, false);
  expect((await pay(stack, p, order.id)).status).toBe(200);
  stack.clock.advance(stack.server.deps.settings.ORDER_PAYMENT_WINDOW_MS + 1000);
  await stack.runJobs();
  await waitForStatus(stack, p, order.id, ['EXPIRED']);
  const trade = stack.wechat.mock.state.trades.get(order.orderNo);
  if (!trade) throw new Error('no trade at WeChat');
  trade.state = 'NOTPAY'; // WeChat's race: the closed trade is payable again
  trade.timeExpireMs = undefined;
  expect((await confirmAtWeChat(stack, order.orderNo)).tradeState).toBe('SUCCESS');
  await stack.wechat.mock.deliverDue();
  await untilQuiet();
  return order;
}

beforeAll(async () => {
  days.add(cstDate(stack.clock.now()));
  made.cash = await payInFull(stack, await seedPatient(stack), false);
  made.mixed = await payInFull(stack, await seedPatient(stack, insured), true);
  expect(made.mixed.mixPayType).toBe('CASH_AND_INSURANCE');
  made.insuranceOnly = await payInFull(stack, await seedPatient(stack, rich), true);
  expect(made.insuranceOnly.mixPayType).toBe('INSURANCE_ONLY');

  const c = await seedPatient(stack, insured);
  made.cancelled = await checkedOut(c, true);
  const cancelled = await call<{ status: string }>(
    stack.url,
    'POST',
    `/api/v1/orders/${made.cancelled.id}/cancel`,
    {
      token: c.token,
    },
  );
  expect(cancelled.body.status).toBe('CANCELLED');

  const r = await seedPatient(stack, insured);
  made.partlyRefunded = await payInFull(stack, r, true);
  const refund = await refunds.refund(made.partlyRefunded.id, { amount: 1, reason: 'chaos test: partly' });
  expect(refund.status).toBe(201);
  await untilQuiet();
  await waitForStatus(stack, r, made.partlyRefunded.id, ['PARTIALLY_REFUNDED']);

  const w = await seedPatient(stack, insured);
  made.refunded = await payInFull(stack, w, true);
  const whole = await refunds.refund(made.refunded.id, { reason: 'chaos test: whole' });
  expect(whole.status).toBe(201);
  await untilQuiet();
  await waitForStatus(stack, w, made.refunded.id, ['REFUNDED']);

  made.late = await latePaymentReturned();
  await untilQuiet();
  const lastDay = cstDate(stack.clock.now());
  days.add(lastDay);
  // the parties' files of a day are there the next morning
  stack.clock.set(Date.parse(`${lastDay}T10:00:00+08:00`) + 24 * 3600_000);
  await untilQuiet();
});

const brief = (v: Violation) => `${v.check} ${v.orderNo ?? '-'}: ${v.detail}`;

function expectViolation(
  report: InvariantReport,
  checkId: string,
  orderNo: string | undefined,
  detail: RegExp,
) {
  const found = report.violations.filter(
    (v) => v.check === checkId && (orderNo === undefined || v.orderNo === orderNo),
  );
  if (!found.some((v) => detail.test(v.detail)))
    throw new Error(
      `expected a ${checkId} violation of ${orderNo ?? 'the run'} matching ${detail}; got:\n` +
        report.violations.map(brief).join('\n'),
    );
}

describe('the chaos invariant checker', () => {
  it('finds nothing wrong with a quiet run of every kind of order, and says what it looked at', async () => {
    const report = await check(true);
    expect(report.violations.map(brief)).toEqual([]);
    for (const id of [
      'order-terminal',
      'his-agrees',
      'insurance-agrees',
      'wechat-agrees',
      'late-returned',
      'ledger-balanced',
      'ledger-per-order',
      'refund-within-paid',
      'create-at-most-once',
      'reconciliation-explained',
    ])
      expect({ id, n: report.checked[id] }).toEqual({ id, n: expect.any(Number) as number });
    for (const [id, n] of Object.entries(report.checked))
      if (!id.includes(':')) expect({ id, n: n > 0 }).toEqual({ id, n: true });
    expect(report.checked['order-terminal']).toBeGreaterThanOrEqual(6);
    expect(report.checked['late-returned']).toBe(1);
    expect(report.checked['create-at-most-once:insurance 6203 refund']).toBeGreaterThan(0);
  });

  it('an order left PAID in our database', async () => {
    const { orderNo, id } = made.cash;
    await stack.db.db.query(`UPDATE orders SET status = 'PAID' WHERE id = $1`, [id]);
    try {
      const report = await check();
      expectViolation(report, 'order-terminal', orderNo, /is PAID after the run quiesced/);
    } finally {
      await stack.db.db.query(`UPDATE orders SET status = 'COMPLETED' WHERE id = $1`, [id]);
    }
  });

  it('an outbox job PENDING again', async () => {
    const [job] = (await stack.db.db.query(
      `SELECT id, kind FROM outbox WHERE order_id = $1 AND status = 'DONE' ORDER BY id LIMIT 1`,
      [made.mixed.id],
    )) as { id: string; kind: string }[];
    await stack.db.db.query(`UPDATE outbox SET status = 'PENDING' WHERE id = $1`, [job.id]);
    try {
      const report = await check();
      expectViolation(
        report,
        'order-terminal',
        made.mixed.orderNo,
        new RegExp(`outbox job ${job.id} \\(${job.kind}.* is PENDING`),
      );
    } finally {
      await stack.db.db.query(`UPDATE outbox SET status = 'DONE' WHERE id = $1`, [job.id]);
    }
  });

  it('a ledger entry deleted', async () => {
    const { orderNo, id } = made.mixed;
    const [line] = (await stack.db.db.query(
      `SELECT id, posting_id, order_id, kind, account, direction, amount_fen, created_at FROM ledger_entries
        WHERE order_id = $1 AND account = 'wechatpay_clearing' ORDER BY id LIMIT 1`,
      [id],
    )) as Record<string, unknown>[];
    await stack.db.db.query(`DELETE FROM ledger_entries WHERE id = $1`, [line.id]);
    try {
      const report = await check();
      expectViolation(
        report,
        'ledger-balanced',
        undefined,
        /trial balance of \d+ ledger entries is -\d+, not 0/,
      );
      expectViolation(report, 'ledger-per-order', orderNo, /wechatpay_clearing 0 \(expected \d+\)/);
    } finally {
      await stack.db.db.query(
        `INSERT INTO ledger_entries (posting_id, order_id, kind, account, direction, amount_fen, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          line.posting_id,
          line.order_id,
          line.kind,
          line.account,
          line.direction,
          line.amount_fen,
          line.created_at,
        ],
      );
    }
    expect((await check()).violations.map(brief)).toEqual([]);
  });

  it('a refund at WeChat only', async () => {
    const { orderNo } = made.cash;
    const injected = await adminPost<{ outRefundNo: string }>(stack.wechat.url, '/__admin/refunds', {
      outTradeNo: orderNo,
      refundFen: 7,
    });
    try {
      const report = await check();
      expectViolation(
        report,
        'wechat-agrees',
        orderNo,
        new RegExp(`WeChat holds refund ${injected.outRefundNo} .*not ours`),
      );
      expectViolation(report, 'wechat-agrees', orderNo, /cash refunded at WeChat .* is 7 fen .*ours 0/);
    } finally {
      // as it was: WeChat's record of the trade without that refund
      const state = stack.wechat.mock.state;
      state.refunds.delete(injected.outRefundNo);
      const trade = state.trades.get(orderNo);
      if (trade) {
        trade.refundedFen -= 7;
        trade.state = 'SUCCESS';
      }
    }
    expect((await check()).violations.map(brief)).toEqual([]);
  });

  it('a refund PROCESSING and a late payment RETURNING', async () => {
    await stack.db.db.query(`UPDATE refunds SET status = 'PROCESSING' WHERE order_id = $1`, [
      made.refunded.id,
    ]);
    await stack.db.db.query(`UPDATE late_payments SET status = 'RETURNING' WHERE order_id = $1`, [
      made.late.id,
    ]);
    try {
      const report = await check();
      expectViolation(
        report,
        'order-terminal',
        made.refunded.orderNo,
        /refund RF\w+ is PROCESSING after the run quiesced/,
      );
      expectViolation(report, 'late-returned', made.late.orderNo, /is RETURNING, not RETURNED/);
    } finally {
      await stack.db.db.query(`UPDATE refunds SET status = 'SUCCEEDED' WHERE order_id = $1`, [
        made.refunded.id,
      ]);
      await stack.db.db.query(`UPDATE late_payments SET status = 'RETURNED' WHERE order_id = $1`, [
        made.late.id,
      ]);
    }
  });

  it('the HIS charged other amounts, and reconciliation cannot explain it', async () => {
    const { orderNo, split } = made.mixed;
    await call(stack.his.url, 'PATCH', `/__admin/charges/${orderNo}`, { body: { cash: split.cash + 100 } });
    try {
      const report = await check(true);
      expectViolation(
        report,
        'his-agrees',
        orderNo,
        new RegExp(
          `total: ours ${split.total}, theirs ${split.total + 100}; cash: ours ${split.cash}, theirs ${split.cash + 100}`,
        ),
      );
      expectViolation(report, 'reconciliation-explained', orderNo, /PAYMENT .* is AMOUNT_MISMATCH/);
    } finally {
      await call(stack.his.url, 'PATCH', `/__admin/charges/${orderNo}`, { body: { cash: split.cash } });
    }
    expect((await check(true)).violations.map(brief)).toEqual([]);
  });

  it('a refund at the insurance platform only', async () => {
    const { orderNo, id } = made.partlyRefunded;
    const [{ pay_ord_id: payOrdId }] = (await stack.db.db.query(
      `SELECT pay_ord_id FROM orders WHERE id = $1`,
      [id],
    )) as { pay_ord_id: string }[];
    await adminPost(stack.insurance.url, `/__admin/settlements/${payOrdId}/refunds`, {
      refundNo: 'PLATFORM-ONLY-1',
      fund: 5,
      account: 0,
    });
    const report = await check();
    expectViolation(report, 'insurance-agrees', orderNo, /fund: ours 0, theirs 5/);
    expectViolation(
      report,
      'insurance-agrees',
      orderNo,
      /platform refund PLATFORM-ONLY-1 \(ADMIN.*not a succeeded refund of ours/,
    );
  });

  it('a charge created twice at the HIS for one order', async () => {
    const { orderNo } = made.insuranceOnly;
    const [confirm] = await adminGet<{ requestBody: string; status: number }[]>(
      stack.his.url,
      `/__admin/journal?path=/his/charges/confirm&tag=orderNo=${orderNo}&status=200`,
    );
    // the HIS loses the charge, and the same confirm comes again: a second receipt for one order
    const deleted = await fetch(`${stack.his.url}/__admin/charges/${orderNo}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    const again = await fetch(`${stack.his.url}/his/charges/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: confirm.requestBody,
    });
    expect(((await again.json()) as { data?: { receipt_no?: string } }).data?.receipt_no).toBeTruthy();
    const report = await check();
    expectViolation(
      report,
      'create-at-most-once',
      orderNo,
      new RegExp(`HIS charge confirm ${orderNo} took effect 2 different ways`),
    );
  });
});
