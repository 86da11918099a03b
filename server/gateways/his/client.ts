/**
 * The HTTP side of the HIS adapter: one JSON POST/GET per port call, through the shared caller (timeout,
 * retries, circuit breaker). Every call is safe to repeat — queries, and lock/unlock/confirm/refund carry
 * their idempotency key (order_no, refund_no) — so all are marked idempotent. A refusal (code ≠ "1") is
 * `rejected` with the HIS's code; "not found" on a lookup is an answer (null), not an error.
 */
import type { z } from 'zod';
import {
  HIS_DAILY_PAGE_SIZE_DEFAULT,
  HIS_PATHS,
  confirmChargeResultSchema,
  dailyChargesSchema,
  hisBillSchema,
  hisPatientSchema,
  hisPath,
  lockBillsResultSchema,
  refundChargeResultSchema,
  unlockBillsResultSchema,
  unpaidBillsSchema,
} from '../../../shared/protocol/his';
import { createHttpCaller, parseJson, type HttpCaller } from '../http';
import {
  GatewayError,
  type HisBill,
  type HisCharge,
  type HisDailyCharges,
  type HisDayRecord,
  type HisGateway,
  type HisPatient,
} from '../ports';
import {
  readEnvelope,
  toConfirmRequest,
  toDailyCharges,
  toDailyPage,
  toDailyPagePath,
  toLockRequest,
  toPatient,
  toPatientQuery,
  toReceipt,
  toRefundReceipt,
  toRefundRequest,
  toRequestedBill,
  toUnlockRequest,
  toUnpaidBills,
  type HisOutcome,
} from './transformers';

export interface HttpHisGatewayOptions {
  /** e.g. http://localhost:3102 */
  baseUrl: string;
  timeoutMs: number;
  /** records per page of the daily list (1…HIS_DAILY_PAGE_SIZE_MAX); default HIS_DAILY_PAGE_SIZE_DEFAULT */
  dailyPageSize?: number;
}

/** Pages one walk of the daily list may take (10 000 × 500 = 5 million records): a runaway cursor stops. */
export const DAILY_PAGES_MAX = 10_000;

/** An answer of the HIS with the HTTP status it came with (a refusal may come as 200 or 4xx). */
interface Reply<T> {
  outcome: HisOutcome<T>;
  httpStatus: number;
}

function refusedWith(reply: Reply<unknown>, code: string): boolean {
  return !reply.outcome.ok && reply.outcome.code === code;
}

function accepted<T>(reply: Reply<T>): T {
  const { outcome } = reply;
  if (outcome.ok) return outcome.data;
  throw new GatewayError(
    'his',
    'rejected',
    `HIS refused: ${outcome.code} ${outcome.message}`,
    outcome.code,
    reply.httpStatus,
  );
}

export class HttpHisGateway implements HisGateway {
  private readonly call: HttpCaller = createHttpCaller('his');
  private readonly baseUrl: string;

  constructor(private readonly options: HttpHisGatewayOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  async findPatient(name: string, idNo: string): Promise<HisPatient | null> {
    const reply = await this.send(
      'POST',
      HIS_PATHS.patientQuery,
      hisPatientSchema,
      toPatientQuery(name, idNo),
    );
    if (refusedWith(reply, 'PATIENT_NOT_FOUND')) return null;
    return toPatient(accepted(reply));
  }

  async listUnpaidBills(hisPatientId: string): Promise<HisBill[]> {
    const path = hisPath(HIS_PATHS.unpaidBills, { patientId: hisPatientId });
    return toUnpaidBills(accepted(await this.send('GET', path, unpaidBillsSchema)), hisPatientId);
  }

  async getBill(billNo: string): Promise<HisBill | null> {
    const reply = await this.send('GET', hisPath(HIS_PATHS.bill, { billNo }), hisBillSchema);
    if (refusedWith(reply, 'BILL_NOT_FOUND')) return null;
    return toRequestedBill(accepted(reply), billNo);
  }

  async lockBills(orderNo: string, hisPatientId: string, billNos: string[]): Promise<void> {
    const request = toLockRequest(orderNo, hisPatientId, billNos);
    accepted(await this.send('POST', HIS_PATHS.lockBills, lockBillsResultSchema, request));
  }

  async unlockBills(orderNo: string, billNos: string[]): Promise<void> {
    const request = toUnlockRequest(orderNo, billNos);
    accepted(await this.send('POST', HIS_PATHS.unlockBills, unlockBillsResultSchema, request));
  }

  async confirmCharge(charge: HisCharge): Promise<{ receiptNo: string }> {
    const request = toConfirmRequest(charge);
    const reply = await this.send('POST', HIS_PATHS.confirmCharge, confirmChargeResultSchema, request);
    return toReceipt(accepted(reply), charge);
  }

  async refundCharge(
    orderNo: string,
    refundNo: string,
    amountFen: number,
  ): Promise<{ refundReceiptNo: string }> {
    const request = toRefundRequest(orderNo, refundNo, amountFen);
    const reply = await this.send('POST', HIS_PATHS.refundCharge, refundChargeResultSchema, request);
    return toRefundReceipt(accepted(reply), request);
  }

  /** The HIS's online charges and refunds of one business day (yyyy-MM-dd, China time), for reconciliation. */
  async listDailyCharges(date: string): Promise<HisDailyCharges> {
    const path = `${HIS_PATHS.dailyCharges}?date=${encodeURIComponent(date)}`;
    return toDailyCharges(accepted(await this.send('GET', path, dailyChargesSchema)), date);
  }

  /**
   * The same list a page at a time (page_size, cursor): charges, then refunds, each page fetched when the
   * consumer has taken the previous one, so memory holds one page. Each page is a query, retried like the
   * others; a cursor that does not move, or more than DAILY_PAGES_MAX pages, is invalid_response.
   */
  dailyRecords(date: string): AsyncIterable<HisDayRecord> {
    const pageSize = this.options.dailyPageSize ?? HIS_DAILY_PAGE_SIZE_DEFAULT;
    toDailyPagePath(HIS_PATHS.dailyCharges, date, pageSize); // a bad date or size throws here
    return { [Symbol.asyncIterator]: () => this.readDaily(date, pageSize) };
  }

  private async *readDaily(date: string, pageSize: number): AsyncGenerator<HisDayRecord> {
    let cursor: string | undefined;
    for (let pages = 1; ; pages++) {
      if (pages > DAILY_PAGES_MAX)
        throw new GatewayError(
          'his',
          'invalid_response',
          `daily list of ${date}: over ${DAILY_PAGES_MAX} pages`,
        );
      const path = toDailyPagePath(HIS_PATHS.dailyCharges, date, pageSize, cursor);
      const page = toDailyPage(accepted(await this.send('GET', path, dailyChargesSchema)), date, pageSize);
      yield* page.records;
      if (page.nextCursor === undefined) return;
      if (page.nextCursor === cursor)
        throw new GatewayError('his', 'invalid_response', `daily list of ${date}: the cursor did not move`);
      cursor = page.nextCursor;
    }
  }

  private async send<T>(
    method: 'GET' | 'POST',
    path: string,
    schema: z.ZodType<T>,
    body?: object,
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.call({
      method,
      url: `${this.baseUrl}${path}`,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: this.options.timeoutMs,
      idempotent: true,
    });
    return { outcome: readEnvelope(parseJson('his', response), schema), httpStatus: response.status };
  }
}
