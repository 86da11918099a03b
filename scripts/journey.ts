/**
 * One patient's journey over HTTP, as the mini-program and a patient would drive it: used by `npm run demo`
 * (printing each step) and `npm run bench` (timing each call). The patient is created fresh at the mocks.
 */
import { randomBytes, randomUUID } from 'node:crypto';

export interface Endpoints {
  api: string;
  wechat: string;
  his: string;
  insurance: string;
}

export interface Split {
  total: number;
  fund: number;
  account: number;
  cash: number;
}

export type StepName = 'login' | 'bind' | 'authorize' | 'bills' | 'checkout' | 'pay' | 'confirm' | 'complete';

export interface JourneyOptions {
  insured: boolean;
  balanceFen?: number;
  onStep?: (step: StepName, ms: number, detail: unknown) => void;
  /** each call the patient's phone makes (to our API or to WeChat Pay), by route, with its duration */
  onCall?: (call: string, ms: number) => void;
  completeTimeoutMs?: number;
  /** delay before the i-th look at the order after paying (default 50 ms: a demo should not wait) */
  pollDelayMs?: (attempt: number) => number;
}

async function http<T>(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function ok<T>(what: string, promise: Promise<{ status: number; body: T }>): Promise<T> {
  const answer = await promise;
  if (answer.status >= 300)
    throw new Error(`${what} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

let seq = 0;
export function freshIdNo(): string {
  seq = (seq + 1) % 10_000;
  const body = `3601021990${String(Date.now() % 1e3).padStart(3, '0')}${String(seq).padStart(4, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = body.split('').reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return body + '10X98765432'[sum % 11];
}

const TEXT_WAIT_MS = 10_000;
const TEXT_POLL_MS = 50;

/** The newest code the server texted to `phone` (its outbox sends it within moments), bounded. */
async function textedCode(e: Endpoints, phone: string): Promise<string> {
  const deadline = Date.now() + TEXT_WAIT_MS;
  while (Date.now() < deadline) {
    const texts = await ok('SMS', http<{ code?: string }[]>('GET', `${e.his}/__admin/sms?phone=${phone}`));
    if (texts[0]?.code) return texts[0].code;
    await new Promise((resolve) => setTimeout(resolve, TEXT_POLL_MS));
  }
  throw new Error(`no code was texted to ${phone} within ${TEXT_WAIT_MS} ms`);
}

export const JOURNEY_ITEMS = [
  { code: '110200002', name: '诊查费', price: 2000, qty: 1, insuranceClass: 'A' },
  { code: '250101001', name: '血常规', price: 3000, qty: 1, insuranceClass: 'A' },
  { code: '210103001', name: 'CT平扫', price: 35000, qty: 1, insuranceClass: 'B' },
  { code: 'XJ01DCA001', name: '头孢呋辛酯片', price: 4550, qty: 2, insuranceClass: 'B' },
];

export interface JourneyResult {
  orderId: string;
  orderNo: string;
  split: Split;
  status: string;
  receiptNo?: string;
  totalMs: number;
}

export async function runJourney(e: Endpoints, options: JourneyOptions): Promise<JourneyResult> {
  const started = performance.now();
  const step = async <T>(name: StepName, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await fn();
    options.onStep?.(name, performance.now() - t0, result);
    return result;
  };
  const call = async <T>(
    route: string,
    request: Promise<{ status: number; body: T }>,
  ): Promise<{ status: number; body: T }> => {
    const t0 = performance.now();
    const answer = await request;
    options.onCall?.(route, performance.now() - t0);
    return answer;
  };
  const name = `患者${randomBytes(2).toString('hex')}`;
  const idNo = freshIdNo();
  const phone = `139${String(randomBytes(4).readUInt32BE() % 100_000_000).padStart(8, '0')}`;
  const { patientId: hisPatientId } = await ok(
    'HIS patient',
    http<{ patientId: string }>('POST', `${e.his}/__admin/patients`, { name, idNo, phone }),
  );
  const bill = await ok(
    'HIS bill',
    http<{ billNo: string; amount: number }>('POST', `${e.his}/__admin/bills`, {
      patientId: hisPatientId,
      items: JOURNEY_ITEMS,
    }),
  );
  const person = options.insured
    ? await ok(
        'insured person',
        http<{ authCode: string }>('POST', `${e.insurance}/__admin/persons`, {
          name,
          idNo,
          insutype: '310',
          balance: options.balanceFen ?? 20000,
        }),
      )
    : undefined;
  const loginCode = await ok(
    'login code',
    http<{ code: string }>('POST', `${e.wechat}/__admin/login-codes`, {}),
  );

  const { token } = await step('login', () =>
    ok(
      'login',
      call(
        'POST /session',
        http<{ token: string }>('POST', `${e.api}/api/v1/session`, { code: loginCode.code }),
      ),
    ),
  );
  const auth = { authorization: `Bearer ${token}` };
  const patient = await step('bind', async () => {
    // card ownership: the code texted to the phone the HIS holds comes back (the SMS platform mock keeps it)
    const started = await ok(
      'bind',
      call(
        'POST /patients',
        http<{ verificationId: string }>('POST', `${e.api}/api/v1/patients`, { name, idNo }, auth),
      ),
    );
    const code = await textedCode(e, phone);
    return ok(
      'verify',
      call(
        'POST /patients/verifications/:id',
        http<{ id: string; idNoMasked: string }>(
          'POST',
          `${e.api}/api/v1/patients/verifications/${started.verificationId}`,
          { code },
          auth,
        ),
      ),
    );
  });
  if (person) {
    await step('authorize', () =>
      ok(
        'authorize',
        call(
          'POST /patients/:id/insurance-authorizations',
          http<{ eligible: boolean }>(
            'POST',
            `${e.api}/api/v1/patients/${patient.id}/insurance-authorizations`,
            { authCode: person.authCode },
            auth,
          ),
        ),
      ),
    );
  }
  await step('bills', () =>
    ok(
      'bills',
      call(
        'GET /patients/:id/bills',
        http<unknown[]>('GET', `${e.api}/api/v1/patients/${patient.id}/bills`, undefined, auth),
      ),
    ),
  );
  const order = await step('checkout', () =>
    ok(
      'checkout',
      call(
        'POST /orders',
        http<{ id: string; orderNo: string; split: Split }>(
          'POST',
          `${e.api}/api/v1/orders`,
          { patientId: patient.id, billNos: [bill.billNo], useInsurance: !!person },
          { ...auth, 'idempotency-key': randomUUID() },
        ),
      ),
    ),
  );
  await step('pay', () =>
    ok(
      'pay',
      call(
        'POST /orders/:id/payments',
        http<unknown>('POST', `${e.api}/api/v1/orders/${order.id}/payments`, undefined, auth),
      ),
    ),
  );
  await step('confirm', () =>
    ok(
      'confirm',
      call(
        'WeChat Pay: pay',
        http<unknown>('POST', `${e.wechat}/__admin/payments/confirm`, { outTradeNo: order.orderNo }),
      ),
    ),
  );
  const final = await step('complete', async () => {
    const deadline = Date.now() + (options.completeTimeoutMs ?? 30_000);
    for (let attempt = 0; ; attempt++) {
      const o = await ok(
        'order',
        call(
          'GET /orders/:id',
          http<{ status: string; receiptNo?: string; split: Split }>(
            'GET',
            `${e.api}/api/v1/orders/${order.id}`,
            undefined,
            auth,
          ),
        ),
      );
      if (o.status === 'COMPLETED' || Date.now() > deadline) return o;
      await new Promise((r) => setTimeout(r, options.pollDelayMs?.(attempt) ?? 50));
    }
  });
  return {
    orderId: order.id,
    orderNo: order.orderNo,
    split: final.split,
    status: final.status,
    receiptNo: final.receiptNo,
    totalMs: performance.now() - started,
  };
}

export function endpointsFromEnv(): Endpoints {
  const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  return {
    api: process.env.API_BASE_URL ?? `http://127.0.0.1:${port('PORT', 3000)}`,
    insurance: process.env.INSURANCE_BASE_URL ?? `http://127.0.0.1:${port('INSURANCE_MOCK_PORT', 3101)}`,
    his: process.env.HIS_BASE_URL ?? `http://127.0.0.1:${port('HIS_MOCK_PORT', 3102)}`,
    wechat: process.env.WECHATPAY_BASE_URL ?? `http://127.0.0.1:${port('WECHATPAY_MOCK_PORT', 3103)}`,
  };
}
