/**
 * Callbacks as WeChat Pay sends them (PROTOCOLS 1.3): an AES-256-GCM encrypted resource in a JSON envelope,
 * signed per 1.2, POSTed to the merchant, retried on WeChat's schedule measured on the mock clock until the
 * merchant acknowledges (200/204, or 200 with {"code":"SUCCESS"}). Each attempt is signed afresh (a stale
 * timestamp would fail the merchant's ±300 s check); a replay resends the last attempt byte for byte.
 *
 * Two schedules: payment and refund callbacks follow the basic one (RETRY_SCHEDULE_MS, ~24 h); a
 * MEDICAL_INSURANCE.SUCCESS callback is retried only within 30 s of its first attempt (MED_INS_RETRY_AT_MS) —
 * WeChat's guide: "5 秒内未应答会重试，30 秒后微信不再重试"; after that the merchant has to query.
 */
import { rfc3339Cst, type Clock } from '../../shared/clock';
import { aesGcmEncrypt, AES_GCM_NONCE_LENGTH, randomNonce } from '../../shared/crypto/wechatpay';
import { newNotificationId, type WeChatPayState } from './state';
import { signedHeaders, type MockKeyring } from './signing';

/** Delays after the 1st, 2nd, … failed attempt: 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h. */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
].map((s) => s * 1000);
/**
 * MEDICAL_INSURANCE.SUCCESS: retries at these offsets from the first attempt (the gap grows 5 s → 10 s and is
 * held at 10 s so that the last retry still falls inside the window), and none at or after MED_INS_RETRY_WINDOW_MS.
 * The exact schedule is unpublished (PROTOCOLS 2.4); this is the mock's reading of the guide.
 */
export const MED_INS_RETRY_AT_MS: readonly number[] = [5_000, 15_000, 25_000];
export const MED_INS_RETRY_WINDOW_MS = 30_000;
const CALLBACK_TIMEOUT_MS = 5_000;
const ATTEMPT_HISTORY_MAX = 20;
const NOTIFICATIONS_MAX = 10_000;

export type EventType =
  | 'TRANSACTION.SUCCESS'
  | 'MEDICAL_INSURANCE.SUCCESS'
  | 'REFUND.SUCCESS'
  | 'REFUND.ABNORMAL'
  | 'REFUND.CLOSED';

const SUMMARY: Record<EventType, string> = {
  'TRANSACTION.SUCCESS': '支付成功',
  'MEDICAL_INSURANCE.SUCCESS': '医保支付成功',
  'REFUND.SUCCESS': '退款成功',
  'REFUND.ABNORMAL': '退款异常',
  'REFUND.CLOSED': '退款关闭',
};

/** original_type / associated_data per event; med-ins values are unverified (AAD must stay under 16 bytes). */
const ORIGINAL_TYPE: Record<EventType, string> = {
  'TRANSACTION.SUCCESS': 'transaction',
  'MEDICAL_INSURANCE.SUCCESS': 'med_ins_order',
  'REFUND.SUCCESS': 'refund',
  'REFUND.ABNORMAL': 'refund',
  'REFUND.CLOSED': 'refund',
};

export interface Attempt {
  atMs: number;
  status?: number;
  error?: string;
  replay?: boolean;
}

export interface Notification {
  id: string;
  eventType: EventType;
  outTradeNo: string;
  mixTradeNo?: string;
  outRefundNo?: string;
  url: string;
  /** the envelope, exactly as sent */
  body: string;
  /** the resource before encryption, for testers */
  plaintext: Record<string, unknown>;
  /** headers of the last attempt (what a replay sends again) */
  lastHeaders?: Record<string, string>;
  attempts: number;
  delivered: boolean;
  /** mock-clock instant of the first delivery attempt (the med-ins retry window is measured from it) */
  firstAttemptAtMs?: number;
  nextAttemptAtMs?: number;
  lastStatus?: number;
  createdAtMs: number;
  history: Attempt[];
}

/** What the admin API shows of a notification. */
export type NotificationView = Omit<Notification, 'body' | 'plaintext' | 'lastHeaders'>;

export interface NewNotification {
  eventType: EventType;
  url: string;
  outTradeNo: string;
  mixTradeNo?: string;
  outRefundNo?: string;
  /** the resource before encryption (query-order shape, med-ins entity, refund) */
  plaintext: Record<string, unknown>;
}

function isAcknowledged(status: number, body: string): boolean {
  if (status === 204) return true;
  if (status !== 200) return false;
  if (body.trim() === '') return true;
  try {
    const parsed = JSON.parse(body) as { code?: unknown };
    return parsed.code === undefined || parsed.code === 'SUCCESS';
  } catch {
    return true;
  }
}

/** A notification envelope (PROTOCOLS 1.3) with the resource encrypted under the APIv3 key. */
export function buildEnvelope(
  apiV3Key: string,
  nowMs: number,
  eventType: string,
  plaintext: Record<string, unknown>,
  opts: { id?: string; originalType?: string; summary?: string } = {},
) {
  const nonce = randomNonce(AES_GCM_NONCE_LENGTH);
  const associatedData = opts.originalType ?? ORIGINAL_TYPE[eventType as EventType] ?? 'transaction';
  return {
    id: opts.id ?? newNotificationId(nowMs),
    create_time: rfc3339Cst(nowMs),
    resource_type: 'encrypt-resource',
    event_type: eventType,
    summary: opts.summary ?? SUMMARY[eventType as EventType] ?? eventType,
    resource: {
      original_type: associatedData,
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: aesGcmEncrypt(apiV3Key, nonce, associatedData, JSON.stringify(plaintext)),
      associated_data: associatedData,
      nonce,
    },
  };
}

/** What a receiver answered to one POST. */
export interface Exchange {
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  error?: string;
}

function headersOf(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

/** POSTs body with headers to url, within WeChat's 5 s; → the receiver's whole answer. */
export async function postCallback(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<Exchange> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
    });
    return {
      status: response.status,
      body: await response.text(),
      headers: headersOf(response.headers),
    };
  } catch (err) {
    // not `instanceof Error`: undici's errors come from another realm under jest
    const cause = typeof err === 'object' && err !== null && 'cause' in err ? err.cause : undefined;
    const message =
      typeof cause === 'object' && cause !== null && 'message' in cause ? String(cause.message) : String(err);
    return { error: message };
  }
}

export class Notifier {
  private readonly items = new Map<string, Notification>();
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly clock: Clock,
    private readonly keyring: MockKeyring,
    private readonly state: WeChatPayState,
  ) {}

  /** Builds, stores and sends at once (not awaited; deliverDue() waits for it). */
  enqueue(input: NewNotification): Notification {
    const nowMs = this.clock.now();
    const envelope = buildEnvelope(this.keyring.apiV3Key, nowMs, input.eventType, input.plaintext);
    const notification: Notification = {
      id: envelope.id,
      eventType: input.eventType,
      outTradeNo: input.outTradeNo,
      mixTradeNo: input.mixTradeNo,
      outRefundNo: input.outRefundNo,
      url: input.url,
      body: JSON.stringify(envelope),
      plaintext: input.plaintext,
      attempts: 0,
      delivered: false,
      nextAttemptAtMs: nowMs,
      createdAtMs: nowMs,
      history: [],
    };
    if (this.items.size >= NOTIFICATIONS_MAX) this.items.delete(this.items.keys().next().value ?? '');
    this.items.set(notification.id, notification);
    this.start(notification);
    return notification;
  }

  /** Newest first. */
  list(): NotificationView[] {
    return [...this.items.values()].reverse().map((n) => this.view(n));
  }

  view(n: Notification): NotificationView {
    const { body: _body, plaintext: _plaintext, lastHeaders: _headers, ...rest } = n;
    return { ...rest, history: [...n.history] };
  }

  get(id: string): Notification | undefined {
    return this.items.get(id);
  }

  forOrder(outTradeNo: string): NotificationView[] {
    return this.list().filter((n) => n.outTradeNo === outTradeNo);
  }

  /** Sends every undelivered notification whose next attempt is due on the mock clock; waits for all sends. */
  async deliverDue(): Promise<void> {
    const nowMs = this.clock.now();
    for (const n of this.items.values()) {
      if (!n.delivered && n.nextAttemptAtMs !== undefined && n.nextAttemptAtMs <= nowMs) this.start(n);
    }
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight.values()]);
  }

  /** The earliest next attempt of an undelivered notification (mock-clock ms), if any. */
  nextDueAtMs(): number | undefined {
    let next: number | undefined;
    for (const n of this.items.values()) {
      if (n.delivered || n.nextAttemptAtMs === undefined) continue;
      if (next === undefined || n.nextAttemptAtMs < next) next = n.nextAttemptAtMs;
    }
    return next;
  }

  /** Sends the last attempt's bytes and headers again (a fresh signature if it was never sent). */
  async replay(id: string): Promise<Attempt | undefined> {
    const n = this.items.get(id);
    if (!n) return undefined;
    n.lastHeaders ??= this.sign(n.body);
    const attempt = await this.post(n.url, n.body, n.lastHeaders);
    attempt.replay = true;
    record(n, attempt);
    return attempt;
  }

  clear(): void {
    this.items.clear();
  }

  private sign(body: string): Record<string, string> {
    const headers = signedHeaders(
      this.keyring,
      this.state.signingMode,
      this.clock.now(),
      body,
      this.state.callbacks.badSignature,
    );
    return { 'Content-Type': 'application/json', 'User-Agent': 'Mozilla/4.0 (WeChatPay mock)', ...headers };
  }

  private start(n: Notification): void {
    if (this.inFlight.has(n.id)) return;
    const run = this.attempt(n).finally(() => this.inFlight.delete(n.id));
    this.inFlight.set(n.id, run);
  }

  private async attempt(n: Notification): Promise<void> {
    n.lastHeaders = this.sign(n.body);
    n.nextAttemptAtMs = undefined;
    const attempt = await this.post(n.url, n.body, n.lastHeaders);
    n.attempts++;
    n.firstAttemptAtMs ??= attempt.atMs;
    record(n, attempt);
    if (n.delivered) {
      if (this.state.callbacks.duplicate)
        record(n, { ...(await this.post(n.url, n.body, n.lastHeaders)), replay: true });
      return;
    }
    n.nextAttemptAtMs = nextAttemptAtMs(n, this.clock.now());
  }

  private async post(url: string, body: string, headers: Record<string, string>): Promise<Attempt> {
    const atMs = this.clock.now();
    const answer = await postCallback(url, body, headers);
    if (answer.status === undefined) return { atMs, error: answer.error };
    return {
      atMs,
      status: answer.status,
      ...(isAcknowledged(answer.status, answer.body ?? '') ? {} : { error: 'not acknowledged' }),
    };
  }
}

/** When an unacknowledged notification is sent next, after its n-th attempt; undefined once WeChat gives up. */
function nextAttemptAtMs(
  n: Pick<Notification, 'eventType' | 'attempts' | 'firstAttemptAtMs'>,
  nowMs: number,
): number | undefined {
  if (n.eventType === 'MEDICAL_INSURANCE.SUCCESS') {
    const firstMs = n.firstAttemptAtMs ?? nowMs;
    const offsetMs = MED_INS_RETRY_AT_MS[n.attempts - 1];
    if (offsetMs === undefined) return undefined;
    const atMs = Math.max(nowMs, firstMs + offsetMs);
    // an attempt that hung (5 s each, real time) may have used up the window: WeChat does not try after 30 s
    return atMs < firstMs + MED_INS_RETRY_WINDOW_MS ? atMs : undefined;
  }
  const delayMs = RETRY_SCHEDULE_MS[n.attempts - 1];
  // after the 16th attempt WeChat gives up; the merchant has to query
  return delayMs === undefined ? undefined : nowMs + delayMs;
}

function record(n: Notification, attempt: Attempt): void {
  if (attempt.status !== undefined) n.lastStatus = attempt.status;
  if (attempt.error === undefined && !attempt.replay) n.delivered = true;
  n.history.push(attempt);
  if (n.history.length > ATTEMPT_HISTORY_MAX) n.history.splice(0, n.history.length - ATTEMPT_HISTORY_MAX);
}
