/**
 * Stage 1 of a run: what each source says of the day goes into the run's staging table (db/recon/items.ts), one
 * row per record, all four sources at once into one COPY (db/recon/copy.ts) — ours straight from our tables, the
 * three parties' files as they are parsed: memory holds a chunk of lines, never a file.
 *
 * Keys: a payment is keyed by our order number (also WeChat's out_trade_no, 6201 medOrgOrd and the HIS order
 * no.), a refund by our refund number (out_refund_no, 6203 appRefdSn, the HIS refund no.). Money given back
 * because the order did not complete — the insurance reversal (6203 `RV…`, services/payment/close.ts) and the return
 * of a payment that arrived after the order closed (WeChat refund `LR…`, services/payment/late.ts) — is folded
 * into the order's payment as a negative amount, so such an order nets to zero.
 */
import type { Split } from '../../../shared/money';
import type { HisGateway, InsuranceGateway, WeChatPayGateway } from '../../gateways/ports';
import { BOOKED_ORDER_STATUSES } from '../../domain/reconciliation';
import type { DataSource } from 'typeorm';
import { copyOurItems } from '../../db/recon/items';
import { StageCopy, type ItemSink } from '../../db/recon/copy';
import type { ReconSession } from '../../db/recon/session';
import { latePaymentRefundNo } from '../payment/late';
import { insuranceReversalNo } from '../payment/insuranceReversal';

/** [start, end) of a China business day. */
export function dayBounds(date: string): { start: Date; end: Date } {
  const start = new Date(`${date}T00:00:00+08:00`);
  return { start, end: new Date(start.getTime() + 24 * 3600_000) };
}

/** How far back a payment booked after its day was closed is looked for (a day's payments settle in days). */
export const CLOSED_DAY_LOOKBACK_DAYS = 31;

/**
 * Our side, straight from our tables: payments booked (paid) on the day, refunds completed on it — and
 * payments paid on an earlier day that had already been closed (日结) when we booked them (a callback or the
 * janitor confirmed them after the close): the closed day cannot take them, so this day's run shows them for a
 * person (domain/reconciliation.ts: `bookedAfterClose`).
 */
export async function stageOurs(db: DataSource, copy: StageCopy, date: string): Promise<void> {
  const { start, end } = dayBounds(date);
  await copyOurItems(db, { date, start, end }, BOOKED_ORDER_STATUSES, CLOSED_DAY_LOOKBACK_DAYS, (rows) =>
    copy.pipe(rows),
  );
}

const negated = (s: Split): Split => ({ total: -s.total, fund: -s.fund, account: -s.account, cash: -s.cash });
const cashOnly = (amountFen: number): Split => ({ total: amountFen, fund: 0, account: 0, cash: amountFen });

/** WeChat Pay's trade bill: payments and refunds of the cash channel. Returns the day's fees (fen). */
export async function stageWeChat(wechat: WeChatPayGateway, sink: ItemSink, date: string): Promise<number> {
  let feeFen = 0;
  for await (const row of wechat.tradeBill(date)) {
    feeFen += row.feeFen;
    const isReturn = row.kind === 'REFUND' && row.outRefundNo === latePaymentRefundNo(row.outTradeNo);
    const isRefund = row.kind === 'REFUND' && row.outRefundNo !== undefined && !isReturn;
    await sink.push({
      record: isRefund ? 'REFUND' : 'PAYMENT',
      key: isRefund ? (row.outRefundNo as string) : row.outTradeNo,
      orderNo: row.outTradeNo,
      split: isReturn ? negated(cashOnly(row.amountFen)) : cashOnly(row.amountFen),
      ref: isRefund ? row.refundId : row.transactionId,
      atMs: row.atMs,
    });
  }
  return feeFen;
}

/** The insurance platform's 3202 detail: settlements (fund + account channel) and refunds. */
export async function stageInsurance(
  insurance: InsuranceGateway,
  sink: ItemSink,
  date: string,
): Promise<void> {
  for await (const rec of insurance.dayRecords(date)) {
    const isReversal = rec.kind === 'REFUND' && rec.refundNo === insuranceReversalNo(rec.medOrgOrd);
    const asRefund = rec.kind === 'REFUND' && !isReversal && rec.refundNo !== undefined;
    await sink.push({
      record: asRefund ? 'REFUND' : 'PAYMENT',
      key: asRefund ? (rec.refundNo as string) : rec.medOrgOrd,
      orderNo: rec.medOrgOrd,
      split: isReversal ? negated(rec.split) : rec.split,
      ref: rec.kind === 'REFUND' ? rec.refundNo : rec.setlId,
      atMs: rec.atMs,
    });
  }
}

/** The HIS daily list: charges and refunds of online orders. */
export async function stageHis(his: HisGateway, sink: ItemSink, date: string): Promise<void> {
  for await (const rec of his.dailyRecords(date)) {
    if (rec.kind === 'CHARGE') {
      await sink.push({
        record: 'PAYMENT',
        key: rec.orderNo,
        orderNo: rec.orderNo,
        split: rec.split,
        ref: rec.receiptNo,
        atMs: rec.chargedAtMs,
      });
    } else {
      await sink.push({
        record: 'REFUND',
        key: rec.refundNo,
        orderNo: rec.orderNo,
        split: { total: rec.amountFen, fund: 0, account: 0, cash: 0 },
        ref: rec.refundReceiptNo,
        atMs: rec.refundedAtMs,
      });
    }
  }
}

export interface Parties {
  wechat: WeChatPayGateway;
  insurance: InsuranceGateway;
  his: HisGateway;
}

/**
 * The day from every source into the session's staging table, all four read at once through one COPY: ours (on a
 * connection of its own) and the three parties' files. The first source that fails stops the others and the COPY
 * (nothing of it stays) and is what this throws. Returns WeChat Pay's fees of the day (fen).
 */
export async function stageDay(
  db: DataSource,
  session: ReconSession,
  parties: Parties,
  date: string,
): Promise<number> {
  const copy = StageCopy.open(session.client);
  let firstFailure: { err: unknown } | undefined;
  const read = <T>(staging: Promise<T>): Promise<T> =>
    staging.catch(async (err: unknown) => {
      firstFailure ??= { err };
      await copy.abort(err);
      throw err;
    });
  const [wechat] = await Promise.allSettled([
    read(stageWeChat(parties.wechat, copy.sink('wechat'), date)),
    read(stageInsurance(parties.insurance, copy.sink('insurance'), date)),
    read(stageHis(parties.his, copy.sink('his'), date)),
    read(stageOurs(db, copy, date)),
  ]);
  if (firstFailure || wechat.status === 'rejected') throw firstFailure?.err;
  await copy.end();
  return wechat.value;
}
