/**
 * Scenarios at the WeChat Pay mock.
 * - `confirm`: how the patient's confirmation ends (confirm.ts): CANCEL (the sheet is closed: nothing changes,
 *   the order stays payable), FAIL (payment fails), CASH_FAILS (the insurance share is settled at the insurance
 *   mock, then the cash part fails: MIX_PAY_FAIL with MED_INS_PAY_SUCCESS; no callback),
 *   INSURANCE_FAILS_CASH_TAKEN (the cash part is taken, insurance is not settled: MIX_PAY_FAIL with
 *   SELF_PAY_SUCCESS and MED_INS_PAY_FAIL; no callback; the merchant must refund the cash).
 * - `callbacks` (every callback, payment and refund alike, goes through ScenarioNotifier): LOST (never sent),
 *   DUPLICATED (delivered, then sent once more byte for byte), OUT_OF_ORDER (an order's callback is held back;
 *   when the order's next callback is queued — e.g. the refund's — that one is delivered first, then the held
 *   one; a held callback with no successor is sent OUT_OF_ORDER_RELEASE_MS later on the mock clock).
 * A session owns the login codes / openids it issued (POST /__admin/login-codes or the sandbox login page with
 * X-Mock-Session / cookie mock_session), then the orders created for those openids (JSAPI, med-ins: by
 * out_trade_no and mix_trade_no), so the server's calls and the confirmation resolve to it.
 */
import type { Clock } from '../../shared/clock';
import type { MockFrame } from '../common/app';
import { OUT_OF_ORDER_RELEASE_MS, type WeChatPayEffects } from '../common/scenarios';
import { sessionsOf, type Identity } from '../common/session';
import { Notifier, type NewNotification, type Notification } from './notifications';
import type { MockKeyring } from './signing';
import { newNotificationId, type WeChatPayState } from './state';

const orderIds = (ref: { outTradeNo?: string; mixTradeNo?: string }): Identity[] => [
  { kind: 'outTradeNo', value: ref.outTradeNo },
  { kind: 'mixTradeNo', value: ref.mixTradeNo },
];

export function mountWeChatPayScenarios(frame: MockFrame): void {
  sessionsOf(frame).bindTags(['openid', 'outTradeNo', 'mixTradeNo']);
}

/** The scenario's WeChat Pay effects for an order (by its numbers). */
export function wechatEffects(
  frame: MockFrame,
  ref: { outTradeNo?: string; mixTradeNo?: string },
): WeChatPayEffects | undefined {
  return sessionsOf(frame).effects('wechatpay', orderIds(ref));
}

/** Binds a login code and its openid to the request's session. */
export function bindLogin(frame: MockFrame, code: string, openid: string): void {
  sessionsOf(frame).bind([
    { kind: 'loginCode', value: code },
    { kind: 'openid', value: openid },
  ]);
}

interface Held {
  input: NewNotification;
  atMs: number;
}

/** The notifier, with each callback's travel decided by the scenario of its order. */
export class ScenarioNotifier extends Notifier {
  private readonly held = new Map<string, Held[]>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly frame: MockFrame,
    private readonly mockClock: Clock,
    keyring: MockKeyring,
    state: WeChatPayState,
  ) {
    super(mockClock, keyring, state);
    frame.onReset(() => this.held.clear());
  }

  override enqueue(input: NewNotification): Notification {
    const earlier = this.held.get(input.outTradeNo);
    if (earlier) {
      // a later event of an order with held callbacks: it goes first, then the held ones, newest first
      this.held.delete(input.outTradeNo);
      const later = super.enqueue(input);
      this.track(async () => {
        await super.deliverDue();
        for (const h of [...earlier].reverse()) super.enqueue(h.input);
      });
      return later;
    }
    switch (wechatEffects(this.frame, input)?.callbacks) {
      case 'LOST':
        return this.detached(input);
      case 'OUT_OF_ORDER': {
        const list = this.held.get(input.outTradeNo) ?? [];
        list.push({ input, atMs: this.mockClock.now() });
        this.held.set(input.outTradeNo, list);
        return this.detached(input);
      }
      case 'DUPLICATED': {
        const n = super.enqueue(input);
        this.track(async () => {
          await super.deliverDue();
          await this.replay(n.id);
        });
        return n;
      }
      default:
        return super.enqueue(input);
    }
  }

  /** Also releases held callbacks that are due, and waits for duplicates and reordered sends. */
  override async deliverDue(): Promise<void> {
    const nowMs = this.mockClock.now();
    for (const [outTradeNo, list] of this.held) {
      const due = list.filter((h) => h.atMs + OUT_OF_ORDER_RELEASE_MS <= nowMs);
      if (due.length === 0) continue;
      const rest = list.filter((h) => !due.includes(h));
      if (rest.length === 0) this.held.delete(outTradeNo);
      else this.held.set(outTradeNo, rest);
      for (const h of due) super.enqueue(h.input);
    }
    await super.deliverDue();
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Callbacks held back for an order (OUT_OF_ORDER), oldest first. */
  heldFor(outTradeNo: string): NewNotification[] {
    return (this.held.get(outTradeNo) ?? []).map((h) => h.input);
  }

  override clear(): void {
    super.clear();
    this.held.clear();
  }

  private track(work: () => Promise<void>): void {
    const run = work()
      .catch(() => undefined)
      .finally(() => this.pending.delete(run));
    this.pending.add(run);
  }

  /** A callback that was not (yet) queued: it is in no list and has no delivery. */
  private detached(input: NewNotification): Notification {
    const nowMs = this.mockClock.now();
    return {
      ...input,
      id: newNotificationId(nowMs),
      body: '',
      attempts: 0,
      delivered: false,
      createdAtMs: nowMs,
      history: [],
    };
  }
}
