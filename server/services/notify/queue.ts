/**
 * Queuing a message for a patient, inside the transaction of what it tells (a completed payment, a refund…):
 * the message always joins the patient's history (消息); it goes to WeChat only when the user accepted that
 * template and wants that kind of message, through the outbox (retried, never holding up the payment), and —
 * except for the outcome of a payment — not before their quiet hours end.
 */
import type { EntityManager } from 'typeorm';
import { insertPatientMessage } from '../../db/patientMessages';
import { enqueue } from '../../db/outbox';
import { hasAccepted } from '../../db/subscriptions';
import { endOfQuiet, type ComposedMessage } from '../../domain/notifications';
import type { Deps } from '../deps';
import { effectivePreferences } from './preferences';
import { templateIdOf } from './templates';

export const NOTIFY_KIND = 'notify';

/** false: the user turned this kind of message off in 设置 */
function wanted(
  purpose: ComposedMessage['purpose'],
  p: Awaited<ReturnType<typeof effectivePreferences>>,
): boolean {
  switch (purpose) {
    case 'payment_success':
    case 'payment_failed':
      return p.paymentNotices;
    case 'refund_result':
      return p.refundNotices;
    case 'bill_reminder':
      return p.billReminders;
  }
}

/** The outcome of a payment the patient made goes at once, whatever the hour (as the 设置 page says). */
const immediate = (purpose: ComposedMessage['purpose']) =>
  purpose === 'payment_success' || purpose === 'payment_failed';

/** → the message's id, or null when this dedupe key was queued before (nothing written). */
export async function queueMessage(
  deps: Deps,
  m: EntityManager,
  to: { openid: string; orderId: string | null; dedupeKey: string },
  message: ComposedMessage,
): Promise<string | null> {
  const now = deps.clock.now();
  const templateId = templateIdOf(deps.settings, message.purpose);
  const prefs = await effectivePreferences(deps, m, to.openid);
  const push = wanted(message.purpose, prefs) && (await hasAccepted(m, to.openid, templateId));
  const id = await insertPatientMessage(
    m,
    {
      openid: to.openid,
      purpose: message.purpose,
      templateId,
      orderId: to.orderId,
      dedupeKey: to.dedupeKey,
      page: message.page,
      data: message.data,
      lines: message.lines,
      summary: message.summary,
      delivery: push ? 'PENDING' : 'NOT_SUBSCRIBED',
    },
    new Date(now),
  );
  if (id === null || !push) return id;
  const due = immediate(message.purpose) ? now : endOfQuiet(now, prefs.quiet);
  await enqueue(m, NOTIFY_KIND, `notify:${id}`, to.orderId, { messageId: id }, new Date(due));
  return id;
}
