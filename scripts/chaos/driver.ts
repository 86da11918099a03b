/**
 * The chaos driver: runs the plan's journeys with a concurrency over HTTP through the proxy, as the
 * mini-program and a patient would — login with a WeChat login code, binding with the texted code, insurance
 * authorization with the authCode, checkout and pay with idempotency keys, confirm in the WeChat sheet, the
 * result page polling every 500 ms — and the cashier's side through the console API (refunds, approving a
 * patient's refund request). A journey that runs out of retries is given up: the patient walked away.
 */
import { randomUUID } from 'node:crypto';
import { JOURNEY_ITEMS } from '../journey';
import { callWithRetries, expectOk, GaveUp } from './client';
import type { JourneyPlan } from './plan';

export interface DriverEndpoints {
  api: string;
  his: string;
  insurance: string;
  wechat: string;
  /** the mocks' chaos control (POST /reopen) */
  control: string;
}

export interface DriverOptions {
  endpoints: DriverEndpoints;
  consoleToken: () => Promise<string>;
  paymentWindowMs: number;
  concurrency: number;
  /** the run's seed, so identities differ between runs that share a database */
  seed: number;
  onProgress?: (done: number) => void;
}

export interface JourneyRecord {
  index: number;
  orderNo?: string;
  /** the order's status when the driver left it (quiesce settles the rest) */
  lastStatus?: string;
  /** what happened: completed, refunded, cancelled, expired, latePaid, … or gaveUp:<step> / refused:<step> */
  outcome: string;
}

const POLL_MS = 500;
const POLL_MAX_MS = 60_000;
const SMS_WAIT_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An 18-digit ID number with a valid check digit, unique per (seed, index, role). */
function idNo(seed: number, index: number, year: string): string {
  const body = `360102${year}${String((seed * 100_003 + index) % 10_000_000).padStart(7, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = body.split('').reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return body + '10X98765432'[sum % 11];
}

interface Order {
  id: string;
  orderNo: string;
  status: string;
  split: { total: number; fund: number; account: number; cash: number };
}

const SETTLED = ['COMPLETED', 'CANCELLED', 'EXPIRED', 'PAYMENT_FAILED', 'REFUNDED', 'PARTIALLY_REFUNDED'];

class Journey {
  private token = '';
  private readonly auth = () => ({ authorization: `Bearer ${this.token}` });
  readonly record: JourneyRecord;
  private step = 'start';

  constructor(
    private readonly plan: JourneyPlan,
    private readonly o: DriverOptions,
  ) {
    this.record = { index: plan.index, outcome: 'started' };
  }

  private get e(): DriverEndpoints {
    return this.o.endpoints;
  }

  private admin<T>(what: string, base: string, method: string, path: string, body?: unknown): Promise<T> {
    return expectOk<T>(what, method, `${base}${path}`, { body });
  }

  private api<T>(method: string, path: string, body?: unknown, key?: string) {
    const headers: Record<string, string> = this.auth();
    if (key) headers['idempotency-key'] = key;
    return callWithRetries<T>(this.step, method, `${this.e.api}/api/v1${path}`, { body, headers });
  }

  private async apiOk<T>(method: string, path: string, body?: unknown, key?: string): Promise<T> {
    const answer = await this.api<T>(method, path, body, key);
    if (answer.status >= 300) throw new GaveUp(this.step, answer.status, JSON.stringify(answer.body));
    return answer.body;
  }

  async run(): Promise<JourneyRecord> {
    try {
      await this.drive();
    } catch (err) {
      if (!(err instanceof GaveUp)) throw err;
      const refused = err.lastStatus !== undefined && err.lastStatus < 500;
      this.record.outcome = `${refused ? 'refused' : 'gaveUp'}:${this.step}`;
    }
    return this.record;
  }

  private async drive(): Promise<void> {
    const { plan, o } = this;
    const insured = plan.kind !== 'cash-only';
    const name = `患者${plan.index.toString(36)}`;
    const id = idNo(o.seed, plan.index, '1990');
    const phone = `139${String((o.seed * 7919 + plan.index) % 100_000_000).padStart(8, '0')}`;
    this.step = 'setup';
    const { patientId: hisPatientId } = await this.admin<{ patientId: string }>(
      'HIS patient',
      this.e.his,
      'POST',
      '/__admin/patients',
      { name, idNo: id, phone },
    );
    const bill = await this.admin<{ billNo: string }>('HIS bill', this.e.his, 'POST', '/__admin/bills', {
      patientId: hisPatientId,
      items: JOURNEY_ITEMS,
    });
    const person = insured
      ? await this.admin<{ psnNo: string; authCode: string }>(
          'person',
          this.e.insurance,
          'POST',
          '/__admin/persons',
          {
            name,
            idNo: id,
            insutype: '310',
            // insurance-only: the personal account covers what the fund does not
            balance: plan.kind === 'insurance-only' ? 10_000_000 : 3000,
            ...(plan.family
              ? { holder: { name: `家属${plan.index.toString(36)}`, idNo: idNo(o.seed, plan.index, '1965') } }
              : {}),
          },
        )
      : undefined;
    const { code } = await this.admin<{ code: string }>(
      'login code',
      this.e.wechat,
      'POST',
      '/__admin/login-codes',
      {},
    );

    this.step = 'login';
    this.token = (await this.apiOk<{ token: string }>('POST', '/session', { code })).token;
    this.step = 'bind';
    const { verificationId } = await this.apiOk<{ verificationId: string }>(
      'POST',
      '/patients',
      { name, idNo: id },
      randomUUID(),
    );
    const texted = await this.textedCode(phone);
    const patient = await this.apiOk<{ id: string }>(
      'POST',
      `/patients/verifications/${verificationId}`,
      { code: texted },
      randomUUID(),
    );
    if (person) {
      this.step = 'authorize';
      await this.apiOk(
        'POST',
        `/patients/${patient.id}/insurance-authorizations`,
        { authCode: person.authCode },
        randomUUID(),
      );
      if (plan.insuranceRefuses)
        await this.admin('suspend', this.e.insurance, 'PATCH', `/__admin/persons/${person.psnNo}`, {
          status: 'SUSPENDED',
        });
    }
    this.step = 'checkout';
    const order = await this.apiOk<Order>(
      'POST',
      '/orders',
      { patientId: patient.id, billNos: [bill.billNo], useInsurance: insured },
      randomUUID(),
    );
    this.record.orderNo = order.orderNo;
    this.record.lastStatus = order.status;
    this.step = 'pay';
    await this.apiOk('POST', `/orders/${order.id}/payments`, undefined, randomUUID());
    await this.finish(order);
  }

  private async finish(order: Order): Promise<void> {
    const { plan } = this;
    switch (plan.ending) {
      case 'cancel':
        this.step = 'cancel';
        await this.apiOk('POST', `/orders/${order.id}/cancel`, undefined, randomUUID());
        this.record.outcome = 'cancelled';
        return;
      case 'expire':
        this.record.outcome = 'walkedAway';
        return;
      case 'latePay': {
        this.step = 'latePay';
        const status = await this.pollUntil(
          order.id,
          ['EXPIRED', 'CANCELLED', 'PAYMENT_FAILED'],
          this.o.paymentWindowMs + POLL_MAX_MS,
        );
        if (status !== 'EXPIRED') {
          this.record.outcome = `latePay:not-expired:${status}`;
          return;
        }
        await expectOk('reopen', 'POST', `${this.e.control}/reopen`, {
          body: { orderNo: order.orderNo },
        }).catch(() => undefined);
        await this.confirm(order, 'SUCCESS');
        this.record.outcome = 'latePaid';
        return;
      }
      case 'payFail':
        this.step = 'confirm';
        await this.confirm(order, 'FAIL');
        this.record.outcome = `payFail:${await this.pollUntil(order.id, SETTLED, POLL_MAX_MS)}`;
        return;
      case 'pay':
        break;
    }
    this.step = 'confirm';
    await this.confirm(order, 'SUCCESS');
    this.step = 'result';
    const status = await this.pollUntil(order.id, SETTLED, POLL_MAX_MS);
    if (status !== 'COMPLETED') {
      this.record.outcome = `paid:${status}`;
      return;
    }
    this.record.outcome = 'completed';
    if (plan.aftermath !== 'none') await this.refund(order);
  }

  /** The patient confirms in the WeChat sheet (the mock plays WeChat); a refusal there is an outcome, not a failure. */
  private async confirm(order: Order, result: 'SUCCESS' | 'FAIL'): Promise<void> {
    const answer = await callWithRetries('confirm', 'POST', `${this.e.wechat}/__admin/payments/confirm`, {
      body: { outTradeNo: order.orderNo, result },
    });
    if (answer.status >= 300) this.record.outcome = `confirmRefused:${answer.status}`;
  }

  private async refund(order: Order): Promise<void> {
    const { plan } = this;
    const reason = 'chaos';
    this.step = plan.aftermath;
    const consoleAuth = { authorization: `Bearer ${await this.o.consoleToken()}` };
    const consoleCall = (path: string, body: unknown) =>
      expectOk<{ id: string }>(this.step, 'POST', `${this.e.api}/api/v1/console${path}`, {
        body,
        headers: consoleAuth,
        retries: 0,
      });
    if (plan.aftermath === 'patientRequest') {
      const request = await this.apiOk<{ id: string }>(
        'POST',
        `/orders/${order.id}/refund-requests`,
        { reason },
        randomUUID(),
      );
      await consoleCall(`/refund-requests/${request.id}/approve`, {});
    } else if (plan.aftermath === 'cashierFull') {
      await consoleCall(`/orders/${order.id}/refunds`, { reason });
    } else {
      const amount = Math.max(1, Math.floor((order.split.total * plan.partialPercent) / 100));
      await consoleCall(`/orders/${order.id}/refunds`, { amount, reason });
    }
    this.step = 'refundResult';
    const status = await this.pollUntil(order.id, ['REFUNDED', 'PARTIALLY_REFUNDED'], POLL_MAX_MS);
    this.record.outcome = `refund:${status}`;
  }

  private async pollUntil(orderId: string, statuses: string[], maxMs: number): Promise<string> {
    const deadline = Date.now() + maxMs;
    let status = 'unknown';
    while (Date.now() < deadline) {
      const answer = await this.api<Order>('GET', `/orders/${orderId}`).catch(() => undefined);
      if (answer && answer.status === 200) {
        status = answer.body.status;
        this.record.lastStatus = status;
        if (statuses.includes(status)) return status;
      }
      await sleep(POLL_MS);
    }
    return `timeout(${status})`;
  }

  private async textedCode(phone: string): Promise<string> {
    const deadline = Date.now() + SMS_WAIT_MS;
    while (Date.now() < deadline) {
      const texts = await this.admin<{ code?: string }[]>(
        'SMS',
        this.e.his,
        'GET',
        `/__admin/sms?phone=${phone}`,
      );
      if (texts[0]?.code) return texts[0].code;
      await sleep(POLL_MS);
    }
    throw new GaveUp('sms', undefined, `no code texted to ${phone}`);
  }
}

/** Runs every journey of the plan, `concurrency` at a time; one record each. */
export async function drive(journeys: JourneyPlan[], o: DriverOptions): Promise<JourneyRecord[]> {
  const records: JourneyRecord[] = new Array<JourneyRecord>(journeys.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < journeys.length) {
      const plan = journeys[next++];
      try {
        records[plan.index] = await new Journey(plan, o).run();
      } catch (err) {
        records[plan.index] = {
          index: plan.index,
          outcome: `error:${err instanceof Error ? err.message.slice(0, 80) : String(err)}`,
        };
      }
      o.onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, journeys.length) }, worker));
  return records;
}
