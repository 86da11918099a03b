/**
 * WeChat Pay callbacks (支付 / 医保 / 退款 notifications), the receiving side of the adapter: the signed headers
 * picked, the signature checked like an answer's (an unknown Wechatpay-Serial first makes the certificate store
 * follow a rotation), the envelope parsed and its resource decrypted with our APIv3 key, then read with the same
 * transformers as the answers to our queries. Replay (nonce) is the caller's check.
 */
import { aesGcmDecrypt } from '../../../shared/crypto/wechatpay';
import { GatewayError, NotificationRejected, type VerifiedNotification } from '../ports';
import {
  fromMedInsEntity,
  fromRefund,
  fromTransaction,
  notificationEnvelopeSchema,
  outRefundNoOf,
  outTradeNoOf,
  type MerchantIds,
} from './transformers';
import {
  describeRefresh,
  pickSignedHeaders,
  type PlatformCertificateStore,
  type SignedHeaders,
} from './platformCertificates';
import { checkSignature, checkSignatureWith, unknownSerial } from './signatures';

/** What the adapter lends the callback side: the trusted keys, our APIv3 key, our app and merchant ids. */
export interface CallbackContext {
  platformCertificates: PlatformCertificateStore;
  apiV3Key: string;
  ids: MerchantIds;
}

/**
 * Verifies and decrypts a callback. An unknown Wechatpay-Serial first makes the store download the certificate
 * list (at most once a minute), so a callback signed with a certificate WeChat has just rotated to is accepted,
 * and a serial still unknown is UNKNOWN_SERIAL as before.
 */
export async function verifyNotification(
  ctx: CallbackContext,
  headers: Record<string, string | undefined>,
  rawBody: string,
  nowMs: number,
): Promise<VerifiedNotification> {
  const signed = signedHeadersOf(headers);
  let problem = checkSignature(ctx.platformCertificates, signed, rawBody, nowMs);
  if (problem?.reason === 'UNKNOWN_SERIAL') {
    const { key, outcome } = await ctx.platformCertificates.keyFollowingRotation(signed.serial);
    problem = key
      ? checkSignatureWith(signed, rawBody, key)
      : unknownSerial(signed.serial, describeRefresh(outcome));
  }
  if (problem) throw new NotificationRejected(problem.reason, problem.message);
  return openNotification(ctx, signed, rawBody);
}

/** The body of a callback whose signature verified: the envelope parsed and its resource decrypted. */
/** The body of a callback whose signature verified: the envelope parsed and its resource decrypted. */
function openNotification(
  ctx: CallbackContext,
  signed: SignedHeaders,
  rawBody: string,
): VerifiedNotification {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw new NotificationRejected('BAD_BODY', 'the body is not JSON');
  }
  const envelope = notificationEnvelopeSchema.safeParse(json);
  if (!envelope.success)
    throw new NotificationRejected(
      'BAD_BODY',
      `not a notification envelope: ${envelope.error.issues[0].message}`,
    );
  const { resource } = envelope.data;
  let plaintext: unknown;
  try {
    plaintext = JSON.parse(
      aesGcmDecrypt(ctx.apiV3Key, resource.nonce, resource.associated_data ?? '', resource.ciphertext),
    );
  } catch {
    throw new NotificationRejected('DECRYPT_FAILED', 'the resource does not decrypt with our APIv3 key');
  }
  const base = { id: envelope.data.id, nonce: signed.nonce, timestampS: Number(signed.timestamp) };
  try {
    return toNotification(ctx.ids, base, envelope.data.event_type, plaintext);
  } catch (err) {
    if (err instanceof GatewayError) throw new NotificationRejected('BAD_BODY', err.message);
    throw err;
  }
}

function toNotification(
  ids: MerchantIds,
  base: { id: string; nonce: string; timestampS: number },
  eventType: VerifiedNotification['eventType'],
  plaintext: unknown,
): VerifiedNotification {
  switch (eventType) {
    case 'TRANSACTION.SUCCESS':
      return {
        ...base,
        eventType,
        transaction: fromTransaction(plaintext, ids, outTradeNoOf(plaintext)),
      };
    case 'MEDICAL_INSURANCE.SUCCESS':
      return {
        ...base,
        eventType,
        medIns: fromMedInsEntity(plaintext, ids.appId, { outTradeNo: outTradeNoOf(plaintext) }),
      };
    case 'REFUND.SUCCESS':
    case 'REFUND.ABNORMAL':
    case 'REFUND.CLOSED':
      return {
        ...base,
        eventType,
        refund: fromRefund(plaintext, { outRefundNo: outRefundNoOf(plaintext), mchId: ids.mchId }),
      };
  }
}

function signedHeadersOf(headers: Record<string, string | undefined>): SignedHeaders {
  const signed = pickSignedHeaders(headers);
  if (!signed)
    throw new NotificationRejected('MISSING_HEADERS', 'Wechatpay-Timestamp/Nonce/Signature/Serial required');
  return signed;
}
