/** What a party reported of a payment: the callback or the janitor's query, applied by payment/confirm.ts. */
import type { Split } from '../../../shared/money';

export interface PaymentEvidence {
  /** cash leg: WeChat transaction id; absent for insurance-only */
  transactionId?: string;
  mixTradeNo?: string;
  /** what WeChat says was paid, per leg */
  split: Split;
  paidAtMs: number;
  actor: 'wechatpay-callback' | 'janitor';
  reference: string;
}
