/** A cashier refunds through the mounted console API: login with TOTP, refund, legs, audit, the patient's view. */
import { call, seedPatient, useStack } from '../helpers/stack';
import { consoleToken } from '../helpers/console';
import { getOrder, payInFull } from '../helpers/flow';
import { readTrialBalance } from '../../server/db/ledger';

const stack = useStack();

describe('console refunds', () => {
  it('refunds a completed mixed order through the console API, audited, and the patient sees it split by fund', async () => {
    const p = await seedPatient(stack, { insured: { insutype: '310', balance: 3000 } });
    const order = await payInFull(stack, p, true);
    const token = await consoleToken(stack);

    const refused = await call(stack.url, 'POST', `/api/v1/console/orders/${order.id}/refunds`, {
      token: p.token,
      body: { reason: '患者要求' },
    });
    expect(refused.status).toBe(401);
    const tooMuch = await call<{ code: string }>(
      stack.url,
      'POST',
      `/api/v1/console/orders/${order.id}/refunds`,
      { token, body: { amount: order.split.total + 1, reason: '患者要求' } },
    );
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.code).toBe('REFUND_EXCEEDS_PAID');

    const created = await call<{ id: string; legs: { kind: string; amount: number }[] }>(
      stack.url,
      'POST',
      `/api/v1/console/orders/${order.id}/refunds`,
      { token, body: { reason: '患者要求全额退费' } },
    );
    expect(created.status).toBe(201);
    expect(created.body.legs.map((l) => l.kind).sort()).toEqual(['cash', 'his', 'insurance']);

    await stack.runJobs();
    await stack.runJobs();
    const after = await getOrder(stack, p, order.id);
    expect(after.body.status).toBe('REFUNDED');
    const refunds = (
      after.body as unknown as {
        refunds: { status: string; split: { fund: number; account: number; cash: number } }[];
      }
    ).refunds;
    expect(refunds).toHaveLength(1);
    expect(refunds[0].status).toBe('SUCCEEDED');
    expect(refunds[0].split).toMatchObject({
      fund: order.split.fund,
      account: order.split.account,
      cash: order.split.cash,
    });
    expect((await readTrialBalance(stack.db.db)).net).toBe(0);

    const audit = await call<{ action: string; target?: string }[]>(
      stack.url,
      'GET',
      '/api/v1/console/audit?limit=20',
      { token },
    );
    expect(audit.body.find((a) => a.action === 'order.refund')?.target).toBe(order.id);
  });
});
