/**
 * The chaos run's invariant checker (issue 14 item 2): once the run is quiet, an independent oracle compares our
 * database (read with its own SQL, oracleData.ts) with what the insurance platform, the HIS and WeChat Pay say
 * through their admin APIs, and the mocks' journals. Each check has a stable id and counts what it looked at:
 *
 * - order-terminal: orders, refunds and outbox jobs at rest (checkOurs.ts)
 * - his-agrees, insurance-agrees, wechat-agrees, late-returned: the parties agree (checkParties.ts)
 * - ledger-balanced, ledger-per-order, refund-within-paid: our books (checkOurs.ts)
 * - create-at-most-once: the journals (checkJournal.ts)
 * - reconciliation-explained: each day's latest reconciliation run (checkRecon.ts)
 */
import { AdminClient, type Answer } from '../../mocks/common/admin-client/client';
import type { JournalEntry } from '../../mocks/common/journal';
import type { InvariantContext, InvariantReport } from './types';
import { openOracle, readOracleDb, readReconciliation, type OracleDb } from './oracleData';
import { Findings } from './oracleReport';
import { checkLedger, checkOrderTerminal, checkRefundWithinPaid } from './checkOurs';
import {
  checkHis,
  checkInsurance,
  checkLateReturned,
  checkWeChat,
  type HisBillView,
  type HisChargeView,
  type PartyViews,
  type SettlementView,
  type WeChatOrderView,
} from './checkParties';
import { checkCreatesOnce, journalCapacity, type Journals } from './checkJournal';
import { checkReconciliation } from './checkRecon';

/** How many admin calls are in flight at once. */
const CONCURRENCY = 16;

async function eachLimited<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
}

/** The body of a 2xx, null for a 404; anything else is the checker's failure, not a finding. */
function bodyOr404<T>(answer: Answer<T>): T | null {
  if (answer.ok) return answer.body;
  if (answer.status === 404) return null;
  throw new Error(`${answer.mock} ${answer.method} ${answer.path}: ${answer.error}`);
}

const seg = encodeURIComponent;

async function readParties(admin: AdminClient, db: OracleDb): Promise<PartyViews> {
  const views: PartyViews = {
    bills: new Map(),
    charges: new Map(),
    settlements: new Map(),
    wechat: new Map(),
  };
  const billNos = [...new Set(db.orders.flatMap((o) => o.billNos))];
  await eachLimited(billNos, async (billNo) => {
    views.bills.set(billNo, bodyOr404(await admin.call<HisBillView>('his', 'GET', `/bills/${seg(billNo)}`)));
  });
  await eachLimited(db.orders, async (o) => {
    const [charge, wechat, settlements] = await Promise.all([
      admin.call<HisChargeView>('his', 'GET', `/charges/${seg(o.orderNo)}`),
      admin.call<WeChatOrderView>('wechatpay', 'GET', `/orders/${seg(o.orderNo)}`),
      o.useInsurance || o.payOrdId
        ? admin.call<SettlementView[]>(
            'insurance',
            'GET',
            `/settlements?medOrgOrd=${seg(o.orderNo)}&limit=10`,
          )
        : undefined,
    ]);
    views.charges.set(o.orderNo, bodyOr404(charge));
    views.wechat.set(o.orderNo, bodyOr404(wechat));
    views.settlements.set(o.orderNo, settlements ? (bodyOr404(settlements) ?? []) : []);
  });
  return views;
}

async function readJournals(admin: AdminClient): Promise<Journals> {
  const read = async (mock: 'insurance' | 'his' | 'wechatpay') => {
    const answer = await admin.journal(mock, { limit: String(journalCapacity()) });
    const entries = bodyOr404(answer);
    if (!entries) throw new Error(`${mock} has no journal`);
    return entries as JournalEntry[];
  };
  const [insurance, his, wechat] = await Promise.all([read('insurance'), read('his'), read('wechatpay')]);
  return { insurance, his, wechat };
}

/** "now" as the run's parties see it: the mocks share the run's clock (else their own, near the wall clock). */
async function nowOf(admin: AdminClient): Promise<number> {
  const clock = bodyOr404(await admin.clock('wechatpay'));
  return clock?.nowMs ?? Date.now();
}

export async function checkInvariants(
  ctx: InvariantContext,
  options: {
    /** runs the reconciliation of a day first (the server's own, e.g. reconcileDay or the console API);
     * without it the latest run already in the database is read */
    reconcile?: (date: string) => Promise<unknown>;
  } = {},
): Promise<InvariantReport> {
  const admin = new AdminClient({
    adminBase: {
      insurance: `${ctx.insuranceUrl.replace(/\/+$/, '')}/__admin`,
      his: `${ctx.hisUrl.replace(/\/+$/, '')}/__admin`,
      wechatpay: `${ctx.wechatUrl.replace(/\/+$/, '')}/__admin`,
    },
    fetch: (url, init) => fetch(url, init),
    timeoutMs: 30_000,
  });
  const f = new Findings();
  for (const check of [
    'order-terminal',
    'his-agrees',
    'insurance-agrees',
    'wechat-agrees',
    'late-returned',
    'ledger-balanced',
    'ledger-per-order',
    'refund-within-paid',
    'create-at-most-once',
    'reconciliation-explained',
  ])
    f.count(check, 0);

  const client = await openOracle(ctx.databaseUrl, ctx.schema);
  try {
    const db = await readOracleDb(client);
    const [views, journals, nowMs] = await Promise.all([
      readParties(admin, db),
      readJournals(admin),
      nowOf(admin),
    ]);
    checkOrderTerminal(db, nowMs, f);
    checkHis(db, views, f);
    checkInsurance(db, views, f);
    checkWeChat(db, views, f);
    checkLateReturned(db, views, f);
    checkLedger(db, f);
    checkRefundWithinPaid(db, f);
    checkCreatesOnce(journals, f);
    for (const date of options.reconcile ? ctx.days : []) await options.reconcile?.(date);
    const recon = await readReconciliation(client, ctx.days);
    checkReconciliation(ctx.days, recon.runs, recon.rows, f);
  } finally {
    await client.end();
  }
  return f.report();
}
