/**
 * Every fault kind of the mocks against the server under test, which must react as DESIGN 7 says, and the
 * journal verification proving what was called. Fault delays are real time: they are kept to a few ms here,
 * and everything timed by the clock is moved with the mocks' /__admin/clock or the shared ManualClock.
 */
import { adminGet, adminPost, call, clearFaults, seedPatient, useStack } from '../helpers/stack';
import {
  checkout,
  checkoutWhileInsuranceFails,
  confirmAtWeChat,
  getOrder,
  pay,
  waitForStatus,
} from '../helpers/flow';
import { INSURANCE_PATHS } from '../../shared/protocol/insurance';
import { HIS_PATHS } from '../../shared/protocol/his';

interface Verification {
  ok: boolean;
  count: number;
  matches: { seq: number; status: number; fault?: string; tags: Record<string, string> }[];
  nearMisses: { path: string; method: string; hints: string[] }[];
}
interface FaultView {
  id: number;
  kind: string;
  hits: number;
  passes: number;
}

const stack = useStack({ env: { OUTSIDE_CALL_TIMEOUT_MS: '300' } });
afterEach(async () => {
  await clearFaults(stack);
  await adminPost(stack.wechat.url, '/__admin/callbacks', { badSignature: false, suppress: false });
});

const verify = (url: string, body: Record<string, unknown>) =>
  adminPost<Verification>(url, '/__admin/journal/verify', body);

async function awaitingCashOrder() {
  const p = await seedPatient(stack);
  const order = await checkout(stack, p, false);
  expect(order.status).toBe(201);
  return { p, order: order.body };
}

async function runJobsUntil(
  p: Awaited<ReturnType<typeof seedPatient>>,
  id: string,
  status: string,
  rounds = 8,
) {
  for (let i = 0; i < rounds; i++) {
    await stack.runJobs();
    if ((await getOrder(stack, p, id)).body.status === status) return;
    stack.clock.advance(10 * 60_000); // past the outbox backoff
  }
  throw new Error(`order ${id} did not reach ${status}`);
}

describe('faults on a create: the outcome is unknown, the janitor resolves it by query', () => {
  /** The create was tried under the order's own out_trade_no every time (never a new one), each try hit by `fault`. */
  async function expectCreatesUnder(orderNo: string, fault: string): Promise<void> {
    const creates = await verify(stack.wechat.url, {
      method: 'POST',
      path: '/v3/pay/transactions/jsapi',
      bodyContains: `"out_trade_no":"${orderNo}"`,
      times: { atLeast: 1, atMost: 3 },
    });
    expect(creates.ok).toBe(true);
    expect(creates.matches.every((m) => m.fault === fault)).toBe(true);
  }

  /**
   * The fault gone, the janitor asks WeChat, which has no paid order: the order is AWAITING_PAYMENT again, and
   * the patient pays it, with the same out_trade_no.
   */
  async function settledByQueryThenPaid({ p, order }: Awaited<ReturnType<typeof awaitingCashOrder>>) {
    await call(stack.wechat.url, 'DELETE', '/__admin/faults');
    await stack.runJobs();
    expect((await getOrder(stack, p, order.id)).body.status).toBe('AWAITING_PAYMENT');
    const queried = await verify(stack.wechat.url, {
      method: 'GET',
      path: `/v3/pay/transactions/out-trade-no/${order.orderNo}`,
      times: { atLeast: 1 },
    });
    expect(queried.ok).toBe(true);
    expect((await pay(stack, p, order.id)).status).toBe(200);
    await confirmAtWeChat(stack, order.orderNo);
    await waitForStatus(stack, p, order.id, ['PAID']);
  }

  it('timeout on the JSAPI create → UNKNOWN, then resolved by query and payable', async () => {
    const { p, order } = await awaitingCashOrder();
    await adminPost(stack.wechat.url, '/__admin/faults', {
      path: '/v3/pay/transactions/jsapi',
      kind: 'timeout',
      latencyMs: 400, // > OUTSIDE_CALL_TIMEOUT_MS 300
    });
    const failed = await pay(stack, p, order.id);
    expect(failed.status).toBe(504);
    expect(failed.body).toHaveProperty('code');
    expect((await getOrder(stack, p, order.id)).body.status).toBe('UNKNOWN');

    const [active] = await adminGet<FaultView[]>(stack.wechat.url, '/__admin/faults');
    expect(active.hits).toBeGreaterThanOrEqual(1);
    await expectCreatesUnder(order.orderNo, 'timeout');
    await settledByQueryThenPaid({ p, order });
  });

  it('connection reset on the JSAPI create: outcome unknown (UNKNOWN), retried under the same out_trade_no, settled by the janitor', async () => {
    const { p, order } = await awaitingCashOrder();
    await adminPost(stack.wechat.url, '/__admin/faults', {
      path: '/v3/pay/transactions/jsapi',
      kind: 'reset',
    });
    const failed = await pay(stack, p, order.id);
    // the socket closed midway: WeChat may have created the order, so it is never "failed" (DESIGN 7)
    expect(failed.status).toBe(504);
    expect(failed.body).toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
      message: expect.stringMatching(/^微信支付响应超时/),
    });
    expect((await getOrder(stack, p, order.id)).body.status).toBe('UNKNOWN');
    await expectCreatesUnder(order.orderNo, 'reset');
    await settledByQueryThenPaid({ p, order });
  });
});

describe('5xx on the HIS confirm', () => {
  it('the outbox retries until it completes; the journal proves 3 confirms for the order', async () => {
    // earlier tests' orders confirm first, so that the fault's two hits are this order's
    stack.clock.advance(10 * 60_000);
    await stack.runJobs();
    const { p, order } = await awaitingCashOrder();
    await pay(stack, p, order.id);
    await adminPost(stack.his.url, '/__admin/faults', {
      path: HIS_PATHS.confirmCharge,
      method: 'POST',
      kind: 'error5xx',
      status: 503,
      count: 2,
    });
    await confirmAtWeChat(stack, order.orderNo);
    await waitForStatus(stack, p, order.id, ['PAID']);
    await runJobsUntil(p, order.id, 'COMPLETED');

    const confirms = await verify(stack.his.url, {
      method: 'POST',
      path: HIS_PATHS.confirmCharge,
      bodyContains: order.orderNo,
      times: 3,
    });
    expect(confirms).toMatchObject({ ok: true, count: 3 });
    expect(confirms.matches.map((m) => m.status)).toEqual([200, 503, 503]);
    // the two faulted ones never reached the HIS handler, the last one is tagged by it
    expect(confirms.matches[0].tags.orderNo).toBe(order.orderNo);
    expect(
      (
        await verify(stack.his.url, {
          path: HIS_PATHS.confirmCharge,
          tags: { orderNo: order.orderNo },
          times: 1,
        })
      ).ok,
    ).toBe(true);
    // the journal search finds the two failed ones by status class and body text
    const failed = await adminGet<{ seq: number; fault?: string }[]>(
      stack.his.url,
      `/__admin/journal?status=5xx&q=${order.orderNo}&path=${HIS_PATHS.confirmCharge}`,
    );
    expect(failed.map((e) => e.fault)).toEqual(['error5xx', 'error5xx']);
    // asking for the wrong count fails, with the calls listed
    expect(
      (await verify(stack.his.url, { path: HIS_PATHS.confirmCharge, bodyContains: order.orderNo, times: 1 }))
        .ok,
    ).toBe(false);
  });
});

describe('malformed bodies and wrong signatures on answers', () => {
  it.each([
    ['a malformed body', 'malformed'],
    ['a wrong signature', 'badSignature'],
  ])(
    'a JSAPI answer with %s is an invalid response: never believed, a clear 5xx to the patient, UNKNOWN until queried',
    async (_name, kind) => {
      const { p, order } = await awaitingCashOrder();
      await adminPost(stack.wechat.url, '/__admin/faults', { path: '/v3/pay/transactions/jsapi', kind });
      const answer = await pay(stack, p, order.id);
      // invalid_response is "the party may have acted" (ports.ts): UNKNOWN, answered as UPSTREAM_TIMEOUT
      expect(answer.status).toBe(504);
      expect(answer.body).toMatchObject({ code: 'UPSTREAM_TIMEOUT', message: expect.any(String) });
      expect(answer.body).not.toHaveProperty('payParams');
      expect((await getOrder(stack, p, order.id)).body.status).toBe('UNKNOWN');
      // the mock did create the order (the fault spoiled only the answer): the janitor's query finds it
      await call(stack.wechat.url, 'DELETE', '/__admin/faults');
      await stack.runJobs();
      expect((await getOrder(stack, p, order.id)).body.status).toBe('AWAITING_PAYMENT');
      expect((await pay(stack, p, order.id)).status).toBe(200);
      expect(
        (
          await verify(stack.wechat.url, {
            method: 'POST',
            path: '/v3/pay/transactions/jsapi',
            bodyContains: order.orderNo,
            times: { atLeast: 2 },
          })
        ).matches.some((m) => m.fault === kind),
      ).toBe(true);
    },
  );

  it('an insurance answer with a wrong signature fails the checkout cleanly; 6202 is proven called once', async () => {
    const { p, answer: order } = await checkoutWhileInsuranceFails(stack, { kind: 'badSignature', count: 1 });
    expect(order.status).toBeGreaterThanOrEqual(400);
    expect(order.status).not.toBe(500);
    expect(order.body).toHaveProperty('code');
    const orders = await call<{ orderNo: string }[]>(stack.url, 'GET', '/api/v1/orders', { token: p.token });
    const orderNo = orders.body[0]?.orderNo;
    expect(orderNo).toBeTruthy();
    const preSettles = await verify(stack.insurance.url, {
      method: 'POST',
      path: INSURANCE_PATHS.payOrder,
      tags: { infno: '6202', medOrgOrd: orderNo },
      times: 1,
    });
    expect(preSettles).toMatchObject({ ok: true, count: 1 });
    expect(preSettles.matches[0].fault).toBe('badSignature');
    const uploads = await verify(stack.insurance.url, {
      path: INSURANCE_PATHS.uploadFees,
      tags: { infno: '6201', medOrgOrd: orderNo },
      times: 1,
    });
    expect(uploads.ok).toBe(true);
  });
});

describe('latency', () => {
  it('under the timeout is fine; hits are counted and reproducible with a seed', async () => {
    const { p, order } = await awaitingCashOrder();
    const fault = await adminPost<FaultView>(stack.wechat.url, '/__admin/faults', {
      path: '/v3/pay/transactions/jsapi',
      method: 'post',
      kind: 'latency',
      latency: { longTail: { p50Ms: 5, p99Ms: 40 } },
      seed: 1,
    });
    expect(fault).toMatchObject({ kind: 'latency', hits: 0, method: 'POST' });
    const answer = await pay(stack, p, order.id);
    expect(answer.status).toBe(200);
    const [active] = await adminGet<FaultView[]>(stack.wechat.url, '/__admin/faults');
    expect(active.hits).toBe(1);
    const journal = await adminGet<{ fault?: string; durationMs: number }[]>(
      stack.wechat.url,
      `/__admin/journal?path=/v3/pay/transactions/jsapi&tag=outTradeNo=${order.orderNo}`,
    );
    expect(journal[0].fault).toBe('latency');
  });

  it('a rate lets some requests through, the same ones for the same seed', async () => {
    const outcome = async () => {
      await call(stack.his.url, 'DELETE', '/__admin/faults');
      await adminPost(stack.his.url, '/__admin/faults', {
        path: '/healthz-none',
        kind: 'error5xx',
        rate: 0.5,
        seed: 3,
      });
      await adminPost(stack.his.url, '/__admin/faults', {
        path: '/his/nowhere',
        kind: 'error5xx',
        rate: 0.5,
        seed: 3,
      });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++)
        statuses.push((await call(stack.his.url, 'GET', `/his/nowhere/${i}`)).status);
      return statuses;
    };
    const first = await outcome();
    expect(await outcome()).toEqual(first);
    expect(first).toContain(503);
    expect(first).toContain(404);
    const faults = await adminGet<FaultView[]>(stack.his.url, '/__admin/faults');
    expect(faults[1].hits + faults[1].passes).toBe(12);
  });

  it('rejects invalid fault specs with 400', async () => {
    for (const bad of [
      { path: '/', kind: 'latency', latency: { uniform: { minMs: 10, maxMs: 1 } } },
      { path: '/', kind: 'error5xx', rate: 2 },
      { path: '/', kind: 'explode' },
      { path: '/', kind: 'reset', method: 'FETCH' },
    ]) {
      const answer = await call(stack.his.url, 'POST', '/__admin/faults', { body: bad });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ code: 'PARAM_ERROR' });
    }
  });
});

describe('wrong signatures on callbacks, and signature probes', () => {
  it('a mis-signed callback gets 4xx FAIL and changes nothing; fixed, the retry is applied', async () => {
    const { p, order } = await awaitingCashOrder();
    await pay(stack, p, order.id);
    await adminPost(stack.wechat.url, '/__admin/callbacks', { badSignature: true });
    const { notificationId } = await confirmAtWeChat(stack, order.orderNo);
    await stack.wechat.mock.deliverDue();
    const n = await adminGet<{ delivered: boolean; lastStatus: number; attempts: number }>(
      stack.wechat.url,
      `/__admin/notifications/${notificationId}`,
    );
    expect(n).toMatchObject({ delivered: false, attempts: 1 });
    expect(n.lastStatus).toBeGreaterThanOrEqual(400);
    expect(n.lastStatus).toBeLessThan(500);
    expect((await getOrder(stack, p, order.id)).body.status).toBe('AWAITING_PAYMENT');

    await adminPost(stack.wechat.url, '/__admin/callbacks', { badSignature: false });
    await adminPost(stack.wechat.url, '/__admin/clock', { advance: '15s' });
    await waitForStatus(stack, p, order.id, ['PAID']);
  });

  it('a WECHATPAY/SIGNTEST/ probe is answered with an error', async () => {
    const probe = await adminPost<{ status: number; refused: boolean; body: string }>(
      stack.wechat.url,
      '/__admin/probes/signtest',
      { url: `${stack.url}/api/v1/notify/wechatpay` },
    );
    expect(probe.refused).toBe(true);
    expect(probe.status).toBeGreaterThanOrEqual(400);
    expect(JSON.parse(probe.body)).toMatchObject({ code: 'FAIL' });
  });
});
