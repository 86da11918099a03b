/**
 * The hospital's SMS platform, mocked inside the HIS mock (the same hospital side): `POST /sms/send` "sends" a
 * text and keeps it, so a tester reads the one-time codes the server sent: `GET /__admin/sms?phone=` → newest
 * first `[{phone, text, code, sentAt}]` (`code` is the 4–8 digit code found in the text, if any). Bounded; reset
 * empties it.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { rfc3339Cst } from '../../shared/clock';
import { MOBILE_PHONE, SMS_PATHS, smsSendRequestSchema } from '../../shared/protocol/sms';
import { parseBody, type MockFrame } from '../common/app';

export const SMS_KEPT_MAX = 10_000;

interface SentSms {
  messageId: string;
  phone: string;
  text: string;
  code?: string;
  sentAtMs: number;
}

const CODE_IN_TEXT = /(?<!\d)(\d{4,8})(?!\d)/;

const listQuerySchema = z.object({
  phone: z.string().regex(MOBILE_PHONE).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});

export function mountSms(frame: MockFrame): void {
  const sent: SentSms[] = [];
  frame.onReset(() => {
    sent.length = 0;
  });

  frame.router.post(SMS_PATHS.send, (ctx) => {
    const request = parseBody(smsSendRequestSchema, ctx.request.body);
    const message: SentSms = {
      messageId: `SMS${randomBytes(8).toString('hex')}`,
      phone: request.phone,
      text: request.text,
      code: CODE_IN_TEXT.exec(request.text)?.[1],
      sentAtMs: frame.clock.now(),
    };
    sent.push(message);
    if (sent.length > SMS_KEPT_MAX) sent.shift();
    (ctx.state.journalTags as Record<string, string>).phoneTail = request.phone.slice(-4);
    ctx.body = { code: 'OK', messageId: message.messageId };
  });

  frame.admin.get('/sms', (ctx) => {
    const query = parseBody(listQuerySchema, ctx.query);
    ctx.body = sent
      .filter((m) => query.phone === undefined || m.phone === query.phone)
      .slice(-query.limit)
      .reverse()
      .map((m) => ({ phone: m.phone, text: m.text, code: m.code, sentAt: rfc3339Cst(m.sentAtMs) }));
  });

  Object.assign(frame.openapi, {
    '/__admin/sms': {
      get: {
        summary:
          'The texts the SMS platform "sent", newest first: [{phone, text, code, sentAt}]; ?phone= filters, ?limit= (≤ 1000)',
      },
    },
  });
}
