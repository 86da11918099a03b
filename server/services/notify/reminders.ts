/**
 * Reminders of unpaid bills: every REMINDER_INTERVAL_MS, for each active card of a user who accepted the
 * reminder template and wants reminders, the HIS's unpaid bills older than REMINDER_AFTER_HOURS get a message —
 * at most one per bill per China day (the dedupe key carries the date), never in the user's quiet hours (the
 * user is skipped; a later pass the same day reaches them). A bill locked by an order under way is not
 * reminded. One card's HIS trouble skips that card, not the run.
 */
import { cstDate } from '../../../shared/clock';
import { hasAccepted, reminderCandidates } from '../../db/subscriptions';
import { billReminderMessage, inQuietHours } from '../../domain/notifications';
import type { Deps } from '../deps';
import { effectivePreferences } from './preferences';
import { queueMessage } from './queue';
import { templateIdOf } from './templates';

const CARDS_PER_PAGE = 200;
const FIRST_ID = '00000000-0000-0000-0000-000000000000';

/** One pass; → how many reminders were queued. */
export async function runBillReminders(deps: Deps): Promise<number> {
  const templateId = templateIdOf(deps.settings, 'bill_reminder');
  const afterMs = deps.settings.REMINDER_AFTER_HOURS * 3_600_000;
  let after = FIRST_ID;
  let queued = 0;
  for (;;) {
    const cards = await reminderCandidates(deps.db, after, CARDS_PER_PAGE);
    if (cards.length === 0) break;
    for (const card of cards) {
      after = card.patientId;
      const now = deps.clock.now();
      const prefs = await effectivePreferences(deps, deps.db, card.openid);
      if (!prefs.billReminders || inQuietHours(now, prefs.quiet)) continue;
      if (!(await hasAccepted(deps.db, card.openid, templateId))) continue;
      let bills;
      try {
        bills = await deps.his.listUnpaidBills(card.hisPatientId);
      } catch (err) {
        deps.logger.warn(
          { patientId: card.patientId, err: String(err) },
          'bill reminders: HIS unavailable for a card',
        );
        continue;
      }
      for (const bill of bills) {
        if (bill.status !== 'UNPAID' || now - bill.createdAtMs < afterMs) continue;
        const message = billReminderMessage({
          patientId: card.patientId,
          patientName: card.nameMasked,
          what: bill.dept || bill.items[0]?.name || '门诊费用',
          amountFen: bill.amountFen,
          billedAtMs: bill.createdAtMs,
        });
        const dedupeKey = `remind:${card.patientId}:${bill.billNo}:${cstDate(now)}`;
        const id = await deps.db.transaction((m) =>
          queueMessage(deps, m, { openid: card.openid, orderId: null, dedupeKey }, message),
        );
        if (id !== null) queued += 1;
      }
    }
  }
  if (queued > 0) deps.kickJobs?.();
  return queued;
}
