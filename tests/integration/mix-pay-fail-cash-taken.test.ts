/**
 * MIX_PAY_FAIL with SELF_PAY_SUCCESS (WeChat's 排障手册 2.8 C: "混合订单只看 mix_pay_status 失败就关单 — 自费可能
 * 已成功但医保失败 … 自费成功要单独走基础退款"). The WeChat mock's scenario `insurance-fails-cash-taken` takes the
 * cash part and leaves insurance unsettled, with no callback. The janitor's query must then fail the order and
 * give every fen of the cash back — once, through the outbox (`LR…`), however many janitors and workers run —
 * revoke the insurance fee upload (nothing was settled, so nothing is reversed) and unlock the HIS bill, with
 * no ledger posting. Over HTTP as the mini-program and the console see it; time moves on the ManualClock.
 */
import { randomBytes } from 'node:crypto';
import { adminGet, call, seedPatient, useStack, type SeededPatient } from '../helpers/stack';
import { consoleToken } from '../helpers/console';
import { authorize, checkout, getOrder, hisBill, pay } from '../helpers/flow';
import { readTrialBalance } from '../../server/db/ledger';
import { runJanitorOnce } from '../../server/jobs/janitor';
import { INSURANCE_PATHS } from '../../shared/protocol/insurance';

const SCENARIO = 'insurance-fails-cash-taken';

const stack = useStack();

interface WeChatOrder {
  trade?: { trade_state: string; transaction_id?: string; amount: { total: number } };
  medIns?: {
    mix_pay_status: string;
    self_pay_status: string;
    med_ins_pay_status: string;
    med_ins_fail_reason?: string;
  };
  refunds: { out_refund_no: string; status: string; amount: { refund: number; total: number } }[];
  notifications: unknown[];
}

const atWeChat = (orderNo: string) => adminGet<WeChatOrder>(stack.wechat.url, `/__admin/orders/${orderNo}`);

async function payOrdIdOf(orderId: string): Promise<string> {
  const rows = (await stack.db.db.query(`SELECT pay_ord_id FROM orders WHERE id = $1`, [orderId])) as {
    pay_ord_id: string;
  }[];
  return rows[0].pay_ord_id;
}

const journalCount = async (base: string, query: string) =>
  (await adminGet<unknown[]>(base, `/__admin/journal?${query}`)).length;

/** A mixed order in the WeChat sheet, its patient's mock identities in a session that runs the scenario. */
async function mixedOrderInScenario(): Promise<{
  p: SeededPatient;
  id: string;
  orderNo: string;
  cash: number;
}> {
  const session = `cash-taken-${randomBytes(3).toString('hex')}`;
  const p = await seedPatient(stack, { insured: { insutype: '310', balance: 3000 }, session });
  const selected = await call(stack.wechat.url, 'PUT', `/__admin/sessions/${session}/scenario`, {
    body: { name: SCENARIO },
  });
  expect(selected.status).toBe(200);
  await authorize(stack, p);
  const order = await checkout(stack, p, true);
  expect(order.body.mixPayType).toBe('CASH_AND_INSURANCE');
  expect((await pay(stack, p, order.body.id)).status).toBe(200);
  return { p, id: order.body.id, orderNo: order.body.orderNo, cash: order.body.split.cash };
}

describe(`scenario ${SCENARIO}: the cash is taken, insurance fails`, () => {
  it('is listed with its description and the mock it affects', async () => {
    const list = await adminGet<{ name: string; mocks: string[]; description: { zh: string; en: string } }[]>(
      stack.wechat.url,
      '/__admin/scenarios',
    );
    const scenario = list.find((s) => s.name === SCENARIO);
    expect(scenario?.mocks).toEqual(['wechatpay']);
    expect(scenario?.description.zh).toMatch(/自费/);
  });

  it('the mock takes the cash and fails the order: MIX_PAY_FAIL / SELF_PAY_SUCCESS / MED_INS_PAY_FAIL, no callback', async () => {
    const o = await mixedOrderInScenario();
    const confirmed = await call<{ tradeState: string; mixPayStatus: string; notificationId?: string }>(
      stack.wechat.url,
      'POST',
      '/__admin/payments/confirm',
      { body: { outTradeNo: o.orderNo } },
    );
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ tradeState: 'SUCCESS', mixPayStatus: 'MIX_PAY_FAIL' });
    expect(confirmed.body.notificationId).toBeUndefined();
    const wx = await atWeChat(o.orderNo);
    expect(wx.medIns).toMatchObject({
      mix_pay_status: 'MIX_PAY_FAIL',
      self_pay_status: 'SELF_PAY_SUCCESS',
      med_ins_pay_status: 'MED_INS_PAY_FAIL',
      med_ins_fail_reason: expect.any(String),
    });
    expect(wx.trade).toMatchObject({
      trade_state: 'SUCCESS',
      transaction_id: expect.stringMatching(/^\d{28}$/),
    });
    expect(wx.trade?.amount.total).toBe(o.cash);
    expect(wx.notifications).toHaveLength(0);
    const settlement = await adminGet<{ status: string }>(
      stack.insurance.url,
      `/__admin/settlements/${await payOrdIdOf(o.id)}`,
    );
    expect(settlement.status).toBe('PRESETTLED'); // insurance never settled
  });

  it('the janitor fails the order and gives the cash back once (two instances, repeated runs); insurance revoked, bill payable, no posting', async () => {
    const o = await mixedOrderInScenario();
    const confirmed = await call(stack.wechat.url, 'POST', '/__admin/payments/confirm', {
      body: { outTradeNo: o.orderNo },
    });
    expect(confirmed.status).toBe(200);
    expect((await getOrder(stack, o.p, o.id)).body.status).toBe('AWAITING_PAYMENT');

    // no callback comes: past the grace, two janitors ask WeChat at once
    stack.clock.advance(stack.server.deps.settings.CALLBACK_GRACE_MS + 1000);
    const other = stack.anotherInstance();
    await Promise.all([runJanitorOnce(stack.server.deps), runJanitorOnce(other.deps)]);
    expect((await getOrder(stack, o.p, o.id)).body.status).toBe('PAYMENT_FAILED');
    const late = (await stack.db.db.query(`SELECT * FROM late_payments WHERE order_id = $1`, [o.id])) as {
      status: string;
      order_status: string;
      reported_by: string;
      total_fen: string;
      cash_fen: string;
      fund_fen: string;
      account_fen: string;
      cash_refund_no: string;
      insurance_refund_no: string | null;
      transaction_id: string;
    }[];
    expect(late).toEqual([
      expect.objectContaining({
        status: 'RETURNING',
        order_status: 'PAYMENT_FAILED',
        reported_by: 'janitor',
        total_fen: String(o.cash),
        cash_fen: String(o.cash),
        fund_fen: '0',
        account_fen: '0',
        cash_refund_no: `LR${o.orderNo.slice(2)}`,
        insurance_refund_no: null,
        transaction_id: (await atWeChat(o.orderNo)).trade?.transaction_id,
      }),
    ]);

    // the outbox on both instances, twice, and the janitors again
    await Promise.all([stack.server.runJobsOnce(), other.runJobsOnce()]);
    await Promise.all([stack.server.runJobsOnce(), other.runJobsOnce()]);
    stack.clock.advance(stack.server.deps.settings.OUTBOX_BACKOFF_MAX_MS);
    await stack.runJobs();

    // WeChat: the cash refunded in full, by one refund
    const wx = await atWeChat(o.orderNo);
    expect(wx.refunds).toEqual([
      expect.objectContaining({
        out_refund_no: `LR${o.orderNo.slice(2)}`,
        status: 'SUCCESS',
        amount: expect.objectContaining({ refund: o.cash, total: o.cash }),
      }),
    ]);
    expect(
      await journalCount(
        stack.wechat.url,
        `path=/v3/refund/domestic/refunds&method=POST&tag=outTradeNo=${o.orderNo}`,
      ),
    ).toBe(1);
    // the same through the signed API (GET /v3/pay/transactions/out-trade-no/…), as the server reads it
    const trade = await stack.server.deps.wechat.queryTransaction(o.orderNo);
    expect(trade?.tradeState).toBe('REFUND');

    // insurance: never settled, so no reversal (6203); the fee upload is revoked (6401)
    const payOrdId = await payOrdIdOf(o.id);
    const settlement = await adminGet<{ status: string; refunds?: unknown[] }>(
      stack.insurance.url,
      `/__admin/settlements/${payOrdId}`,
    );
    expect(settlement.status).toBe('REVOKED');
    expect(settlement.refunds ?? []).toHaveLength(0);
    expect(
      await journalCount(stack.insurance.url, `path=${INSURANCE_PATHS.refundOrder}&tag=payOrdId=${payOrdId}`),
    ).toBe(0);

    // the HIS bill is payable again, and the ledger never saw the order
    const p = o.p;
    expect((await hisBill(stack, p.billNo)).status).toBe('UNPAID');
    const ledger = (await stack.db.db.query(
      `SELECT count(*)::int AS n FROM ledger_entries WHERE order_id = $1`,
      [o.id],
    )) as { n: number }[];
    expect(ledger[0].n).toBe(0);
    expect((await readTrialBalance(stack.db.db)).net).toBe(0);

    // the console's order detail tells the story: failed, cash taken and returned, the jobs that did it
    const token = await consoleToken(stack);
    const detail = await call<{
      status: string;
      events: { from: string; to: string; actor: string; reason: string }[];
      outbox: { kind: string; status: string }[];
    }>(stack.url, 'GET', `/api/v1/console/orders/${o.id}`, { token });
    expect(detail.status).toBe(200);
    expect(detail.body.status).toBe('PAYMENT_FAILED');
    const events = detail.body.events;
    expect(events.find((e) => e.to === 'PAYMENT_FAILED' && e.from !== e.to)).toMatchObject({
      from: 'AWAITING_PAYMENT',
      actor: 'janitor',
      reason: expect.stringMatching(/MED_INS_PAY_FAIL\/SELF_PAY_SUCCESS/),
    });
    const traces = events.filter((e) => e.from === 'PAYMENT_FAILED' && e.to === 'PAYMENT_FAILED');
    expect(traces.map((e) => e.reason)).toEqual([
      expect.stringMatching(new RegExp(`cash of ${o.cash} fen taken although the med-ins order failed`)),
      expect.stringMatching(new RegExp(`cash ${o.cash} fen refunded at WeChat \\(LR`)),
    ]);
    expect(detail.body.outbox.map((j) => `${j.kind}:${j.status}`).sort()).toEqual([
      'late_payment_return:DONE',
      'release:DONE',
    ]);

    // and the bill can be paid again in a new order (the scenario still applies to this session: pay in cash)
    const again = await checkout(stack, p, false);
    expect(again.status).toBe(201);
  });
});
