/**
 * Three-way daily reconciliation over HTTP, on real PostgreSQL + Redis and the three mocks: a clean day
 * reconciles to zero discrepancies; each kind of discrepancy, injected through the mocks' admin APIs or made by
 * what really happens (a HIS confirm that never ran, a payment at 23:59:59), is found exactly once and
 * classified; then the cashier acts on the rows, exports CSV and closes the day.
 */
import { randomUUID } from 'node:crypto';
import { adminPost, call, seedPatient, useStack, type SeededPatient } from '../helpers/stack';
import { consoleToken, totp } from '../helpers/console';
import { authorize, checkout, confirmAtWeChat, pay, payInFull, waitForStatus } from '../helpers/flow';
import { readTrialBalance } from '../../server/db/ledger';
import { confirmAtHis } from '../../server/services/payment/hisConfirm';
import { runDailyReconciliationIfDue } from '../../server/jobs/dailyReconciliation';
import type { ReconRowView, ReconRunView } from '../../shared/api';

const at = (cst: string) => Date.parse(`${cst}+08:00`);
const DAY1 = '2026-12-10';
const DAY2 = '2026-12-11';
const DAY3 = '2026-12-12';
const INSURED = { insured: { insutype: '310', balance: 3000 } } as const;

const stack = useStack();
let token: string;

beforeAll(() => {
  stack.clock.freeze(at(`${DAY1}T09:00:00`));
});

async function reconcile(date: string) {
  return call<ReconRunView & { code?: string; message?: string }>(
    stack.url,
    'POST',
    '/api/v1/console/reconciliations',
    { token, body: { date } },
  );
}

async function rowsOf(runId: string, query = '') {
  const answer = await call<ReconRowView[]>(
    stack.url,
    'GET',
    `/api/v1/console/reconciliations/${runId}/rows?limit=1000${query}`,
    { token },
  );
  expect(answer.status).toBe(200);
  return answer.body;
}

/** Checkout + pay + the patient confirms; the order is PAID, the HIS not told yet (jobs have not run). */
async function payWithoutHis(p: SeededPatient, useInsurance: boolean) {
  if (useInsurance) await authorize(stack, p);
  const order = await checkout(stack, p, useInsurance);
  expect(order.status).toBe(201);
  expect((await pay(stack, p, order.body.id)).status).toBe(200);
  await confirmAtWeChat(stack, order.body.orderNo);
  return waitForStatus(stack, p, order.body.id, ['PAID']);
}

describe('daily reconciliation', () => {
  it('a clean day — payments (mixed, cash-only) and a partial refund — reconciles to zero discrepancies', async () => {
    const mixed = await payInFull(stack, await seedPatient(stack, INSURED), true);
    const cashOnly = await payInFull(stack, await seedPatient(stack), false);
    token = await consoleToken(stack);
    const refund = await call(stack.url, 'POST', `/api/v1/console/orders/${mixed.id}/refunds`, {
      token,
      body: { amount: 1000, reason: '部分退费' },
    });
    expect(refund.status).toBe(201);
    await stack.runJobs();
    await stack.runJobs();

    // WeChat publishes a day's bill from 09:00 the next day
    stack.clock.set(at(`${DAY2}T08:30:00`));
    token = await consoleToken(stack);
    const early = await reconcile(DAY1);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('RECON_SOURCE_NOT_READY');

    stack.clock.set(at(`${DAY2}T10:00:00`));
    token = await consoleToken(stack);
    const run = await reconcile(DAY1);
    expect(run.status).toBe(201);
    expect(run.body.status).toBe('DONE');
    expect(run.body.summary).toEqual({
      matched: 3,
      over: 0,
      short: 0,
      amountMismatch: 0,
      statusMismatch: 0,
      cutoff: 0,
    });
    expect(run.body.open).toBe(0);
    const totals = run.body.totals!;
    const cashFen = mixed.split.cash + cashOnly.split.cash;
    expect(totals.ours.cash.paidFen).toBe(cashFen);
    expect(totals.wechat.cash.paidFen).toBe(cashFen);
    expect(totals.his.total.paidFen).toBe(mixed.split.total + cashOnly.split.total);
    expect(totals.insurance.fund.paidFen).toBe(mixed.split.fund);
    expect(totals.ours.total.refundedFen).toBe(1000);
    expect(totals.his.total.refundedFen).toBe(1000);
    expect(totals.insuranceCheck?.balanced).toBe(true);
    expect(totals.hourly).toHaveLength(24);
    const byHour = (k: 'wechatFen' | 'hisFen') => totals.hourly.reduce((sum, h) => sum + h[k], 0);
    expect(byHour('wechatFen')).toBe(totals.wechat.cash.paidFen - totals.wechat.cash.refundedFen);
    expect(byHour('hisFen')).toBe(totals.his.total.paidFen - totals.his.total.refundedFen);
    const rows = await rowsOf(run.body.id);
    expect(rows.map((r) => r.kind)).toEqual(['MATCHED', 'MATCHED', 'MATCHED']);
    expect(rows.every((r) => r.actions.length === 0)).toBe(true);
    expect((await readTrialBalance(stack.server.deps.db)).net).toBe(0);
  });

  it('finds each injected discrepancy exactly once, classified; then acts on them, exports and closes the day', async () => {
    stack.clock.set(at(`${DAY2}T11:00:00`));
    // (c) the amount differs at WeChat
    const differs = await payInFull(stack, await seedPatient(stack), false);
    await call(stack.wechat.url, 'PATCH', `/__admin/trades/${differs.orderNo}`, {
      body: { amountFen: differs.split.cash - 1 },
    });
    // (d) a refund at WeChat only, of an otherwise clean order
    const refundedAtWx = await payInFull(stack, await seedPatient(stack), false);
    const wxRefund = await adminPost<{ outRefundNo: string }>(stack.wechat.url, '/__admin/refunds', {
      outTradeNo: refundedAtWx.orderNo,
      refundFen: 500,
      outRefundNo: 'WXONLY0001',
    });
    // (b) a HIS charge with no payment behind it → 短款
    await adminPost(stack.his.url, '/__admin/charges', {
      orderNo: 'MOHISONLY0001',
      total: 8800,
      fund: 0,
      account: 0,
      cash: 8800,
    });
    // (a) paid, but the HIS confirm never ran (the outbox has not been worked since) → 长款
    const noHis = await payWithoutHis(await seedPatient(stack, INSURED), true);
    // (e) a payment at 23:59:59, confirmed at the HIS after midnight → cut-off on both days
    const late = await seedPatient(stack, INSURED);
    stack.clock.set(at(`${DAY2}T23:59:50`));
    await authorize(stack, late);
    const lateOrder = await checkout(stack, late, true);
    await pay(stack, late, lateOrder.body.id);
    stack.clock.set(at(`${DAY2}T23:59:59`));
    await confirmAtWeChat(stack, lateOrder.body.orderNo);
    await waitForStatus(stack, late, lateOrder.body.id, ['PAID']);
    stack.clock.set(at(`${DAY3}T00:00:05`));
    // the outbox's HIS confirm of this one order (running the whole outbox would confirm order (a) too)
    await confirmAtHis(stack.server.deps, lateOrder.body.id);
    const lateDone = await waitForStatus(stack, late, lateOrder.body.id, ['COMPLETED']);

    stack.clock.set(at(`${DAY3}T10:00:00`));
    token = await consoleToken(stack);
    const run = await reconcile(DAY2);
    expect(run.status).toBe(201);
    expect(run.body.summary).toEqual({
      matched: 1,
      over: 1,
      short: 1,
      amountMismatch: 1,
      statusMismatch: 1,
      cutoff: 1,
    });
    const rows = await rowsOf(run.body.id, '&discrepancies=true');
    const byKind = Object.fromEntries(rows.map((r) => [r.kind, r]));
    expect(byKind.OVER.orderNo).toBe(noHis.orderNo);
    expect(byKind.OVER.actions).toEqual(['retry-his-confirm', 'post-missing', 'resolve']);
    expect(byKind.SHORT.orderNo).toBe('MOHISONLY0001');
    expect(byKind.SHORT.his?.total).toBe(8800);
    expect(byKind.AMOUNT_MISMATCH.orderNo).toBe(differs.orderNo);
    expect(byKind.AMOUNT_MISMATCH.wechat?.cash).toBe(differs.split.cash - 1);
    expect(byKind.STATUS_MISMATCH.record).toBe('REFUND');
    expect(byKind.STATUS_MISMATCH.refundNo).toBe(wxRefund.outRefundNo);
    expect(byKind.CUTOFF.orderNo).toBe(lateDone.orderNo);
    expect(run.body.open).toBe(5);

    // the next day sees the late order's HIS charge alone: a cut-off there too
    stack.clock.set(at(`2026-12-13T10:00:00`));
    token = await consoleToken(stack);
    const next = await reconcile(DAY3);
    expect(next.status).toBe(201);
    const nextRows = await rowsOf(next.body.id, '&discrepancies=true');
    expect(nextRows.map((r) => [r.kind, r.orderNo])).toEqual([['CUTOFF', lateDone.orderNo]]);

    // actions: 补单 needs a supervisor's preview first; retry the HIS confirm of the 长款 order
    const preview = await call<{ orderNo: string; split: { total: number } }>(
      stack.url,
      'GET',
      `/api/v1/console/reconciliation-rows/${byKind.OVER.id}/post-missing`,
      { token },
    );
    expect(preview.status).toBe(200);
    expect(preview.body.orderNo).toBe(noHis.orderNo);
    expect(preview.body.split.total).toBe(noHis.split.total);
    const retried = await call<ReconRowView>(
      stack.url,
      'POST',
      `/api/v1/console/reconciliation-rows/${byKind.OVER.id}/retry-his-confirm`,
      { token, body: {} },
    );
    expect(retried.status).toBe(200);
    expect(retried.body.resolution?.action).toBe('retry-his-confirm');
    await stack.runJobs();
    const again = await call<{ code: string }>(
      stack.url,
      'POST',
      `/api/v1/console/reconciliation-rows/${byKind.OVER.id}/resolve`,
      { token, body: { reason: 'twice' } },
    );
    expect(again.status).toBe(409);

    // a daily close with open discrepancies is refused
    const early = await call<{ code: string }>(stack.url, 'POST', '/api/v1/console/daily-closes', {
      token,
      body: { date: DAY2 },
    });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('RECON_OPEN_DISCREPANCIES');

    // CSV export of the run
    const csv = await fetch(`${stack.url}/api/v1/console/reconciliations/${run.body.id}/rows.csv`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toContain('订单号');
    expect(lines).toHaveLength(1 + 6);
    expect(text).toContain('MOHISONLY0001');
    expect(text).toContain('短款');
    // issue 11: statuses and actions in Chinese (before: COMPLETED / PARTIALLY_REFUNDED / SUCCEEDED / retry-his-confirm)
    expect(text).toMatch(/已完成|部分退款|已支付|退款成功/);
    expect(text).not.toMatch(
      /\b(COMPLETED|PARTIALLY_REFUNDED|SUCCEEDED|retry-his-confirm|post-missing|resolve)\b/,
    );

    for (const row of rows.filter((r) => !r.resolution && r.kind !== 'OVER' && r.kind !== 'CUTOFF')) {
      const resolved = await call<ReconRowView>(
        stack.url,
        'POST',
        `/api/v1/console/reconciliation-rows/${row.id}/resolve`,
        { token, body: { reason: '已与 HIS 核实' } },
      );
      expect(resolved.status).toBe(200);
      expect(resolved.body.resolution?.by).toBe('admin');
    }
    const closed = await call<{ date: string; runId: string }>(
      stack.url,
      'POST',
      '/api/v1/console/daily-closes',
      {
        token,
        body: { date: DAY2 },
      },
    );
    expect(closed.status).toBe(201);
    expect(closed.body.runId).toBe(run.body.id);
    const rerun = await reconcile(DAY2);
    expect(rerun.status).toBe(409);
    expect(rerun.body.code).toBe('DAY_CLOSED');
    const twice = await call<{ code: string }>(stack.url, 'POST', '/api/v1/console/daily-closes', {
      token,
      body: { date: DAY2 },
    });
    expect(twice.body.code).toBe('DAY_CLOSED');

    // every action is in the audit log
    const audit = await call<{ action: string }[]>(stack.url, 'GET', '/api/v1/console/audit?limit=200', {
      token,
    });
    const actions = audit.body.map((a) => a.action);
    for (const action of [
      'reconciliation.run',
      'recon_row.retry_his_confirm',
      'reconciliation.export',
      'recon_row.resolve',
      'day.close',
    ]) {
      expect(actions).toContain(action);
    }
    expect((await readTrialBalance(stack.server.deps.db)).net).toBe(0);
  });

  it('补单 re-posts a charge the HIS lost, a refund row refunds; both for supervisors only', async () => {
    const DAY = '2026-12-15';
    stack.clock.set(at(`${DAY}T09:30:00`));
    const lost = await payInFull(stack, await seedPatient(stack, INSURED), true);
    const differs = await payInFull(stack, await seedPatient(stack), false);
    expect((await call(stack.his.url, 'DELETE', `/__admin/charges/${lost.orderNo}`)).status).toBeLessThan(
      300,
    );
    await call(stack.his.url, 'PATCH', `/__admin/charges/${differs.orderNo}`, {
      body: { total: differs.split.total + 100, cash: differs.split.cash + 100 },
    });
    stack.clock.set(at(`2026-12-16T10:00:00`));
    token = await consoleToken(stack);
    const run = await reconcile(DAY);
    expect(run.status).toBe(201);
    const rows = await rowsOf(run.body.id, '&discrepancies=true');
    const over = rows.find((r) => r.orderNo === lost.orderNo)!;
    const amount = rows.find((r) => r.orderNo === differs.orderNo)!;
    expect(over.kind).toBe('OVER');
    expect(over.actions).toEqual(['post-missing', 'refund', 'resolve']);
    expect(amount.kind).toBe('AMOUNT_MISMATCH');
    expect(amount.his?.total).toBe(differs.split.total + 100);

    // a cashier may look at the preview but not post or refund
    const enrol = await call<{ secret: string }>(stack.url, 'POST', '/api/v1/console/users', {
      token,
      body: { username: 'cashier1', password: 'Cashier#2026!', role: 'cashier' },
    });
    expect(enrol.status).toBe(201);
    const otp = totp(enrol.body.secret, stack.clock.now());
    const cashier = await call<{ token: string }>(stack.url, 'POST', '/api/v1/console/session', {
      body: { username: 'cashier1', password: 'Cashier#2026!', otp },
    });
    expect(cashier.status).toBe(200);
    const asCashier = { token: cashier.body.token };
    expect(
      (await call(stack.url, 'GET', `/api/v1/console/reconciliation-rows/${over.id}/post-missing`, asCashier))
        .status,
    ).toBe(200);
    const denied = await call<{ code: string }>(
      stack.url,
      'POST',
      `/api/v1/console/reconciliation-rows/${over.id}/post-missing`,
      { ...asCashier, body: { reason: '补单' } },
    );
    expect(denied.status).toBe(403);

    const posted = await call<ReconRowView>(
      stack.url,
      'POST',
      `/api/v1/console/reconciliation-rows/${over.id}/post-missing`,
      { token, body: { reason: 'HIS 丢单，补记' } },
    );
    expect(posted.status).toBe(200);
    expect(posted.body.resolution).toMatchObject({ action: 'post-missing', by: 'admin' });
    const charge = await call<{ total: number }>(stack.his.url, 'GET', `/__admin/charges/${lost.orderNo}`);
    expect(charge.status).toBe(200);

    const refunded = await call<ReconRowView>(
      stack.url,
      'POST',
      `/api/v1/console/reconciliation-rows/${amount.id}/refund`,
      { token, body: { amount: 100, reason: 'HIS 多记，退还患者' } },
    );
    expect(refunded.status).toBe(200);
    expect(refunded.body.resolution?.action).toBe('refund');
    await stack.runJobs();
    await stack.runJobs();
    const detail = await call<{ refunded: number; status: string }>(
      stack.url,
      'GET',
      `/api/v1/console/orders/${differs.id}`,
      { token },
    );
    expect(detail.body.refunded).toBe(100);
    expect(detail.body.status).toBe('PARTIALLY_REFUNDED');

    // re-running the day makes a new run; the HIS booked the 补单 today, so the 15th still shows it missing
    const again = await reconcile(DAY);
    expect(again.body.id).not.toBe(run.body.id);
    const againRows = await rowsOf(again.body.id);
    expect(againRows.find((r) => r.orderNo === lost.orderNo)?.kind).toBe('OVER');
    expect(againRows.find((r) => r.orderNo === lost.orderNo)?.resolution).toBeUndefined();
    expect((await readTrialBalance(stack.server.deps.db)).net).toBe(0);
  });

  // issue 11: 日结 was accepted at 23:51 for the running day, and later payments landed in the closed day
  it('refuses 日结 of a day that is not over in China time: 409 DAY_NOT_OVER, in Chinese', async () => {
    const today = '2026-12-20';
    stack.clock.set(at(`${today}T23:51:00`));
    for (const date of [today, '2026-12-21']) {
      const refused = await call<{ code: string; message: string }>(
        stack.url,
        'POST',
        '/api/v1/console/daily-closes',
        { token, body: { date } },
      );
      expect([refused.status, refused.body.code]).toEqual([409, 'DAY_NOT_OVER']);
      expect(refused.body.message).toMatch(/北京时间/);
    }
    // once the day is over the rule no longer stands in the way (nothing reconciled yet: that is the next refusal)
    stack.clock.set(at(`2026-12-21T00:00:01`));
    const next = await call<{ code: string }>(stack.url, 'POST', '/api/v1/console/daily-closes', {
      token,
      body: { date: today },
    });
    expect(next.body.code).toBe('DAY_NOT_RECONCILED');
  });

  // issue 11: a payment booked into a day already closed is flagged for the next day's run
  it('flags a payment booked after its day was closed in the run of the day it was booked', async () => {
    const day = '2026-12-23';
    const next = '2026-12-24';
    const p = await seedPatient(stack, INSURED);
    stack.clock.set(at(`${day}T23:58:00`));
    await authorize(stack, p);
    const order = await checkout(stack, p, true);
    expect((await pay(stack, p, order.body.id)).status).toBe(200);
    // the patient pays at 23:59; our confirmation job does not run before the day is closed
    stack.clock.set(at(`${day}T23:59:00`));
    await confirmAtWeChat(stack, order.body.orderNo);

    stack.clock.set(at(`${next}T10:00:00`));
    token = await consoleToken(stack);
    const run = await reconcile(day);
    expect(run.status).toBe(201);
    for (const row of await rowsOf(run.body.id, '&discrepancies=true')) {
      const resolved = await call(
        stack.url,
        'POST',
        `/api/v1/console/reconciliation-rows/${row.id}/resolve`,
        {
          token,
          body: { reason: '已核对' },
        },
      );
      expect(resolved.status).toBe(200);
    }
    const closed = await call(stack.url, 'POST', '/api/v1/console/daily-closes', {
      token,
      body: { date: day },
    });
    expect(closed.status).toBe(201);

    // now the payment is booked: paid on the closed day
    stack.clock.set(at(`${next}T10:05:00`));
    const paid = await waitForStatus(stack, p, order.body.id, ['PAID', 'COMPLETED']);
    expect(paid.paidAt && Date.parse(paid.paidAt)).toBeLessThan(at(`${next}T00:00:00`));

    stack.clock.set(at(`2026-12-25T10:00:00`));
    token = await consoleToken(stack);
    const nextRun = await reconcile(next);
    expect(nextRun.status).toBe(201);
    const flagged = (await rowsOf(nextRun.body.id, '&discrepancies=true')).find(
      (r) => r.orderNo === order.body.orderNo && r.record === 'PAYMENT',
    );
    expect(flagged?.kind).toBe('STATUS_MISMATCH');
    expect(flagged?.note).toContain('日结后入账');
    expect(flagged?.note).toContain(day);
    expect(flagged?.ours?.total).toBe(order.body.split.total);
    expect(flagged?.actions).toContain('resolve');
  });

  it('refuses bad input with 4xx: a malformed date, an unknown run, a cashier-only token, a patient token', async () => {
    const bad = await call<{ code: string }>(stack.url, 'POST', '/api/v1/console/reconciliations', {
      token,
      body: { date: '2026-13-01' },
    });
    expect(bad.status).toBe(400);
    const malformed = await call(stack.url, 'GET', '/api/v1/console/reconciliations/not-a-uuid', { token });
    expect(malformed).toMatchObject({ status: 400, body: { code: 'INVALID_ID' } });
    const unknown = await call(stack.url, 'GET', `/api/v1/console/reconciliations/${randomUUID()}`, {
      token,
    });
    expect(unknown.status).toBe(404);
    const unknownRow = await call(stack.url, 'POST', '/api/v1/console/reconciliation-rows/999999/resolve', {
      token,
      body: { reason: 'x' },
    });
    expect(unknownRow.status).toBe(404);
    const p = await seedPatient(stack);
    const patient = await call(stack.url, 'POST', '/api/v1/console/reconciliations', {
      token: p.token,
      body: { date: DAY1 },
    });
    expect(patient.status).toBe(401);
  });

  it('the scheduler reconciles yesterday once, from 10:00 China time', async () => {
    const deps = stack.server.deps;
    stack.clock.set(at(`2026-12-14T09:59:00`));
    expect(await runDailyReconciliationIfDue(deps)).toEqual({ skipped: 'not-yet' });
    stack.clock.set(at(`2026-12-14T10:01:00`));
    token = await consoleToken(stack);
    expect(await runDailyReconciliationIfDue(deps)).toEqual({ ran: '2026-12-13' });
    expect(await runDailyReconciliationIfDue(deps)).toEqual({ skipped: 'done' });
    const runs = await call<ReconRunView[]>(
      stack.url,
      'GET',
      '/api/v1/console/reconciliations?date=2026-12-13',
      {
        token,
      },
    );
    expect(runs.body[0].actor).toBe('scheduler');
    expect(runs.body[0].status).toBe('DONE');
  });
});
