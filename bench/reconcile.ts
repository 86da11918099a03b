/**
 * `npm run bench:reconcile [-- --orders 10000,100000 --batch 2000 --heap-mb 64]`: the reconciliation scale check. For each
 * size, a generated day of that many paid orders (6 in 10 mixed, 3 cash-only, 1 insurance-only; a few
 * discrepancies planted: charges the HIS lost, WeChat amounts off by a fen, HIS charges with no payment) is
 * written into our database (its own schema, by one COPY) and made available to the three in-process mocks —
 * lazily: the mocks' day (WeChat Pay's trades, the HIS daily list, the platform's day book) is made record by
 * record as their files and pages are cut, so a million orders do not sit in the bench's heap. Then the engine
 * runs in a child process of its own (bench/reconcileWorker.ts), so the memory it reports is the engine's, not
 * the mocks'. Prints time and peak memory per size. Asserts nothing but that the planted discrepancies are found.
 * RECON_WORKER_NODE_ARGS passes node flags to the engine's process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { startStack, type Stack } from '../tests/helpers/stack';
import { testKeys } from '../shared/crypto/keyring';
import { cstDateTime } from '../shared/clock';
import type { Split } from '../shared/money';
import type { Charge } from '../mocks/his/state';
import type { DayEvent } from '../mocks/insurance/daybook';
import type { Order } from '../mocks/insurance/records';
import type { Trade } from '../mocks/wechatpay/state';
import { bulkSettler } from '../tests/helpers/insuranceBulk';
import type { WorkerJob, WorkerResult } from './reconcileWorker';

const DATE = '2026-11-20';
const DAY_START_MS = Date.parse(`${DATE}T00:00:00+08:00`);
const NOW_MS = Date.parse('2026-11-21T10:00:00+08:00');
/** every PLANT_EVERY-th order carries a planted discrepancy */
const PLANT_EVERY = 1000;

interface DayOrder {
  orderNo: string;
  split: Split;
  paidAtMs: number;
  transactionId?: string;
  setlId?: string;
  payOrdId?: string;
  hisLost: boolean;
  wechatOffByOne: boolean;
}

/** The i-th order of the generated day; the same for every store. */
function dayOrder(i: number, n: number): DayOrder {
  const total = 1000 + ((i * 7919) % 90_000);
  const kind = i % 10 < 6 ? 'mixed' : i % 10 < 9 ? 'cash' : 'insurance';
  const fund = kind === 'cash' ? 0 : Math.floor(total / 2);
  const account = kind === 'mixed' ? Math.min(3000, total - fund) : kind === 'insurance' ? total - fund : 0;
  const cash = total - fund - account;
  const no = String(i).padStart(8, '0');
  return {
    orderNo: `MB${DATE.replace(/-/g, '')}${no}`,
    split: { total, fund, account, cash },
    // spread over the day, clear of midnight
    paidAtMs: DAY_START_MS + 60_000 + Math.floor((i * 86_000_000) / n),
    transactionId: cash > 0 ? `4200${no.padStart(24, '0')}` : undefined,
    setlId: fund + account > 0 ? `SETL${no}` : undefined,
    payOrdId: fund + account > 0 ? `PO${no}` : undefined,
    hisLost: i % PLANT_EVERY === 1,
    wechatOffByOne: i % PLANT_EVERY === 2 && cash > 0,
  };
}

/** Our side of the day, streamed into `orders` by one COPY (a million INSERT parameters would take minutes). */
async function fillDatabase(stack: Stack, n: number): Promise<void> {
  const db = stack.db.db;
  const patientId = randomUUID();
  await db.query(
    `INSERT INTO patients (id, openid, his_patient_id, name_enc, name_masked, id_no_enc, id_no_hash, id_no_masked)
     VALUES ($1, 'o-bench', 'P-bench', 'x', '张*', 'x', 'bench', '3601**********0000')`,
    [patientId],
  );
  const runner = db.createQueryRunner();
  const client = (await runner.connect()) as PoolClient;
  try {
    const copy = client.query(
      copyFrom(
        `COPY orders (id, order_no, openid, patient_id, his_patient_id, status, use_insurance, bill_nos, fee_lines,
                      total_fen, fund_fen, account_fen, cash_fen, transaction_id, setl_id, pay_ord_id, receipt_no,
                      expires_at, paid_at, completed_at) FROM STDIN`,
      ),
    );
    const nul = (v: string | undefined) => v ?? '\\N';
    async function* lines(): AsyncGenerator<string> {
      let chunk = '';
      for (let i = 0; i < n; i++) {
        const o = dayOrder(i, n);
        const paid = new Date(o.paidAtMs).toISOString();
        const { total, fund, account, cash } = o.split;
        chunk +=
          `${randomUUID()}\t${o.orderNo}\to-bench\t${patientId}\tP-bench\tCOMPLETED\t${fund + account > 0}\t[]\t[]\t` +
          `${total}\t${fund}\t${account}\t${cash}\t${nul(o.transactionId)}\t${nul(o.setlId)}\t${nul(o.payOrdId)}\t` +
          `R${o.orderNo}\t${paid}\t${paid}\t${new Date(o.paidAtMs + 2000).toISOString()}\n`;
        if (chunk.length > 256 * 1024) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
    }
    await pipeline(Readable.from(lines()), copy);
  } finally {
    await runner.release();
  }
}

/**
 * A read-only array of `length` elements, each made when it is read (`at(i)`): what the mocks read of the day —
 * its length, [i], slice — without a million objects in the mocks' memory for the whole bench.
 */
function dayList<T>(length: number, at: (i: number) => T): readonly T[] {
  const isIndex = (p: string | symbol): p is string =>
    typeof p === 'string' && /^\d+$/.test(p) && Number(p) < length;
  return new Proxy<T[]>([], {
    get: (target, p, receiver) =>
      p === 'length' ? length : isIndex(p) ? at(Number(p)) : Reflect.get(target, p, receiver),
    has: (target, p) => isIndex(p) || Reflect.has(target, p),
  });
}

/** Replaces what an object of a mock answers for `name` (a method, a collection), for this bench's day. */
function override<T extends object>(target: T, name: keyof T & string, value: unknown): void {
  Object.defineProperty(target, name, { value, configurable: true, writable: true });
}

/**
 * WeChat Pay's trades of the day, made as the bill (mocks/wechatpay/bills.ts) iterates them: the mock's trade map
 * answers the day's cash payments from `values()`, nothing else.
 */
function fillWeChat(stack: Stack, n: number): void {
  const { state } = stack.wechat.mock;
  const keys = testKeys().server.wechat;
  const tradeOf = (i: number): Trade | undefined => {
    const o = dayOrder(i, n);
    if (!o.transactionId) return undefined;
    return {
      outTradeNo: o.orderNo,
      appid: keys.appId,
      mchid: keys.mchId,
      description: '门诊缴费',
      notifyUrl: '',
      totalFen: o.split.cash + (o.wechatOffByOne ? 1 : 0),
      openid: 'o-bench',
      createdAtMs: o.paidAtMs - 30_000,
      prepayId: `wx${i}`,
      prepayCreatedAtMs: o.paidAtMs - 30_000,
      requestKey: '',
      state: 'SUCCESS',
      transactionId: o.transactionId,
      successTimeMs: o.paidAtMs,
      refundedFen: 0,
    };
  };
  function* values(): Generator<Trade> {
    for (let i = 0; i < n; i++) {
      const trade = tradeOf(i);
      if (trade) yield trade;
    }
  }
  override(state, 'trades', Object.assign(new Map<string, Trade>(), { values }));
}

/** The i-th order the HIS charged: every order but those it lost (i % PLANT_EVERY === 1). */
function chargedOrder(j: number): number {
  const perBlock = PLANT_EVERY - 1;
  const r = j % perBlock;
  return Math.floor(j / perBlock) * PLANT_EVERY + (r === 0 ? 0 : r + 1);
}

/**
 * The HIS daily list of the day (mocks/his/daily.ts pages it): the orders it charged, then charges with no payment
 * behind them, in recording order; each charge made when the page is cut.
 */
function fillHis(stack: Stack, n: number): void {
  const { state } = stack.his.mock;
  const lost = n > 1 ? Math.floor((n - 2) / PLANT_EVERY) + 1 : 0;
  const charged = n - lost;
  const hisOnly = Math.max(1, Math.floor(n / PLANT_EVERY));
  const chargeAt = (j: number): Charge => {
    if (j >= charged) {
      // HIS charges with no payment behind them
      const k = j - charged;
      const chargedAtMs = DAY_START_MS + 3600_000 + k * 1000;
      return {
        orderNo: `MBHISONLY${String(k).padStart(6, '0')}`,
        receiptNo: `RHIS${k}`,
        patientId: 'P-bench',
        billNos: [`BH${k}`],
        total: 1234,
        fund: 0,
        account: 0,
        cash: 1234,
        payTime: cstDateTime(chargedAtMs),
        chargedAtMs,
        refundedFen: 0,
        fingerprint: '',
        seq: j + 1,
      };
    }
    const i = chargedOrder(j);
    const o = dayOrder(i, n);
    return {
      orderNo: o.orderNo,
      receiptNo: `R${o.orderNo}`,
      patientId: 'P-bench',
      billNos: [`B${i}`],
      total: o.split.total,
      fund: o.split.fund,
      account: o.split.account,
      cash: o.split.cash,
      transactionId: o.transactionId,
      payOrdId: o.payOrdId,
      setlId: o.setlId,
      payTime: cstDateTime(o.paidAtMs),
      chargedAtMs: o.paidAtMs + 2000,
      refundedFen: 0,
      fingerprint: '',
      seq: j + 1,
    };
  };
  const day = { charges: dayList(charged + hisOnly, chargeAt), refunds: [] };
  const dayLists = state.dayLists.bind(state);
  override(state, 'dayLists', (date: string) => (date === DATE ? day : dayLists(date)));
}

/** The i-th order with an insurance part: 6 mixed and 1 insurance-only in every 10 (see dayOrder). */
function insuredOrder(j: number): number {
  const r = j % 7;
  return Math.floor(j / 7) * 10 + (r < 6 ? r : 9);
}

/**
 * The platform's book of the day (3201, 3202 and 9102 read it): one settlement made the normal way
 * (tests/helpers/insuranceBulk.ts), then a copy of it per insured order, with the order's numbers, time and split,
 * made when the file is written.
 */
function fillInsurance(stack: Stack, n: number): void {
  const { state } = stack.insurance.mock;
  const { template, settlement } = bulkSettler(state, DATE, '310');
  // the template itself is not part of the day
  state.orders.delete(template.payOrdId);
  state.days.clear();
  const eventAt = (j: number): DayEvent => {
    const o = dayOrder(insuredOrder(j), n);
    const order: Order = {
      ...template,
      payOrdId: o.payOrdId as string,
      medOrgOrd: o.orderNo,
      totalFen: o.split.total,
      refunds: [],
      settlement: {
        ...settlement,
        setlId: o.setlId as string,
        settledAtMs: o.paidAtMs,
        result: { ...settlement.result, split: o.split },
      },
    };
    return { kind: 'SETTLEMENT', order };
  };
  const events = dayList(Math.floor(n / 10) * 7 + Math.min(n % 10, 6), eventAt);
  const byDate = state.days.events.bind(state.days);
  override(state.days, 'events', (date: string) => (date === DATE ? events : byDate(date)));
}

function runWorker(job: WorkerJob, heapMb: number | undefined): Promise<WorkerResult> {
  const heapCap = heapMb ? [`--max-old-space-size=${heapMb}`] : [];
  // e.g. RECON_WORKER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the engine alone
  const extra = (process.env.RECON_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...heapCap,
        ...extra,
        '--expose-gc',
        '--import',
        'tsx',
        join(__dirname, 'reconcileWorker.ts'),
        JSON.stringify(job),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`the worker exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop() as string) as WorkerResult);
    });
  });
}

async function benchOne(n: number, batchSize: number, heapMb: number | undefined): Promise<void> {
  const stack = await startStack({ memoryStore: true });
  stack.clock.freeze(NOW_MS);
  const tmp = mkdtempSync(join(tmpdir(), 'recon-bench-'));
  try {
    const fillStarted = performance.now();
    await fillDatabase(stack, n);
    fillWeChat(stack, n);
    fillHis(stack, n);
    fillInsurance(stack, n);
    const fillMs = Math.round(performance.now() - fillStarted);
    const keysFile = join(tmp, 'server-keys.json');
    writeFileSync(keysFile, JSON.stringify(testKeys().server), { mode: 0o600 });
    const result = await runWorker(
      {
        dbUrl: stack.db.url,
        schema: stack.db.schema,
        keysFile,
        nowMs: NOW_MS,
        date: DATE,
        batchSize,
        urls: { insurance: stack.insurance.url, his: stack.his.url, wechat: stack.wechat.url },
      },
      heapMb,
    );
    const planted = Math.floor(n / PLANT_EVERY);
    const rate = Math.round((n / result.ms) * 1000);
    console.log(
      `${String(n).padStart(7)} orders  ${String(result.ms).padStart(6)} ms  ${String(rate).padStart(6)} orders/s  ` +
        `engine cpu ${result.cpuMs} ms  ` +
        `heap ${result.heapBaselineMb} → peak ${result.heapPeakMb} MB  rss peak ${result.rssPeakMb} MB  ` +
        `(day generated in ${fillMs} ms)`,
    );
    console.log(`         summary ${JSON.stringify(result.summary)}  (planted: ~${planted} of each kind)`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await stack.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '10000,100000' },
      batch: { type: 'string', default: '2000' },
      /** cap the engine's V8 old space (MB): a day that fits under a small cap shows memory does not grow with it */
      'heap-mb': { type: 'string' },
    },
  });
  process.env.TEST_DATABASE_URL ??= process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const sizes = values.orders.split(',').map(Number);
  const batchSize = Number(values.batch);
  const heapMb = values['heap-mb'] ? Number(values['heap-mb']) : undefined;
  const cap = heapMb ? `, old space capped at ${heapMb} MB` : '';
  console.log(`reconciliation of one generated day, engine in its own process, batch ${batchSize}${cap}:`);
  for (const n of sizes) await benchOne(n, batchSize, heapMb);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
