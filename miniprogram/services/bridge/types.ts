/**
 * What differs between the weapp and the H5 build: login, insurance authorization, payment, subscribe-message
 * consent, coming back.
 */
import type { PaymentView } from '../../../shared/api';

/** What the WeChat payment sheet said. It proves nothing about the money: the result page asks the server. */
export type PayOutcome = 'ok' | 'cancel' | 'fail';

export interface Bridge {
  readonly platform: 'weapp' | 'h5';
  /**
   * Query parameters a redirect brought back for this page (H5: `?code=`, `?authCode=`/`?error=`,
   * `&result=`; weapp: the insurance mini-program's answer), handed out once.
   */
  takeReturnedParams(pagePath: string): Record<string, string>;
  /** weapp: a `wx.login` code. H5: `null` — the browser is on its way to the sandbox login page. */
  obtainLoginCode(): Promise<string | null>;
  /** Opens the insurance authorization (医保授权) for this card; the answer comes back to the authorize page. */
  startInsuranceAuthorization(patientId: string): Promise<void>;
  /**
   * weapp, and H5 inside WeChat (WeixinJSBridge): the sheet's outcome. H5 in an ordinary browser: `null` — the
   * browser is on its way to the sandbox cashier. Rejects with a PayFailure (a Chinese message the confirm page
   * shows) when the sheet cannot be opened — e.g. a WeChat too old for medical-insurance payment — or fails.
   */
  pay(orderId: string, payment: PaymentView): Promise<PayOutcome | null>;
  /**
   * Asks WeChat's consent sheet (订阅消息) for these templates. weapp: `wx.requestSubscribeMessage`, which WeChat
   * opens only from a tap — so call this synchronously in the tap handler, before any await — answering what the
   * user chose (`accept` → accepted; `reject`, `ban`, `filter` → rejected). H5 in an ordinary browser: `null` —
   * the browser is on its way to the sandbox sheet, which comes back to the messages page with `subscribeResult`.
   * H5 inside WeChat: `null` after telling the patient (in Chinese) that a web page cannot ask. Rejects with an
   * Error carrying a Chinese message when the sheet cannot open (e.g. the user turned subscriptions off).
   */
  requestSubscribe(templateIds: string[]): Promise<SubscribeAnswer | null>;
  /** How many templates one consent sheet may ask for (WeChat: 3 a call); the page asks for at most this many. */
  readonly subscribeLimit: number;
}

/** What the consent sheet answered, as POST /api/v1/subscriptions takes it. */
export interface SubscribeAnswer {
  accepted: string[];
  rejected: string[];
}

/** Parameters a redirect may append; stripped from the address bar once read, so a reload cannot replay them. */
export const ONE_SHOT_PARAMS = ['code', 'authCode', 'error', 'result', 'state', 'subscribeResult'] as const;

/** Insurance authorization, fixed parts (PROTOCOLS 2.6): 医保电子凭证 mobile payment, Nanchang. */
export const INSURANCE_AUTH = {
  appId: 'wxe183cd55df4b4369',
  authType: '2',
  isDepart: '2',
  bizType: '04107',
  cityCode: '360100',
} as const;
