/**
 * The refund dialog's preview over HTTP: the split by leg the refund would make, the same refusals as the refund
 * itself, and nothing written (no refund, no audit row, the order unchanged).
 */
import { call, seedPatient, useStack } from '../helpers/stack';
import { consoleToken } from '../helpers/console';
import { getOrder, payInFull } from '../helpers/flow';
import type { RefundPreviewView } from '../../shared/api';

const stack = useStack();
let token: string;
beforeAll(async () => {
  // one login: a TOTP code is spent once
  token = await consoleToken(stack);
});

const preview = (orderId: string, token: string, body: object) =>
  call<RefundPreviewView & { code?: string; message?: string }>(
    stack.url,
    'POST',
    `/api/v1/console/orders/${orderId}/refunds/preview`,
    { token, body },
  );

async function countOf(sql: string, params: unknown[]): Promise<number> {
  const rows = (await stack.server.deps.db.query(sql, params)) as { n: string }[];
  return Number(rows[0].n);
}

describe('console refund preview', () => {
  it('answers the split by leg of a part refund and of the rest, writing nothing', async () => {
    const p = await seedPatient(stack, { insured: { insutype: '310', balance: 3000 } });
    const order = await payInFull(stack, p, true);
    const auditBefore = await countOf(`SELECT count(*) AS n FROM audit_log`, []);

    const all = await preview(order.id, token, { reason: '患者要求' });
    expect(all.status).toBe(200);
    expect(all.body).toEqual({
      split: {
        total: order.split.total,
        fund: order.split.fund,
        account: order.split.account,
        cash: order.split.cash,
      },
      leftAfter: 0,
    });

    const part = await preview(order.id, token, { amount: 100, reason: '患者要求' });
    expect(part.status).toBe(200);
    const { split } = part.body;
    expect(split.total).toBe(100);
    expect(split.fund + split.account + split.cash).toBe(100);
    expect(part.body.leftAfter).toBe(order.split.total - 100);

    expect(await countOf(`SELECT count(*) AS n FROM refunds WHERE order_id = $1`, [order.id])).toBe(0);
    expect(await countOf(`SELECT count(*) AS n FROM audit_log`, [])).toBe(auditBefore);
    expect((await getOrder(stack, p, order.id)).body.status).toBe('COMPLETED');
  });

  it('refuses as the refund does: too much, an order not refundable, no session, a bad body', async () => {
    const p = await seedPatient(stack, { insured: { insutype: '310', balance: 3000 } });
    const order = await payInFull(stack, p, true);

    const tooMuch = await preview(order.id, token, { amount: order.split.total + 1, reason: '患者要求' });
    const real = await call<{ code: string; message: string }>(
      stack.url,
      'POST',
      `/api/v1/console/orders/${order.id}/refunds`,
      { token, body: { amount: order.split.total + 1, reason: '患者要求' } },
    );
    expect(tooMuch.body.code).toBe('REFUND_EXCEEDS_PAID');
    expect(tooMuch.status).toBe(real.status);
    expect(tooMuch.body.message).toBe(real.body.message);

    const refunded = await call(stack.url, 'POST', `/api/v1/console/orders/${order.id}/refunds`, {
      token,
      body: { amount: 100, reason: '部分退费' },
    });
    expect(refunded.status).toBe(201);
    const busy = await preview(order.id, token, { amount: 1, reason: '再退' });
    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe('REFUND_NOT_ALLOWED');
    expect(busy.body.message).toBe('这笔订单正在退款，请等退款完成后再操作。');

    expect((await preview(order.id, p.token, { reason: '患者要求' })).status).toBe(401);
    expect((await preview(order.id, token, { amount: -1, reason: '患者要求' })).status).toBe(400);
    expect((await preview(order.id, token, {})).status).toBe(400);
  });
});
