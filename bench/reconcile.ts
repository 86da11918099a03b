/**
 * `npm run bench:reconcile [-- --orders 10000,100000 --batch 2000 --heap-mb 64]`: the reconciliation scale check. For each
 * size, a generated day of that many paid orders (6 in 10 mixed, 3 cash-only, 1 insurance-only; a few
 * discrepancies planted: charges the HIS lost, WeChat amounts off by a fen, HIS charges with no payment) is
 * written into our database (its own schema) and into the three in-process mocks; then the engine runs in a
 * child process of its own (bench/reconcileWorker.ts), so the memory it reports is the engine's, not the
 * mocks'. Prints time and peak memory per size. Asserts nothing but that the planted discrepancies are found.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startStack, type Stack } from '../tests/helpers/stack';
import { testKeys } from '../shared/crypto/keyring';
import { cstDateTime } from '../shared/clock';
import type { Split } from '../shared/money';
import type { Charge } from '../mocks/his/state';
import { bulkSettler } from '../tests/helpers/insuranceBulk';
import type { WorkerJob, WorkerResult } from './reconcileWorker';

const DATE = '2026-11-20';
const DAY_START_MS = Date.parse(`${DATE}T00:00:00+08:00`);
const NOW_MS = Date.parse('2026-11-21T10:00:00+08:00');
/** every PLANT_EVERY-th order carries a planted discrepancy */
const PLANT_EVERY = 1000;
const INSERT_BATCH = 5000;

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

async function fillDatabase(stack: Stack, n: number): Promise<void> {
  const db = stack.db.db;
  const patientId = randomUUID();
  await db.query(
    `INSERT INTO patients (id, openid, his_patient_id, name_enc, name_masked, id_no_enc, id_no_hash, id_no_masked)
     VALUES ($1, 'o-bench', 'P-bench', 'x', '张*', 'x', 'bench', '3601**********0000')`,
    [patientId],
  );
  for (let from = 0; from < n; from += INSERT_BATCH) {
    const orders = Array.from({ length: Math.min(INSERT_BATCH, n - from) }, (_, k) => dayOrder(from + k, n));
    await db.query(
      `INSERT INTO orders (id, order_no, openid, patient_id, his_patient_id, status, use_insurance, bill_nos, fee_lines,
                           total_fen, fund_fen, account_fen, cash_fen, transaction_id, setl_id, pay_ord_id, receipt_no,
                           expires_at, paid_at, completed_at)
       SELECT gen_random_uuid(), o, 'o-bench', $1, 'P-bench', 'COMPLETED', f + a > 0, '[]', '[]', t, f, a, c, tx, s, p,
              'R' || o, paid, paid, paid + interval '2 seconds'
         FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[], $8::text[],
                     $9::text[], $10::timestamptz[]) AS u(o, t, f, a, c, tx, s, p, paid)`,
      [
        patientId,
        orders.map((o) => o.orderNo),
        orders.map((o) => o.split.total),
        orders.map((o) => o.split.fund),
        orders.map((o) => o.split.account),
        orders.map((o) => o.split.cash),
        orders.map((o) => o.transactionId ?? null),
        orders.map((o) => o.setlId ?? null),
        orders.map((o) => o.payOrdId ?? null),
        orders.map((o) => new Date(o.paidAtMs)),
      ],
    );
  }
}

function fillWeChat(stack: Stack, n: number): void {
  const { state } = stack.wechat.mock;
  const keys = testKeys().server.wechat;
  for (let i = 0; i < n; i++) {
    const o = dayOrder(i, n);
    if (!o.transactionId) continue;
    state.trades.set(o.orderNo, {
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
    });
  }
}

function fillHis(stack: Stack, n: number): void {
  const { state } = stack.his.mock;
  for (let i = 0; i < n; i++) {
    const o = dayOrder(i, n);
    if (o.hisLost) continue;
    const charge: Charge = {
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
      seq: state.nextRecordSeq(),
    };
    state.recordCharge(charge);
  }
  // HIS charges with no payment behind them
  for (let k = 0; k < Math.max(1, Math.floor(n / PLANT_EVERY)); k++) {
    const chargedAtMs = DAY_START_MS + 3600_000 + k * 1000;
    state.recordCharge({
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
      seq: state.nextRecordSeq(),
    });
  }
}

/** One settlement made the normal way, then copied with each order's split (tests/helpers/insuranceBulk.ts). */
function fillInsurance(stack: Stack, n: number): void {
  const { state } = stack.insurance.mock;
  const settler = bulkSettler(state, DATE, '310');
  // the template itself is not part of the day
  state.orders.delete(settler.template.payOrdId);
  state.days.clear();
  for (let i = 0; i < n; i++) {
    const o = dayOrder(i, n);
    if (!o.payOrdId || !o.setlId) continue;
    settler.book({
      payOrdId: o.payOrdId,
      medOrgOrd: o.orderNo,
      setlId: o.setlId,
      settledAtMs: o.paidAtMs,
      split: o.split,
    });
  }
}

function runWorker(job: WorkerJob, heapMb: number | undefined): Promise<WorkerResult> {
  const heapCap = heapMb ? [`--max-old-space-size=${heapMb}`] : [];
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...heapCap,
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
