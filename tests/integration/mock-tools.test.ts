/**
 * The mocks' tools for testers against the server under test: the clock in tester's units, WeChat callback
 * retries delivered by moving the clock, arbitrary callbacks sent to our server, platform certificate rotation
 * (followed by the server, which downloads /v3/certificates on an unknown serial) and the PUB_KEY_ID_ mode. No sleeps: time is the shared ManualClock, moved through the mocks.
 */
import { testKeys } from '../../shared/crypto/keyring';
import { cstDate } from '../../shared/clock';
import {
  aesGcmDecrypt,
  buildAuthorization,
  privateKeyFromPem,
  randomNonce,
  requestMessage,
  signSha256Rsa,
} from '../../shared/crypto/wechatpay';
import { newPlatformIdentity } from '../../mocks/wechatpay/certificates';
import { RETRY_SCHEDULE_MS } from '../../mocks/wechatpay/notifications';
import { transactionPlaintext } from '../helpers/callbacks';
import { checkout, confirmAtWeChat, getOrder, pay, waitForStatus } from '../helpers/flow';
import { adminGet, adminPost, call, seedPatient, useStack } from '../helpers/stack';

interface ClockView {
  nowMs: number;
  now: string;
  nowCst: string;
  frozen: boolean;
  stops: number;
}
interface NotificationView {
  id: string;
  attempts: number;
  delivered: boolean;
  nextAttemptAtMs?: number;
  history: { atMs: number; status?: number; error?: string }[];
}
interface SendAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  sent: { body: string; headers: Record<string, string> };
}

// A second platform certificate the hospital has already installed in its keyring:
// put first, so that the server keeps encrypting with the original (the newest of its list is used for that).
const trusted = newPlatformIdentity();
testKeys().server.wechat.platformCerts.unshift({ serialNo: trusted.serialNo, certPem: trusted.certPem });

const stack = useStack();

const wx = () => stack.wechat.url;
const notifyUrl = () => `${stack.url}/api/v1/notify/wechatpay`;

async function awaitingCashOrder() {
  const p = await seedPatient(stack);
  const order = await checkout(stack, p, false);
  expect(order.status).toBe(201);
  return { p, order: order.body };
}

type CashOrder = Awaited<ReturnType<typeof awaitingCashOrder>>;

/** WeChat's payment callback for a cash order, sent through the mock's callbacks/send, signed as asked. */
function sendPaymentCallback(o: CashOrder, signing: { signature?: string; serial?: string } = {}) {
  return adminPost<SendAnswer>(wx(), '/__admin/callbacks/send', {
    url: notifyUrl(),
    resource: transactionPlaintext(o.order.orderNo, o.order.split.cash, o.p.openid, stack.clock.now()),
    signature: signing.signature ?? 'valid',
    ...(signing.serial ? { serial: signing.serial } : {}),
  });
}

/** A GET to the WeChat mock signed as the merchant (PROTOCOLS 1.1). */
async function merchantGet(path: string) {
  const keys = testKeys().server.wechat;
  const timestampS = Math.floor(stack.clock.now() / 1000);
  const nonce = randomNonce();
  const signature = signSha256Rsa(
    requestMessage('GET', path, timestampS, nonce, ''),
    privateKeyFromPem(keys.merchant.privateKeyPem),
  );
  const authorization = buildAuthorization({
    mchId: keys.mchId,
    serialNo: keys.merchant.serialNo,
    nonce,
    timestampS,
    signature,
  });
  return call<Record<string, unknown>>(wx(), 'GET', path, {
    headers: { authorization, accept: 'application/json' },
  });
}

describe('the clock in tester units', () => {
  it('advances by {advanceMs}, {advance: "90m" | "15s"}, and goes to the next day at 10:00 CST', async () => {
    const before = await adminGet<ClockView>(wx(), '/__admin/clock');
    const a = await adminPost<ClockView>(wx(), '/__admin/clock', { advance: '90m' });
    expect(a.nowMs - before.nowMs).toBeGreaterThanOrEqual(90 * 60_000);
    expect(a.nowMs - before.nowMs).toBeLessThan(90 * 60_000 + 5_000);
    const b = await adminPost<ClockView>(wx(), '/__admin/clock', { advance: '15s', advanceMs: 1000 });
    expect(b.nowMs - a.nowMs).toBeGreaterThanOrEqual(16_000);
    // the clock is shared: the HIS mock (and the server) see the same time
    const his = await adminGet<ClockView>(stack.his.url, '/__admin/clock');
    expect(Math.abs(his.nowMs - stack.clock.now())).toBeLessThan(1000);

    const day = cstDate(stack.clock.now());
    const next = await adminPost<ClockView>(stack.his.url, '/__admin/clock', { nextDay: '10:00' });
    expect(next.nowCst.slice(11, 16)).toBe('10:00');
    expect(cstDate(next.nowMs)).toBe(cstDate(Date.parse(`${day}T12:00:00+08:00`) + 86_400_000));
    expect(next.nowCst.slice(0, 10)).toBe(cstDate(next.nowMs));

    for (const bad of [{ advance: '3 hours' }, { nextDay: '25:00' }, { advanceMs: -1 }, { hurry: true }]) {
      const answer = await call(wx(), 'POST', '/__admin/clock', { body: bad });
      expect(answer.status).toBe(400);
    }
  });

  it('"next day 10:00" makes the day\'s trade bill available', async () => {
    await adminPost(wx(), '/__admin/clock', { advance: '1h' });
    const today = cstDate(stack.clock.now());
    const early = await merchantGet(`/v3/bill/tradebill?bill_date=${today}&bill_type=ALL`);
    expect(early.status).toBe(400);
    expect(early.body.code).toBe('NO_STATEMENT_EXIST');
    await adminPost(wx(), '/__admin/clock', { nextDay: '10:00' });
    const ready = await merchantGet(`/v3/bill/tradebill?bill_date=${today}&bill_type=ALL`);
    expect(ready.status).toBe(200);
    expect(ready.body).toHaveProperty('download_url');
  });
});

describe('callback retries are delivered by moving the clock', () => {
  it('after failed deliveries, "advance 3h" sends the retries due on WeChat\'s schedule; fixed, the next one lands', async () => {
    const { p, order } = await awaitingCashOrder();
    await pay(stack, p, order.id);
    await adminPost(wx(), '/__admin/callbacks', { badSignature: true });
    const { notificationId } = await confirmAtWeChat(stack, order.orderNo);
    await stack.wechat.mock.deliverDue();

    const moved = await adminPost<ClockView>(wx(), '/__admin/clock', { advance: '3h' });
    const n = await adminGet<NotificationView>(wx(), `/__admin/notifications/${notificationId}`);
    // first attempt + the retries at 15s, 30s, 1m, 4m, 14m, 34m, 64m, 94m, 124m (the next is at 184m)
    expect(n.attempts).toBe(10);
    expect(moved.stops).toBe(9);
    expect(n.delivered).toBe(false);
    expect(n.history.every((h) => h.status === 401)).toBe(true);
    const gaps = n.history.slice(1).map((h, i) => h.atMs - n.history[i].atMs);
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(RETRY_SCHEDULE_MS[i]);
      expect(gap).toBeLessThan(RETRY_SCHEDULE_MS[i] + 1000);
    });
    expect((await getOrder(stack, p, order.id)).body.status).toBe('AWAITING_PAYMENT');

    await adminPost(wx(), '/__admin/callbacks', { badSignature: false });
    await adminPost(wx(), '/__admin/clock', { advance: '1h' });
    const done = await adminGet<NotificationView>(wx(), `/__admin/notifications/${notificationId}`);
    expect(done).toMatchObject({ delivered: true, attempts: 11 });
    expect(done.history[10].atMs - done.history[9].atMs).toBeGreaterThanOrEqual(RETRY_SCHEDULE_MS[9]);
    await waitForStatus(stack, p, order.id, ['PAID']);
  });
});

describe('POST /__admin/callbacks/send to our server', () => {
  it('a valid one is applied; invalid, SIGNTEST and unknown-serial ones are refused and change nothing', async () => {
    const { p, order } = await awaitingCashOrder();
    await pay(stack, p, order.id);
    const resource = transactionPlaintext(order.orderNo, order.split.cash, p.openid, stack.clock.now());

    for (const [signature, serial] of [
      ['invalid', undefined],
      ['signtest', undefined],
      ['valid', 'ABCDEF0123456789ABCDEF0123456789ABCDEF01'],
    ] as const) {
      const refused = await adminPost<SendAnswer>(wx(), '/__admin/callbacks/send', {
        url: notifyUrl(),
        eventType: 'TRANSACTION.SUCCESS',
        resource,
        signature,
        ...(serial ? { serial } : {}),
      });
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(refused.status).toBeLessThan(500);
      expect(refused.body).toMatchObject({ code: 'FAIL' });
      expect((await getOrder(stack, p, order.id)).body.status).toBe('AWAITING_PAYMENT');
    }

    const sent = await adminPost<SendAnswer>(wx(), '/__admin/callbacks/send', {
      url: notifyUrl(),
      eventType: 'TRANSACTION.SUCCESS',
      resource,
      signature: 'valid',
    });
    expect(sent.status).toBe(204);
    expect(sent.sent.headers['Wechatpay-Serial']).toBe(testKeys().mocks.wechat.platform.serialNo);
    const envelope = JSON.parse(sent.sent.body) as { event_type: string; resource: Record<string, string> };
    expect(envelope.event_type).toBe('TRANSACTION.SUCCESS');
    expect(
      JSON.parse(
        aesGcmDecrypt(
          testKeys().mocks.wechat.apiV3Key,
          envelope.resource.nonce,
          envelope.resource.associated_data,
          envelope.resource.ciphertext,
        ),
      ),
    ).toEqual(resource);
    await waitForStatus(stack, p, order.id, ['PAID']);
  });

  it('rejects a body that is not a notification request with 400', async () => {
    const answer = await call(wx(), 'POST', '/__admin/callbacks/send', {
      body: { url: 'not a url', resource: {}, signature: 'valid' },
    });
    expect(answer.status).toBe(400);
  });
});

describe('PUB_KEY_ID_ public-key mode', () => {
  it('answers and callbacks are signed with the WeChat Pay public key, and the server accepts both', async () => {
    await adminPost(wx(), '/__admin/signing', { mode: 'publicKey' });
    try {
      const answer = await merchantGet('/v3/certificates');
      expect(answer.headers.get('wechatpay-serial')).toMatch(/^PUB_KEY_ID_/);
      const { p, order } = await awaitingCashOrder();
      expect((await pay(stack, p, order.id)).status).toBe(200);
      const { notificationId } = await confirmAtWeChat(stack, order.orderNo);
      await stack.wechat.mock.deliverDue();
      const n = await adminGet<{ lastHeaders: Record<string, string>; delivered: boolean }>(
        wx(),
        `/__admin/notifications/${notificationId}`,
      );
      expect(n.lastHeaders['Wechatpay-Serial']).toMatch(/^PUB_KEY_ID_/);
      expect(n.delivered).toBe(true);
      await waitForStatus(stack, p, order.id, ['PAID']);
    } finally {
      await adminPost(wx(), '/__admin/signing', { mode: 'certificate' });
    }
  });
});

describe('platform certificate rotation', () => {
  interface CertList {
    data: {
      serial_no: string;
      encrypt_certificate: { nonce: string; associated_data: string; ciphertext: string };
    }[];
  }
  const original = () => testKeys().mocks.wechat.platform.serialNo;

  /** The patient pays `order` in the sheet: WeChat's own callback carries `serial`, and the server accepts it. */
  async function expectCallbackSignedBy(
    { p, order }: Awaited<ReturnType<typeof awaitingCashOrder>>,
    serial: string,
  ): Promise<void> {
    const { notificationId } = await confirmAtWeChat(stack, order.orderNo);
    await stack.wechat.mock.deliverDue();
    const n = await adminGet<{ lastHeaders: Record<string, string>; delivered: boolean }>(
      wx(),
      `/__admin/notifications/${notificationId}`,
    );
    expect(n.lastHeaders['Wechatpay-Serial']).toBe(serial);
    expect(n.delivered).toBe(true);
    await waitForStatus(stack, p, order.id, ['PAID']);
  }

  /** The old serial is still live: a callback signed with it (one in flight at the switch) is accepted. */
  async function oldSerialAccepted(): Promise<void> {
    const other = await awaitingCashOrder();
    expect((await pay(stack, other.p, other.order.id)).status).toBe(200);
    const old = await sendPaymentCallback(other, { serial: original() });
    expect(old.status).toBe(204);
    expect(old.sent.headers['Wechatpay-Serial']).toBe(original());
    await waitForStatus(stack, other.p, other.order.id, ['PAID']);
  }

  /** The server downloaded /v3/certificates exactly once since `from`. */
  async function expectOneDownloadSince(from: number): Promise<void> {
    expect(
      await adminPost(wx(), '/__admin/journal/verify', {
        method: 'GET',
        path: '/v3/certificates',
        from,
        times: 1,
      }),
    ).toMatchObject({ ok: true, count: 1 });
  }

  it('a new certificate the server was not given: followed by downloading /v3/certificates, the old serial still trusted', async () => {
    // the server downloads the list at most once a minute, and earlier tests may have made it download: a new minute
    await adminPost(wx(), '/__admin/clock', { advance: '61s' });
    const rotated = await adminPost<{ serialNo: string; previousSerialNo: string }>(
      wx(),
      '/__admin/certificates/rotate',
      {},
    );
    expect(rotated.previousSerialNo).toBe(original());
    expect(testKeys().server.wechat.platformCerts.map((c) => c.serialNo)).not.toContain(rotated.serialNo);
    const answer = await merchantGet('/v3/certificates');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('wechatpay-serial')).toBe(rotated.serialNo);
    const list = answer.body as unknown as CertList;
    expect(list.data.map((c) => c.serial_no)).toEqual([original(), rotated.serialNo]);
    const pem = aesGcmDecrypt(
      testKeys().mocks.wechat.apiV3Key,
      list.data[1].encrypt_certificate.nonce,
      'certificate',
      list.data[1].encrypt_certificate.ciphertext,
    );
    expect(pem).toContain('BEGIN CERTIFICATE');

    // the create's answer is signed with the new serial: the server downloads the list (signed with that same
    // new certificate, trusted because it decrypts with our APIv3 key), then verifies the answer
    const since = stack.clock.now();
    const { p, order } = await awaitingCashOrder();
    expect((await pay(stack, p, order.id)).status).toBe(200);
    await expectOneDownloadSince(since);
    // WeChat's callback, signed with the new serial, is accepted
    await expectCallbackSignedBy({ p, order }, rotated.serialNo);

    await oldSerialAccepted();

    // a serial WeChat does not list either: the server asks once more (a new minute), then refuses it
    const third = await awaitingCashOrder();
    expect((await pay(stack, third.p, third.order.id)).status).toBe(200);
    await adminPost(wx(), '/__admin/clock', { advance: '61s' });
    const asked = stack.clock.now();
    const forged = await sendPaymentCallback(third, { serial: 'ABCDEF0123456789ABCDEF0123456789ABCDEF02' });
    expect(forged.status).toBe(401);
    expect(JSON.stringify(forged.body)).toMatch(/UNKNOWN_SERIAL/);
    await expectOneDownloadSince(asked);
    // and again within the minute: refused without another download
    const again = await sendPaymentCallback(third, { serial: 'ABCDEF0123456789ABCDEF0123456789ABCDEF03' });
    expect(again.status).toBe(401);
    await expectOneDownloadSince(asked);
    expect((await getOrder(stack, third.p, third.order.id)).body.status).toBe('AWAITING_PAYMENT');

    const retired = await call(wx(), 'DELETE', `/__admin/certificates/${rotated.serialNo}`);
    expect(retired.status).toBe(200);
    expect((await merchantGet('/v3/certificates')).headers.get('wechatpay-serial')).toBe(original());
  });

  it('a new certificate the server has installed: two live serials, answers and callbacks signed with the new one', async () => {
    const rotated = await adminPost<{ serialNo: string }>(wx(), '/__admin/certificates/rotate', {
      certPem: trusted.certPem,
      privateKeyPem: trusted.privateKeyPem,
    });
    expect(rotated.serialNo).toBe(trusted.serialNo);
    const certs = await adminGet<{ serialNo: string; current: boolean }[]>(wx(), '/__admin/certificates');
    expect(certs).toEqual([
      expect.objectContaining({ serialNo: original(), current: false }),
      expect.objectContaining({ serialNo: trusted.serialNo, current: true }),
    ]);
    const paid = await awaitingCashOrder();
    expect((await pay(stack, paid.p, paid.order.id)).status).toBe(200);
    await expectCallbackSignedBy(paid, trusted.serialNo);
    await oldSerialAccepted();
    await call(wx(), 'DELETE', `/__admin/certificates/${trusted.serialNo}`);
    expect((await merchantGet('/v3/certificates')).headers.get('wechatpay-serial')).toBe(original());

    // reset goes back to the keyring's certificate alone
    await adminPost(wx(), '/__admin/certificates/rotate', {});
    await adminPost(wx(), '/__admin/reset', {});
    expect((await adminGet<unknown[]>(wx(), '/__admin/certificates')).length).toBe(1);
  });
});
