/** Builds WeChat Pay callbacks the way WeChat does (encrypted resource, platform signature), to send by hand. */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  aesGcmEncrypt,
  privateKeyFromPem,
  randomNonce,
  responseMessage,
  signSha256Rsa,
} from '../../shared/crypto/wechatpay';
import { rfc3339Cst } from '../../shared/clock';
import { testKeys } from '../../shared/crypto/keyring';

export interface CallbackOptions {
  id?: string;
  eventType?: string;
  plaintext: Record<string, unknown>;
  originalType?: string;
  timestampS: number;
  nonce?: string;
  serial?: string;
  signingKeyPem?: string;
  signature?: string;
}

export function transactionPlaintext(
  outTradeNo: string,
  amountFen: number,
  openid: string,
  successMs: number,
) {
  const keys = testKeys().mocks.wechat;
  return {
    appid: keys.appId,
    mchid: keys.mchId,
    out_trade_no: outTradeNo,
    transaction_id: `42000${randomBytes(12).toString('hex').replace(/[a-f]/g, '7').slice(0, 23)}`,
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'OTHERS',
    attach: '',
    success_time: rfc3339Cst(successMs),
    payer: { openid },
    amount: { total: amountFen, payer_total: amountFen, currency: 'CNY', payer_currency: 'CNY' },
  };
}

export function signedCallback(o: CallbackOptions): { headers: Record<string, string>; body: string } {
  const keys = testKeys().mocks.wechat;
  const resourceNonce = randomNonce(12);
  const associatedData = o.originalType ?? 'transaction';
  const body = JSON.stringify({
    id: o.id ?? `EV-${randomBytes(8).toString('hex')}`,
    create_time: rfc3339Cst(o.timestampS * 1000),
    event_type: o.eventType ?? 'TRANSACTION.SUCCESS',
    resource_type: 'encrypt-resource',
    summary: '支付成功',
    resource: {
      original_type: associatedData,
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: aesGcmEncrypt(keys.apiV3Key, resourceNonce, associatedData, JSON.stringify(o.plaintext)),
      associated_data: associatedData,
      nonce: resourceNonce,
    },
  });
  const nonce = o.nonce ?? randomNonce(32);
  const key = privateKeyFromPem(o.signingKeyPem ?? keys.platform.privateKeyPem);
  const signature = o.signature ?? signSha256Rsa(responseMessage(o.timestampS, nonce, body), key);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'wechatpay-timestamp': String(o.timestampS),
      'wechatpay-nonce': nonce,
      'wechatpay-signature': signature,
      'wechatpay-serial': o.serial ?? keys.platform.serialNo,
    },
  };
}

export function strangerKeyPem(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
}
