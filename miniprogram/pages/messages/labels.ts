/** The messages page's words and choices, kept pure for the tests: delivery tags, CST times, what to ask. */
import type { MessageDelivery, SubscriptionsView } from '../../../shared/api';
import type { SubscribeAnswer } from '../../services/bridge/types';
import type { Tone } from '../../services/labels';

/** What became of a message on WeChat, in the patient's words. Exhaustive: a new state fails the type check. */
export const DELIVERY: Record<MessageDelivery, { label: string; tone: Tone }> = {
  sent: { label: '已推送到微信', tone: 'success' },
  pending: { label: '等待发送', tone: 'warning' },
  not_subscribed: { label: '未开启微信提醒（仅在此查看）', tone: 'muted' },
  refused: { label: '微信提醒已被关闭', tone: 'muted' },
  failed: { label: '推送未成功', tone: 'danger' },
};

export function deliveryOf(delivery: string): { label: string; tone: Tone } {
  return (
    (DELIVERY as Record<string, { label: string; tone: Tone }>)[delivery] ?? {
      label: '状态未知',
      tone: 'muted',
    }
  );
}

const CST_OFFSET_MS = 8 * 3600_000;
const pad = (n: number) => String(n).padStart(2, '0');

/** '2026-12-07 21:40' in China Standard Time, whatever the phone's time zone; '' for a missing or bad time. */
export function formatCst(iso: string | null | undefined): string {
  if (!iso) return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const d = new Date(ms + CST_OFFSET_MS);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
  );
}

/** The titles of the templates that are on, and of those that are not, in the server's order. */
export function reminderTitles(view: SubscriptionsView): { on: string[]; off: string[] } {
  const accepted = new Set(view.accepted);
  return {
    on: view.templates.filter((t) => accepted.has(t.templateId)).map((t) => t.title),
    off: view.templates.filter((t) => !accepted.has(t.templateId)).map((t) => t.title),
  };
}

/**
 * The template ids one sheet asks for: those not yet on first (the sheet may take only `limit`: WeChat's 3),
 * then those already on, so 管理提醒 lets the patient change them too.
 */
export function templatesToAsk(view: SubscriptionsView, limit: number): string[] {
  const accepted = new Set(view.accepted);
  const ids = view.templates.map((t) => t.templateId);
  return [...ids.filter((id) => !accepted.has(id)), ...ids.filter((id) => accepted.has(id))].slice(0, limit);
}

/** One sentence after the sheet: what is now on, by title. */
export function answerSentence(answer: SubscribeAnswer, view: SubscriptionsView): string {
  const title = (id: string) => view.templates.find((t) => t.templateId === id)?.title ?? id;
  if (answer.accepted.length === 0) return '您没有开启新的微信提醒，消息仍会显示在本页。';
  return `已开启：${answer.accepted.map(title).join('、')}。`;
}
