/**
 * What the WeChat mock remembers of the mini-program server API beyond login: access tokens, each user's
 * subscribe-message consent per template (as WeChat keeps it after wx.requestSubscribeMessage), and every message
 * it accepted, for testers to read back.
 */
import { randomBytes } from 'node:crypto';
import { SUBSCRIBE_TEMPLATES, type KeywordType } from '../../shared/protocol/wechat/subscribe';

/** what the user chose in the sheet; `ban` = 拒绝且不再询问 (WeChat's "always reject") */
export type ConsentDecision = 'accept' | 'reject' | 'ban';

export interface SentMessage {
  touser: string;
  templateId: string;
  page: string | null;
  data: Record<string, { value: string }>;
  miniprogramState: string;
  lang: string;
  sentAtMs: number;
}

export interface MockTemplate {
  title: string;
  keywords: Record<string, KeywordType>;
}

export class SubscribeState {
  /** token → when it stops working (mock clock) */
  readonly tokens = new Map<string, number>();
  /** the newest token (stable_token answers it while it lives) */
  current: { token: string; expiresAtMs: number } | null = null;
  tokensIssued = 0;
  /** `${openid} ${templateId}` → decision */
  readonly consents = new Map<string, ConsentDecision>();
  readonly messages: SentMessage[] = [];
  /** the hospital's templates, as picked in the mini-program admin console */
  readonly templates = new Map<string, MockTemplate>(
    Object.values(SUBSCRIBE_TEMPLATES).map((t) => [t.templateId, { title: t.title, keywords: t.keywords }]),
  );

  reset(): void {
    this.tokens.clear();
    this.current = null;
    this.tokensIssued = 0;
    this.consents.clear();
    this.messages.length = 0;
  }

  issueToken(nowMs: number, ttlMs: number, overlapMs: number): { token: string; expiresAtMs: number } {
    // the previous token keeps working a little while (WeChat: 5 minutes), then stops
    if (this.current) {
      const until = Math.min(this.current.expiresAtMs, nowMs + overlapMs);
      this.tokens.set(this.current.token, until);
    }
    const token = randomBytes(48).toString('base64url').slice(0, 64);
    this.current = { token, expiresAtMs: nowMs + ttlMs };
    this.tokens.set(token, this.current.expiresAtMs);
    this.tokensIssued += 1;
    return this.current;
  }

  consentOf(openid: string, templateId: string): ConsentDecision | undefined {
    return this.consents.get(`${openid} ${templateId}`);
  }

  recordConsent(openid: string, templateId: string, decision: ConsentDecision): void {
    this.consents.set(`${openid} ${templateId}`, decision);
  }
}
