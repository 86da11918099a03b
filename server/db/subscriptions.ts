/** Subscribe-message consent per WeChat user and template, and the user's notification preferences. */
import { bool, int, rowsOf, text, type Db, type Row } from './rows';

export type ConsentStatus = 'ACCEPTED' | 'REJECTED';
/** who said so: the patient in the consent sheet, or WeChat (43101: the user turned it off there) */
export type ConsentSource = 'patient' | 'wechat';

export async function recordConsents(
  db: Db,
  openid: string,
  decisions: { templateId: string; status: ConsentStatus }[],
  source: ConsentSource,
  at: Date,
): Promise<void> {
  for (const d of decisions) {
    await db.query(
      `INSERT INTO subscriptions (openid, template_id, status, source, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (openid, template_id) DO UPDATE SET status = $3, source = $4, updated_at = $5`,
      [openid, d.templateId, d.status, source, at],
    );
  }
}

/**
 * WeChat said the user no longer accepts a template (43101): withdrawn — unless they accepted it again after
 * `asOf` (the message was made before their new consent).
 */
export async function withdrawConsent(
  db: Db,
  openid: string,
  templateId: string,
  asOf: Date,
  at: Date,
): Promise<void> {
  await db.query(
    `UPDATE subscriptions SET status = 'REJECTED', source = 'wechat', updated_at = $4
      WHERE openid = $1 AND template_id = $2 AND status = 'ACCEPTED' AND updated_at <= $3`,
    [openid, templateId, asOf, at],
  );
}

export async function acceptedTemplates(db: Db, openid: string): Promise<string[]> {
  const rows = rowsOf(
    await db.query(
      `SELECT template_id FROM subscriptions WHERE openid = $1 AND status = 'ACCEPTED' ORDER BY template_id`,
      [openid],
    ),
  );
  return rows.map((r) => text(r, 'template_id'));
}

export async function hasAccepted(db: Db, openid: string, templateId: string): Promise<boolean> {
  const rows = rowsOf(
    await db.query(
      `SELECT 1 FROM subscriptions WHERE openid = $1 AND template_id = $2 AND status = 'ACCEPTED'`,
      [openid, templateId],
    ),
  );
  return rows.length > 0;
}

export interface PreferencesRow {
  billReminders: boolean;
  paymentNotices: boolean;
  refundNotices: boolean;
  /** minutes after midnight, China time; both or neither */
  quiet: { startMin: number; endMin: number } | null;
}

function preferencesOf(r: Row): PreferencesRow {
  const start = r.quiet_start_min;
  return {
    billReminders: bool(r, 'bill_reminders'),
    paymentNotices: bool(r, 'payment_notices'),
    refundNotices: bool(r, 'refund_notices'),
    quiet: start === null ? null : { startMin: int(r, 'quiet_start_min'), endMin: int(r, 'quiet_end_min') },
  };
}

/** The user's preferences; null when they never saved any (the defaults apply). */
export async function readPreferences(db: Db, openid: string): Promise<PreferencesRow | null> {
  const rows = rowsOf(
    await db.query(
      `SELECT bill_reminders, payment_notices, refund_notices, quiet_start_min, quiet_end_min
         FROM notification_preferences WHERE openid = $1`,
      [openid],
    ),
  );
  return rows[0] ? preferencesOf(rows[0]) : null;
}

export async function writePreferences(db: Db, openid: string, p: PreferencesRow, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO notification_preferences
       (openid, bill_reminders, payment_notices, refund_notices, quiet_start_min, quiet_end_min, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (openid) DO UPDATE SET bill_reminders = $2, payment_notices = $3, refund_notices = $4,
       quiet_start_min = $5, quiet_end_min = $6, updated_at = $7`,
    [
      openid,
      p.billReminders,
      p.paymentNotices,
      p.refundNotices,
      p.quiet?.startMin ?? null,
      p.quiet?.endMin ?? null,
      at,
    ],
  );
}

/** Active cards of users who accepted some template, paged by card id: what the reminder job walks. */
export async function reminderCandidates(
  db: Db,
  afterPatientId: string,
  limit: number,
): Promise<{ openid: string; patientId: string; hisPatientId: string; nameMasked: string }[]> {
  const rows = rowsOf(
    await db.query(
      `SELECT p.openid, p.id, p.his_patient_id, p.name_masked
         FROM patients p
        WHERE p.unbound_at IS NULL AND p.id > $1
          AND p.openid IN (SELECT openid FROM subscriptions WHERE status = 'ACCEPTED')
        ORDER BY p.id
        LIMIT $2`,
      [afterPatientId, limit],
    ),
  );
  return rows.map((r) => ({
    openid: text(r, 'openid'),
    patientId: text(r, 'id'),
    hisPatientId: text(r, 'his_patient_id'),
    nameMasked: text(r, 'name_masked'),
  }));
}
