/** The patient's notification preferences (设置) and subscribe-message consent (消息), per WeChat user. */
import type { PreferencesView, SubscriptionsView } from '../../../shared/api';
import {
  acceptedTemplates,
  readPreferences,
  recordConsents,
  writePreferences,
  type PreferencesRow,
} from '../../db/subscriptions';
import { hhmmOf, minutesOf } from '../../domain/notifications';
import { AppError } from '../errors';
import type { Deps } from '../deps';
import type { Db } from '../../db/rows';
import { templateViews } from './templates';

function defaultQuiet(deps: Deps): PreferencesRow['quiet'] {
  const raw = deps.settings.REMINDER_DEFAULT_QUIET_HOURS;
  if (raw === 'none') return null;
  const [start, end] = raw.split('-');
  return { startMin: minutesOf(start), endMin: minutesOf(end) };
}

/** What applies to a user: what they saved, or the defaults (everything on, the default quiet hours). */
export async function effectivePreferences(deps: Deps, db: Db, openid: string): Promise<PreferencesRow> {
  return (
    (await readPreferences(db, openid)) ?? {
      billReminders: true,
      paymentNotices: true,
      refundNotices: true,
      quiet: defaultQuiet(deps),
    }
  );
}

const viewOf = (p: PreferencesRow): PreferencesView => ({
  billReminders: p.billReminders,
  paymentNotices: p.paymentNotices,
  refundNotices: p.refundNotices,
  quietHours: p.quiet ? { start: hhmmOf(p.quiet.startMin), end: hhmmOf(p.quiet.endMin) } : null,
});

export async function getPreferences(deps: Deps, openid: string): Promise<PreferencesView> {
  return viewOf(await effectivePreferences(deps, deps.db, openid));
}

export async function putPreferences(
  deps: Deps,
  openid: string,
  p: PreferencesView,
): Promise<PreferencesView> {
  const row: PreferencesRow = {
    billReminders: p.billReminders,
    paymentNotices: p.paymentNotices,
    refundNotices: p.refundNotices,
    quiet: p.quietHours
      ? { startMin: minutesOf(p.quietHours.start), endMin: minutesOf(p.quietHours.end) }
      : null,
  };
  await writePreferences(deps.db, openid, row, new Date(deps.clock.now()));
  return viewOf(row);
}

export async function getSubscriptions(deps: Deps, openid: string): Promise<SubscriptionsView> {
  const templates = templateViews(deps.settings);
  const known = new Set(templates.map((t) => t.templateId));
  const accepted = (await acceptedTemplates(deps.db, openid)).filter((id) => known.has(id));
  return { templates, accepted };
}

/** Records what wx.requestSubscribeMessage answered; a template id we do not use is a 400, nothing written. */
export async function putSubscriptions(
  deps: Deps,
  openid: string,
  answer: { accepted: string[]; rejected: string[] },
): Promise<SubscriptionsView> {
  const known = new Set(templateViews(deps.settings).map((t) => t.templateId));
  const unknown = [...answer.accepted, ...answer.rejected].filter((id) => !known.has(id));
  if (unknown.length > 0)
    throw new AppError('VALIDATION_FAILED', '提醒设置里有本小程序不使用的消息模板，请刷新页面后重试。', {
      unknown,
    });
  const both = answer.accepted.filter((id) => answer.rejected.includes(id));
  if (both.length > 0)
    throw new AppError('VALIDATION_FAILED', '同一种提醒不能既允许又拒绝，请重新选择。', { both });
  await recordConsents(
    deps.db,
    openid,
    [
      ...answer.accepted.map((templateId) => ({ templateId, status: 'ACCEPTED' as const })),
      ...answer.rejected.map((templateId) => ({ templateId, status: 'REJECTED' as const })),
    ],
    'patient',
    new Date(deps.clock.now()),
  );
  return getSubscriptions(deps, openid);
}
