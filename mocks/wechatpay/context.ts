/** What the route modules of the WeChat Pay mock share. */
import type { MockFrame } from '../common/app';
import type { Notifier } from './notifications';
import type { MockKeyring } from './signing';
import type { WeChatPayState } from './state';
import type { SubscribeState } from './subscribeState';

export interface WeChatPayMockContext {
  frame: MockFrame;
  state: WeChatPayState;
  keyring: MockKeyring;
  notifier: Notifier;
  /** access tokens, subscribe-message consent and the messages sent (subscribe.ts) */
  subscribe: SubscribeState;
  /** base URL of the insurance mock, whose admin API settles the insurance share when the patient confirms */
  insuranceBaseUrl?: string;
}
