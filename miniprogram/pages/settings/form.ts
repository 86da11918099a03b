/** The settings form's rules, kept pure for the tests: quiet hours on and off, their problem, how a span reads. */
import type { PreferencesView, QuietHours } from '../../../shared/api';

/** What 免打扰时段 shows when it is turned on and no span was set before. */
export const DEFAULT_QUIET_HOURS: QuietHours = { start: '22:00', end: '08:00' };

/** Quiet hours on (the span kept from before, else 22:00–08:00) or off. */
export function withQuietHours(
  form: PreferencesView,
  on: boolean,
  remembered: QuietHours | undefined,
): PreferencesView {
  if (!on) return { ...form, quietHours: null };
  return { ...form, quietHours: form.quietHours ?? remembered ?? DEFAULT_QUIET_HOURS };
}

/** Why the span cannot be saved, in Chinese; undefined when it can. */
export function quietHoursProblem(quiet: QuietHours | null): string | undefined {
  if (!quiet) return undefined;
  if (quiet.start === quiet.end) return '开始和结束时间不能相同';
  return undefined;
}

/** '22:00 至次日 08:00' across midnight, '12:00 至 14:00' within a day. */
export function quietSpanLabel(quiet: QuietHours): string {
  return quiet.end < quiet.start ? `${quiet.start} 至次日 ${quiet.end}` : `${quiet.start} 至 ${quiet.end}`;
}

export const SWITCHES: {
  key: 'billReminders' | 'paymentNotices' | 'refundNotices';
  title: string;
  hint: string;
}[] = [
  { key: 'billReminders', title: '待缴费提醒', hint: '有未缴的费用时提醒您，每天最多一次' },
  { key: 'paymentNotices', title: '缴费结果通知', hint: '缴费成功、未成功或款项退回时通知您' },
  { key: 'refundNotices', title: '退款结果通知', hint: '退款到账后告诉您各部分退回多少' },
];
