/**
 * The patient's notifications (shared/api/notifications.ts): subscribe-message consent, the message history
 * (消息) and the preferences (设置), through the one API client (session, timeout, Chinese errors).
 */
import type { MessagesView, PreferencesView, SubscriptionsView } from '../../shared/api';
import { request } from './api';
import type { SubscribeAnswer } from './bridge/types';

export const notificationsApi = {
  subscriptions: () => request<SubscriptionsView>('GET', '/subscriptions'),
  /** what the consent sheet answered; the server answers the new state */
  recordSubscriptions: (answer: SubscribeAnswer) =>
    request<SubscriptionsView>('POST', '/subscriptions', { data: answer }),
  preferences: () => request<PreferencesView>('GET', '/preferences'),
  /** the whole object; the server answers what it kept */
  savePreferences: (preferences: PreferencesView) =>
    request<PreferencesView>('PUT', '/preferences', { data: preferences }),
  /** newest first, 20 a page; `before` = the previous page's nextBefore */
  messages: (before?: string) =>
    request<MessagesView>('GET', before ? `/messages?before=${encodeURIComponent(before)}` : '/messages'),
};
