import { randomUUID } from 'node:crypto';
import { freshDatabase, type TestDb } from '../helpers/db';
import { StateConflict, insertOrderEvent, transitionOrder } from '../../server/db/orders';
import { appendPosting, readTrialBalance } from '../../server/db/ledger';
import { claimDue, enqueue, markDone, markFailed } from '../../server/db/outbox';
import { settlementPosting, refundPosting } from '../../server/domain/ledger';
import { IllegalTransition } from '../../server/domain/orderStateMachine';

let t: TestDb;
beforeAll(async () => {
  t = await freshDatabase();
});
afterAll(async () => {
  await t.drop();
});

async function insertOrder(status = 'CREATED'): Promise<string> {
  const id = randomUUID();
  const patientId = randomUUID();
  await t.db.query(
    `INSERT INTO patients (id, openid, his_patient_id, name_enc, name_masked, id_no_enc, id_no_hash, id_no_masked) VALUES ($1,'o1','P1','x','x','x',$2,'x')`,
    [patientId, randomUUID()],
  );
  await t.db.query(
    `INSERT INTO orders (id, order_no, openid, patient_id, his_patient_id, status, use_insurance, bill_nos, fee_lines, total_fen, fund_fen, account_fen, cash_fen, expires_at)
     VALUES ($1,$2,'o1',$3,'P1',$4,false,'[]','[]',100,0,0,100, now())`,
    [id, `MO${id.slice(0, 8)}`, patientId, status],
  );
  return id;
}

describe('transitionOrder', () => {
  it('moves the state, bumps the version and writes an event in the same transaction', async () => {
    const id = await insertOrder();
    const at = new Date();
    const row = await t.db.transaction((m) =>
      transitionOrder(
        m,
        id,
        ['CREATED'],
        'PRESETTLED',
        { split: { total: 100, fund: 30, account: 20, cash: 50 } },
        { actor: 'test', reason: 'r', at },
      ),
    );
    expect(row.status).toBe('PRESETTLED');
    expect(row.version).toBe(1);
    expect([row.fundFen, row.accountFen, row.cashFen]).toEqual([30, 20, 50]);
    const events = (await t.db.query(`SELECT from_status, to_status FROM order_events WHERE order_id = $1`, [
      id,
    ])) as { from_status: string; to_status: string }[];
    expect(events).toEqual([{ from_status: 'CREATED', to_status: 'PRESETTLED' }]);
  });

  it('refuses a write whose expected state is stale (a lost race is visible)', async () => {
    const id = await insertOrder('PRESETTLED');
    await expect(
      t.db.transaction((m) =>
        transitionOrder(m, id, ['CREATED'], 'CANCELLED', {}, { actor: 't', reason: 'r', at: new Date() }),
      ),
    ).rejects.toBeInstanceOf(StateConflict);
  });

  it('refuses a transition the state machine does not allow before touching the row', async () => {
    const id = await insertOrder('CREATED');
    await expect(
      t.db.transaction((m) =>
        transitionOrder(m, id, ['CREATED'], 'PAID', {}, { actor: 't', reason: 'r', at: new Date() }),
      ),
    ).rejects.toBeInstanceOf(IllegalTransition);
  });

  it('lets exactly one of two concurrent transitions win', async () => {
    const id = await insertOrder('AWAITING_PAYMENT');
    const attempt = () =>
      t.db.transaction((m) =>
        transitionOrder(m, id, ['AWAITING_PAYMENT'], 'PAID', {}, { actor: 't', reason: 'r', at: new Date() }),
      );
    const results = await Promise.allSettled([attempt(), attempt(), attempt()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof StateConflict)).toHaveLength(
      2,
    );
  });

  it('rejects a split that breaks total = fund + account + cash (database check too)', async () => {
    const id = await insertOrder();
    await expect(
      t.db.transaction((m) =>
        transitionOrder(
          m,
          id,
          ['CREATED'],
          'PRESETTLED',
          { split: { total: 100, fund: 30, account: 20, cash: 49 } },
          { actor: 't', reason: 'r', at: new Date() },
        ),
      ),
    ).rejects.toThrow(/total = fund/);
    await expect(t.db.query(`UPDATE orders SET cash_fen = 1 WHERE id = $1`, [id])).rejects.toThrow(/check/);
    await insertOrderEvent(t.db.manager, id, 'CREATED', { actor: 't', reason: 'r', at: new Date() });
  });
});

describe('ledger', () => {
  it('keeps the trial balance at zero and allows one settlement posting per order', async () => {
    const id = await insertOrder('PAID');
    const split = { total: 1000, fund: 600, account: 300, cash: 100 };
    await appendPosting(t.db.manager, id, 'settlement', settlementPosting(split), new Date());
    await expect(
      appendPosting(t.db.manager, id, 'settlement', settlementPosting(split), new Date()),
    ).rejects.toThrow(/duplicate key/);
    await appendPosting(
      t.db.manager,
      id,
      'refund',
      refundPosting({ total: 100, fund: 0, account: 0, cash: 100 }),
      new Date(),
    );
    const balance = await readTrialBalance(t.db);
    expect(balance.net).toBe(0);
  });
});

describe('outbox', () => {
  it('hands a due job to one claimer only, and retries after a failure', async () => {
    const id = await insertOrder('PAID');
    await enqueue(t.db.manager, 'his_confirm', `k:${id}`, id, {}, new Date(0));
    await enqueue(t.db.manager, 'his_confirm', `k:${id}`, id, {}, new Date(0)); // deduplicated
    const now = new Date();
    const [a, b] = await Promise.all([claimDue(t.db, now, 60_000, 10), claimDue(t.db, now, 60_000, 10)]);
    const mine = [...a, ...b].filter((j) => j.orderId === id);
    expect(mine).toHaveLength(1);
    expect(mine[0].attempts).toBe(1);
    await markFailed(t.db, mine[0].id, 'HIS down', new Date(now.getTime() + 1000), now);
    expect((await claimDue(t.db, now, 60_000, 10)).filter((j) => j.orderId === id)).toHaveLength(0);
    const later = await claimDue(t.db, new Date(now.getTime() + 1001), 60_000, 10);
    expect(later.filter((j) => j.orderId === id)).toHaveLength(1);
    await markDone(t.db, later[0].id, now);
  });
});
