/**
 * Testers' callback tools: `POST /__admin/callbacks/send` sends an arbitrary notification (any event type, any
 * resource, encrypted with the APIv3 key) to any URL, signed validly, mis-signed or as a SIGNTEST probe, and
 * returns what the receiver answered. Also makes moving the mock clock deliver the callback retries (and
 * complete the PROCESSING refunds) at each instant they fall due on the way (mocks/common/tools.ts).
 */
import { z } from 'zod';
import { parseBody } from '../common/app';
import { mountClockStepper } from '../common/tools';
import type { WeChatPayMockContext } from './context';
import { buildEnvelope, postCallback } from './notifications';
import { signedHeaders } from './signing';

const sendSchema = z
  .object({
    url: z.url(),
    eventType: z
      .string()
      .regex(/^[A-Z_]+\.[A-Z_]+$/, 'like TRANSACTION.SUCCESS')
      .default('TRANSACTION.SUCCESS'),
    /** the plain resource, encrypted into the envelope */
    resource: z.record(z.string(), z.unknown()),
    signature: z.enum(['valid', 'invalid', 'signtest']).default('valid'),
    /**
     * the Wechatpay-Serial header to send (default: that of the key that signs); a live platform serial also
     * signs with that certificate's key (e.g. the old one during a rotation)
     */
    serial: z.string().min(1).max(64).optional(),
    /** which key signs (default: the mode set by POST /__admin/signing) */
    mode: z.enum(['certificate', 'publicKey']).optional(),
    /** the envelope id (default EV-…) and original_type / associated_data (default by event type) */
    id: z.string().min(1).max(64).optional(),
    originalType: z.string().max(15).optional(),
    /** Wechatpay-Timestamp = the mock clock moved by this many seconds (e.g. -600 for a stale one) */
    timestampOffsetS: z.number().int().optional(),
  })
  .strict();

function parsedBody(text: string | undefined): unknown {
  if (text === undefined || text === '') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function mountCallbackTools(mc: WeChatPayMockContext, deliverDue: () => Promise<void>): void {
  const { frame, state, notifier, keyring } = mc;

  mountClockStepper(frame.clock, {
    nextDueAtMs: () => {
      let next = notifier.nextDueAtMs();
      for (const r of state.refunds.values()) {
        if (r.status !== 'PROCESSING' || r.completesAtMs === undefined) continue;
        if (next === undefined || r.completesAtMs < next) next = r.completesAtMs;
      }
      return next;
    },
    runDue: deliverDue,
  });

  frame.admin.post('/callbacks/send', async (ctx) => {
    const body = parseBody(sendSchema, ctx.request.body);
    const nowMs = frame.clock.now();
    const envelope = JSON.stringify(
      buildEnvelope(keyring.apiV3Key, nowMs, body.eventType, body.resource, {
        id: body.id,
        originalType: body.originalType,
      }),
    );
    const live = keyring.platforms.find((p) => p.serialNo === body.serial);
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': 'Mozilla/4.0 (WeChatPay mock)',
      ...signedHeaders(
        live ? { ...keyring, platform: live } : keyring,
        live ? 'certificate' : (body.mode ?? state.signingMode),
        nowMs + (body.timestampOffsetS ?? 0) * 1000,
        envelope,
        body.signature,
        body.serial,
      ),
    };
    const answer = await postCallback(body.url, envelope, headers);
    ctx.body = {
      status: answer.status,
      body: parsedBody(answer.body),
      headers: answer.headers,
      ...(answer.error !== undefined ? { error: answer.error } : {}),
      sent: { body: envelope, headers },
    };
  });

  Object.assign(frame.openapi, {
    '/__admin/callbacks/send': {
      post: {
        summary:
          'Send any notification to any URL {url, eventType (default TRANSACTION.SUCCESS), resource (plain JSON, ' +
          'encrypted with the APIv3 key), signature: valid|invalid|signtest, serial?, mode?, id?, originalType?, ' +
          'timestampOffsetS?} → {status, body, headers, error?, sent: {body, headers}}',
      },
    },
  });
}
