/**
 * Late payments: WeChat Pay reports a payment for an order we already closed. The money goes back whole —
 * the cash by a WeChat refund `LR…`, a settled insurance share by the one 6203 reversal `RV…` — exactly once,
 * however often the news comes, and the order stays closed.
 *
 * How a closed order gets paid: the mock serialises the patient's confirm and our close, so by itself it never
 * takes money for an order it closed for us. Real WeChat can — a payment already under way in the sheet when our
 * close is answered, and med-ins orders, for which WeChat documents no close at all. For cash and mixed orders
 * the tests stand in for that race by putting the mock's records of the closed order back to "payable" (as
 * WeChat's own race leaves them), after our janitor closed it; the patient then confirms through the admin API,
 * which takes the money and sends the real signed callback. An insurance-only order needs no help: it cannot be
 * closed at WeChat, so the patient can simply pay it after it expired.
 */
import { adminGet, adminPost, call, seedPatient, useStack, type SeededPatient } from '../helpers/stack';
import { authorize, checkout, confirmAtWeChat, getOrder, hisBill, pay, waitForStatus } from '../helpers/flow';
import { readTrialBalance } from '../../server/db/ledger';
import { OrderRow } from '../../server/db/entities';
import { runJanitorOnce } from '../../server/jobs/janitor';
import { queryOrder } from '../../server/services/payment/query';
import { cstDate } from '../../shared/clock';
import { reconcileDay } from '../../server/services/reconciliation/runs';
import { refundRow } from '../../server/services/reconciliation/actions';

const stack = useStack();
afterEach(async () => {
  await adminPost(stack.wechat.url, '/__admin/callbacks', { suppress: false });
});

interface OpenOrder {
  id: string;
  orderNo: string;
  split: { total: number; fund: number; account: number; cash: number };
  mixPayType: string;
}

/** Checked out and in the WeChat sheet (AWAITING_PAYMENT). */
async function openOrder(p: SeededPatient, useInsurance: boolean): Promise<OpenOrder> {
  if (useInsurance) await authorize(stack, p);
  const order = await checkout(stack, p, useInsurance);
  if (order.status !== 201) throw new Error(`checkout failed: ${JSON.stringify(order.body)}`);
  const payment = await pay(stack, p, order.body.id);
  if (payment.status !== 200) throw new Error(`pay failed: ${JSON.stringify(payment.body)}`);
  return order.body;
}

function pastThePaymentWindow(): void {
  stack.clock.advance(stack.server.deps.settings.ORDER_PAYMENT_WINDOW_MS + 1000);
}

/** An order using insurance left unpaid in the sheet until the janitor expired it; its release still queued. */
async function expiredInsuredOrder(p: SeededPatient): Promise<OpenOrder> {
  const order = await openOrder(p, true);
  pastThePaymentWindow();
  await runJanitorOnce(stack.server.deps); // expired; its release is still in the outbox
  await waitForStatus(stack, p, order.id, ['EXPIRED']);
  return order;
}

/** A cash-only order left unpaid in the sheet until the janitor closed it (EXPIRED). */
async function expiredCashOrder(p: SeededPatient): Promise<OpenOrder> {
  const order = await openOrder(p, false);
  pastThePaymentWindow();
  await stack.runJobs();
  await waitForStatus(stack, p, order.id, ['EXPIRED']);
  return order;
}

/** WeChat's race: the order it closed for us is payable again (see the top of the file). */
function reopenAtWeChat(orderNo: string): void {
  const state = stack.wechat.mock.state;
  const trade = state.trades.get(orderNo);
  if (trade) {
    trade.state = 'NOTPAY';
    trade.timeExpireMs = undefined;
  }
  const medIns = state.medInsByTradeNo(orderNo);
  if (medIns) {
    medIns.mixPayStatus = 'MIX_PAY_CREATED';
    medIns.selfPayStatus = medIns.fees.wechatCash > 0 ? 'SELF_PAY_CREATED' : 'NO_SELF_PAY';
    medIns.medInsPayStatus = 'MED_INS_PAY_CREATED';
    medIns.medInsFailReason = undefined;
  }
}

/** The patient confirms in the sheet; the callback is delivered before this returns. */
async function patientPays(orderNo: string): Promise<string | undefined> {
  const confirmed = await confirmAtWeChat(stack, orderNo);
  expect(confirmed.tradeState).toBe('SUCCESS');
  await stack.wechat.mock.deliverDue();
  return confirmed.notificationId;
}

async function replay(notificationId: string): Promise<number | undefined> {
  const attempt = await adminPost<{ status?: number }>(
    stack.wechat.url,
    `/__admin/notifications/${notificationId}/replay`,
  );
  return attempt.status;
}

interface WeChatOrder {
  trade?: { trade_state: string };
  medIns?: { mix_pay_status: string; med_ins_pay_status: string };
  refunds: { out_refund_no: string; status: string; amount: { refund: number; total: number } }[];
}

const atWeChat = (orderNo: string) => adminGet<WeChatOrder>(stack.wechat.url, `/__admin/orders/${orderNo}`);

/** WeChat holds one refund of the order, and it is the return `LR…` of the whole cash, succeeded. */
async function expectCashReturned(orderNo: string, cash: number): Promise<WeChatOrder> {
  const wx = await atWeChat(orderNo);
  expect(wx.refunds).toHaveLength(1);
  expect(wx.refunds[0]).toMatchObject({
    out_refund_no: `LR${orderNo.slice(2)}`,
    status: 'SUCCESS',
    amount: { refund: cash, total: cash },
  });
  return wx;
}

async function refundCreates(orderNo: string): Promise<number> {
  const calls = await adminGet<unknown[]>(
    stack.wechat.url,
    `/__admin/journal?path=/v3/refund/domestic/refunds&method=POST&tag=outTradeNo=${orderNo}`,
  );
  return calls.length;
}

interface LateRow {
  status: string;
  order_status: string;
  reported_by: string;
  total_fen: string;
  cash_fen: string;
  cash_refund_no: string;
  insurance_refund_no: string | null;
}

async function latePayment(orderId: string): Promise<LateRow | undefined> {
  const rows = (await stack.db.db.query(`SELECT * FROM late_payments WHERE order_id = $1`, [
    orderId,
  ])) as LateRow[];
  return rows[0];
}

async function outbox(orderId: string, kind: string): Promise<{ status: string; dedupe_key: string }[]> {
  return (await stack.db.db.query(`SELECT status, dedupe_key FROM outbox WHERE order_id = $1 AND kind = $2`, [
    orderId,
    kind,
  ])) as { status: string; dedupe_key: string }[];
}

async function sameStatusEvents(orderId: string): Promise<{ to_status: string; reason: string }[]> {
  return (await stack.db.db.query(
    `SELECT to_status, reason FROM order_events WHERE order_id = $1 AND from_status = to_status ORDER BY id`,
    [orderId],
  )) as { to_status: string; reason: string }[];
}

async function ledgerEntries(orderId: string): Promise<number> {
  const rows = (await stack.db.db.query(`SELECT count(*)::int AS n FROM ledger_entries WHERE order_id = $1`, [
    orderId,
  ])) as { n: number }[];
  return rows[0].n;
}

async function settlementOf(orderId: string) {
  const rows = (await stack.db.db.query(`SELECT pay_ord_id FROM orders WHERE id = $1`, [orderId])) as {
    pay_ord_id: string;
  }[];
  return adminGet<{ status: string; refunds: { appRefdSn: string; split: Record<string, number> }[] }>(
    stack.insurance.url,
    `/__admin/settlements/${rows[0].pay_ord_id}`,
  );
}

describe('a payment reported for a closed order', () => {
  it('refunds the whole cash of a cash-only order paid after it expired, once, however often the callback comes', async () => {
    const p = await seedPatient(stack);
    const order = await expiredCashOrder(p);
    expect((await hisBill(stack, p.billNo)).status).toBe('UNPAID');
    expect((await atWeChat(order.orderNo)).trade?.trade_state).toBe('CLOSED');

    reopenAtWeChat(order.orderNo);
    const notificationId = await patientPays(order.orderNo);
    expect(notificationId).toBeTruthy();
    const sent = await adminGet<{ delivered: boolean }>(
      stack.wechat.url,
      `/__admin/notifications/${notificationId}`,
    );
    expect(sent.delivered).toBe(true); // acknowledged: recorded, its return queued
    expect((await getOrder(stack, p, order.id)).body.status).toBe('EXPIRED');
    expect(await latePayment(order.id)).toMatchObject({
      status: 'RETURNING',
      order_status: 'EXPIRED',
      reported_by: 'wechatpay-callback',
      cash_fen: String(p.billAmount),
      cash_refund_no: `LR${order.orderNo.slice(2)}`,
      insurance_refund_no: null,
    });

    // the callback again (twice, at once) while two instances work the outbox and the janitor
    const second = stack.anotherInstance();
    const [a, b] = await Promise.all([
      replay(notificationId!),
      replay(notificationId!),
      stack.server.runJobsOnce(),
      second.runJobsOnce(),
    ]);
    expect([a, b]).toEqual([204, 204]);
    await stack.runJobs();
    await stack.runJobs();
    expect(await replay(notificationId!)).toBe(204);
    await stack.runJobs();

    const wx = await expectCashReturned(order.orderNo, p.billAmount);
    expect(wx.trade?.trade_state).toBe('REFUND');
    expect(await refundCreates(order.orderNo)).toBe(1);
    expect((await latePayment(order.id))?.status).toBe('RETURNED');
    expect(await outbox(order.id, 'late_payment_return')).toEqual([
      { status: 'DONE', dedupe_key: `late_payment:${order.id}` },
    ]);
    expect((await getOrder(stack, p, order.id)).body.status).toBe('EXPIRED');
    const trace = await sameStatusEvents(order.id);
    expect(trace.map((e) => e.to_status)).toEqual(['EXPIRED', 'EXPIRED']);
    expect(trace[0].reason).toMatch(/reported after the order was closed/);
    expect(trace[1].reason).toMatch(new RegExp(`cash ${p.billAmount} fen refunded at WeChat \\(LR`));
    // never PAID, so never posted: nothing to reverse in the ledger
    expect(await ledgerEntries(order.id)).toBe(0);
    expect((await readTrialBalance(stack.db.db)).net).toBe(0);
  });

  it('gives back both parts of a mixed order paid after it expired: cash refunded, insurance reversed once', async () => {
    const p = await seedPatient(stack, { insured: { insutype: '310', balance: 3000 } });
    const order = await expiredInsuredOrder(p);
    expect(order.mixPayType).toBe('CASH_AND_INSURANCE');

    reopenAtWeChat(order.orderNo);
    const notificationId = await patientPays(order.orderNo); // insurance settles, cash is taken
    expect((await settlementOf(order.id)).status).toBe('SETTLED');
    expect(await latePayment(order.id)).toMatchObject({
      status: 'RETURNING',
      total_fen: String(order.split.total),
      cash_fen: String(order.split.cash),
      insurance_refund_no: `RV${order.orderNo.slice(2)}`,
    });

    expect(await replay(notificationId!)).toBe(204);
    await stack.runJobs();
    await stack.runJobs();
    expect(await replay(notificationId!)).toBe(204);
    await stack.runJobs();

    const wx = await expectCashReturned(order.orderNo, order.split.cash);
    // WeChat's med-ins order was told the insurance share went back too
    expect(wx.medIns?.med_ins_pay_status).toBe('MED_INS_PAY_REFUND');
    const settlement = await settlementOf(order.id);
    expect(settlement.status).toBe('REFUNDED');
    expect(settlement.refunds).toEqual([
      expect.objectContaining({ appRefdSn: `RV${order.orderNo.slice(2)}`, split: order.split }),
    ]);
    expect((await outbox(order.id, 'release'))[0].status).toBe('DONE');
    expect((await outbox(order.id, 'late_payment_return'))[0].status).toBe('DONE');
    expect((await latePayment(order.id))?.status).toBe('RETURNED');
    expect((await hisBill(stack, p.billNo)).status).toBe('UNPAID');
    expect((await getOrder(stack, p, order.id)).body.status).toBe('EXPIRED');
    expect(await ledgerEntries(order.id)).toBe(0);
    expect((await readTrialBalance(stack.db.db)).net).toBe(0);
  });

  it('reverses the insurance of an insurance-only order paid after it expired when the return gets there before the release', async () => {
    const p = await seedPatient(stack, { insured: { insutype: '310', balance: 10_000_000 } });
    const order = await expiredInsuredOrder(p);
    expect(order.mixPayType).toBe('INSURANCE_ONLY');
    // the release is waiting out a backoff (as after a failed attempt)
    await stack.db.db.query(
      `UPDATE outbox SET next_attempt_at = $2 WHERE order_id = $1 AND kind = 'release' AND status = 'PENDING'`,
      [order.id, new Date(stack.clock.now() + 3600_000)],
    );

    await patientPays(order.orderNo); // WeChat cannot close a med-ins order: the sheet was still payable
    await stack.runJobs();
    let settlement = await settlementOf(order.id);
    expect(settlement.status).toBe('REFUNDED');
    expect(settlement.refunds.map((r) => r.appRefdSn)).toEqual([`RV${order.orderNo.slice(2)}`]);
    expect((await latePayment(order.id))?.status).toBe('RETURNED');
    expect((await atWeChat(order.orderNo)).refunds).toHaveLength(0); // there was no cash

    stack.clock.advance(3600_000 + 1000);
    await stack.runJobs(); // the release finds the share reversed and only unlocks the bill
    expect((await outbox(order.id, 'release'))[0].status).toBe('DONE');
    settlement = await settlementOf(order.id);
    expect(settlement.refunds).toHaveLength(1);
    expect((await hisBill(stack, p.billNo)).status).toBe('UNPAID');
    expect((await readTrialBalance(stack.db.db)).net).toBe(0);
  });

  it('returns a payment the janitor finds by query for an order a cancel closed while it asked', async () => {
    const p = await seedPatient(stack);
    const order = await openOrder(p, false);
    // the janitor has read the order while it was open ...
    const asRead = await stack.db.db.getRepository(OrderRow).findOneByOrFail({ id: order.id });
    // ... the patient cancels (on another instance), and WeChat takes the payment anyway, with no callback
    const cancelled = await call<{ status: string }>(stack.url, 'POST', `/api/v1/orders/${order.id}/cancel`, {
      token: p.token,
    });
    expect(cancelled.body.status).toBe('CANCELLED');
    await adminPost(stack.wechat.url, '/__admin/callbacks', { suppress: true });
    reopenAtWeChat(order.orderNo);
    await patientPays(order.orderNo);

    expect(await queryOrder(stack.server.deps, asRead)).toEqual({ kind: 'late' });
    expect(await latePayment(order.id)).toMatchObject({ status: 'RETURNING', reported_by: 'janitor' });
    await stack.runJobs();
    expect(await queryOrder(stack.server.deps, asRead)).toEqual({ kind: 'late' }); // asked again: nothing new
    await stack.runJobs();

    const wx = await atWeChat(order.orderNo);
    expect(wx.refunds).toHaveLength(1);
    expect(wx.refunds[0]).toMatchObject({ status: 'SUCCESS', amount: { refund: p.billAmount } });
    expect(await refundCreates(order.orderNo)).toBe(1);
    expect((await getOrder(stack, p, order.id)).body.status).toBe('CANCELLED');
    expect((await latePayment(order.id))?.status).toBe('RETURNED');
    expect((await readTrialBalance(stack.db.db)).net).toBe(0);
  });

  it('the daily reconciliation nets each late payment and its return to zero: no discrepancy', async () => {
    const cst = `to_char((%s AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM-DD')`;
    // a return that ran after midnight would land on the next day (a cut-off): only same-day ones are checked
    const days = (await stack.db.db.query(
      `SELECT DISTINCT ${cst.replace('%s', 'paid_at')} AS day FROM late_payments
        WHERE ${cst.replace('%s', 'paid_at')} = ${cst.replace('%s', 'returned_at')}`,
    )) as { day: string }[];
    expect(days.length).toBeGreaterThan(0);
    const last = days
      .map((r) => r.day)
      .sort()
      .pop() as string;
    stack.clock.set(Date.parse(`${last}T10:00:00+08:00`) + 24 * 3600_000);
    for (const { day } of days) {
      const run = await reconcileDay(stack.server.deps, day, { username: 'test', role: 'supervisor' });
      const late = (await stack.db.db.query(
        `SELECT x.kind FROM recon_rows x JOIN late_payments l ON l.order_id = x.order_id WHERE x.run_id = $1`,
        [run.id],
      )) as { kind: string }[];
      expect(late.length).toBeGreaterThan(0);
      expect(late.map((r) => r.kind).every((k) => k === 'MATCHED')).toBe(true);
      const stray = (await stack.db.db.query(
        `SELECT count(*)::int AS n FROM recon_rows WHERE run_id = $1 AND refund_no LIKE 'LR%'`,
        [run.id],
      )) as { n: number }[];
      expect(stray[0].n).toBe(0);
    }
  });

  // found by the chaos run (issue 14): every callback of a late payment lost, nobody knew until reconciliation
  it('finds a late payment whose callbacks were all lost by asking again after the close, and gives it back', async () => {
    const p = await seedPatient(stack);
    const order = await expiredCashOrder(p);
    await adminPost(stack.wechat.url, '/__admin/callbacks', { suppress: true });
    try {
      reopenAtWeChat(order.orderNo);
      await patientPays(order.orderNo);
    } finally {
      await adminPost(stack.wechat.url, '/__admin/callbacks', { suppress: false });
    }
    expect(await latePayment(order.id)).toBeUndefined();
    stack.clock.advance(61_000); // the first check after the close
    await stack.runJobs();
    expect(await latePayment(order.id)).toMatchObject({ reported_by: 'janitor' });
    await stack.runJobs();
    await stack.runJobs();
    expect(await latePayment(order.id)).toMatchObject({ status: 'RETURNED' });
    expect((await atWeChat(order.orderNo)).refunds).toHaveLength(1);
    expect((await getOrder(stack, p, order.id)).body.status).toBe('EXPIRED');
  });

  it('a late payment no callback announced shows up in reconciliation, and its refund action gives it back', async () => {
    const p = await seedPatient(stack);
    const order = await expiredCashOrder(p);
    await adminPost(stack.wechat.url, '/__admin/callbacks', { suppress: true });
    try {
      reopenAtWeChat(order.orderNo);
      await patientPays(order.orderNo);
    } finally {
      await adminPost(stack.wechat.url, '/__admin/callbacks', { suppress: false });
    }
    await stack.runJobs(); // the janitor asks only about open orders: nobody knows yet
    expect(await latePayment(order.id)).toBeUndefined();

    const day = cstDate(stack.clock.now());
    stack.clock.set(Date.parse(`${day}T10:00:00+08:00`) + 24 * 3600_000);
    const deps = stack.server.deps;
    const actor = { username: 'admin', role: 'supervisor' };
    const run = await reconcileDay(deps, day, actor);
    const rows = (await stack.db.db.query(
      `SELECT id::text AS id, kind FROM recon_rows WHERE run_id = $1 AND order_id = $2`,
      [run.id, order.id],
    )) as { id: string; kind: string }[];
    expect(rows.map((r) => r.kind)).toEqual(['STATUS_MISMATCH']);
    const row = await refundRow(deps, rows[0].id, { reason: '订单已关闭后到账，原路退回' }, actor);
    expect(row.resolution).toMatchObject({ action: 'refund', by: 'admin' });
    expect(await latePayment(order.id)).toMatchObject({ status: 'RETURNING', reported_by: 'janitor' });
    await stack.runJobs();
    await stack.runJobs();
    expect((await atWeChat(order.orderNo)).refunds).toHaveLength(1);
    expect(await refundCreates(order.orderNo)).toBe(1);

    // given back the next day: a cut-off on both days, explained
    const nextDay = cstDate(stack.clock.now());
    expect(nextDay).not.toBe(day);
    stack.clock.advance(24 * 3600_000);
    for (const date of [day, nextDay]) {
      const again = await reconcileDay(deps, date, actor);
      const after = (await stack.db.db.query(
        `SELECT kind, note FROM recon_rows WHERE run_id = $1 AND order_id = $2`,
        [again.id, order.id],
      )) as { kind: string; note: string }[];
      expect(after.map((r) => r.kind)).toEqual(['CUTOFF']);
      expect(after[0].note).toContain('原路退回');
    }
    expect((await readTrialBalance(stack.db.db)).net).toBe(0);
  });
});

// last in the file: its never-returned payment would otherwise be a discrepancy in the day reconciled above
describe('a return WeChat keeps refusing', () => {
  // issue 10 item 6: a return WeChat keeps refusing must not be retried forever
  it('a return WeChat keeps refusing ends DEAD after OUTBOX_ATTEMPTS_MAX, with its last error for the cashier', async () => {
    const p = await seedPatient(stack);
    const order = await expiredCashOrder(p);
    reopenAtWeChat(order.orderNo);
    await patientPays(order.orderNo);
    expect((await latePayment(order.id))?.status).toBe('RETURNING');
    // WeChat now says the trade was never paid: every refund of it is refused ("订单未支付")
    const trade = stack.wechat.mock.state.trades.get(order.orderNo);
    if (!trade) throw new Error('no trade at the mock');
    trade.state = 'NOTPAY';
    const { OUTBOX_ATTEMPTS_MAX, OUTBOX_BACKOFF_MAX_MS } = stack.server.deps.settings;
    for (let i = 0; i <= OUTBOX_ATTEMPTS_MAX; i++) {
      await stack.runJobs();
      stack.clock.advance(OUTBOX_BACKOFF_MAX_MS + 1000);
    }
    const rows = (await stack.db.db.query(
      `SELECT status, attempts, last_error FROM outbox WHERE order_id = $1 AND kind = 'late_payment_return'`,
      [order.id],
    )) as { status: string; attempts: number; last_error: string }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'DEAD', attempts: OUTBOX_ATTEMPTS_MAX });
    expect(rows[0].last_error).toBeTruthy();
    expect(await refundCreates(order.orderNo)).toBeLessThanOrEqual(OUTBOX_ATTEMPTS_MAX);
    // nothing more is tried once it is DEAD
    const before = await refundCreates(order.orderNo);
    stack.clock.advance(OUTBOX_BACKOFF_MAX_MS + 1000);
    await stack.runJobs();
    expect(await refundCreates(order.orderNo)).toBe(before);
  });
});
