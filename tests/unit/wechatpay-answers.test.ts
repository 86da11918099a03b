/**
 * How the adapter reads WeChat Pay's answers before it acts on them: every 2xx must be signed and verify; an
 * unsigned 4xx is the refusal it says it is (WeChat's gateway refuses some requests without signing them), never
 * an unknown outcome. No network: the HTTP caller is injected.
 */
import type { HttpCaller, HttpResponse } from '../../server/gateways/http';
import { GatewayError } from '../../server/gateways/ports';
import { HttpWeChatPayGateway } from '../../server/gateways/wechatpay/client';
import { testKeys } from '../../shared/crypto/keyring';
import {
  privateKeyFromPem,
  randomNonce,
  responseMessage,
  signSha256Rsa,
} from '../../shared/crypto/wechatpay';

const keys = testKeys();
const NOW_MS = Date.parse('2026-11-23T10:00:00+08:00');

function gatewayAnswering(answer: HttpResponse): HttpWeChatPayGateway {
  const http: HttpCaller = () => Promise.resolve(answer);
  return new HttpWeChatPayGateway({
    http,
    baseUrl: 'http://127.0.0.1:9',
    keys: keys.server.wechat,
    timeoutMs: 1000,
    clock: { now: () => NOW_MS },
    notifyUrl: 'https://pay.example.cn/api/v1/notify/wechatpay',
    medInsCallbackUrl: 'https://pay.example.cn/api/v1/notify/wechatpay',
  });
}

function signed(status: number, body: string): HttpResponse {
  const timestamp = String(NOW_MS / 1000);
  const nonce = randomNonce();
  const key = privateKeyFromPem(keys.mocks.wechat.platform.privateKeyPem);
  return {
    status,
    body,
    headers: {
      'content-type': 'application/json',
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': nonce,
      'wechatpay-serial': keys.server.wechat.platformCerts[0].serialNo,
      'wechatpay-signature': signSha256Rsa(responseMessage(timestamp, nonce, body), key),
    },
  };
}

const unsigned = (status: number, body: string): HttpResponse => ({
  status,
  body,
  headers: { 'content-type': 'application/json' },
});

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(err)}`);
  return err;
}

const jsapi = {
  outTradeNo: 'M261123100000ABCDEFG',
  description: '门诊缴费',
  amountFen: 100,
  openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  expireAtMs: NOW_MS + 900_000,
};

describe('HttpWeChatPayGateway answers', () => {
  // before: an unsigned refusal was invalid_response, i.e. an unknown outcome (the order went UNKNOWN)
  it('reads an unsigned 4xx as a refusal with WeChat’s code, not as an unknown outcome', async () => {
    const gateway = gatewayAnswering(unsigned(400, '{"code":"PARAM_ERROR","message":"参数错误"}'));
    const err = await failure(gateway.createJsapiOrder(jsapi));
    expect([err.kind, err.partyCode, err.httpStatus, err.outcomeUnknown]).toEqual([
      'rejected',
      'PARAM_ERROR',
      400,
      false,
    ]);
    const sign = await failure(
      gatewayAnswering(unsigned(401, '{"code":"SIGN_ERROR","message":"签名错误"}')).queryTransaction(
        'X1234567',
      ),
    );
    expect([sign.kind, sign.partyCode]).toEqual(['rejected', 'SIGN_ERROR']);
  });

  it('still verifies every 2xx: an unsigned or mis-signed 200 is invalid_response (an unknown outcome)', async () => {
    const body = '{"prepay_id":"wx2311100000abcdef"}';
    const plain = await failure(gatewayAnswering(unsigned(200, body)).createJsapiOrder(jsapi));
    expect([plain.kind, plain.outcomeUnknown]).toEqual(['invalid_response', true]);
    const tampered = signed(200, body);
    const forged = await failure(
      gatewayAnswering({ ...tampered, body: body.replace('abcdef', 'abcdee') }).createJsapiOrder(jsapi),
    );
    expect(forged.kind).toBe('invalid_response');
    await expect(gatewayAnswering(signed(200, body)).createJsapiOrder(jsapi)).resolves.toEqual({
      prepayId: 'wx2311100000abcdef',
    });
  });

  it('verifies a signed 4xx like any answer: a forged refusal is not believed', async () => {
    const refusal = signed(400, '{"code":"ORDERPAID","message":"该订单已支付"}');
    const forged = { ...refusal, body: '{"code":"ORDER_CLOSED","message":"订单已关闭"}' };
    expect((await failure(gatewayAnswering(forged).createJsapiOrder(jsapi))).kind).toBe('invalid_response');
    expect((await failure(gatewayAnswering(refusal).createJsapiOrder(jsapi))).partyCode).toBe('ORDERPAID');
  });
});
