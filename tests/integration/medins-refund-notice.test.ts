/**
 * The med-ins refund notice in a refund of a mixed order (WeChat's 接入质量检查 item 23; 开发参数与业务规则 §七),
 * on real PostgreSQL + Redis and the three mocks: the self-pay part goes back through
 * /v3/refund/domestic/refunds first, then POST /v3/med-ins/refunds/notify tells WeChat of the insurance refund
 * under the SAME out_refund_no with refund_time = when 6203 succeeded. The WeChat mock's journal shows the order;
 * its med-ins order reads MIX_PAY_REFUND only when both parts are back.
 */
import { NO_APPROVAL_ENV } from '../helpers/refundApi';
import { adminGet, adminPost, call, seedPatient, useStack } from '../helpers/stack';
import { failAtWeChat, useRefundApi } from '../helpers/refundApi';
import { payInFull, type OrderAnswer } from '../helpers/flow';
import { rfc3339Cst } from '../../shared/clock';
import type { RefundView } from '../../shared/api';
import { runRefundLeg } from '../../server/services/refund/refunds';

// the refund mechanics, not the four-eyes rule (refund-approval.test.ts): no cashier refund here waits for approval
const stack = useStack({ env: { OUTBOX_ATTEMPTS_MAX: '5', ...NO_APPROVAL_ENV } });
const api = useRefundApi(stack);
afterEach(async () => {
  await call(stack.wechat.url, 'DELETE', '/__admin/faults');
});

interface JournalEntry {
  seq: number;
  atMs: number;
  method: string;
  path: string;
  status: number;
  requestBody: string;
  tags: Record<string, string>;
}

interface MedInsStatuses {
  mix_pay_status: string;
  self_pay_status: string;
  med_ins_pay_status: string;
}

async function paidMixed(): Promise<OrderAnswer> {
  const p = await seedPatient(stack, { insured: { insutype: '310', balance: 3000 } });
  const order = await payInFull(stack, p, true);
  expect(order.split.cash).toBeGreaterThan(0);
  expect(order.split.fund + order.split.account).toBeGreaterThan(0);
  return order;
}

async function refund(orderId: string, body: { amount?: number; reason: string }): Promise<RefundView> {
  const asked = await api.refund(orderId, body);
  expect(asked.status).toBe(201);
  return refundView(asked.body.id);
}

const refundView = async (id: string) => (await api.refundView(id)).body;

/** The WeChat mock's journal entries of one refund number, oldest first. */
async function wechatJournal(outRefundNo: string): Promise<JournalEntry[]> {
  const entries = await adminGet<JournalEntry[]>(
    stack.wechat.url,
    `/__admin/journal?tag=${encodeURIComponent(`outRefundNo=${outRefundNo}`)}&limit=1000`,
  );
  return [...entries].sort((a, b) => a.seq - b.seq);
}

const cashRefunds = (journal: JournalEntry[]) =>
  journal.filter((e) => e.method === 'POST' && e.path === '/v3/refund/domestic/refunds' && e.status === 200);
const notices = (journal: JournalEntry[]) =>
  journal.filter((e) => e.method === 'POST' && e.path === '/v3/med-ins/refunds/notify');

async function medInsAtWeChat(orderNo: string): Promise<MedInsStatuses> {
  const answer = await adminGet<{ medIns: MedInsStatuses }>(stack.wechat.url, `/__admin/orders/${orderNo}`);
  const { mix_pay_status, self_pay_status, med_ins_pay_status } = answer.medIns;
  return { mix_pay_status, self_pay_status, med_ins_pay_status };
}

async function insuranceLegCompletedAt(refundId: string): Promise<Date> {
  const rows = (await stack.db.db.query(
    `SELECT completed_at FROM refund_legs WHERE refund_id = $1 AND kind = 'insurance'`,
    [refundId],
  )) as { completed_at: Date | null }[];
  if (!rows[0]?.completed_at) throw new Error('the insurance leg has no completed_at');
  return rows[0].completed_at;
}

/** When the insurance mock answered 6203 for this refund number (its journal, on the shared clock). */
async function refund6203AtMs(refundNo: string): Promise<number> {
  const entries = await adminGet<JournalEntry[]>(
    stack.insurance.url,
    `/__admin/journal?tag=${encodeURIComponent(`appRefdSn=${refundNo}`)}`,
  );
  const ok = entries.filter((e) => e.status === 200).sort((a, b) => a.seq - b.seq);
  if (ok.length === 0) throw new Error(`no 6203 for ${refundNo}`);
  return ok[0].atMs;
}

describe('a full refund of a mixed order', () => {
  it('refunds the cash first, then sends the notice with the same out_refund_no and refund_time = the 6203 time', async () => {
    const order = await paidMixed();
    // the cash refund cannot be made this round: 6203 goes first, and WeChat must not hear of it yet
    await failAtWeChat(stack, '/v3/refund/domestic/refunds');
    const asked = await refund(order.id, { reason: '患者退费' });
    const { refundNo } = asked;
    stack.clock.advance(5_000); // 6203 succeeds later than the refund was asked for
    await stack.runJobs();

    const during = await refundView(asked.id);
    expect(during.legs).toEqual([
      expect.objectContaining({ kind: 'cash', status: 'PENDING' }),
      expect.objectContaining({ kind: 'insurance', status: 'SUCCEEDED' }),
      expect.objectContaining({ kind: 'his', status: 'PENDING' }),
    ]);
    // 6203 succeeded, the cash refund was not accepted: nothing told to WeChat, the order still reads paid
    expect(notices(await wechatJournal(refundNo))).toEqual([]);
    expect(await medInsAtWeChat(order.orderNo)).toEqual({
      mix_pay_status: 'MIX_PAY_SUCCESS',
      self_pay_status: 'SELF_PAY_SUCCESS',
      med_ins_pay_status: 'MED_INS_PAY_SUCCESS',
    });
    const completedAt = await insuranceLegCompletedAt(asked.id);

    stack.clock.advance(10 * 60_000); // past the cash leg's backoff
    await stack.runJobs();
    const done = await refundView(asked.id);
    expect(done.status).toBe('SUCCEEDED');

    const journal = await wechatJournal(refundNo);
    const cash = cashRefunds(journal);
    const told = notices(journal);
    expect(cash).toHaveLength(1);
    expect(told).toHaveLength(1);
    expect(told[0].status).toBe(204);
    expect(cash[0].seq).toBeLessThan(told[0].seq);
    expect(JSON.parse(cash[0].requestBody)).toMatchObject({ out_refund_no: refundNo });
    const body = JSON.parse(told[0].requestBody) as Record<string, unknown>;
    const insurancePart = order.split.fund + order.split.account;
    expect(body).toEqual({
      med_refund_total_fee: insurancePart,
      med_refund_gov_fee: order.split.fund,
      med_refund_self_fee: order.split.account,
      med_refund_other_fee: 0,
      refund_time: rfc3339Cst(completedAt.getTime()),
      out_refund_no: refundNo,
    });
    // the time we recorded is when the insurance platform answered 6203, not the request nor the notice
    expect(body.refund_time).toBe(rfc3339Cst(await refund6203AtMs(refundNo)));
    expect(body.refund_time).not.toBe(rfc3339Cst(Date.parse(asked.createdAt)));
    expect(body.refund_time).not.toBe(rfc3339Cst(told[0].atMs));
    expect(told[0].tags.selfPayRefund).toBe('SUCCESS');

    expect(await medInsAtWeChat(order.orderNo)).toEqual({
      mix_pay_status: 'MIX_PAY_REFUND',
      self_pay_status: 'SELF_PAY_REFUND',
      med_ins_pay_status: 'MED_INS_PAY_REFUND',
    });

    // a repeated notice replaces the first (had it been added, insurance would be refunded twice: RULE_LIMIT)
    await stack.server.deps.wechat.notifyMedInsRefund({
      mixTradeNo: told[0].tags.mixTradeNo,
      outRefundNo: refundNo,
      split: done.split,
      fundOther: 0,
      refundedAtMs: completedAt.getTime(),
    });
    expect(notices(await wechatJournal(refundNo)).map((e) => e.status)).toEqual([204, 204]);
    expect((await medInsAtWeChat(order.orderNo)).mix_pay_status).toBe('MIX_PAY_REFUND');
  });

  it('with the cash refund PROCESSING at WeChat, the notice waits until WeChat says SUCCESS', async () => {
    const order = await paidMixed();
    await adminPost(stack.wechat.url, '/__admin/options', {
      refundMode: 'PROCESSING',
      refundProcessingMs: 60_000,
    });
    try {
      const asked = await refund(order.id, { reason: 'slow bank' });
      await stack.runJobs();
      expect(cashRefunds(await wechatJournal(asked.refundNo))).toHaveLength(1);
      expect(notices(await wechatJournal(asked.refundNo))).toEqual([]);

      stack.clock.advance(61_000);
      await stack.wechat.mock.deliverDue();
      await stack.runJobs();
      expect((await refundView(asked.id)).status).toBe('SUCCEEDED');
      const journal = await wechatJournal(asked.refundNo);
      expect(notices(journal)).toHaveLength(1);
      expect(cashRefunds(journal)[0].seq).toBeLessThan(notices(journal)[0].seq);
      expect(await medInsAtWeChat(order.orderNo)).toMatchObject({ mix_pay_status: 'MIX_PAY_REFUND' });
    } finally {
      await adminPost(stack.wechat.url, '/__admin/options', { refundMode: 'SUCCESS' });
    }
  });
});

describe('a notice that fails', () => {
  it('is retried with the money leg that finished last (the leg stays SUCCEEDED); the HIS waits for it', async () => {
    const order = await paidMixed();
    // enough 5xx to outlast the adapter's own bounded retry
    await failAtWeChat(stack, '/v3/med-ins/refunds/notify');
    const asked = await refund(order.id, { reason: 'notice down' });
    await stack.runJobs();
    const during = await refundView(asked.id);
    expect(during.status).toBe('PROCESSING');
    expect(during.legs.map((l) => [l.kind, l.status])).toEqual([
      ['cash', 'SUCCEEDED'],
      ['insurance', 'SUCCEEDED'],
      ['his', 'PENDING'],
    ]);
    const jobs = (await stack.db.db.query(
      `SELECT dedupe_key, status, last_error FROM outbox WHERE order_id = $1 AND kind = 'refund_leg' ORDER BY id`,
      [order.id],
    )) as { dedupe_key: string; status: string; last_error: string | null }[];
    expect(jobs.some((j) => j.dedupe_key.endsWith(':his'))).toBe(false);
    const waiting = jobs.filter((j) => j.status === 'PENDING');
    expect(waiting).toHaveLength(1);
    expect(waiting[0].last_error).toMatch(new RegExp(`med-ins refund notice of ${asked.refundNo}`));

    stack.clock.advance(10 * 60_000);
    await stack.runJobs();
    expect((await refundView(asked.id)).status).toBe('SUCCEEDED');
    const told = notices(await wechatJournal(asked.refundNo));
    expect(told.filter((e) => e.status === 204)).toHaveLength(1);
    expect(await medInsAtWeChat(order.orderNo)).toMatchObject({ mix_pay_status: 'MIX_PAY_REFUND' });
  });

  // the outbox works jobs in parallel: both money legs' follow-ups may run at the same moment
  it('two workers finishing the money legs together tell WeChat once', async () => {
    const order = await paidMixed();
    await failAtWeChat(stack, '/v3/med-ins/refunds/notify');
    const asked = await refund(order.id, { reason: 'together' });
    await stack.runJobs(); // both legs succeed; the notice fails, so the HIS leg is not queued yet
    await call(stack.wechat.url, 'DELETE', '/__admin/faults');

    const deps = stack.server.deps;
    await Promise.all([
      runRefundLeg(deps, { refundId: asked.id, kind: 'cash' }, false),
      runRefundLeg(deps, { refundId: asked.id, kind: 'insurance' }, false),
    ]);
    const told = notices(await wechatJournal(asked.refundNo)).filter((e) => e.status === 204);
    expect(told).toHaveLength(1);
    stack.clock.advance(10 * 60_000);
    await stack.runJobs();
    expect((await refundView(asked.id)).status).toBe('SUCCEEDED');
    expect(notices(await wechatJournal(asked.refundNo)).filter((e) => e.status === 204)).toHaveLength(1);
  });
});

describe('a partial refund of a mixed order', () => {
  it('leaves the med-ins order MIX_PAY_SUCCESS; the refund of the rest turns it MIX_PAY_REFUND', async () => {
    const order = await paidMixed();
    const first = await refund(order.id, { amount: Math.floor(order.split.total / 3), reason: 'part one' });
    expect(first.split.cash).toBeGreaterThan(0);
    expect(first.split.fund + first.split.account).toBeGreaterThan(0);
    await stack.runJobs();
    expect((await refundView(first.id)).status).toBe('SUCCEEDED');
    const journal = await wechatJournal(first.refundNo);
    expect(cashRefunds(journal)).toHaveLength(1);
    expect(notices(journal)).toHaveLength(1);
    expect(cashRefunds(journal)[0].seq).toBeLessThan(notices(journal)[0].seq);
    expect(JSON.parse(notices(journal)[0].requestBody)).toMatchObject({
      out_refund_no: first.refundNo,
      med_refund_total_fee: first.split.fund + first.split.account,
    });
    expect(await medInsAtWeChat(order.orderNo)).toEqual({
      mix_pay_status: 'MIX_PAY_SUCCESS',
      self_pay_status: 'SELF_PAY_SUCCESS',
      med_ins_pay_status: 'MED_INS_PAY_SUCCESS',
    });

    const rest = await refund(order.id, { reason: 'the rest' });
    await stack.runJobs();
    expect((await refundView(rest.id)).status).toBe('SUCCEEDED');
    const second = await wechatJournal(rest.refundNo);
    expect(cashRefunds(second)[0].seq).toBeLessThan(notices(second)[0].seq);
    expect(await medInsAtWeChat(order.orderNo)).toEqual({
      mix_pay_status: 'MIX_PAY_REFUND',
      self_pay_status: 'SELF_PAY_REFUND',
      med_ins_pay_status: 'MED_INS_PAY_REFUND',
    });
  });
});
