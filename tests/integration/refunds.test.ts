/**
 * Refunds end to end on real PostgreSQL + Redis and the three mocks: the cashier's router on a small Koa app
 * (with a stub for the console's authentication), the legs worked by the outbox through stack.runJobs().
 */
import { NO_APPROVAL_ENV } from '../helpers/refundApi';
import { adminGet, adminPost, call, seedPatient, useStack, type SeededPatient } from '../helpers/stack';
import { failAtWeChat, useRefundApi } from '../helpers/refundApi';
import { getOrder, hisBill, payInFull, type OrderAnswer } from '../helpers/flow';
import { readTrialBalance } from '../../server/db/ledger';
import { requestRefund } from '../../server/services/refund/refunds';
import type { RefundView } from '../../shared/api';

// the refund mechanics, not the four-eyes rule (refund-approval.test.ts): no cashier refund here waits for approval
const stack = useStack({ env: { OUTBOX_ATTEMPTS_MAX: '5', ...NO_APPROVAL_ENV } });
const { refund, refundView } = useRefundApi(stack);
afterEach(async () => {
  await call(stack.wechat.url, 'DELETE', '/__admin/faults');
});

async function orderRow(id: string) {
  const rows = (await stack.db.db.query(
    `SELECT status, pay_ord_id, order_no, refunded_fen::int AS refunded FROM orders WHERE id = $1`,
    [id],
  )) as { status: string; pay_ord_id: string | null; order_no: string; refunded: number }[];
  return rows[0];
}

async function refundJobs(orderId: string) {
  return (await stack.db.db.query(
    `SELECT dedupe_key, status, attempts, last_error FROM outbox WHERE order_id = $1 AND kind = 'refund_leg' ORDER BY id`,
    [orderId],
  )) as { dedupe_key: string; status: string; attempts: number; last_error: string | null }[];
}

async function wechatOrder(outTradeNo: string) {
  return adminGet<{ refunds: { out_refund_no: string; status: string; amount: { refund: number } }[] }>(
    stack.wechat.url,
    `/__admin/orders/${outTradeNo}`,
  );
}

async function settlement(payOrdId: string) {
  return adminGet<{ status: string; refunds: { appRefdSn: string }[] }>(
    stack.insurance.url,
    `/__admin/settlements/${payOrdId}`,
  );
}

/** The legs of a full refund of a mixed order, in order: the cash and the HIS still PENDING, the insurance as told. */
function fullRefundLegs(order: OrderAnswer, { insurance }: { insurance: string }) {
  return [
    { kind: 'cash', amount: order.split.cash, status: 'PENDING' },
    { kind: 'insurance', amount: order.split.fund + order.split.account, status: insurance },
    { kind: 'his', amount: order.split.total, status: 'PENDING' },
  ];
}

async function paid(kind: 'mixed' | 'cash' | 'insurance'): Promise<{ p: SeededPatient; order: OrderAnswer }> {
  const p = await seedPatient(
    stack,
    kind === 'cash' ? {} : { insured: { insutype: '310', balance: kind === 'mixed' ? 3000 : 1_000_000 } },
  );
  const order = await payInFull(stack, p, kind !== 'cash');
  return { p, order };
}

describe('POST /api/v1/console/orders/:id/refunds — a full refund', () => {
  it('refunds a mixed order through all three legs exactly once; the order is REFUNDED and the ledger balances', async () => {
    const { p, order } = await paid('mixed');
    expect(order.split.cash).toBeGreaterThan(0);
    expect(order.split.fund + order.split.account).toBeGreaterThan(0);

    const asked = await refund(order.id, { reason: '患者退费' });
    expect(asked.status).toBe(201);
    expect(asked.body.status).toBe('REQUESTED');
    expect(asked.body.legs).toEqual(fullRefundLegs(order, { insurance: 'PENDING' }));
    expect((await orderRow(order.id)).status).toBe('REFUNDING');

    await stack.runJobs();
    await stack.runJobs(); // nothing more to do: every leg is done once

    const row = await orderRow(order.id);
    expect(row).toMatchObject({ status: 'REFUNDED', refunded: order.split.total });
    const wx = await wechatOrder(row.order_no);
    expect(wx.refunds).toHaveLength(1);
    expect(wx.refunds[0]).toMatchObject({ status: 'SUCCESS', amount: { refund: order.split.cash } });
    const insured = await settlement(row.pay_ord_id as string);
    expect(insured.status).toBe('REFUNDED');
    expect(insured.refunds).toHaveLength(1);
    expect((await hisBill(stack, p.billNo)).status).toBe('REFUNDED');
    expect((await readTrialBalance(stack.db.db)).net).toBe(0);
    expect((await refundJobs(order.id)).map((j) => j.status)).toEqual(['DONE', 'DONE', 'DONE']);

    const view = await refundView(asked.body.id);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      status: 'SUCCEEDED',
      reason: '患者退费',
      split: order.split,
      legs: [
        { kind: 'cash', status: 'SUCCEEDED' },
        { kind: 'insurance', status: 'SUCCEEDED' },
        { kind: 'his', status: 'SUCCEEDED' },
      ],
    });
    expect(view.body.completedAt).toBeTruthy();

    // the patient sees the refund split by fund, with its legs
    const mine = await getOrder(stack, p, order.id);
    expect(mine.body).toMatchObject({
      status: 'REFUNDED',
      refunds: [{ id: asked.body.id, status: 'SUCCEEDED', split: order.split }],
    });
  });

  it('refunds a cash-only order through WeChat and the HIS', async () => {
    const { p, order } = await paid('cash');
    const asked = await refund(order.id, { reason: 'duplicate charge' });
    expect(asked.status).toBe(201);
    expect(asked.body.legs.map((l) => l.kind)).toEqual(['cash', 'his']);
    await stack.runJobs();
    const row = await orderRow(order.id);
    expect(row.status).toBe('REFUNDED');
    expect((await wechatOrder(row.order_no)).refunds).toHaveLength(1);
    expect((await hisBill(stack, p.billNo)).status).toBe('REFUNDED');
    expect((await readTrialBalance(stack.db.db)).net).toBe(0);
  });

  it('refunds an insurance-only order through 6203, the med-ins notice and the HIS', async () => {
    const { p, order } = await paid('insurance');
    expect(order.split.cash).toBe(0);
    const asked = await refund(order.id, { reason: 'wrong bill' });
    expect(asked.body.legs.map((l) => l.kind)).toEqual(['insurance', 'his']);
    await stack.runJobs();
    const row = await orderRow(order.id);
    expect(row.status).toBe('REFUNDED');
    expect((await settlement(row.pay_ord_id as string)).status).toBe('REFUNDED');
    expect((await hisBill(stack, p.billNo)).status).toBe('REFUNDED');
    const wx = await wechatOrder(row.order_no);
    expect(wx.refunds).toHaveLength(0);
    expect((await readTrialBalance(stack.db.db)).net).toBe(0);
  });
});

describe('partial refunds', () => {
  it('refunds in two parts, then refuses a third with REFUND_EXCEEDS_PAID', async () => {
    const { p, order } = await paid('mixed');
    const first = Math.floor(order.split.total / 3);
    expect((await refund(order.id, { amount: first, reason: 'part one' })).status).toBe(201);
    await stack.runJobs();
    expect(await orderRow(order.id)).toMatchObject({ status: 'PARTIALLY_REFUNDED', refunded: first });

    const rest = await refund(order.id, { reason: 'the rest' });
    expect(rest.status).toBe(201);
    await stack.runJobs();
    const row = await orderRow(order.id);
    expect(row).toMatchObject({ status: 'REFUNDED', refunded: order.split.total });

    const third = await refund(order.id, { amount: 1, reason: 'one more' });
    expect(third.status).toBe(422);
    expect(third.body.code).toBe('REFUND_EXCEEDS_PAID');

    // the two refunds add up to the paid split, leg by leg, at every party
    const views = (await getOrder(stack, p, order.id)).body as unknown as { refunds: RefundView[] };
    const sum = views.refunds.reduce(
      (s, r) => ({
        total: s.total + r.split.total,
        fund: s.fund + r.split.fund,
        account: s.account + r.split.account,
        cash: s.cash + r.split.cash,
      }),
      { total: 0, fund: 0, account: 0, cash: 0 },
    );
    expect(sum).toEqual(order.split);
    expect((await wechatOrder(row.order_no)).refunds).toHaveLength(2);
    expect((await settlement(row.pay_ord_id as string)).status).toBe('REFUNDED');
    expect((await hisBill(stack, p.billNo)).status).toBe('REFUNDED');
    expect((await readTrialBalance(stack.db.db)).net).toBe(0);
  });

  it('refuses more than is left, an unknown order, bad input, and a refund while one is under way', async () => {
    const { order } = await paid('cash');
    const tooMuch = await refund(order.id, { amount: order.split.total + 1, reason: 'x' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.code).toBe('REFUND_EXCEEDS_PAID');
    expect((await refund('8a3c2c1e-6a4f-4c55-9a55-2f1e9b0c7d11', { reason: 'x' })).status).toBe(404);
    expect(await refund('not-a-uuid', { reason: 'x' })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_ID' },
    });
    expect((await refund(order.id, { amount: 0, reason: 'x' })).status).toBe(400);
    expect((await refund(order.id, { amount: 1.5, reason: 'x' })).status).toBe(400);
    expect((await refund(order.id, { reason: '' })).status).toBe(400);
    expect((await refund(order.id, { reason: 'x'.repeat(201) })).status).toBe(400);
    expect((await refundView('8a3c2c1e-6a4f-4c55-9a55-2f1e9b0c7d11')).status).toBe(404);

    expect((await refund(order.id, { amount: 100, reason: 'first' })).status).toBe(201);
    const second = await refund(order.id, { amount: 100, reason: 'second' });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('REFUND_NOT_ALLOWED');
    await stack.runJobs();
    expect((await orderRow(order.id)).status).toBe('PARTIALLY_REFUNDED');
  });
});

describe('a leg that fails', () => {
  it('is retried by the outbox after its backoff and the WeChat refund is made once', async () => {
    const { order } = await paid('mixed');
    // enough 5xx to outlast the adapter's own bounded retry, so the outbox sees the failure
    await failAtWeChat(stack, '/v3/refund/domestic/refunds');
    const asked = await refund(order.id, { reason: 'retry me' });
    await stack.runJobs();

    const cashJob = (await refundJobs(order.id)).find((j) => j.dedupe_key.endsWith(':cash'));
    expect(cashJob).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(cashJob?.last_error).toMatch(/503|unavailable/);
    const during = await refundView(asked.body.id);
    expect(during.body.status).toBe('PROCESSING');
    expect(during.body.legs).toEqual(fullRefundLegs(order, { insurance: 'SUCCEEDED' }));
    expect((await orderRow(order.id)).status).toBe('REFUNDING');

    stack.clock.advance(10 * 60_000); // past the backoff
    await stack.runJobs();
    const row = await orderRow(order.id);
    expect(row.status).toBe('REFUNDED');
    const done = await refundView(asked.body.id);
    expect(done.body.status).toBe('SUCCEEDED');
    expect((await wechatOrder(row.order_no)).refunds).toHaveLength(1);
    expect((await readTrialBalance(stack.db.db)).net).toBe(0);
  });

  it('that keeps failing ends DEAD in the outbox with the refund still PROCESSING and the order REFUNDING', async () => {
    const { order } = await paid('cash');
    await failAtWeChat(stack, '/v3/refund/domestic/refunds', 'always');
    const asked = await refund(order.id, { reason: 'never' });
    const max = stack.server.deps.settings.OUTBOX_ATTEMPTS_MAX;
    for (let i = 0; i < max; i++) {
      await stack.runJobs();
      stack.clock.advance(stack.server.deps.settings.OUTBOX_BACKOFF_MAX_MS + 1_000);
    }
    const cashJob = (await refundJobs(order.id)).find((j) => j.dedupe_key.endsWith(':cash'));
    expect(cashJob).toMatchObject({ status: 'DEAD', attempts: max });
    const view = await refundView(asked.body.id);
    expect(view.body.status).toBe('PROCESSING');
    expect(view.body.legs.map((l) => l.status)).toEqual(['PENDING', 'PENDING']);
    expect((await orderRow(order.id)).status).toBe('REFUNDING');
    expect((await wechatOrder((await orderRow(order.id)).order_no)).refunds).toHaveLength(0);
  });
});

describe('a WeChat refund that is PROCESSING', () => {
  afterEach(async () => {
    await adminPost(stack.wechat.url, '/__admin/options', { refundMode: 'SUCCESS' });
  });

  it('is asked about again until WeChat says SUCCESS, and is not created twice', async () => {
    const { order } = await paid('cash');
    await adminPost(stack.wechat.url, '/__admin/options', {
      refundMode: 'PROCESSING',
      refundProcessingMs: 60_000,
    });
    const asked = await refund(order.id, { reason: 'slow bank' });
    await stack.runJobs();
    const during = await refundView(asked.body.id);
    expect(during.body).toMatchObject({
      status: 'PROCESSING',
      legs: [
        { kind: 'cash', status: 'PENDING' },
        { kind: 'his', status: 'PENDING' },
      ],
    });
    expect((await refundJobs(order.id))[0].last_error).toMatch(/PROCESSING/);

    stack.clock.advance(61_000); // WeChat finishes; the leg's backoff is over too
    await stack.wechat.mock.deliverDue(); // the mock completes due refunds and sends REFUND.SUCCESS to us
    await stack.runJobs();
    const row = await orderRow(order.id);
    expect(row.status).toBe('REFUNDED');
    expect((await wechatOrder(row.order_no)).refunds).toEqual([
      expect.objectContaining({ status: 'SUCCESS' }),
    ]);
    const callbacks = (await stack.db.db.query(
      `SELECT event_type FROM received_notifications WHERE out_trade_no = $1 AND event_type LIKE 'REFUND.%'`,
      [row.order_no],
    )) as { event_type: string }[];
    expect(callbacks.map((c) => c.event_type)).toEqual(['REFUND.SUCCESS']);
  });
});

describe('concurrent refund requests', () => {
  it('two requests for more than half each: one 201, one 422, and nothing over-refunded', async () => {
    const { order } = await paid('mixed');
    const more = Math.floor(order.split.total / 2) + 1;
    const answers = await Promise.all([
      refund(order.id, { amount: more, reason: 'a' }),
      refund(order.id, { amount: more, reason: 'b' }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 422]);
    expect(answers.find((a) => a.status === 422)?.body.code).toBe('REFUND_EXCEEDS_PAID');
    await stack.runJobs();
    expect(await orderRow(order.id)).toMatchObject({ status: 'PARTIALLY_REFUNDED', refunded: more });
  });

  it('the service on its own: many at once never exceed what was paid', async () => {
    const { order } = await paid('cash');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        requestRefund(stack.server.deps, order.id, {
          amount: order.split.total,
          reason: 'all',
          actor: 'test',
          role: 'supervisor',
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    await stack.runJobs();
    expect(await orderRow(order.id)).toMatchObject({ status: 'REFUNDED', refunded: order.split.total });
  });
});
