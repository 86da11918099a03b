/**
 * Stage 1 of a run: what each source says of the day goes into `recon_items`, one row per record, in batches of
 * RECON_BATCH_SIZE — the sources are read as streams, so memory holds one batch, never the day.
 *
 * Keys: a payment is keyed by our order number (also WeChat's out_trade_no, 6201 medOrgOrd and the HIS order
 * no.), a refund by our refund number (out_refund_no, 6203 appRefdSn, the HIS refund no.). Money given back
 * because the order did not complete — the insurance reversal (6203 `RV…`, services/release.ts) and the return
 * of a payment that arrived after the order closed (WeChat refund `LR…`, services/latePayments.ts) — is folded
 * into the order's payment as a negative amount, so such an order nets to zero.
 */
import type { DataSource } from 'typeorm';
import type { Split } from '../../../shared/money';
import type { HisGateway, InsuranceGateway, WeChatPayGateway } from '../../gateways/ports';
import { BOOKED_ORDER_STATUSES, type ReconSourceName } from '../../domain/reconciliation';
import { latePaymentRefundNo } from '../latePayments';
import { insuranceReversalNo } from '../insuranceReversal';

export interface StagedItem {
  record: 'PAYMENT' | 'REFUND';
  key: string;
  orderNo: string;
  split: Split;
  ref?: string;
  atMs?: number;
}

/** [start, end) of a China business day. */
export function dayBounds(date: string): { start: Date; end: Date } {
  const start = new Date(`${date}T00:00:00+08:00`);
  return { start, end: new Date(start.getTime() + 24 * 3600_000) };
}

/** Buffers items of one source and writes them with one multi-row INSERT per batch. */
export class Stager {
  private batch: StagedItem[] = [];
  count = 0;

  constructor(
    private readonly db: DataSource,
    private readonly runId: string,
    private readonly source: ReconSourceName,
    private readonly batchSize: number,
  ) {}

  async push(item: StagedItem): Promise<void> {
    this.batch.push(item);
    this.count += 1;
    if (this.batch.length >= this.batchSize) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const b = this.batch;
    this.batch = [];
    await this.db.query(
      `INSERT INTO recon_items (run_id, source, record, key, order_no, total_fen, fund_fen, account_fen, cash_fen, ref, at)
       SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[],
                                    $9::bigint[], $10::text[], $11::timestamptz[])`,
      [
        this.runId,
        this.source,
        b.map((i) => i.record),
        b.map((i) => i.key),
        b.map((i) => i.orderNo),
        b.map((i) => i.split.total),
        b.map((i) => i.split.fund),
        b.map((i) => i.split.account),
        b.map((i) => i.split.cash),
        b.map((i) => i.ref ?? null),
        b.map((i) => (i.atMs === undefined ? null : new Date(i.atMs))),
      ],
    );
  }
}

/** How far back a payment booked after its day was closed is looked for (a day's payments settle in days). */
export const CLOSED_DAY_LOOKBACK_DAYS = 31;

/**
 * Our side, straight from our tables: payments booked (paid) on the day, refunds completed on it — and
 * payments paid on an earlier day that had already been closed (日结) when we booked them (a callback or the
 * janitor confirmed them after the close): the closed day cannot take them, so this day's run shows them for a
 * person (domain/reconciliation.ts: `bookedAfterClose`).
 */
export async function stageOurs(db: DataSource, runId: string, date: string): Promise<void> {
  const { start, end } = dayBounds(date);
  await db.query(
    `INSERT INTO recon_items (run_id, source, record, key, order_no, total_fen, fund_fen, account_fen, cash_fen, ref, at)
     SELECT $1, 'ours', 'PAYMENT', o.order_no, o.order_no, o.total_fen, o.fund_fen, o.account_fen, o.cash_fen,
            o.status, o.paid_at
       FROM daily_closes c
       JOIN orders o ON o.paid_at >= (c.date::text || 'T00:00:00+08:00')::timestamptz
                    AND o.paid_at < (c.date::text || 'T00:00:00+08:00')::timestamptz + interval '1 day'
      WHERE c.date < $5::date AND c.date >= $5::date - $6::int AND c.closed_at < $3
        AND o.status = ANY($4)
        AND EXISTS (SELECT 1 FROM order_events e
                     WHERE e.order_id = o.id AND e.to_status = 'PAID'
                       AND e.created_at > c.closed_at AND e.created_at >= $2 AND e.created_at < $3)`,
    [runId, start, end, BOOKED_ORDER_STATUSES, date, CLOSED_DAY_LOOKBACK_DAYS],
  );
  await db.query(
    `INSERT INTO recon_items (run_id, source, record, key, order_no, total_fen, fund_fen, account_fen, cash_fen, ref, at)
     SELECT $1, 'ours', 'PAYMENT', order_no, order_no, total_fen, fund_fen, account_fen, cash_fen, status, paid_at
       FROM orders WHERE paid_at >= $2 AND paid_at < $3 AND status = ANY($4)`,
    [runId, start, end, BOOKED_ORDER_STATUSES],
  );
  await db.query(
    `INSERT INTO recon_items (run_id, source, record, key, order_no, total_fen, fund_fen, account_fen, cash_fen, ref, at)
     SELECT $1, 'ours', 'REFUND', r.refund_no, o.order_no, r.total_fen, r.fund_fen, r.account_fen, r.cash_fen,
            r.status, r.completed_at
       FROM refunds r JOIN orders o ON o.id = r.order_id
      WHERE r.status = 'SUCCEEDED' AND r.completed_at >= $2 AND r.completed_at < $3`,
    [runId, start, end],
  );
}

const negated = (s: Split): Split => ({ total: -s.total, fund: -s.fund, account: -s.account, cash: -s.cash });
const cashOnly = (amountFen: number): Split => ({ total: amountFen, fund: 0, account: 0, cash: amountFen });

/** WeChat Pay's trade bill: payments and refunds of the cash channel. Returns the day's fees (fen). */
export async function stageWeChat(wechat: WeChatPayGateway, stager: Stager, date: string): Promise<number> {
  let feeFen = 0;
  for await (const row of wechat.tradeBill(date)) {
    feeFen += row.feeFen;
    const isReturn = row.kind === 'REFUND' && row.outRefundNo === latePaymentRefundNo(row.outTradeNo);
    const isRefund = row.kind === 'REFUND' && row.outRefundNo !== undefined && !isReturn;
    await stager.push({
      record: isRefund ? 'REFUND' : 'PAYMENT',
      key: isRefund ? (row.outRefundNo as string) : row.outTradeNo,
      orderNo: row.outTradeNo,
      split: isReturn ? negated(cashOnly(row.amountFen)) : cashOnly(row.amountFen),
      ref: isRefund ? row.refundId : row.transactionId,
      atMs: row.atMs,
    });
  }
  await stager.flush();
  return feeFen;
}

/** The insurance platform's 3202 detail: settlements (fund + account channel) and refunds. */
export async function stageInsurance(
  insurance: InsuranceGateway,
  stager: Stager,
  date: string,
): Promise<void> {
  for await (const rec of insurance.dayRecords(date)) {
    const isReversal = rec.kind === 'REFUND' && rec.refundNo === insuranceReversalNo(rec.medOrgOrd);
    const asRefund = rec.kind === 'REFUND' && !isReversal && rec.refundNo !== undefined;
    await stager.push({
      record: asRefund ? 'REFUND' : 'PAYMENT',
      key: asRefund ? (rec.refundNo as string) : rec.medOrgOrd,
      orderNo: rec.medOrgOrd,
      split: isReversal ? negated(rec.split) : rec.split,
      ref: rec.kind === 'REFUND' ? rec.refundNo : rec.setlId,
      atMs: rec.atMs,
    });
  }
  await stager.flush();
}

/** The HIS daily list: charges and refunds of online orders. */
export async function stageHis(his: HisGateway, stager: Stager, date: string): Promise<void> {
  for await (const rec of his.dailyRecords(date)) {
    if (rec.kind === 'CHARGE') {
      await stager.push({
        record: 'PAYMENT',
        key: rec.orderNo,
        orderNo: rec.orderNo,
        split: rec.split,
        ref: rec.receiptNo,
        atMs: rec.chargedAtMs,
      });
    } else {
      await stager.push({
        record: 'REFUND',
        key: rec.refundNo,
        orderNo: rec.orderNo,
        split: { total: rec.amountFen, fund: 0, account: 0, cash: 0 },
        ref: rec.refundReceiptNo,
        atMs: rec.refundedAtMs,
      });
    }
  }
  await stager.flush();
}
