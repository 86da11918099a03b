/**
 * The hospital's SMS platform (短信平台), as the server's adapter and the mock speak it: one JSON call that sends a
 * text to a mainland mobile number. Real platforms (a carrier gateway, a cloud SMS service) differ in envelope
 * and signing; this shape is ours and unverified, kept in one place so an adapter for the real one replaces it.
 */
import { z } from 'zod';

export const SMS_PATHS = { send: '/sms/send' } as const;

/** A mainland mobile number: 11 digits starting 1. */
export const MOBILE_PHONE = /^1\d{10}$/;
/** What one message may carry (a long SMS is split by carriers at 70 characters; keep ours to one or two). */
export const SMS_TEXT_CHARS_MAX = 140;

export const smsSendRequestSchema = z.object({
  phone: z.string().regex(MOBILE_PHONE, 'an 11-digit mainland mobile number'),
  text: z.string().min(1).max(SMS_TEXT_CHARS_MAX),
});
export type SmsSendRequest = z.infer<typeof smsSendRequestSchema>;

export const smsSendAnswerSchema = z.object({ code: z.literal('OK'), messageId: z.string().min(1) });
