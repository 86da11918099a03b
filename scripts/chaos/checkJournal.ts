/**
 * create-at-most-once (issue 14): from the mocks' request journals (mocks/common/journal.ts), every external
 * create took effect at most once per idempotent key. A retried create answered with the same result is fine;
 * two different results for one key (two med-ins orders, two refunds, two HIS receipts, two platform orders)
 * are a violation. The journal is bounded: when it is full, older creates may have fallen out of it, and the
 * check says it cannot vouch for the run.
 */
import type { JournalEntry } from '../../mocks/common/journal';
import { Findings } from './oracleReport';

/**
 * The capacity of the mocks' journals: MOCK_JOURNAL_MAX as the mocks were started with it (the chaos runner sets
 * it for its mocks' process and in its own environment), else the mocks' default of 2000.
 */
export function journalCapacity(): number {
  return Number(process.env.MOCK_JOURNAL_MAX ?? 2000);
}

export interface Journals {
  insurance: JournalEntry[];
  his: JournalEntry[];
  wechat: JournalEntry[];
}

interface CreateKind {
  name: string;
  mock: keyof Journals;
  /** the entries that are such a create */
  is(e: JournalEntry): boolean;
  /** answered as done (a refusal or a 5xx created nothing) */
  succeeded(e: JournalEntry): boolean;
  key(e: JournalEntry): string | undefined;
  /** what the create did, as the party answered it: two different effects for one key are a violation */
  effect(e: JournalEntry): string | undefined;
  /** the order the key belongs to, for the report */
  orderNo(e: JournalEntry): string | undefined;
}

function json(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const ok2xx = (e: JournalEntry) => e.status >= 200 && e.status < 300 && e.fault === undefined;
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** the refund receipt of an HIS refund answered as done (mocks/his/wire.ts refundToWire) */
function hisRefundReceipt(e: JournalEntry): string | undefined {
  const data = json(e.responseBody)?.data as Record<string, unknown> | undefined;
  return str(data?.refund_receipt_no);
}

const CREATE_KINDS: CreateKind[] = [
  {
    name: 'WeChat JSAPI order',
    mock: 'wechat',
    is: (e) => e.method === 'POST' && e.path === '/v3/pay/transactions/jsapi',
    succeeded: ok2xx,
    key: (e) => e.tags.outTradeNo,
    // one out_trade_no is one trade at WeChat; a create with another amount or payer would be another payment
    effect: (e) => {
      const body = json(e.requestBody);
      const amount = body?.amount as { total?: unknown } | undefined;
      const payer = body?.payer as { openid?: unknown } | undefined;
      return `amount ${String(amount?.total)} payer ${String(payer?.openid)}`;
    },
    orderNo: (e) => e.tags.outTradeNo,
  },
  {
    name: 'WeChat med-ins order',
    mock: 'wechat',
    is: (e) => e.method === 'POST' && e.path === '/v3/med-ins/orders',
    succeeded: ok2xx,
    key: (e) => e.tags.outTradeNo,
    effect: (e) => e.tags.mixTradeNo ?? str(json(e.responseBody)?.mix_trade_no),
    orderNo: (e) => e.tags.outTradeNo,
  },
  {
    name: 'WeChat refund',
    mock: 'wechat',
    is: (e) => e.method === 'POST' && e.path === '/v3/refund/domestic/refunds',
    succeeded: ok2xx,
    key: (e) => e.tags.outRefundNo,
    effect: (e) => str(json(e.responseBody)?.refund_id),
    orderNo: (e) => e.tags.outTradeNo,
  },
  {
    name: 'HIS charge confirm',
    mock: 'his',
    is: (e) => e.method === 'POST' && e.path === '/his/charges/confirm',
    succeeded: (e) => ok2xx(e) && e.tags.receiptNo !== undefined,
    key: (e) => e.tags.orderNo,
    effect: (e) => e.tags.receiptNo,
    orderNo: (e) => e.tags.orderNo,
  },
  {
    name: 'HIS refund',
    mock: 'his',
    is: (e) => e.method === 'POST' && e.path === '/his/charges/refund',
    succeeded: (e) => ok2xx(e) && hisRefundReceipt(e) !== undefined,
    key: (e) => e.tags.refundNo,
    effect: hisRefundReceipt,
    orderNo: (e) => e.tags.orderNo,
  },
  {
    name: 'insurance 6201 upload',
    mock: 'insurance',
    is: (e) => e.tags.infno === '6201',
    succeeded: (e) => ok2xx(e) && e.tags.error === undefined,
    key: (e) => e.tags.medOrgOrd,
    effect: (e) => e.tags.payOrdId,
    orderNo: (e) => e.tags.medOrgOrd,
  },
  {
    name: 'insurance 6202 pre-settlement',
    mock: 'insurance',
    is: (e) => e.tags.infno === '6202',
    succeeded: (e) => ok2xx(e) && e.tags.error === undefined,
    key: (e) => e.tags.payOrdId,
    // the answer is sealed; what a 6202 is for (which order of which person) is in its tags
    effect: (e) => `${e.tags.medOrgOrd} ${e.tags.psnNo}`,
    orderNo: (e) => e.tags.medOrgOrd,
  },
  {
    name: 'insurance 6203 refund',
    mock: 'insurance',
    is: (e) => e.tags.infno === '6203',
    succeeded: (e) => ok2xx(e) && e.tags.error === undefined,
    key: (e) => e.tags.appRefdSn,
    // one refund serial refunds one order
    effect: (e) => e.tags.payOrdId,
    orderNo: (e) => e.tags.medOrgOrd,
  },
];

export function checkCreatesOnce(journals: Journals, f: Findings): void {
  const check = 'create-at-most-once';
  for (const mock of Object.keys(journals) as (keyof Journals)[]) {
    const size = journals[mock].length;
    f.count(`${check}:journal-${mock}`, size);
    if (size >= journalCapacity())
      f.fail(
        check,
        undefined,
        `the ${mock} mock's journal holds ${size} entries, its capacity (${journalCapacity()}, MOCK_JOURNAL_MAX): older requests ` +
          'may have fallen out, so creates cannot be proven at most once; run fewer journeys or check more often',
      );
  }
  for (const kind of CREATE_KINDS) {
    const byKey = new Map<string, { effects: Map<string, number>; orderNo?: string; calls: number }>();
    for (const e of journals[kind.mock]) {
      if (!kind.is(e)) continue;
      const key = kind.key(e);
      if (key === undefined) continue;
      const entry = byKey.get(key) ?? { effects: new Map<string, number>(), calls: 0 };
      entry.calls += 1;
      entry.orderNo ??= kind.orderNo(e);
      if (kind.succeeded(e)) {
        const effect = kind.effect(e) ?? '(unreadable answer)';
        entry.effects.set(effect, (entry.effects.get(effect) ?? 0) + 1);
      }
      byKey.set(key, entry);
    }
    f.count(check, byKey.size);
    f.count(`${check}:${kind.name}`, byKey.size);
    for (const [key, { effects, orderNo, calls }] of byKey) {
      if (effects.size <= 1) continue;
      f.fail(
        check,
        orderNo,
        `${kind.name} ${key} took effect ${effects.size} different ways in ${calls} calls: ` +
          [...effects].map(([effect, n]) => `${effect} (${n}×)`).join(', '),
      );
    }
  }
}
