/**
 * The set-based part of a run (server/db/recon/match.ts) against the rules it stands in for: a few hundred
 * generated payment records — parties present or not, amounts equal or a fen off, items split in two, our order
 * in any state, paid on the day or on a closed day before — go through staging (COPY), grouping and the rows
 * INSERT, and every row must say exactly what domain/reconciliation.ts says of the same record, in the order of
 * the keys. Also: odd characters survive COPY, and a party that fails leaves nothing behind.
 */
import { randomUUID } from 'node:crypto';
import type { Split } from '../../shared/money';
import { freshDatabase, type TestDb } from '../helpers/db';
import { classifyRecord, type ReconCandidate, type ReconSide } from '../../server/domain/reconciliation';
import type { OrderStatusName } from '../../shared/api';
import { insertRun } from '../../server/db/recon/runs';
import { sidesOf } from '../../server/db/recon/json';
import { StageCopy } from '../../server/db/recon/copy';
import type { ReconItem } from '../../server/db/recon/items';
import { inReconSession } from '../../server/db/recon/session';
import { matchAndWrite } from '../../server/services/reconciliation/match';
import { stageDay, type Parties } from '../../server/services/reconciliation/staging';
import { GatewayError } from '../../server/gateways/ports';

const DATE = '2026-11-20';
const DAY_START_MS = Date.parse(`${DATE}T00:00:00+08:00`);
const PARTIES = ['wechat', 'insurance', 'his'] as const;
type Source = 'ours' | (typeof PARTIES)[number];

let t: TestDb;
let patientId: string;
beforeAll(async () => {
  t = await freshDatabase();
  patientId = randomUUID();
  await t.db.query(
    `INSERT INTO patients (id, openid, his_patient_id, name_enc, name_masked, id_no_enc, id_no_hash, id_no_masked)
     VALUES ($1, 'o1', 'P1', 'x', 'x', 'x', $2, 'x')`,
    [patientId, randomUUID()],
  );
});
afterAll(async () => {
  await t.drop();
});

/** a small deterministic generator (mulberry32) */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface Generated {
  orderNo: string;
  order?: { id: string; status: OrderStatusName; paidAtMs: number; completedAtMs: number };
  items: { source: Source; item: ReconItem }[];
}

const SOURCES = ['ours', ...PARTIES] as const;
const FIELDS = ['total', 'fund', 'account', 'cash'] as const;

/** One way a record differs from a payment every party agrees on (or none). */
type Deviation =
  | { kind: 'none' }
  | { kind: 'missing' | 'unexpected'; source: Source }
  | { kind: 'amount'; source: Source; field: (typeof FIELDS)[number] }
  | { kind: 'status'; status: OrderStatusName }
  | { kind: 'no-order' | 'closed-day' };

const DEVIATIONS: readonly Deviation[] = [
  ...SOURCES.map((source) => ({ kind: 'missing' as const, source })),
  ...SOURCES.map((source) => ({ kind: 'unexpected' as const, source })),
  ...SOURCES.flatMap((source) => FIELDS.map((field) => ({ kind: 'amount' as const, source, field }))),
  ...(['PAID', 'CANCELLED', 'PARTIALLY_REFUNDED', 'REFUNDED'] as const).map((status) => ({
    kind: 'status' as const,
    status,
  })),
  { kind: 'no-order' },
  { kind: 'closed-day' },
];

/** The i-th record: half of them agreed payments, the others off in exactly one way (DEVIATIONS, in turn). */
function generate(i: number, random: () => number): Generated {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const deviation: Deviation = i % 2 === 0 ? { kind: 'none' } : DEVIATIONS[((i - 1) / 2) % DEVIATIONS.length];
  const orderNo = `MO${String(i).padStart(6, '0')}`;
  const total = 100 + Math.floor(random() * 10_000);
  const kind = pick(['mixed', 'cash', 'insurance'] as const);
  const fund = kind === 'cash' ? 0 : Math.floor(total / 2);
  const account = kind === 'mixed' ? Math.min(300, total - fund) : kind === 'insurance' ? total - fund : 0;
  const split: Split = { total, fund, account, cash: total - fund - account };
  // paid on the day, or on the day before (closed in this test)
  const paidAtMs =
    (deviation.kind === 'closed-day' ? DAY_START_MS - 3600_000 : DAY_START_MS + 60_000) + i * 1000;
  const status = deviation.kind === 'status' ? deviation.status : 'COMPLETED';
  const order =
    deviation.kind === 'no-order'
      ? undefined
      : { id: randomUUID(), status, paidAtMs, completedAtMs: paidAtMs + 2000 };
  const present: Record<Source, boolean> = {
    ours: true,
    wechat: split.cash > 0,
    insurance: split.fund + split.account > 0,
    his: true,
  };
  if (deviation.kind === 'missing') present[deviation.source] = false;
  if (deviation.kind === 'unexpected') present[deviation.source] = true;
  const items: Generated['items'] = [];
  for (const source of SOURCES) {
    if (!present[source]) continue;
    const side: Split =
      source === 'wechat' ? { total: split.cash, fund: 0, account: 0, cash: split.cash } : { ...split };
    if (deviation.kind === 'amount' && deviation.source === source) side[deviation.field] += pick([1, -1]);
    const ref = random() < 0.9 ? `${source.toUpperCase()}${i}` : undefined;
    const atMs = random() < 0.9 ? paidAtMs + Math.floor(random() * 5000) : undefined;
    if (random() < 0.1) {
      // the same record in two items (e.g. a payment and its reversal): the sides are their sums
      const half: Split = {
        total: side.total - 1,
        fund: side.fund,
        account: side.account,
        cash: side.cash - 1,
      };
      const rest: Split = { total: 1, fund: 0, account: 0, cash: 1 };
      items.push({ source, item: { record: 'PAYMENT', key: orderNo, orderNo, split: half, ref, atMs } });
      items.push({
        source,
        item: { record: 'PAYMENT', key: orderNo, orderNo, split: rest, ref: `${ref ?? ''}~`, atMs },
      });
    } else {
      items.push({ source, item: { record: 'PAYMENT', key: orderNo, orderNo, split: side, ref, atMs } });
    }
  }
  if (items.length === 0)
    items.push({ source: 'his', item: { record: 'PAYMENT', key: orderNo, orderNo, split } });
  return { orderNo, order, items };
}

/** What the rules say of a generated record, and the sides its row must keep. */
function expectedRow(g: Generated): { kind: string; note: string; sides: Record<string, ReconSide> } {
  const sides: Record<string, ReconSide> = {};
  for (const { source, item } of g.items) {
    const s = sides[source];
    const refs = [s?.ref, item.ref].filter((r): r is string => r !== undefined).sort();
    const ats = [s?.atMs, item.atMs].filter((a): a is number => a !== undefined);
    sides[source] = {
      total: (s?.total ?? 0) + item.split.total,
      fund: (s?.fund ?? 0) + item.split.fund,
      account: (s?.account ?? 0) + item.split.account,
      cash: (s?.cash ?? 0) + item.split.cash,
      ...(refs.length > 0 ? { ref: refs[refs.length - 1] } : {}),
      ...(ats.length > 0 ? { atMs: Math.max(...ats) } : {}),
    };
  }
  const cst = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
  const candidate: ReconCandidate = {
    record: 'PAYMENT',
    orderNo: g.orderNo,
    ...sides,
    order: g.order && {
      orderId: g.order.id,
      status: g.order.status,
      paidDay: cst(g.order.paidAtMs),
      hisDay: cst(g.order.completedAtMs),
    },
  };
  return { ...classifyRecord(candidate, DATE), sides };
}

async function insertOrders(generated: Generated[]): Promise<void> {
  for (const g of generated) {
    if (!g.order) continue;
    await t.db.query(
      `INSERT INTO orders (id, order_no, openid, patient_id, his_patient_id, status, use_insurance, bill_nos, fee_lines,
                           total_fen, fund_fen, account_fen, cash_fen, expires_at, paid_at, completed_at)
       VALUES ($1, $2, 'o1', $3, 'P1', $4, false, '[]', '[]', 100, 0, 0, 100, $5, $5, $6)`,
      [
        g.order.id,
        g.orderNo,
        patientId,
        g.order.status,
        new Date(g.order.paidAtMs),
        new Date(g.order.completedAtMs),
      ],
    );
  }
}

async function newRun(): Promise<string> {
  const runId = randomUUID();
  await insertRun(t.db, runId, DATE, 'test', new Date());
  return runId;
}

describe('reconciliation: the set-based match', () => {
  it('says of every record what the rules say, in key order; agreed payments are most of them', async () => {
    // the day before is closed: payments paid then are never agreed set-based
    const closedRun = await newRun();
    await t.db.query(
      `INSERT INTO daily_closes (date, run_id, closed_by, closed_at) VALUES ('2026-11-19', $1, 'test', $2)`,
      [closedRun, new Date(DAY_START_MS)],
    );
    const random = prng(20261120);
    const generated = Array.from({ length: 1200 }, (_, i) => generate(i, random));
    await insertOrders(generated);
    const runId = await newRun();
    const summary = await inReconSession(t.db, async (session) => {
      const copy = StageCopy.open(session.client);
      // shuffled: the staging order must not matter
      const all = generated.flatMap((g) => g.items).sort(() => random() - 0.5);
      for (const { source, item } of all) await copy.sink(source).push(item);
      await copy.end();
      return matchAndWrite(session.m, runId, DATE, 17);
    });
    const rows = (await t.db.query(
      `SELECT kind, record, order_no, refund_no, order_id, note, sides FROM recon_rows WHERE run_id = $1 ORDER BY id`,
      [runId],
    )) as {
      kind: string;
      record: string;
      order_no: string;
      refund_no: string | null;
      order_id: string | null;
      note: string;
      sides: unknown;
    }[];
    expect(rows.map((r) => r.order_no)).toEqual(generated.map((g) => g.orderNo));
    for (const [i, row] of rows.entries()) {
      const g = generated[i];
      const expected = expectedRow(g);
      expect({ orderNo: row.order_no, kind: row.kind, note: row.note }).toEqual({
        orderNo: g.orderNo,
        kind: expected.kind,
        note: expected.note,
      });
      expect(sidesOf(row.sides)).toEqual(expected.sides);
      expect(row.record).toBe('PAYMENT');
      expect(row.refund_no).toBeNull();
      expect(row.order_id).toBe(g.order?.id ?? null);
    }
    const kinds = rows.map((r) => r.kind);
    expect(summary.matched).toBe(kinds.filter((k) => k === 'MATCHED').length);
    expect(summary.amountMismatch).toBe(kinds.filter((k) => k === 'AMOUNT_MISMATCH').length);
    expect(summary.matched).toBeGreaterThanOrEqual(600);
    expect(new Set(kinds).size).toBeGreaterThanOrEqual(4);
  });

  it('keeps tabs, newlines and backslashes of a party’s values through COPY', async () => {
    const runId = await newRun();
    const odd = 'a\tb\nc\\d\re';
    await inReconSession(t.db, async (session) => {
      const copy = StageCopy.open(session.client);
      await copy.sink('his').push({
        record: 'REFUND',
        key: `K${odd}`,
        orderNo: `O${odd}`,
        split: { total: 5, fund: 0, account: 0, cash: 0 },
        ref: odd,
        atMs: DAY_START_MS,
      });
      await copy.end();
      await matchAndWrite(session.m, runId, DATE, 10);
    });
    const [row] = (await t.db.query(`SELECT order_no, refund_no, sides FROM recon_rows WHERE run_id = $1`, [
      runId,
    ])) as { order_no: string; refund_no: string; sides: unknown }[];
    expect(row.order_no).toBe(`O${odd}`);
    expect(row.refund_no).toBe(`K${odd}`);
    expect(sidesOf(row.sides).his).toEqual({
      total: 5,
      fund: 0,
      account: 0,
      cash: 0,
      ref: odd,
      atMs: DAY_START_MS,
    });
  });

  it('a party that fails stops the others and leaves nothing staged or written', async () => {
    const runId = await newRun();
    const failure = new GatewayError('his', 'unavailable', 'daily list: the HIS is down');
    let wechatRows = 0;
    const parties = {
      wechat: {
        async *tradeBill() {
          for (let i = 0; ; i++) {
            wechatRows += 1;
            yield {
              kind: 'PAYMENT',
              outTradeNo: `W${i}`,
              transactionId: `T${i}`,
              amountFen: 100,
              feeFen: 1,
              atMs: DAY_START_MS,
            };
            await new Promise((resolve) => setImmediate(resolve));
          }
        },
      },
      insurance: {
        async *dayRecords() {
          yield* [];
        },
      },
      his: {
        dailyRecords: () => ({
          [Symbol.asyncIterator]: () => ({
            next: async () => {
              await new Promise((resolve) => setTimeout(resolve, 20));
              throw failure;
            },
          }),
        }),
      },
    } as unknown as Parties;
    await expect(
      inReconSession(t.db, async (session) => {
        await stageDay(t.db, session, parties, DATE);
        await matchAndWrite(session.m, runId, DATE, 10);
      }),
    ).rejects.toBe(failure);
    expect(wechatRows).toBeGreaterThan(0);
    const [{ n }] = (await t.db.query(`SELECT count(*)::int AS n FROM recon_rows WHERE run_id = $1`, [
      runId,
    ])) as {
      n: number;
    }[];
    expect(n).toBe(0);
    // the pool's connection is fine afterwards, with no staging table left
    const [{ left }] = (await t.db.query(
      `SELECT to_regclass('pg_temp.recon_stage') IS NOT NULL AS left`,
    )) as {
      left: boolean;
    }[];
    expect(left).toBe(false);
  });
});
