/**
 * Scenarios (named presets) at the mocks, selected per session, and how the server under test reacts to each,
 * over HTTP as the mini-program drives it. Time moves only by the ManualClock; no sleeps.
 */
import { randomBytes } from 'node:crypto';
import { readTrialBalance } from '../../server/db/ledger';
import {
  adminGet,
  call,
  seedPatient,
  useStack,
  type PatientSetup,
  type SeededPatient,
} from '../helpers/stack';
import { authorize, checkout, getOrder, hisBill, pay, waitForStatus, orderEvents } from '../helpers/flow';
import { consoleToken } from '../helpers/console';

const stack = useStack();

const TOTAL = 61_100; // DEFAULT_ITEMS
const IN_SCOPE = 41_190; // 2000 + 3000 + 35000 × 0.8 + 9100 × 0.9

let sessionSeq = 0;
const newSession = (label: string) => `${label}-${++sessionSeq}-${randomBytes(2).toString('hex')}`;

async function selectScenario(base: string, session: string, name: string | null) {
  const answer = await call(base, 'PUT', `/__admin/sessions/${session}/scenario`, { body: { name } });
  expect(answer.status).toBe(200);
}

/** seedPatient, with every mock-side identity created in `session` (HIS patient and bill, person, login). */
const seedInSession = (session: string, setup: PatientSetup = {}): Promise<SeededPatient> =>
  seedPatient(stack, { ...setup, session });

/** The patient confirms in the WeChat sheet (no session header: the order number finds the session). */
async function confirm(outTradeNo: string) {
  const answer = await call<{
    tradeState: string;
    mixPayStatus?: string;
    cancelled?: boolean;
    notificationId?: string;
  }>(stack.wechat.url, 'POST', '/__admin/payments/confirm', { body: { outTradeNo } });
  expect(answer.status).toBe(200);
  await stack.wechat.mock.deliverDue();
  return answer.body;
}

async function orderRow(id: string) {
  const rows = (await stack.db.db.query(`SELECT status, pay_ord_id, order_no FROM orders WHERE id = $1`, [
    id,
  ])) as { status: string; pay_ord_id: string | null; order_no: string }[];
  return rows[0];
}

async function ledgerPostings(orderId: string): Promise<number> {
  const rows = (await stack.db.db.query(
    `SELECT count(*)::int AS n FROM ledger_entries WHERE order_id = $1 AND account = 'patient_charges'`,
    [orderId],
  )) as { n: number }[];
  return rows[0].n;
}

interface JournalEntry {
  path: string;
  status: number;
  tags: Record<string, string>;
}
const journal = (base: string, query: string) => adminGet<JournalEntry[]>(base, `/__admin/journal?${query}`);

/** checkout → pay → confirm → PAID → HIS confirm → COMPLETED */
async function payToCompletion(p: SeededPatient, useInsurance: boolean) {
  const order = await checkout(stack, p, useInsurance);
  expect(order.status).toBe(201);
  expect((await pay(stack, p, order.body.id)).status).toBe(200);
  await confirm(order.body.orderNo);
  await waitForStatus(stack, p, order.body.id, ['PAID', 'COMPLETED']);
  await stack.runJobs();
  return waitForStatus(stack, p, order.body.id, ['COMPLETED']);
}

describe('the scenario registry over the admin API', () => {
  it('lists built-in and custom scenarios with their descriptions, and documents the routes', async () => {
    const list = await adminGet<
      {
        name: string;
        mocks: string[];
        description: { zh: string; en: string };
        source: string;
        appliesHere: boolean;
      }[]
    >(stack.insurance.url, '/__admin/scenarios');
    const names = list.map((s) => s.name);
    for (const name of [
      'eligible-employee',
      'resident-deductible-not-met',
      'insurance-suspended',
      'balance-exhausted',
      'out-of-area',
      'his-bill-paid-at-window',
      'wechat-user-cancels',
      'callback-lost',
      'callbacks-duplicated',
      'callbacks-out-of-order',
      'insurance-settles-wechat-fails',
    ])
      expect(names).toContain(name);
    const custom = list.find((s) => s.name === 'employee-cap-nearly-used');
    expect(custom).toMatchObject({ source: 'custom', mocks: ['insurance'], appliesHere: true });
    expect(list.find((s) => s.name === 'callback-lost')).toMatchObject({
      mocks: ['wechatpay'],
      appliesHere: false,
    });
    for (const s of list) expect(s.description.zh && s.description.en).toBeTruthy();
    for (const url of [stack.insurance.url, stack.his.url, stack.wechat.url]) {
      const { paths } = await adminGet<{ paths: Record<string, unknown> }>(url, '/__admin/openapi.json');
      for (const path of [
        '/__admin/scenarios',
        '/__admin/scenario',
        '/__admin/sessions',
        '/__admin/sessions/{session}/scenario',
      ])
        expect(paths[path]).toBeDefined();
    }
  });

  it('refuses an unknown scenario by name, in a selection or a request header', async () => {
    const put = await call<{ code: string }>(stack.his.url, 'PUT', '/__admin/scenario', {
      body: { name: 'nope' },
    });
    expect(put.status).toBe(404);
    expect(put.body.code).toBe('UNKNOWN_SCENARIO');
    const header = await call<{ code: string }>(stack.his.url, 'GET', '/his/bills/B0', {
      headers: { 'x-mock-scenario': 'nope' },
    });
    expect(header.status).toBe(404);
    expect(header.body.code).toBe('UNKNOWN_SCENARIO');
  });

  it('applies a global scenario to everyone until it is cleared', async () => {
    const session = newSession('global');
    const p = await seedInSession(session, { insured: { insutype: '310', balance: 3000 } });
    await call(stack.insurance.url, 'PUT', '/__admin/scenario', { body: { name: 'insurance-suspended' } });
    try {
      expect((await authorize(stack, p)).eligible).toBe(false);
    } finally {
      await call(stack.insurance.url, 'PUT', '/__admin/scenario', { body: { name: null } });
    }
    expect((await authorize(stack, p)).eligible).toBe(true);
    expect(await adminGet(stack.insurance.url, '/__admin/scenario')).toEqual({ name: null });
  });
});

describe('insurance scenarios: the server reacts as DESIGN says', () => {
  it.each([
    ['insurance-suspended', /暂停/],
    ['out-of-area', /参保地|异地/],
  ])('%s: the patient is told why, and pays in cash', async (scenario, reason) => {
    const session = newSession(scenario);
    const p = await seedInSession(session, { insured: { insutype: '310', balance: 3000 } });
    await selectScenario(stack.insurance.url, session, scenario);
    const auth = await authorize(stack, p);
    expect(auth.eligible).toBe(false);
    expect(auth.reason).toMatch(reason);
    const refused = await checkout(stack, p, true);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'INSURANCE_INELIGIBLE' });
    const done = await payToCompletion(p, false);
    expect(done.split).toEqual({ total: TOTAL, fund: 0, account: 0, cash: TOTAL });
    const entries = await journal(stack.insurance.url, `tag=session=${session}`);
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => e.tags.scenario === scenario)).toBe(true);
  });

  it('eligible-employee: a suspended, penniless record is an active employee with 1500.00 and the deductible met', async () => {
    const session = newSession('eligible');
    const p = await seedInSession(session, { insured: { insutype: '390', balance: 0, status: 'SUSPENDED' } });
    await selectScenario(stack.insurance.url, session, 'eligible-employee');
    expect((await authorize(stack, p)).eligible).toBe(true);
    const done = await payToCompletion(p, true);
    const fund = Math.round(IN_SCOPE * 0.7);
    expect(done.split).toEqual({ total: TOTAL, fund, account: TOTAL - fund, cash: 0 });
    expect(done.mixPayType).toBe('INSURANCE_ONLY');
  });

  it('resident-deductible-not-met: the resident deductible is taken first, half of the rest is the fund, no account', async () => {
    const session = newSession('resident');
    const p = await seedInSession(session, { insured: { insutype: '310', balance: 3000 } });
    await selectScenario(stack.insurance.url, session, 'resident-deductible-not-met');
    await authorize(stack, p);
    const done = await payToCompletion(p, true);
    const fund = Math.round((IN_SCOPE - 10_000) * 0.5);
    expect(done.split).toEqual({ total: TOTAL, fund, account: 0, cash: TOTAL - fund });
    expect((await readTrialBalance(stack.db.db)).net).toBe(0);
  });

  it('balance-exhausted: the personal share is all cash', async () => {
    const session = newSession('exhausted');
    const p = await seedInSession(session, { insured: { insutype: '310', balance: 3000 } });
    await selectScenario(stack.insurance.url, session, 'balance-exhausted');
    await authorize(stack, p);
    const done = await payToCompletion(p, true);
    const fund = Math.round((IN_SCOPE - 20_000) * 0.7);
    expect(done.split).toEqual({ total: TOTAL, fund, account: 0, cash: TOTAL - fund });
  });
});

describe('HIS scenarios', () => {
  it('his-bill-paid-at-window: the bill was paid at the window, so it cannot be paid online', async () => {
    const session = newSession('window');
    const p = await seedInSession(session);
    await selectScenario(stack.his.url, session, 'his-bill-paid-at-window');
    const order = await checkout(stack, p, false);
    expect(order.status).toBeGreaterThanOrEqual(400);
    expect(order.body).toMatchObject({ code: 'BILL_NOT_PAYABLE' });
    const bill = await adminGet<{ status: string; paidBy?: string; paidOrderId?: string }>(
      stack.his.url,
      `/__admin/bills/${p.billNo}`,
    );
    expect(bill).toMatchObject({ status: 'PAID', paidBy: 'WINDOW' });
    expect(bill.paidOrderId).toBeUndefined();
    const lock = await journal(stack.his.url, `path=/his/bills/lock&tag=session=${session}`);
    expect(lock[0].tags.scenario).toBe('his-bill-paid-at-window');
  });
});

describe('WeChat Pay scenarios', () => {
  it('wechat-user-cancels: nothing is paid; the patient cancels the order and the bill is unlocked', async () => {
    const session = newSession('cancel');
    const p = await seedInSession(session);
    await selectScenario(stack.wechat.url, session, 'wechat-user-cancels');
    const order = await checkout(stack, p, false);
    await pay(stack, p, order.body.id);
    const answer = await confirm(order.body.orderNo);
    expect(answer).toMatchObject({ cancelled: true, tradeState: 'NOTPAY' });
    expect((await getOrder(stack, p, order.body.id)).body.status).toBe('AWAITING_PAYMENT');
    const cancelled = await call<{ status: string }>(
      stack.url,
      'POST',
      `/api/v1/orders/${order.body.id}/cancel`,
      {
        token: p.token,
      },
    );
    expect(cancelled.status).toBe(200);
    await waitForStatus(stack, p, order.body.id, ['CANCELLED']);
    await stack.runJobs();
    expect((await hisBill(stack, p.billNo)).status).toBe('UNPAID');
    expect(await ledgerPostings(order.body.id)).toBe(0);
  });

  it('callback-lost: paid but no callback; the janitor completes the order by query after the grace period', async () => {
    const session = newSession('lost');
    const p = await seedInSession(session, { insured: { insutype: '310', balance: 3000 } });
    await selectScenario(stack.wechat.url, session, 'callback-lost');
    await authorize(stack, p);
    const order = await checkout(stack, p, true);
    await pay(stack, p, order.body.id);
    const answer = await confirm(order.body.orderNo);
    expect(answer.mixPayStatus).toBe('MIX_PAY_SUCCESS');
    expect(answer.notificationId).toBeUndefined();
    const wx = await adminGet<{ notifications: unknown[] }>(
      stack.wechat.url,
      `/__admin/orders/${order.body.orderNo}`,
    );
    expect(wx.notifications).toHaveLength(0);
    await stack.runJobs();
    expect((await getOrder(stack, p, order.body.id)).body.status).toBe('AWAITING_PAYMENT');
    stack.clock.advance(31_000);
    await stack.runJobs();
    await waitForStatus(stack, p, order.body.id, ['PAID', 'COMPLETED']);
    await stack.runJobs();
    await waitForStatus(stack, p, order.body.id, ['COMPLETED']);
    const events = { events: await orderEvents(stack, order.body.id) };
    expect(events.events.find((e) => e.to === 'PAID')?.actor).toBe('janitor');
    expect(await ledgerPostings(order.body.id)).toBe(1);
  });

  it('callbacks-duplicated: each callback arrives twice; one ledger posting, one HIS confirm', async () => {
    const session = newSession('dup');
    const p = await seedInSession(session, { insured: { insutype: '310', balance: 3000 } });
    await selectScenario(stack.wechat.url, session, 'callbacks-duplicated');
    await authorize(stack, p);
    const order = await checkout(stack, p, true);
    await pay(stack, p, order.body.id);
    const answer = await confirm(order.body.orderNo);
    const notification = await adminGet<{ history: { status?: number; replay?: boolean }[] }>(
      stack.wechat.url,
      `/__admin/notifications/${answer.notificationId}`,
    );
    expect(notification.history).toHaveLength(2);
    expect(notification.history[1].replay).toBe(true);
    await waitForStatus(stack, p, order.body.id, ['PAID', 'COMPLETED']);
    await stack.runJobs();
    await stack.runJobs();
    await waitForStatus(stack, p, order.body.id, ['COMPLETED']);
    expect(await ledgerPostings(order.body.id)).toBe(1);
    const confirms = await journal(
      stack.his.url,
      `path=/his/charges/confirm&tag=orderNo=${order.body.orderNo}`,
    );
    expect(confirms.filter((e) => e.status === 200)).toHaveLength(1);
    expect((await readTrialBalance(stack.db.db)).net).toBe(0);
  });

  it('callbacks-out-of-order: the refund callback arrives before the payment callback; one correct final state', async () => {
    const session = newSession('ooo');
    const p = await seedInSession(session);
    await selectScenario(stack.wechat.url, session, 'callbacks-out-of-order');
    const order = await checkout(stack, p, false);
    await pay(stack, p, order.body.id);
    await confirm(order.body.orderNo);
    // the payment callback is held back: the janitor completes the order by query
    stack.clock.advance(31_000);
    await stack.runJobs();
    await waitForStatus(stack, p, order.body.id, ['PAID', 'COMPLETED']);
    await stack.runJobs();
    await waitForStatus(stack, p, order.body.id, ['COMPLETED']);
    // a later event: a full refund by a cashier; its callback goes first, then the stale payment callback
    const refund = await call(stack.url, 'POST', `/api/v1/console/orders/${order.body.id}/refunds`, {
      token: await consoleToken(stack),
      body: { reason: '场景测试' },
    });
    expect(refund.status).toBe(201);
    await stack.runJobs();
    await stack.runJobs();
    await stack.wechat.mock.deliverDue();
    await stack.runJobs();
    const sent = await adminGet<{ eventType: string; delivered: boolean; history: { atMs: number }[] }[]>(
      stack.wechat.url,
      '/__admin/notifications',
    );
    const mine = sent.filter(
      (n) => (n as unknown as { outTradeNo: string }).outTradeNo === order.body.orderNo,
    );
    // newest first: the payment callback was queued (and sent) after the refund's
    expect(mine.map((n) => n.eventType)).toEqual(['TRANSACTION.SUCCESS', 'REFUND.SUCCESS']);
    expect(mine.every((n) => n.delivered)).toBe(true);
    const final = await waitForStatus(stack, p, order.body.id, ['REFUNDED']);
    expect(final.status).toBe('REFUNDED');
    expect(await ledgerPostings(order.body.id)).toBe(2); // the payment and the refund, once each
    expect((await readTrialBalance(stack.db.db)).net).toBe(0);
  });

  it('insurance-settles-wechat-fails: the cash fails after insurance settled; the server reverses insurance once (6203)', async () => {
    const session = newSession('cashfail');
    const p = await seedInSession(session, { insured: { insutype: '310', balance: 3000 } });
    await selectScenario(stack.wechat.url, session, 'insurance-settles-wechat-fails');
    await authorize(stack, p);
    const order = await checkout(stack, p, true);
    await pay(stack, p, order.body.id);
    const answer = await confirm(order.body.orderNo);
    expect(answer.mixPayStatus).toBe('MIX_PAY_FAIL');
    const row = await orderRow(order.body.id);
    const settled = await adminGet<{ status: string }>(
      stack.insurance.url,
      `/__admin/settlements/${row.pay_ord_id}`,
    );
    expect(settled.status).toBe('SETTLED');
    stack.clock.advance(31_000);
    await stack.runJobs();
    await waitForStatus(stack, p, order.body.id, ['PAYMENT_FAILED']);
    await stack.runJobs();
    await stack.runJobs();
    const after = await adminGet<{ status: string }>(
      stack.insurance.url,
      `/__admin/settlements/${row.pay_ord_id}`,
    );
    expect(after.status).toBe('REFUNDED');
    const reversals = await journal(
      stack.insurance.url,
      `path=/org/local/api/hos/refund_Order&tag=payOrdId=${row.pay_ord_id}`,
    );
    expect(reversals).toHaveLength(1);
    expect((await hisBill(stack, p.billNo)).status).toBe('UNPAID');
    expect(await ledgerPostings(order.body.id)).toBe(0);
  });
});

describe('sessions keep testers apart', () => {
  it('runs two flows at once in two sessions with different scenarios, neither seeing the other', async () => {
    const a = newSession('para-a');
    const b = newSession('para-b');
    const [pa, pb] = await Promise.all([
      seedInSession(a, { insured: { insutype: '310', balance: 3000 } }),
      seedInSession(b, { insured: { insutype: '310', balance: 3000 } }),
    ]);
    await Promise.all([
      selectScenario(stack.insurance.url, a, 'insurance-suspended'),
      selectScenario(stack.insurance.url, b, 'eligible-employee'),
    ]);
    const [doneA, doneB] = await Promise.all([
      (async () => {
        const auth = await authorize(stack, pa);
        expect(auth.eligible).toBe(false);
        expect((await checkout(stack, pa, true)).status).toBe(422);
        return payToCompletion(pa, false);
      })(),
      (async () => {
        expect((await authorize(stack, pb)).eligible).toBe(true);
        return payToCompletion(pb, true);
      })(),
    ]);
    expect(doneA.split).toEqual({ total: TOTAL, fund: 0, account: 0, cash: TOTAL });
    const fund = Math.round(IN_SCOPE * 0.7);
    expect(doneB.split).toEqual({ total: TOTAL, fund, account: TOTAL - fund, cash: 0 });

    const sessions = await adminGet<{
      sessions: { session: string; scenario: string | null; identities: Record<string, string[]> }[];
    }>(stack.insurance.url, '/__admin/sessions');
    const sa = sessions.sessions.find((s) => s.session === a);
    const sb = sessions.sessions.find((s) => s.session === b);
    expect(sa?.scenario).toBe('insurance-suspended');
    expect(sb?.scenario).toBe('eligible-employee');
    expect(sa?.identities.idNo).toEqual([pa.idNo]);
    expect(sb?.identities.idNo).toEqual([pb.idNo]);
    expect(sb?.identities.payAuthNo?.length).toBeGreaterThan(0);
    expect(sb?.identities.medOrgOrd?.length).toBe(1);
    const journalA = await journal(stack.insurance.url, `tag=session=${a}`);
    const journalB = await journal(stack.insurance.url, `tag=session=${b}`);
    expect(journalA.every((e) => e.tags.scenario === 'insurance-suspended')).toBe(true);
    expect(journalB.every((e) => e.tags.scenario === 'eligible-employee')).toBe(true);
    const psnA = journalA.find((e) => e.tags.psnNo)?.tags.psnNo;
    expect(psnA).toBeDefined();
    expect(journalB.some((e) => e.tags.psnNo === psnA)).toBe(false);
  });
});
