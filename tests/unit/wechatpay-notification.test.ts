import type { KeyObject } from 'node:crypto';
import { GatewayError, NotificationRejected, type NotificationRejection } from '../../server/gateways/ports';
import type { HttpCaller } from '../../server/gateways/http';
import { HttpWeChatPayGateway } from '../../server/gateways/wechatpay/client';
import { testKeys } from '../../shared/crypto/keyring';
import {
  aesGcmEncrypt,
  privateKeyFromPem,
  randomNonce,
  responseMessage,
  signSha256Rsa,
} from '../../shared/crypto/wechatpay';

const keys = testKeys();
const NOW_MS = Date.parse('2026-11-23T10:00:00+08:00');
const NOW_S = NOW_MS / 1000;

/** What WeChat answers when a serial is unknown and its certificate list is asked for: nothing more (no I/O here). */
const certificateRequests: string[] = [];
const noNewCertificates: HttpCaller = (request) => {
  certificateRequests.push(`${request.method} ${request.url}`);
  return Promise.reject(new GatewayError('wechatpay', 'unavailable', 'no network in unit tests'));
};

const gateway = new HttpWeChatPayGateway({
  http: noNewCertificates,
  baseUrl: 'http://127.0.0.1:9',
  keys: keys.server.wechat,
  timeoutMs: 1000,
  clock: { now: () => NOW_MS },
  notifyUrl: 'http://127.0.0.1:9/notify',
  medInsCallbackUrl: 'http://127.0.0.1:9/notify',
});

const platformKey = privateKeyFromPem(keys.mocks.wechat.platform.privateKeyPem);
const payKey = privateKeyFromPem(keys.mocks.wechat.payPublicKey.privateKeyPem);

const transaction = {
  appid: keys.server.wechat.appId,
  mchid: keys.server.wechat.mchId,
  out_trade_no: 'ORD202611230001',
  transaction_id: '4200000123202611231234567890',
  trade_type: 'JSAPI',
  trade_state: 'SUCCESS',
  success_time: '2026-11-23T09:59:58+08:00',
  payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
  amount: { total: 1230, payer_total: 1230, currency: 'CNY', payer_currency: 'CNY' },
};

interface CallbackOptions {
  timestampS?: number;
  serial?: string;
  key?: KeyObject;
  signature?: string;
  eventType?: string;
  plaintext?: unknown;
  apiV3Key?: string;
}

function callback(opts: CallbackOptions = {}): { headers: Record<string, string>; body: string } {
  const resourceNonce = randomNonce(12);
  const eventType = opts.eventType ?? 'TRANSACTION.SUCCESS';
  const aad = eventType.startsWith('REFUND') ? 'refund' : 'transaction';
  const body = JSON.stringify({
    id: 'EV-2026112310000012345',
    create_time: '2026-11-23T10:00:00+08:00',
    resource_type: 'encrypt-resource',
    event_type: eventType,
    summary: '支付成功',
    resource: {
      original_type: aad,
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: aesGcmEncrypt(
        opts.apiV3Key ?? keys.mocks.wechat.apiV3Key,
        resourceNonce,
        aad,
        JSON.stringify(opts.plaintext ?? transaction),
      ),
      associated_data: aad,
      nonce: resourceNonce,
    },
  });
  const timestamp = String(opts.timestampS ?? NOW_S);
  const nonce = randomNonce();
  const signature =
    opts.signature ?? signSha256Rsa(responseMessage(timestamp, nonce, body), opts.key ?? platformKey);
  return {
    body,
    headers: {
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': nonce,
      'wechatpay-signature': signature,
      'wechatpay-serial': opts.serial ?? keys.mocks.wechat.platform.serialNo,
      'content-type': 'application/json',
    },
  };
}

async function rejection(
  headers: Record<string, string | undefined>,
  body: string,
): Promise<NotificationRejection | 'accepted'> {
  try {
    await gateway.verifyNotification(headers, body, NOW_MS);
    return 'accepted';
  } catch (err) {
    if (err instanceof NotificationRejected) return err.reason;
    throw err;
  }
}

describe('HttpWeChatPayGateway#verifyNotification(headers, rawBody, nowMs)', () => {
  it('accepts a callback signed with the platform certificate and decrypts the transaction', async () => {
    const { headers, body } = callback();
    const n = await gateway.verifyNotification(headers, body, NOW_MS);
    expect(n).toMatchObject({
      id: 'EV-2026112310000012345',
      eventType: 'TRANSACTION.SUCCESS',
      nonce: headers['wechatpay-nonce'],
      timestampS: NOW_S,
    });
    if (n.eventType !== 'TRANSACTION.SUCCESS') throw new Error('wrong event type');
    expect(n.transaction).toEqual({
      outTradeNo: 'ORD202611230001',
      tradeState: 'SUCCESS',
      transactionId: '4200000123202611231234567890',
      amountFen: 1230,
      successTimeMs: Date.parse('2026-11-23T09:59:58+08:00'),
      payerOpenid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    });
  });

  it('accepts a callback signed with the WeChat Pay public key (PUB_KEY_ID_ serial)', async () => {
    const { headers, body } = callback({ key: payKey, serial: keys.mocks.wechat.payPublicKey.id });
    expect(headers['wechatpay-serial']).toMatch(/^PUB_KEY_ID_/);
    expect(await rejection(headers, body)).toBe('accepted');
  });

  it('reads header names in any case', async () => {
    const { headers, body } = callback();
    const upper = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k.replace(/(^|-)\w/g, (c) => c.toUpperCase()), v]),
    );
    expect(await rejection(upper, body)).toBe('accepted');
  });

  it('rejects a callback without the Wechatpay-* headers: MISSING_HEADERS', async () => {
    const { headers, body } = callback();
    expect(await rejection({ ...headers, 'wechatpay-signature': undefined }, body)).toBe('MISSING_HEADERS');
    expect(await rejection({}, body)).toBe('MISSING_HEADERS');
  });

  // checklist radar 4: no early special case for probes; before, this answered SIGNATURE_PROBE without verifying
  it('a signature probe (WECHATPAY/SIGNTEST/…) goes through normal verification and fails there: BAD_SIGNATURE', async () => {
    const { headers, body } = callback({ signature: 'WECHATPAY/SIGNTEST/c2lnbmF0dXJl' });
    expect(await rejection(headers, body)).toBe('BAD_SIGNATURE');
    const old = callback({ signature: 'WECHATPAY/SIGNTEST/c2lnbmF0dXJl', timestampS: NOW_S - 1000 });
    expect(await rejection(old.headers, old.body)).toBe('TIMESTAMP_SKEW');
  });

  it('rejects a callback whose timestamp is 301 s old, and accepts one 300 s old: TIMESTAMP_SKEW', async () => {
    const old = callback({ timestampS: NOW_S - 301 });
    expect(await rejection(old.headers, old.body)).toBe('TIMESTAMP_SKEW');
    const future = callback({ timestampS: NOW_S + 301 });
    expect(await rejection(future.headers, future.body)).toBe('TIMESTAMP_SKEW');
    const edge = callback({ timestampS: NOW_S - 300 });
    expect(await rejection(edge.headers, edge.body)).toBe('accepted');
  });

  it('rejects a serial we do not trust: UNKNOWN_SERIAL', async () => {
    const { headers, body } = callback({ serial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1' });
    expect(await rejection(headers, body)).toBe('UNKNOWN_SERIAL');
    // it asked WeChat for its certificates first (a rotation?), and the serial was still unknown
    expect(certificateRequests).toEqual(['GET http://127.0.0.1:9/v3/certificates']);
  });

  it('rejects a wrong signature (other key, or a body changed after signing): BAD_SIGNATURE', async () => {
    const merchantKey = privateKeyFromPem(keys.server.wechat.merchant.privateKeyPem);
    const forged = callback({ key: merchantKey });
    expect(await rejection(forged.headers, forged.body)).toBe('BAD_SIGNATURE');
    const good = callback();
    expect(await rejection(good.headers, good.body.replace('支付成功', '支付失败'))).toBe('BAD_SIGNATURE');
  });

  it('rejects a signed body that is not a notification envelope: BAD_BODY', async () => {
    const { headers, body } = callback({ eventType: 'TRANSACTION.UNKNOWN' });
    expect(await rejection(headers, body)).toBe('BAD_BODY');
  });

  it('rejects a resource that does not decrypt with our APIv3 key: DECRYPT_FAILED', async () => {
    const { headers, body } = callback({ apiV3Key: 'ffffffffffffffffffffffffffffffff' });
    expect(await rejection(headers, body)).toBe('DECRYPT_FAILED');
  });

  it('rejects a decrypted resource about another merchant: BAD_BODY', async () => {
    const { headers, body } = callback({ plaintext: { ...transaction, mchid: '1900000001' } });
    expect(await rejection(headers, body)).toBe('BAD_BODY');
  });

  it('checks in order: missing headers, skew, serial, signature', async () => {
    const oldAndUnknown = callback({ timestampS: NOW_S - 1000, serial: 'UNKNOWN' });
    expect(await rejection(oldAndUnknown.headers, oldAndUnknown.body)).toBe('TIMESTAMP_SKEW');
    const unknownAndForged = callback({ serial: 'UNKNOWN', signature: 'AAAA' });
    expect(await rejection(unknownAndForged.headers, unknownAndForged.body)).toBe('UNKNOWN_SERIAL');
  });

  it('decrypts a refund callback (refund_status)', async () => {
    const refund = {
      mchid: keys.server.wechat.mchId,
      transaction_id: transaction.transaction_id,
      out_trade_no: transaction.out_trade_no,
      refund_id: '50300000012026112312345678901',
      out_refund_no: 'RF1',
      refund_status: 'SUCCESS',
      success_time: '2026-11-23T10:00:00+08:00',
      user_received_account: '支付用户零钱',
      amount: { total: 1230, refund: 500, payer_total: 1230, payer_refund: 500 },
    };
    const { headers, body } = callback({ eventType: 'REFUND.SUCCESS', plaintext: refund });
    const n = await gateway.verifyNotification(headers, body, NOW_MS);
    expect(n.eventType === 'REFUND.SUCCESS' && n.refund).toMatchObject({
      outRefundNo: 'RF1',
      status: 'SUCCESS',
      refundFen: 500,
    });
  });
});
