/**
 * Refunds on an order. OrderView.refunds is `unknown[]` until the refund API lands (empty for now); this reads
 * the fields it can find — amount and legs by fund, all in fen — and ignores the rest.
 */
export interface RefundLine {
  id: string;
  status: string;
  createdAt?: string;
  total?: number;
  fund?: number;
  account?: number;
  cash?: number;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export function readRefunds(raw: readonly unknown[]): RefundLine[] {
  return raw.map((r, i) => {
    const o = (r && typeof r === 'object' ? r : {}) as Record<string, unknown>;
    const split = (o.split && typeof o.split === 'object' ? o.split : o) as Record<string, unknown>;
    return {
      id: str(o.id) ?? str(o.outRefundNo) ?? `refund-${i + 1}`,
      status: str(o.status) ?? 'UNKNOWN',
      createdAt: str(o.createdAt),
      total: num(split.total) ?? num(o.amount),
      fund: num(split.fund),
      account: num(split.account),
      cash: num(split.cash),
    };
  });
}

const REFUND_STATUS: Record<string, string> = {
  AWAITING_APPROVAL: '医院审核中',
  REJECTED: '医院未批准，未退款',
  REQUESTED: '已申请',
  PROCESSING: '退款中',
  SUCCEEDED: '退款成功',
  FAILED: '退款失败',
};

export const refundStatusLabel = (status: string) => REFUND_STATUS[status] ?? '处理中';
