import { call, seedPatient, useStack, adminGet, adminPost, type SeededPatient } from '../helpers/stack';
import { checkout, confirmAtWeChat, getOrder, pay, payInFull, waitForStatus } from '../helpers/flow';
import { signedCallback, strangerKeyPem, transactionPlaintext } from '../helpers/callbacks';
import { runOutboxOnce } from '../../server/jobs/outboxWorker';

const stack = useStack();

/** A cash-only order waiting for payment, with the WeChat prepay made. */
async function awaitingOrder(): Promise<{ p: SeededPatient; id: string; orderNo: string; cash: number }> {
  const p = await seedPatient(stack);
  const order = await checkout(stack, p, false);
  await pay(stack, p, order.body.id);
  return { p, id: order.body.id, orderNo: order.body.orderNo, cash: order.body.split.cash };
}

const nowS = () => Math.floor(stack.clock.now() / 1000);

async function send(cb: { headers: Record<string, string>; body: string }) {
  return call<{ code?: string; message?: string }>(stack.url, 'POST', '/api/v1/notify/wechatpay', {
    rawBody: cb.body,
    headers: cb.headers,
  });
}

async function statusOf(o: { p: SeededPatient; id: string }) {
  return (await getOrder(stack, o.p, o.id)).body.status;
}

async function ledgerRows(orderId: string): Promise<number> {
  const rows = (await stack.db.db.query(`SELECT count(*)::int AS n FROM ledger_entries WHERE order_id = $1`, [
    orderId,
  ])) as { n: number }[];
  return rows[0].n;
}

describe('WeChat Pay callbacks are verified before they change anything', () => {
  it('applies a correctly signed, fresh callback', async () => {
    const o = await awaitingOrder();
    const answer = await send(
      signedCallback({
        plaintext: transactionPlaintext(o.orderNo, o.cash, o.p.openid, stack.clock.now()),
        timestampS: nowS(),
      }),
    );
    expect(answer.status).toBe(204);
    // answered once recorded; the confirmation is applied by the outbox
    await waitForStatus(stack, o.p, o.id, ['PAID']);
  });

  // issue 10 item 6: before, a signed callback was applied whoever it named as payer
  it('refuses a signed callback naming another payer, appid or merchant: 400, nothing applied', async () => {
    const o = await awaitingOrder();
    const base = transactionPlaintext(o.orderNo, o.cash, o.p.openid, stack.clock.now());
    for (const plaintext of [
      { ...base, payer: { openid: 'oStranger000000000000000000' } },
      { ...base, appid: 'wx0000000000000000' },
      { ...base, mchid: '1900000001' },
    ]) {
      const answer = await send(signedCallback({ plaintext, timestampS: nowS() }));
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('FAIL');
    }
    await stack.runJobs();
    expect(await statusOf(o)).toBe('AWAITING_PAYMENT');
    expect(await ledgerRows(o.id)).toBe(0);
    const queued = (await stack.db.db.query(
      `SELECT count(*)::int AS n FROM outbox WHERE order_id = $1 AND kind = 'confirm_payment'`,
      [o.id],
    )) as { n: number }[];
    expect(queued[0].n).toBe(0);
  });

  it('rejects a callback signed with another key, and changes nothing', async () => {
    const o = await awaitingOrder();
    const answer = await send(
      signedCallback({
        plaintext: transactionPlaintext(o.orderNo, o.cash, o.p.openid, stack.clock.now()),
        timestampS: nowS(),
        signingKeyPem: strangerKeyPem(),
      }),
    );
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('FAIL');
    expect(answer.body.message).toMatch(/BAD_SIGNATURE/);
    expect(await statusOf(o)).toBe('AWAITING_PAYMENT');
    expect(await ledgerRows(o.id)).toBe(0);
  });

  it('rejects a callback whose timestamp is 301 s old', async () => {
    const o = await awaitingOrder();
    const answer = await send(
      signedCallback({
        plaintext: transactionPlaintext(o.orderNo, o.cash, o.p.openid, stack.clock.now()),
        timestampS: nowS() - 301,
      }),
    );
    expect(answer.status).toBe(401);
    expect(answer.body.message).toMatch(/TIMESTAMP_SKEW/);
    expect(await statusOf(o)).toBe('AWAITING_PAYMENT');
  });

  it('rejects a callback naming a certificate serial we do not know', async () => {
    const o = await awaitingOrder();
    const answer = await send(
      signedCallback({
        plaintext: transactionPlaintext(o.orderNo, o.cash, o.p.openid, stack.clock.now()),
        timestampS: nowS(),
        serial: '5157F09EFDC096DE15EBE81A47057A72',
      }),
    );
    expect(answer.status).toBe(401);
    expect(answer.body.message).toMatch(/UNKNOWN_SERIAL/);
    expect(await statusOf(o)).toBe('AWAITING_PAYMENT');
  });

  // checklist radar 4: a probe goes through normal verification (before: an early SIGNATURE_PROBE answer)
  it('answers WeChat signature probes with an error from normal verification', async () => {
    const o = await awaitingOrder();
    const answer = await send(
      signedCallback({
        plaintext: transactionPlaintext(o.orderNo, o.cash, o.p.openid, stack.clock.now()),
        timestampS: nowS(),
        signature: 'WECHATPAY/SIGNTEST/abcdef',
      }),
    );
    expect(answer.status).toBe(401);
    expect(answer.body.message).toMatch(/BAD_SIGNATURE/);
    expect(await statusOf(o)).toBe('AWAITING_PAYMENT');
  });

  it('rejects a reused nonce, even on an otherwise valid callback', async () => {
    const first = await awaitingOrder();
    const second = await awaitingOrder();
    const nonce = 'reused-nonce-0123456789abcdef0123';
    expect(
      (
        await send(
          signedCallback({
            plaintext: transactionPlaintext(first.orderNo, first.cash, first.p.openid, stack.clock.now()),
            timestampS: nowS(),
            nonce,
          }),
        )
      ).status,
    ).toBe(204);
    const again = await send(
      signedCallback({
        plaintext: transactionPlaintext(second.orderNo, second.cash, second.p.openid, stack.clock.now()),
        timestampS: nowS(),
        nonce,
      }),
    );
    expect(again.status).toBe(401);
    expect(again.body.message).toMatch(/NONCE/);
    expect(await statusOf(second)).toBe('AWAITING_PAYMENT');
  });

  it('refuses amounts that differ from the order, and changes nothing', async () => {
    const o = await awaitingOrder();
    const answer = await send(
      signedCallback({
        plaintext: transactionPlaintext(o.orderNo, o.cash - 1, o.p.openid, stack.clock.now()),
        timestampS: nowS(),
      }),
    );
    expect(answer.status).toBe(400);
    expect(await statusOf(o)).toBe('AWAITING_PAYMENT');
    const queued = (await stack.db.db.query(`SELECT count(*)::int AS n FROM outbox WHERE order_id = $1`, [
      o.id,
    ])) as { n: number }[];
    expect(queued[0].n).toBe(0); // nothing queued to confirm it
  });

  it('rejects a body that is not a callback at all', async () => {
    const answer = await call(stack.url, 'POST', '/api/v1/notify/wechatpay', {
      rawBody: '{"hello":',
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
  });
});

describe('a replayed callback changes nothing the second time', () => {
  it('keeps one HIS confirm and one ledger posting when WeChat sends the same notification again', async () => {
    const p = await seedPatient(stack, { insured: { insutype: '310', balance: 3000 } });
    const done = await payInFull(stack, p, true);
    const notifications = await adminGet<{ id: string; outTradeNo: string; delivered: boolean }[]>(
      stack.wechat.url,
      '/__admin/notifications',
    );
    const mine = notifications.find((n) => n.outTradeNo === done.orderNo);
    expect(mine?.delivered).toBe(true);
    const ledgerBefore = await ledgerRows(done.id);

    await adminPost(stack.wechat.url, `/__admin/notifications/${mine?.id}/replay`);
    // the same notification, freshly signed (as WeChat's retries are)
    await stack.runJobs();
    const after = await getOrder(stack, p, done.id);
    expect(after.body.status).toBe('COMPLETED');
    expect(await ledgerRows(done.id)).toBe(ledgerBefore);
    const confirms = await adminGet<{ path: string; tags: Record<string, string> }[]>(
      stack.his.url,
      `/__admin/journal?path=confirm&tag=orderNo=${done.orderNo}`,
    );
    expect(confirms).toHaveLength(1);
    const outbox = (await stack.db.db.query(
      `SELECT count(*)::int AS n FROM outbox WHERE order_id = $1 AND kind = 'his_confirm'`,
      [done.id],
    )) as { n: number }[];
    expect(outbox[0].n).toBe(1);
  });

  it('ignores a second, differently signed delivery of the same notification id', async () => {
    const o = await awaitingOrder();
    const id = 'EV-duplicate-delivery-0001';
    const plaintext = transactionPlaintext(o.orderNo, o.cash, o.p.openid, stack.clock.now());
    expect((await send(signedCallback({ id, plaintext, timestampS: nowS() }))).status).toBe(204);
    expect((await send(signedCallback({ id, plaintext, timestampS: nowS() }))).status).toBe(204);
    await waitForStatus(stack, o.p, o.id, ['PAID']);
    expect(await ledgerRows(o.id)).toBe(2);
  });

  it('posts once when the same notification arrives on several instances at the same time', async () => {
    const o = await awaitingOrder();
    const id = 'EV-concurrent-delivery-0001';
    const plaintext = transactionPlaintext(o.orderNo, o.cash, o.p.openid, stack.clock.now());
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => send(signedCallback({ id, plaintext, timestampS: nowS() }))),
    );
    expect(answers.every((a) => a.status === 204 || a.status === 409)).toBe(true);
    // and the outbox worked on two instances at once
    const other = stack.anotherInstance();
    await Promise.all([runOutboxOnce(stack.server.deps), runOutboxOnce(other.deps)]);
    await waitForStatus(stack, o.p, o.id, ['PAID']);
    expect(await ledgerRows(o.id)).toBe(2);
  });

  it('lets the real mock callback complete a confirmed order exactly once', async () => {
    const o = await awaitingOrder();
    await confirmAtWeChat(stack, o.orderNo);
    await waitForStatus(stack, o.p, o.id, ['PAID']);
    expect(await ledgerRows(o.id)).toBe(2);
  });
});
