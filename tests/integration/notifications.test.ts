/**
 * Patient notifications over HTTP on the whole stack (issue 13 item 3–4): consent as wx.requestSubscribeMessage
 * reports it, subscribe messages through the outbox with one shared access token, WeChat's refusal (43101)
 * handled once, the 消息 history, preferences, and the reminder job on the mock clock.
 */
import type { MessagesView, PreferencesView, SubscriptionsView } from '../../shared/api';
import { SUBSCRIBE_TEMPLATES } from '../../shared/protocol/wechat/subscribe';
import { runBillReminders } from '../../server/services/notify/reminders';
import { NO_APPROVAL_ENV, useRefundApi } from '../helpers/refundApi';
import { payInFull } from '../helpers/flow';
import { adminGet, adminPost, call, seedPatient, useStack, type SeededPatient } from '../helpers/stack';

const stack = useStack({ env: { ...NO_APPROVAL_ENV } });
const { refund } = useRefundApi(stack);

const T = SUBSCRIBE_TEMPLATES;
const ALL = Object.values(T).map((t) => t.templateId);
const HOUR_MS = 3_600_000;

interface SentMessage {
  touser: string;
  templateId: string;
  page: string | null;
  data: Record<string, { value: string }>;
  sentAt: string;
}

const sentTo = (openid: string) =>
  adminGet<SentMessage[]>(stack.wechat.url, `/__admin/messages?touser=${openid}`);

/** What wx.requestSubscribeMessage does: WeChat records the choice, and the app tells us. */
async function subscribe(p: SeededPatient, accepted: string[], options: { tellWeChat?: boolean } = {}) {
  const rejected = ALL.filter((id) => !accepted.includes(id));
  if (options.tellWeChat !== false) {
    for (const templateId of ALL)
      await adminPost(stack.wechat.url, '/__admin/subscriptions', {
        openid: p.openid,
        templateId,
        decision: accepted.includes(templateId) ? 'accept' : 'reject',
      });
  }
  const answer = await call<SubscriptionsView>(stack.url, 'POST', '/api/v1/subscriptions', {
    token: p.token,
    body: { accepted, rejected },
  });
  expect(answer.status).toBe(200);
  return answer.body;
}

async function messages(p: SeededPatient): Promise<MessagesView> {
  const answer = await call<MessagesView>(stack.url, 'GET', '/api/v1/messages', { token: p.token });
  expect(answer.status).toBe(200);
  return answer.body;
}

async function tokensIssued(): Promise<number> {
  return (await adminGet<{ issued: number }>(stack.wechat.url, '/__admin/access-tokens')).issued;
}

/** The next instant at hh:mm China time, at least `afterMs` from now. */
function nextCst(hh: number, mm: number, afterMs = 0): number {
  const from = stack.clock.now() + afterMs;
  const day = Math.floor((from + 8 * HOUR_MS) / (24 * HOUR_MS));
  let at = day * 24 * HOUR_MS - 8 * HOUR_MS + (hh * 60 + mm) * 60_000;
  while (at < from) at += 24 * HOUR_MS;
  return at;
}

describe('subscribe-message consent', () => {
  it('lists the four templates and records what the sheet answered', async () => {
    const p = await seedPatient(stack);
    const before = await call<SubscriptionsView>(stack.url, 'GET', '/api/v1/subscriptions', {
      token: p.token,
    });
    expect(before.status).toBe(200);
    expect(before.body.templates.map((t) => t.title)).toEqual([
      '缴费成功通知',
      '退款结果通知',
      '缴费未成功通知',
      '待缴费提醒',
    ]);
    expect(before.body.accepted).toEqual([]);
    const after = await subscribe(p, [T.payment_success.templateId, T.refund_result.templateId]);
    expect([...after.accepted].sort()).toEqual(
      [T.payment_success.templateId, T.refund_result.templateId].sort(),
    );
    // changing one's mind: the next answer replaces the last
    const again = await subscribe(p, [T.refund_result.templateId]);
    expect(again.accepted).toEqual([T.refund_result.templateId]);
  });

  it('refuses unknown templates, contradictions and strangers with a clear 4xx', async () => {
    const p = await seedPatient(stack);
    const unknown = await call<{ code: string; message: string }>(
      stack.url,
      'POST',
      '/api/v1/subscriptions',
      {
        token: p.token,
        body: { accepted: ['NotOurTemplate123'], rejected: [] },
      },
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/模板/);
    const both = await call<{ code: string }>(stack.url, 'POST', '/api/v1/subscriptions', {
      token: p.token,
      body: { accepted: [T.bill_reminder.templateId], rejected: [T.bill_reminder.templateId] },
    });
    expect(both.status).toBe(400);
    const extra = await call<{ code: string }>(stack.url, 'POST', '/api/v1/subscriptions', {
      token: p.token,
      body: { accepted: [], rejected: [], everything: true },
    });
    expect(extra.status).toBe(400);
    expect((await call(stack.url, 'GET', '/api/v1/subscriptions')).status).toBe(401);
    expect((await call(stack.url, 'GET', '/api/v1/messages')).status).toBe(401);
    expect((await call(stack.url, 'GET', '/api/v1/preferences')).status).toBe(401);
    const nothing = await call<SubscriptionsView>(stack.url, 'GET', '/api/v1/subscriptions', {
      token: p.token,
    });
    expect(nothing.body.accepted).toEqual([]);
  });
});

describe('messages after a payment', () => {
  it('sends one payment message to a user who accepted, with the receipt number, and shows it as sent', async () => {
    const p = await seedPatient(stack);
    await subscribe(p, [T.payment_success.templateId]);
    const order = await payInFull(stack, p, false);
    await stack.runJobs();
    await stack.runJobs();
    const sent = await sentTo(p.openid);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      templateId: T.payment_success.templateId,
      page: `pages/order/index?orderId=${order.id}`,
    });
    expect(sent[0].data.character_string4.value).toBe(order.receiptNo);
    expect(sent[0].data.amount2.value).toBe(`¥${(order.split.total / 100).toFixed(2)}`);
    const history = await messages(p);
    expect(history.messages).toHaveLength(1);
    expect(history.messages[0]).toMatchObject({
      purpose: 'payment_success',
      title: '缴费成功通知',
      delivery: 'sent',
      orderId: order.id,
    });
    expect(history.messages[0].summary).toContain(order.receiptNo!);
    expect(history.messages[0].lines.map((l) => l.label)).toEqual([
      '就诊人',
      '缴费金额',
      '医保支付',
      '收据号',
      '缴费时间',
    ]);
  });

  it('sends nothing to a user who declined; the history still shows the message, not pushed', async () => {
    const p = await seedPatient(stack);
    await subscribe(p, []);
    await payInFull(stack, p, false);
    await stack.runJobs();
    expect(await sentTo(p.openid)).toEqual([]);
    const history = await messages(p);
    expect(history.messages.map((m) => [m.purpose, m.delivery])).toEqual([
      ['payment_success', 'not_subscribed'],
    ]);
  });

  it('takes 43101 (turned off in WeChat) as the answer: refused, consent withdrawn, the job done, not retried', async () => {
    const p = await seedPatient(stack);
    // the app said yes, but WeChat holds no consent (the user turned it off in WeChat's settings)
    await subscribe(p, [T.payment_success.templateId], { tellWeChat: false });
    const order = await payInFull(stack, p, false);
    await stack.runJobs();
    expect(await sentTo(p.openid)).toEqual([]);
    const [message] = (await messages(p)).messages;
    expect(message.delivery).toBe('refused');
    const jobs = (await stack.db.db.query(
      `SELECT status, attempts FROM outbox WHERE kind = 'notify' AND order_id = $1`,
      [order.id],
    )) as { status: string; attempts: number }[];
    expect(jobs).toEqual([{ status: 'DONE', attempts: 1 }]);
    const consent = await call<SubscriptionsView>(stack.url, 'GET', '/api/v1/subscriptions', {
      token: p.token,
    });
    expect(consent.body.accepted).toEqual([]);
  });

  it('shares one access token across sends and instances, and fetches a new one when WeChat ends it', async () => {
    const first = await tokensIssued();
    const a = await seedPatient(stack);
    const b = await seedPatient(stack);
    await subscribe(a, [T.payment_success.templateId]);
    await subscribe(b, [T.payment_success.templateId]);
    await payInFull(stack, a, false);
    await stack.runJobs();
    const other = stack.anotherInstance();
    await payInFull(stack, b, false);
    await other.runJobsOnce();
    await stack.runJobs();
    expect(await sentTo(a.openid)).toHaveLength(1);
    expect(await sentTo(b.openid)).toHaveLength(1);
    // at most one token for all of it (none when an earlier test already left one in the store)
    expect((await tokensIssued()) - first).toBeLessThanOrEqual(1);

    await adminPost(stack.wechat.url, '/__admin/access-tokens/expire', {});
    const c = await seedPatient(stack);
    await subscribe(c, [T.payment_success.templateId]);
    const issued = await tokensIssued();
    await payInFull(stack, c, false);
    await stack.runJobs();
    expect(await sentTo(c.openid)).toHaveLength(1);
    expect(await tokensIssued()).toBe(issued + 1);
  });

  it('tells the refund result by fund once the refund has finished, after the quiet hours', async () => {
    const p = await seedPatient(stack);
    await subscribe(p, [T.refund_result.templateId]);
    const order = await payInFull(stack, p, false);
    // 23:00 China time, in the default quiet hours (22:00–08:00)
    stack.clock.set(nextCst(23, 0));
    const started = await refund(order.id, { amount: 1000, reason: '患者要求退款' });
    expect(started.status).toBe(201);
    for (let i = 0; i < 4; i += 1) await stack.runJobs();
    expect(await sentTo(p.openid)).toEqual([]);
    expect((await messages(p)).messages[0]).toMatchObject({ purpose: 'refund_result', delivery: 'pending' });
    stack.clock.set(nextCst(8, 0));
    await stack.runJobs();
    const sent = await sentTo(p.openid);
    expect(sent).toHaveLength(1);
    expect(sent[0].templateId).toBe(T.refund_result.templateId);
    expect(sent[0].data).toMatchObject({
      amount2: { value: '¥0.00' },
      amount3: { value: '¥0.00' },
      amount4: { value: '¥10.00' },
      phrase5: { value: '退款成功' },
    });
    const history = (await messages(p)).messages;
    expect(history.map((m) => [m.purpose, m.delivery])).toEqual([
      ['refund_result', 'sent'],
      ['payment_success', 'not_subscribed'],
    ]);
    expect(history[0].summary).toContain('¥10.00原路退回微信');
  });
});

describe('preferences', () => {
  it('answers the defaults, keeps what the user saves and refuses nonsense in Chinese', async () => {
    const p = await seedPatient(stack);
    const defaults = await call<PreferencesView>(stack.url, 'GET', '/api/v1/preferences', { token: p.token });
    expect(defaults.body).toEqual({
      billReminders: true,
      paymentNotices: true,
      refundNotices: true,
      quietHours: { start: '22:00', end: '08:00' },
    });
    const wanted: PreferencesView = {
      billReminders: false,
      paymentNotices: true,
      refundNotices: false,
      quietHours: { start: '23:30', end: '07:00' },
    };
    const saved = await call<PreferencesView>(stack.url, 'PUT', '/api/v1/preferences', {
      token: p.token,
      body: wanted,
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual(wanted);
    expect(
      (await call<PreferencesView>(stack.url, 'GET', '/api/v1/preferences', { token: p.token })).body,
    ).toEqual(wanted);
    for (const bad of [
      { ...wanted, quietHours: { start: '07:00', end: '07:00' } },
      { ...wanted, quietHours: { start: '25:00', end: '07:00' } },
      { ...wanted, billReminders: 'yes' },
      { billReminders: true },
    ]) {
      const refused = await call<{ code: string; message: string }>(stack.url, 'PUT', '/api/v1/preferences', {
        token: p.token,
        body: bad,
      });
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
      expect(refused.body.message).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('a user who turned payment notices off gets none pushed, though they accepted the template', async () => {
    const p = await seedPatient(stack);
    await subscribe(p, [T.payment_success.templateId]);
    await call(stack.url, 'PUT', '/api/v1/preferences', {
      token: p.token,
      body: { billReminders: true, paymentNotices: false, refundNotices: true, quietHours: null },
    });
    await payInFull(stack, p, false);
    await stack.runJobs();
    expect(await sentTo(p.openid)).toEqual([]);
    expect((await messages(p)).messages[0].delivery).toBe('not_subscribed');
  });
});

describe('reminders of unpaid bills', () => {
  it('reminds once per bill per day, after REMINDER_AFTER_HOURS, never in quiet hours', async () => {
    // the bill is made at 10:00 China time
    stack.clock.set(nextCst(10, 0));
    const p = await seedPatient(stack);
    await subscribe(p, [T.bill_reminder.templateId]);
    const reminded = async () =>
      (await sentTo(p.openid)).filter((m) => m.templateId === T.bill_reminder.templateId);

    // 23 hours on (09:00 the next day) it is not yet REMINDER_AFTER_HOURS (24) old
    stack.clock.advance(23 * HOUR_MS);
    expect(await runBillReminders(stack.server.deps)).toBe(0);
    // at 10:30 it is: one reminder
    stack.clock.advance(90 * 60_000);
    expect(await runBillReminders(stack.server.deps)).toBe(1);
    await stack.runJobs();
    expect(await reminded()).toHaveLength(1);
    const last = (await reminded())[0];
    expect(last.data.amount3.value).toBe(`¥${(p.billAmount / 100).toFixed(2)}`);
    expect(last.page).toBe(`pages/bills/index?patientId=${p.patientId}`);

    // again the same day: nothing more
    stack.clock.advance(3 * HOUR_MS);
    expect(await runBillReminders(stack.server.deps)).toBe(0);
    await stack.runJobs();
    expect((await reminded()).length).toBe(1);

    // the next day in quiet hours (23:00, default 22:00–08:00): nothing; at 08:30: one
    stack.clock.set(nextCst(23, 0));
    expect(await runBillReminders(stack.server.deps)).toBe(0);
    stack.clock.set(nextCst(8, 30));
    expect(await runBillReminders(stack.server.deps)).toBe(1);
    await stack.runJobs();
    expect((await reminded()).length).toBe(2);

    // reminders turned off: nothing the day after
    await call(stack.url, 'PUT', '/api/v1/preferences', {
      token: p.token,
      body: { billReminders: false, paymentNotices: true, refundNotices: true, quietHours: null },
    });
    stack.clock.set(nextCst(12, 0, HOUR_MS));
    expect(await runBillReminders(stack.server.deps)).toBe(0);
    const history = (await messages(p)).messages.filter((m) => m.purpose === 'bill_reminder');
    expect(history.every((m) => m.delivery === 'sent' && m.title === '待缴费提醒')).toBe(true);
  });

  it('does not remind a bill that was paid, nor a user who never accepted reminders', async () => {
    const paid = await seedPatient(stack);
    await subscribe(paid, [T.bill_reminder.templateId]);
    await payInFull(stack, paid, false);
    const silent = await seedPatient(stack);
    await subscribe(silent, []);
    stack.clock.advance(30 * HOUR_MS);
    stack.clock.set(nextCst(11, 0));
    await runBillReminders(stack.server.deps);
    await stack.runJobs();
    expect((await sentTo(paid.openid)).filter((m) => m.templateId === T.bill_reminder.templateId)).toEqual(
      [],
    );
    expect(await sentTo(silent.openid)).toEqual([]);
  });
});
