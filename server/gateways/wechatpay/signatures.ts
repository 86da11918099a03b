/**
 * Checking WeChat's signature on what it sends us, answers and callbacks alike (PROTOCOLS 1.1): clock skew within
 * ±300 s, then a serial we trust (platform certificate or PUB_KEY_ID_…), then SHA256withRSA over
 * TIMESTAMP\nNONCE\nBODY\n. The result is a Check (null when the message is WeChat's) so each caller words the
 * refusal its own way: verifyResponse makes it invalid_response for an answer to our calls, callbacks.ts makes it
 * NotificationRejected.
 */
import type { KeyObject } from 'node:crypto';
import { responseMessage, verifySha256Rsa } from '../../../shared/crypto/wechatpay';
import type { Clock } from '../../../shared/clock';
import type { HttpResponse } from '../http';
import { GatewayError, type NotificationRejection } from '../ports';
import {
  describeRefresh,
  pickSignedHeaders,
  signatureSkewMs,
  type PlatformCertificateStore,
  type SignedHeaders,
} from './platformCertificates';

/** Clock skew accepted on answers and callbacks (the official SDK's 5 min). */
export const SIGNATURE_SKEW_MAX_MS = 300_000;

export type Check = { reason: NotificationRejection; message: string } | null;

/**
 * skew → serial → signature, with the keys held now; null when the message is WeChat's. A signature probe
 * (`WECHATPAY/SIGNTEST/…`) gets no special case (checklist radar 4): it fails here like any bad signature.
 */
export function checkSignature(
  store: PlatformCertificateStore,
  signed: SignedHeaders,
  body: string,
  nowMs: number,
): Check {
  const skewMs = signatureSkewMs(signed.timestamp, nowMs);
  if (!(skewMs <= SIGNATURE_SKEW_MAX_MS)) {
    return {
      reason: 'TIMESTAMP_SKEW',
      message: `Wechatpay-Timestamp ${signed.timestamp} is ${Math.round(skewMs / 1000)} s from now`,
    };
  }
  const key = store.key(signed.serial, nowMs);
  if (!key) return unknownSerial(signed.serial);
  return checkSignatureWith(signed, body, key);
}

export function checkSignatureWith(signed: SignedHeaders, body: string, key: KeyObject): Check {
  if (!verifySha256Rsa(responseMessage(signed.timestamp, signed.nonce, body), signed.signature, key)) {
    return { reason: 'BAD_SIGNATURE', message: `the signature does not verify with ${signed.serial}` };
  }
  return null;
}

export function unknownSerial(serial: string, afterRefresh?: string): Check {
  const message = `Wechatpay-Serial ${serial} is not a key we trust`;
  return { reason: 'UNKNOWN_SERIAL', message: afterRefresh ? `${message}: ${afterRefresh}` : message };
}

/**
 * Verifies an answer to one of our calls before anyone reads it; one signed with a serial we do not know is checked
 * again after the store has followed a rotation.
 */
export async function verifyResponse(
  store: PlatformCertificateStore,
  clock: Clock,
  method: string,
  path: string,
  response: HttpResponse,
): Promise<void> {
  const signed = pickSignedHeaders(response.headers);
  // WeChat's gateway may refuse without signing (e.g. 401 SIGN_ERROR): an unsigned 4xx is read as the refusal
  // it says it is — it moves no money — while every 2xx, and every signed answer, is verified
  if (!signed && response.status >= 400 && response.status < 500) return;
  let problem: Check = signed
    ? checkSignature(store, signed, response.body, clock.now())
    : { reason: 'MISSING_HEADERS', message: 'no Wechatpay-* signature headers' };
  if (signed && problem?.reason === 'UNKNOWN_SERIAL') {
    const { key, outcome } = await store.keyFollowingRotation(signed.serial);
    problem = key
      ? checkSignatureWith(signed, response.body, key)
      : unknownSerial(signed.serial, describeRefresh(outcome));
  }
  if (problem) {
    throw new GatewayError(
      'wechatpay',
      'invalid_response',
      `${method} ${path}: answer not verified: ${problem.reason}: ${problem.message}`,
      undefined,
      response.status,
    );
  }
}
