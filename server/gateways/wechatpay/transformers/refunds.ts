/**
 * Refunds: the cash refund request and its answer or query (checked against the refund we sent), WeChat's refund
 * status mapped exhaustively, and the med-ins refund notice sent after the insurance platform's 6203.
 */
import { z } from 'zod';
import { rfc3339Cst } from '../../../../shared/clock';
import type { CashRefund, MedInsRefundNotice, RefundState } from '../../ports';
import { invalid, parse, fen, timeMs } from './common';

export function refundStatusOf(raw: string): RefundState['status'] {
  const status = raw as RefundState['status'];
  switch (status) {
    case 'SUCCESS':
    case 'CLOSED':
    case 'PROCESSING':
    case 'ABNORMAL':
      return status;
  }
  return invalid(`unknown refund status ${JSON.stringify(raw)}`);
}

// ───────────────────────────── refunds ─────────────────────────────

export function toRefundRequest(refund: CashRefund, notifyUrl: string): Record<string, unknown> {
  return {
    out_trade_no: refund.outTradeNo,
    out_refund_no: refund.outRefundNo,
    reason: refund.reason,
    notify_url: notifyUrl,
    amount: { refund: refund.refundFen, total: refund.totalFen, currency: 'CNY' },
  };
}

const refundSchema = z.object({
  refund_id: z.string().min(1).optional(),
  out_refund_no: z.string(),
  out_trade_no: z.string(),
  mchid: z.string().optional(),
  status: z.string().optional(),
  refund_status: z.string().optional(),
  success_time: z.string().optional(),
  amount: z.object({ total: fen.min(1), refund: fen.min(1) }),
});

export interface RefundExpectation {
  outRefundNo: string;
  /** what we sent, when this answers our create */
  sent?: Pick<CashRefund, 'outTradeNo' | 'refundFen' | 'totalFen'>;
  mchId?: string;
}

/** A refund (create/query answer, or REFUND.* plaintext where the status field is refund_status). */
export function fromRefund(body: unknown, expected: RefundExpectation): RefundState {
  const r = parse(refundSchema, body, 'refund');
  if (r.out_refund_no !== expected.outRefundNo)
    invalid(`asked for out_refund_no ${expected.outRefundNo}, got ${r.out_refund_no}`);
  if (expected.mchId !== undefined && r.mchid !== undefined && r.mchid !== expected.mchId) {
    invalid(`refund of another merchant: ${r.mchid}`);
  }
  const { sent } = expected;
  if (sent) {
    if (r.out_trade_no !== sent.outTradeNo)
      invalid(`refund of out_trade_no ${r.out_trade_no}, sent ${sent.outTradeNo}`);
    if (r.amount.refund !== sent.refundFen)
      invalid(`amount.refund: sent ${sent.refundFen}, got ${r.amount.refund}`);
    if (r.amount.total !== sent.totalFen)
      invalid(`amount.total: sent ${sent.totalFen}, got ${r.amount.total}`);
  }
  if (r.amount.refund > r.amount.total) invalid(`refund ${r.amount.refund} exceeds total ${r.amount.total}`);
  const status = r.status ?? r.refund_status;
  return {
    outRefundNo: r.out_refund_no,
    outTradeNo: r.out_trade_no,
    refundId: r.refund_id,
    status: status === undefined ? invalid('refund without status') : refundStatusOf(status),
    refundFen: r.amount.refund,
    successTimeMs: timeMs(r.success_time, 'success_time'),
  };
}

export function toMedInsRefundNotice(notice: MedInsRefundNotice): Record<string, unknown> {
  const { fund, account } = notice.split;
  if (!Number.isInteger(notice.fundOther) || notice.fundOther < 0 || notice.fundOther > fund)
    throw new Error(`fundOther ${notice.fundOther} is not a part of the refunded fund ${fund}`);
  return {
    med_refund_total_fee: fund + account,
    med_refund_gov_fee: fund - notice.fundOther,
    med_refund_self_fee: account,
    med_refund_other_fee: notice.fundOther,
    refund_time: rfc3339Cst(notice.refundedAtMs),
    out_refund_no: notice.outRefundNo,
  };
}
