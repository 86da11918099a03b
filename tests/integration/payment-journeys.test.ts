import { readTrialBalance } from '../../server/db/ledger';
import { adminGet, call, newIdNo, seedPatient, useStack } from '../helpers/stack';
import { authorize, checkout, confirmAtWeChat, getOrder, hisBill, pay, waitForStatus } from '../helpers/flow';

const stack = useStack();

async function ledgerOf(orderId: string) {
  return (await stack.db.db.query(
    `SELECT account, direction, amount_fen::int AS amount FROM ledger_entries WHERE order_id = $1 ORDER BY account`,
    [orderId],
  )) as {
    account: string;
    direction: string;
    amount: number;
  }[];
}

describe('a patient pays a bill end to end', () => {
  it('mixed: insurance fund + personal account + WeChat cash → COMPLETED, bill PAID, ledger balanced', async () => {
    const p = await seedPatient(stack, { insured: { insutype: '310', balance: 3000 } });
    const auth = await authorize(stack, p);
    expect(auth.eligible).toBe(true);

    const bills = await call<{ billNo: string; amount: number }[]>(
      stack.url,
      'GET',
      `/api/v1/patients/${p.patientId}/bills`,
      { token: p.token },
    );
    expect(bills.status).toBe(200);
    expect(bills.body.map((b) => b.billNo)).toContain(p.billNo);

    const order = await checkout(stack, p, true);
    expect(order.status).toBe(201);
    expect(order.body.status).toBe('PRESETTLED');
    const { split } = order.body;
    expect(split.total).toBe(p.billAmount);
    expect(split.fund + split.account + split.cash).toBe(split.total);
    // 310 rules: in-scope 2000 + 3000 + 35000×0.8 + 9100×0.9 = 41190; fund = (41190 − 20000 deductible) × 70 % = 14833
    expect(split.fund).toBe(14833);
    expect(split.account).toBe(3000); // the whole balance, since the personal share is larger
    expect(split.cash).toBe(split.total - 14833 - 3000);
    expect(order.body.mixPayType).toBe('CASH_AND_INSURANCE');
    expect((await hisBill(stack, p.billNo)).status).toBe('LOCKED');

    const payment = await pay(stack, p, order.body.id);
    expect(payment.status).toBe(200);
    expect(payment.body.status).toBe('AWAITING_PAYMENT');
    expect(payment.body.mixTradeNo).toBeTruthy();
    expect(payment.body.payParams?.package).toMatch(/^prepay_id=/);
    expect(payment.body.payParams?.signType).toBe('RSA');

    await confirmAtWeChat(stack, order.body.orderNo);
    await waitForStatus(stack, p, order.body.id, ['PAID']);
    await stack.runJobs();
    const done = await waitForStatus(stack, p, order.body.id, ['COMPLETED']);
    expect(done.receiptNo).toBeTruthy();
    // the cash leg's WeChat transaction id is recorded (the med-ins callback does not carry it)
    expect((done as unknown as { transactionId?: string }).transactionId).toMatch(/^\d{28}$/);

    const bill = await hisBill(stack, p.billNo);
    expect(bill.status).toBe('PAID');
    expect(bill.paidOrderId).toBe(order.body.orderNo);

    const lines = await ledgerOf(order.body.id);
    expect(lines).toEqual(
      expect.arrayContaining([
        { account: 'insurance_fund_receivable', direction: 'D', amount: split.fund },
        { account: 'insurance_account_receivable', direction: 'D', amount: split.account },
        { account: 'wechatpay_clearing', direction: 'D', amount: split.cash },
        { account: 'patient_charges', direction: 'C', amount: split.total },
      ]),
    );
    expect((await readTrialBalance(stack.db.db)).net).toBe(0);
  });

  it('insurance-only: a balance that covers the personal share leaves cash 0 → COMPLETED without a JSAPI order', async () => {
    const p = await seedPatient(stack, { insured: { insutype: '310', balance: 10_000_000 } });
    await authorize(stack, p);
    const order = await checkout(stack, p, true);
    expect(order.status).toBe(201);
    expect(order.body.split.cash).toBe(0);
    expect(order.body.mixPayType).toBe('INSURANCE_ONLY');
    const payment = await pay(stack, p, order.body.id);
    expect(payment.status).toBe(200);
    expect(payment.body.payParams).toBeUndefined();
    expect(payment.body.mixTradeNo).toBeTruthy();
    await confirmAtWeChat(stack, order.body.orderNo);
    await waitForStatus(stack, p, order.body.id, ['PAID']);
    await stack.runJobs();
    const done = await waitForStatus(stack, p, order.body.id, ['COMPLETED']);
    expect(done.split.fund + done.split.account).toBe(done.split.total);
    expect((await hisBill(stack, p.billNo)).status).toBe('PAID');
    expect((await readTrialBalance(stack.db.db)).net).toBe(0);
  });

  // checklist items 17/18: before, the payer was always the card's person, and WeChat (the mock) refused a
  // family member's order as "入参用户姓名/个人身份ID摘要和医保电子凭证绑卡信息不匹配"
  it('a family member’s bill (代亲属): the e-voucher holder pays, the card’s person is the relative → COMPLETED', async () => {
    const holder = { name: '王家长', idNo: newIdNo() };
    const p = await seedPatient(stack, { insured: { insutype: '390', balance: 0, holder } });
    expect((await authorize(stack, p)).eligible).toBe(true);
    const order = await checkout(stack, p, true);
    expect(order.status).toBe(201);
    const paid = await pay(stack, p, order.body.id);
    expect(paid.status).toBe(200);
    const wx = await adminGet<{ medIns: { pay_for_relatives?: boolean; payer: { name: string } } }>(
      stack.wechat.url,
      `/__admin/orders/${order.body.orderNo}`,
    );
    expect(wx.medIns.pay_for_relatives).toBe(true);
    expect(wx.medIns.payer.name).toBe(holder.name);
    await confirmAtWeChat(stack, order.body.orderNo);
    await waitForStatus(stack, p, order.body.id, ['COMPLETED'], 10_000);
  });

  it('cash-only: no insurance authorization, the whole bill through WeChat Pay → COMPLETED', async () => {
    const p = await seedPatient(stack);
    const order = await checkout(stack, p, false);
    expect(order.status).toBe(201);
    expect(order.body.split).toEqual({ total: p.billAmount, fund: 0, account: 0, cash: p.billAmount });
    expect(order.body.mixPayType).toBe('CASH_ONLY');
    const payment = await pay(stack, p, order.body.id);
    expect(payment.body.mixTradeNo).toBeUndefined();
    expect(payment.body.payParams?.paySign).toBeTruthy();
    await confirmAtWeChat(stack, order.body.orderNo);
    await waitForStatus(stack, p, order.body.id, ['PAID']);
    await stack.runJobs();
    const done = await waitForStatus(stack, p, order.body.id, ['COMPLETED']);
    expect(done.receiptNo).toBeTruthy();
    expect((await hisBill(stack, p.billNo)).paidOrderId).toBe(order.body.orderNo);
    expect((await readTrialBalance(stack.db.db)).net).toBe(0);
  });

  it('an ineligible (suspended) patient is told why, and can still pay in cash', async () => {
    const p = await seedPatient(stack, { insured: { insutype: '390', balance: 0, status: 'SUSPENDED' } });
    const auth = await authorize(stack, p);
    expect(auth.eligible).toBe(false);
    expect(auth.reason).toMatch(/暂停/);
    const refused = await checkout(stack, p, true);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'INSURANCE_INELIGIBLE' });
    const cash = await checkout(stack, p, false);
    expect(cash.status).toBe(201);
  });

  it('lists the orders newest first and shows the status history', async () => {
    const p = await seedPatient(stack);
    const order = await checkout(stack, p, false);
    const list = await call<{ id: string }[]>(stack.url, 'GET', '/api/v1/orders', { token: p.token });
    expect(list.body[0].id).toBe(order.body.id);
    const detail = await getOrder(stack, p, order.body.id);
    // the patient reads the history in patient words: no actors, ids or reasons, and no raw events
    const body = detail.body as unknown as {
      events?: unknown;
      timeline: { title: string; detail?: string }[];
    };
    expect(body.timeline.map((e) => e.title)).toEqual(['已提交', '费用已确认']);
    expect(body.events).toBeUndefined();
    for (const e of body.timeline) expect(`${e.title}${e.detail ?? ''}`).not.toMatch(/[A-Za-z]{3,}/);
  });
});
