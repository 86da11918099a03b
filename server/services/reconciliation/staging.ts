/**
 * Stage 1 of a run: what each source says of the day goes into `recon_items`, one row per record, in batches of
 * RECON_BATCH_SIZE — the sources are read as streams, so memory holds one batch, never the day.
 *
 * Keys: a payment is keyed by our order number (also WeChat's out_trade_no, 6201 medOrgOrd and the HIS order
 * no.), a refund by our refund number (out_refund_no, 6203 appRefdSn, the HIS refund no.). Money given back
 * because the order did not complete — the insurance reversal (6203 `RV…`, services/payment/close.ts) and the return
 * of a payment that arrived after the order closed (WeChat refund `LR…`, services/payment/late.ts) — is folded
 * into the order's payment as a negative amount, so such an order nets to zero.
 */
import type { DataSource } from 'typeorm';
import type { Split } from '../../../shared/money';
import type { HisGateway, InsuranceGateway, WeChatPayGateway } from '../../gateways/ports';
import { BOOKED_ORDER_STATUSES, type ReconSourceName } from '../../domain/reconciliation';
import { insertReconItems, stageOurItems, type ReconItem } from '../../db/recon/items';
import { latePaymentRefundNo } from '../payment/late';
import { insuranceReversalNo } from '../payment/insuranceReversal';

export type StagedItem = ReconItem;

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
    await insertReconItems(this.db, this.runId, this.source, b);
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
  await stageOurItems(db, runId, { date, start, end }, BOOKED_ORDER_STATUSES, CLOSED_DAY_LOOKBACK_DAYS);
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
