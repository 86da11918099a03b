/** A cashier refunds through the mounted console API: login with TOTP, refund, legs, audit, the patient's view. */
import { createGuardrails, generateSync } from 'otplib';
import { call, seedPatient, startStack, type Stack } from '../helpers/stack';
import { getOrder, payInFull } from '../helpers/flow';
import { readTrialBalance } from '../../server/db/ledger';

const SECRET = 'JBSWY3DPEHPK3PXP';
const PASSWORD = 'Admin#2026';
// the demo secret is 10 bytes, as authenticator apps' often are; otplib 13 asks for 16 unless told
const guardrails = createGuardrails({ MIN_SECRET_BYTES: 10 });

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

async function consoleToken(): Promise<string> {
  const otp = generateSync({ secret: SECRET, epoch: Math.floor(stack.clock.now() / 1000), guardrails });
  const answer = await call<{ token: string; role: string }>(stack.url, 'POST', '/api/v1/console/session', {
    body: { username: 'admin', password: PASSWORD, otp },
  });
  expect(answer.status).toBe(200);
  return answer.body.token;
}

describe('console refunds', () => {
  it('refunds a completed mixed order through the console API, audited, and the patient sees it split by fund', async () => {
    const p = await seedPatient(stack, { insured: { insutype: '310', balance: 3000 } });
    const order = await payInFull(stack, p, true);
    const token = await consoleToken();

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
