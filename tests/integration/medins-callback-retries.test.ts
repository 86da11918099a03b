/**
 * How the WeChat Pay mock retries a callback nobody acknowledges. WeChat's guide for med-ins payment: "5 秒内未应答
 * 会重试，30 秒后微信不再重试" — so MEDICAL_INSURANCE.SUCCESS is retried at 5 s, 15 s and 25 s after its first
 * attempt and never after 30 s (the mock's reading; README "Callbacks"), and the hospital must find the payment
 * by query: the janitor does, once the callback grace has passed. Payment and refund callbacks keep the basic
 * 15s/15s/30s/3m/… schedule. The hospital's endpoint is "down": the order's callback URL points at a receiver
 * that answers 503. Time moves only through the mock's /__admin/clock (the clock the server shares).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminGet, adminPost, seedPatient, startStack, type Stack } from '../helpers/stack';
import {
  authorize,
  checkout,
  confirmAtWeChat,
  getOrder,
  pay,
  waitForStatus,
  orderEvents,
} from '../helpers/flow';
import { readTrialBalance } from '../../server/db/ledger';

let stack: Stack;
let receiver: Server;
let receiverUrl: string;
/** every POST the failing receiver got, by path */
const received: string[] = [];

beforeAll(async () => {
  stack = await startStack();
  // time stands still between the steps, so each attempt lands exactly on its instant
  stack.clock.freeze();
  receiver = createServer((req, res) => {
    received.push(req.url ?? '');
    req.resume();
    req.on('end', () => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"code":"FAIL","message":"down for maintenance"}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await stack.stop();
});

interface NotificationView {
  id: string;
  eventType: string;
  outTradeNo: string;
  attempts: number;
  delivered: boolean;
  firstAttemptAtMs?: number;
  nextAttemptAtMs?: number;
  history: { atMs: number; status?: number; replay?: boolean }[];
}

const notificationOf = async (orderNo: string): Promise<NotificationView> => {
  const list = await adminGet<NotificationView[]>(stack.wechat.url, '/__admin/notifications');
  const mine = list.filter((n) => n.outTradeNo === orderNo);
  expect(mine).toHaveLength(1);
  return mine[0];
};

/** Attempt instants relative to the first, in seconds. */
const offsetsS = (n: NotificationView) => n.history.map((a) => (a.atMs - n.history[0].atMs) / 1000);

const advance = (by: string) => adminPost(stack.wechat.url, '/__admin/clock', { advance: by });

describe('a MEDICAL_INSURANCE.SUCCESS callback nobody acknowledges', () => {
  it('is retried at 5 s, 15 s and 25 s after the first attempt, never after 30 s; the janitor’s query completes the order', async () => {
    const p = await seedPatient(stack, { insured: { insutype: '310', balance: 3000 } });
    await authorize(stack, p);
    const order = await checkout(stack, p, true);
    expect(order.body.mixPayType).toBe('CASH_AND_INSURANCE');
    expect((await pay(stack, p, order.body.id)).status).toBe(200);
    // the hospital's callback endpoint answers 5xx
    const medIns = stack.wechat.mock.state.medInsByTradeNo(order.body.orderNo);
    if (!medIns) throw new Error('no med-ins order at the mock');
    medIns.callbackUrl = `${receiverUrl}/medins`;

    await confirmAtWeChat(stack, order.body.orderNo);
    await stack.wechat.mock.deliverDue();
    let n = await notificationOf(order.body.orderNo);
    expect(n).toMatchObject({ eventType: 'MEDICAL_INSURANCE.SUCCESS', attempts: 1, delivered: false });
    expect(n.history[0].status).toBe(503);
    expect(n.nextAttemptAtMs).toBe(n.history[0].atMs + 5_000);

    await advance('31s');
    n = await notificationOf(order.body.orderNo);
    expect(offsetsS(n)).toEqual([0, 5, 15, 25]);
    expect(n.history.every((a) => a.status === 503)).toBe(true);
    expect(n).toMatchObject({ attempts: 4, delivered: false, firstAttemptAtMs: n.history[0].atMs });
    expect(n.nextAttemptAtMs).toBeUndefined(); // WeChat gives up: the merchant has to query
    expect(received.filter((path) => path === '/medins')).toHaveLength(4);
    expect((await getOrder(stack, p, order.body.id)).body.status).toBe('AWAITING_PAYMENT');

    // 31 s after payment started: past CALLBACK_GRACE_MS, the janitor asks WeChat and finds the order paid
    expect(stack.server.deps.settings.CALLBACK_GRACE_MS).toBeLessThanOrEqual(31_000);
    await stack.runJobs();
    const done = await waitForStatus(stack, p, order.body.id, ['COMPLETED']);
    const events = { events: await orderEvents(stack, order.body.id) };
    expect(events.events.find((e) => e.to === 'PAID')?.actor).toBe('janitor');
    expect(done.receiptNo).toBeTruthy();
    expect((await readTrialBalance(stack.db.db)).net).toBe(0);

    // hours later: still no further attempt
    await advance('6h');
    n = await notificationOf(order.body.orderNo);
    expect(n.attempts).toBe(4);
    expect(n.history).toHaveLength(4);
    expect(received.filter((path) => path === '/medins')).toHaveLength(4);
  });
});

describe('a payment callback nobody acknowledges', () => {
  it('keeps the basic schedule: 15s/15s/30s/3m/… for 24 h 4 min, 16 attempts in all', async () => {
    const p = await seedPatient(stack);
    const order = await checkout(stack, p, false);
    expect((await pay(stack, p, order.body.id)).status).toBe(200);
    const trade = stack.wechat.mock.state.trades.get(order.body.orderNo);
    if (!trade) throw new Error('no JSAPI trade at the mock');
    trade.notifyUrl = `${receiverUrl}/cash`;

    await confirmAtWeChat(stack, order.body.orderNo);
    await stack.wechat.mock.deliverDue();
    await advance('2m');
    let n = await notificationOf(order.body.orderNo);
    expect(n.eventType).toBe('TRANSACTION.SUCCESS');
    expect(offsetsS(n)).toEqual([0, 15, 30, 60]);
    expect(n.nextAttemptAtMs).toBe(n.history[0].atMs + 240_000); // then 3 min later

    await advance('25h');
    n = await notificationOf(order.body.orderNo);
    expect(n.attempts).toBe(16);
    expect(offsetsS(n).at(-1)).toBe(24 * 3600 + 4 * 60);
    expect(n.nextAttemptAtMs).toBeUndefined();
    expect(received.filter((path) => path === '/cash')).toHaveLength(16);
  });
});
