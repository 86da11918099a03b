/**
 * What WeChat sends us encrypted with our APIv3 key: the callback envelope (its resource decrypted by callbacks.ts,
 * the plaintext then read by the payment and refund transformers) and the GET /v3/certificates list (decrypted
 * by platformCertificates.ts). Only the outer shapes are read here.
 */
import { z } from 'zod';
import { invalid, parse } from './common';

export const notificationEnvelopeSchema = z.object({
  id: z.string().min(1),
  create_time: z.string().optional(),
  event_type: z.enum([
    'TRANSACTION.SUCCESS',
    'MEDICAL_INSURANCE.SUCCESS',
    'REFUND.SUCCESS',
    'REFUND.ABNORMAL',
    'REFUND.CLOSED',
  ]),
  resource_type: z.literal('encrypt-resource'),
  resource: z.object({
    algorithm: z.literal('AEAD_AES_256_GCM'),
    ciphertext: z.string().min(1),
    associated_data: z.string().optional(),
    nonce: z.string().length(12),
    original_type: z.string().optional(),
  }),
});

/** Reads outTradeNo of a med-ins or transaction plaintext so it can be checked against itself. */
export function outTradeNoOf(plaintext: unknown): string {
  return parse(z.object({ out_trade_no: z.string().min(1) }), plaintext, 'notification resource')
    .out_trade_no;
}

export function outRefundNoOf(plaintext: unknown): string {
  return parse(z.object({ out_refund_no: z.string().min(1) }), plaintext, 'notification resource')
    .out_refund_no;
}

// ───────────────────────────── platform certificates ─────────────────────────────

/** One entry of GET /v3/certificates, its certificate still encrypted (platformCertificates.ts decrypts it). */
export interface EncryptedPlatformCertificate {
  serialNo: string;
  effectiveTime?: string;
  expireTime?: string;
  nonce: string;
  associatedData: string;
  ciphertext: string;
}

const certificatesAnswerSchema = z.object({
  data: z.array(
    z.object({
      serial_no: z.string().regex(/^[0-9A-Fa-f]{1,64}$/),
      effective_time: z.string().optional(),
      expire_time: z.string().optional(),
      encrypt_certificate: z.object({
        algorithm: z.literal('AEAD_AES_256_GCM'),
        nonce: z.string().length(12),
        associated_data: z.string().max(64).optional(),
        ciphertext: z.string().min(1),
      }),
    }),
  ),
});

/**
 * The entries of a GET /v3/certificates answer (PROTOCOLS 1.2), at most `max` of them: a longer list is
 * invalid_response rather than decrypted (nothing the adapter does grows with what an answer says).
 */
export function fromCertificatesAnswer(body: unknown, max: number): EncryptedPlatformCertificate[] {
  const { data } = parse(certificatesAnswerSchema, body, 'platform certificates');
  if (data.length === 0) invalid('platform certificates: the list is empty');
  if (data.length > max) invalid(`platform certificates: ${data.length} listed, at most ${max} are read`);
  return data.map((c) => ({
    serialNo: c.serial_no,
    effectiveTime: c.effective_time,
    expireTime: c.expire_time,
    nonce: c.encrypt_certificate.nonce,
    associatedData: c.encrypt_certificate.associated_data ?? '',
    ciphertext: c.encrypt_certificate.ciphertext,
  }));
}
