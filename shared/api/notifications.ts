/**
 * Notifications (issue 13): WeChat subscribe-message consent, the patient's message history (消息) and
 * preferences (设置). Consent is recorded per WeChat user and template, as `wx.requestSubscribeMessage` reports it
 * (`accept` → accepted, `reject`/`ban` → rejected); the history lists every message we meant to send, with whether
 * it reached WeChat. Quiet hours are China Standard Time, "HH:mm"; a span may cross midnight (22:00–08:00).
 */
import { z } from 'zod';
import type { TemplatePurpose } from '../protocol/wechat/subscribe';

export interface SubscriptionTemplateView {
  templateId: string;
  purpose: TemplatePurpose;
  /** 缴费成功通知 … as WeChat's consent sheet shows it */
  title: string;
  /** why we ask, for the page that asks */
  description: string;
}

/** GET /api/v1/subscriptions */
export interface SubscriptionsView {
  templates: SubscriptionTemplateView[];
  /** template ids the user has accepted and not turned off since */
  accepted: string[];
}

const templateIdSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be a template id');

/** POST /api/v1/subscriptions: what wx.requestSubscribeMessage answered; an unknown template id is a 400 */
export const subscriptionsRequest = z
  .object({
    accepted: z.array(templateIdSchema).max(20).default([]),
    rejected: z.array(templateIdSchema).max(20).default([]),
  })
  .strict();

const clockTime = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:mm');

export interface QuietHours {
  start: string;
  end: string;
}

/** GET/PUT /api/v1/preferences (PUT takes the whole object and answers it) */
export interface PreferencesView {
  /** daily reminders of unpaid bills */
  billReminders: boolean;
  /** payment succeeded / failed / returned */
  paymentNotices: boolean;
  /** refund results */
  refundNotices: boolean;
  /** no reminder (nor a refund or returned-payment notice) in this span; null = none */
  quietHours: QuietHours | null;
}

export const preferencesRequest = z
  .object({
    billReminders: z.boolean(),
    paymentNotices: z.boolean(),
    refundNotices: z.boolean(),
    quietHours: z
      .object({ start: clockTime, end: clockTime })
      .strict()
      .refine((q) => q.start !== q.end, 'start and end must differ')
      .nullable(),
  })
  .strict();

/**
 * What became of a message on WeChat: sent; waiting (queued, or held until quiet hours end); not subscribed
 * (no consent, kept in the history only); refused (the user turned it off in WeChat); failed (WeChat would not
 * take it; our people see why).
 */
export type MessageDelivery = 'sent' | 'pending' | 'not_subscribed' | 'refused' | 'failed';

export interface MessageView {
  id: string;
  purpose: TemplatePurpose;
  title: string;
  /** one plain sentence: what happened and what to do */
  summary: string;
  /** the message's lines as WeChat shows them: 就诊人 张*三, 缴费金额 ¥12.30 … */
  lines: { label: string; value: string }[];
  /** the order it is about, for a link to its page */
  orderId: string | null;
  delivery: MessageDelivery;
  createdAt: string;
  sentAt: string | null;
}

/** GET /api/v1/messages?before=<id> (newest first, 20 a page) */
export interface MessagesView {
  messages: MessageView[];
  /** pass as `before` for the next page; null at the end */
  nextBefore: string | null;
}
