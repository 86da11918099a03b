/**
 * Four-eyes refunds over HTTP (issue 13): a cashier's refund above REFUND_APPROVAL_THRESHOLD_FEN answers 202
 * AWAITING_APPROVAL and moves nothing until a supervisor approves it; the cashier's own small refunds and a
 * supervisor's refunds go straight through; a supervisor cannot approve a refund they asked for; a rejection
 * frees the amount again. Everything is audited.
 */
import { call, seedPatient, useStack } from '../helpers/stack';
import { auditEntries, consoleToken } from '../helpers/console';
import { getOrder, payInFull, type OrderAnswer } from '../helpers/flow';
import { createConsoleUser } from '../../server/services/console/accounts';
import { readTrialBalance } from '../../server/db/ledger';
import type { ConsoleOrderDetail, RefundCreatedView } from '../../shared/api';

const THRESHOLD_FEN = 10_000;
const stack = useStack({
  env: { REFUND_APPROVAL_THRESHOLD_FEN: String(THRESHOLD_FEN), RISK_REFUND_AFTER_DAYS: '30' },
});

interface Person {
  username: string;
  password: string;
  secret: string;
}

async function user(username: string, role: 'cashier' | 'supervisor'): Promise<Person> {
  const password = `${username}#2026Pw`;
  const { totpSecret } = await createConsoleUser(
    stack.server.deps,
    { username, password, role },
    { username: 'test', role: 'system' },
  );
  return { username, password, secret: totpSecret };
}

/** Logs in at the next 30-second step: a TOTP code is accepted once per user and step. */
async function login(person?: Person): Promise<string> {
  stack.clock.advance(30_000);
  return consoleToken(stack, person);
}

async function paidOrder(): Promise<{
  order: OrderAnswer;
  patient: Awaited<ReturnType<typeof seedPatient>>;
}> {
  const patient = await seedPatient(stack, { insured: { insutype: '310', balance: 3000 } });
  const order = await payInFull(stack, patient, true);
  expect(order.split.total).toBeGreaterThan(THRESHOLD_FEN);
  return { order, patient };
}

const refund = (token: string, orderId: string, body: { amount?: number; reason: string }) =>
  call<RefundCreatedView & { code?: string; message?: string }>(
    stack.url,
    'POST',
    `/api/v1/console/orders/${orderId}/refunds`,
    { token, body },
  );

const decide = (token: string, refundId: string, decision: 'approve' | 'reject', reason?: string) =>
  call<RefundCreatedView & { code?: string; message?: string }>(
    stack.url,
    'POST',
    `/api/v1/console/refunds/${refundId}/${decision}`,
    { token, body: decision === 'reject' ? { reason } : {} },
  );

const consoleOrder = async (token: string, id: string) =>
  (await call<ConsoleOrderDetail>(stack.url, 'GET', `/api/v1/console/orders/${id}`, { token })).body;

let cashier: Person;
let other: Person;

beforeAll(async () => {
  cashier = await user('cashier.li', 'cashier');
  other = await user('sup.wang', 'supervisor');
});

describe('four-eyes refunds', () => {
  it("a cashier's large refund waits for a supervisor, then runs; nothing moves before", async () => {
    const { order, patient } = await paidOrder();
    const cashierToken = await login(cashier);

    const asked = await refund(cashierToken, order.id, { amount: THRESHOLD_FEN * 2, reason: '患者部分退费' });
    expect([asked.status, asked.body.status]).toEqual([202, 'AWAITING_APPROVAL']);
    await stack.runJobs();
    const waiting = await consoleOrder(cashierToken, order.id);
    expect(waiting.status).toBe('COMPLETED');
    expect(waiting.refunds.map((r) => r.status)).toEqual(['AWAITING_APPROVAL']);
    expect(waiting.allowedActions).toEqual(['approve-refund', 'reject-refund']);
    // no leg was sent anywhere, and no second refund starts meanwhile
    const jobs = (await stack.db.db.query(
      `SELECT count(*)::int AS n FROM outbox WHERE kind = 'refund_leg' AND order_id = $1`,
      [order.id],
    )) as { n: number }[];
    expect(jobs[0].n).toBe(0);
    const second = await refund(cashierToken, order.id, { amount: 100, reason: '再退一点' });
    expect([second.status, second.body.code]).toEqual([409, 'REFUND_NOT_ALLOWED']);

    // a cashier may not approve
    expect((await decide(cashierToken, asked.body.id, 'approve')).status).toBe(403);
    const supervisorToken = await login();
    const approved = await decide(supervisorToken, asked.body.id, 'approve');
    expect([approved.status, approved.body.status]).toEqual([200, 'REQUESTED']);
    const twice = await decide(supervisorToken, asked.body.id, 'approve');
    expect([twice.status, twice.body.code]).toEqual([409, 'REFUND_NOT_ALLOWED']);

    await stack.runJobs();
    await stack.runJobs();
    expect((await getOrder(stack, patient, order.id)).body.status).toBe('PARTIALLY_REFUNDED');
    expect((await readTrialBalance(stack.db.db)).net).toBe(0);
    const audits = await auditEntries(stack, supervisorToken, 'refund.approve');
    expect(audits.map((a) => [a.actor, a.target])).toContainEqual(['admin', asked.body.id]);
    expect(audits.find((a) => a.target === asked.body.id)?.description).toMatch(/批准了退款/);
  });

  it('a supervisor cannot approve a refund they asked for; another supervisor can', async () => {
    const { order } = await paidOrder();
    // the seeded admin is a supervisor: its own refunds need no approval at all
    const adminToken = await login();
    const small = await refund(adminToken, order.id, { amount: THRESHOLD_FEN + 1, reason: '主管退费' });
    expect([small.status, small.body.status]).toEqual([201, 'REQUESTED']);
    await stack.runJobs();
    await stack.runJobs();

    const { order: second } = await paidOrder();
    const cashierToken = await login(cashier);
    const asked = await refund(cashierToken, second.id, { reason: '收费员大额退费' });
    expect(asked.body.status).toBe('AWAITING_APPROVAL');
    // the approver must not be the one who asked: here the asker is the cashier, so a supervisor may
    const otherToken = await login(other);
    expect((await decide(otherToken, asked.body.id, 'approve')).status).toBe(200);
  });

  it('refuses a supervisor approving a refund they asked for themselves', async () => {
    const { order } = await paidOrder();
    // a supervisor's own refunds need no approval, so this happens when the asker has become a supervisor since
    // (or holds a second account): the refund names the same user as the approver
    const twin = await user('cashier.li.sup', 'supervisor');
    const cashierToken = await login(cashier);
    const asked = await refund(cashierToken, order.id, { reason: '大额' });
    expect(asked.body.status).toBe('AWAITING_APPROVAL');
    await stack.db.db.query(`UPDATE refunds SET actor = $2 WHERE id = $1`, [asked.body.id, twin.username]);
    const twinToken = await login(twin);
    const own = await decide(twinToken, asked.body.id, 'approve');
    expect([own.status, own.body.code]).toEqual([403, 'FORBIDDEN']);
    expect(own.body.message).toMatch(/不能审批自己发起的退款/);
  });

  it('a rejection frees the amount, keeps the reason, and a small refund goes straight through', async () => {
    const { order } = await paidOrder();
    const cashierToken = await login(cashier);
    const asked = await refund(cashierToken, order.id, { reason: '大额' });
    const noReason = await decide(await login(), asked.body.id, 'reject');
    expect(noReason.status).toBe(400);
    const rejected = await decide(await login(), asked.body.id, 'reject', '金额与发票不符');
    expect([rejected.status, rejected.body.status]).toEqual([200, 'REJECTED']);
    const after = await consoleOrder(cashierToken, order.id);
    expect(after.status).toBe('COMPLETED');
    expect(after.allowedActions).toContain('refund');

    const smallToken = await login(cashier);
    const small = await refund(smallToken, order.id, { amount: THRESHOLD_FEN, reason: '小额' });
    expect([small.status, small.body.status]).toEqual([201, 'REQUESTED']);
    const rejects = await auditEntries(stack, await login(), 'refund.reject');
    expect(rejects.find((a) => a.target === asked.body.id)?.description).toMatch(/金额与发票不符/);
  });

  it('a small refund long after the payment is held for a supervisor too (the risk rule), with its event', async () => {
    const { order } = await paidOrder();
    stack.clock.advance(31 * 24 * 3600_000);
    const asked = await refund(await login(cashier), order.id, { amount: 100, reason: '很久以前的退费' });
    expect([asked.status, asked.body.status]).toEqual([202, 'AWAITING_APPROVAL']);
    const events = await call<{ action: string; orderId?: string; decision: string; rules: string[] }[]>(
      stack.url,
      'GET',
      '/api/v1/console/risk/events?limit=50',
      { token: await login() },
    );
    expect(events.status).toBe(200);
    expect(events.body.find((e) => e.action === 'refund' && e.orderId === order.id)).toMatchObject({
      decision: 'review',
      rules: ['refund_long_after_payment'],
    });
  });
});
