/**
 * The console's operations page, server side (DESIGN 12): `GET /api/v1/console/ops` for a supervisor — payments
 * per channel over the last hour, the parties as this instance sees them, the DEAD outbox jobs — and
 * `POST /api/v1/console/ops/dead-jobs/:id/retry`, which puts a DEAD job back in the queue, audited — and how
 * often the risk rules fired (per rule and per decision) in the last hour and the last 24 hours.
 */
import { randomUUID } from 'node:crypto';
import type { OpsSummaryView } from '../../shared/api';
import { payInFull } from '../helpers/flow';
import { auditEntries, consoleToken } from '../helpers/console';
import { call, seedPatient, useStack } from '../helpers/stack';

const stack = useStack();
let token: string;

beforeAll(async () => {
  token = await consoleToken(stack);
});

const summary = () => call<OpsSummaryView>(stack.url, 'GET', '/api/v1/console/ops', { token });

describe('GET /api/v1/console/ops', () => {
  it('is for a logged-in supervisor only', async () => {
    expect(await call(stack.url, 'GET', '/api/v1/console/ops')).toMatchObject({ status: 401 });
  });

  it('sums up the last hour per channel and the parties this instance called', async () => {
    await payInFull(stack, await seedPatient(stack), false);
    const answer = await summary();
    expect(answer.status).toBe(200);
    expect(answer.body.lastHour.map((c) => c.channel)).toEqual(['cash', 'insurance', 'mixed']);
    expect(answer.body.lastHour.find((c) => c.channel === 'cash')).toMatchObject({
      started: 1,
      succeeded: 1,
      failed: 0,
      successRate: 1,
    });
    const his = answer.body.parties.find((p) => p.party === 'his');
    expect(his).toMatchObject({ breaker: 'closed', errors: 0 });
    expect(his?.calls).toBeGreaterThan(0);
    expect(his?.p50Ms).toEqual(expect.any(Number));
    expect(his?.p99Ms).toBeGreaterThanOrEqual(his?.p50Ms ?? 0);
    // (a party added later — WeChat's message API, say — comes after these)
    expect(answer.body.parties.map((p) => p.party).slice(0, 4)).toEqual([
      'insurance',
      'his',
      'wechatpay',
      'sms',
    ]);
    expect(answer.body.deadJobs).toEqual({ count: 0, jobs: [] });
  });
});

describe('POST /api/v1/console/ops/dead-jobs/:id/retry', () => {
  it('lists a DEAD job and puts it back in the queue once, audited', async () => {
    const { db } = stack.server.deps;
    const now = new Date(stack.clock.now());
    const [row] = (await db.query(
      `INSERT INTO outbox (kind, dedupe_key, payload, status, attempts, next_attempt_at, last_error, created_at)
       VALUES ('sms_send', $1, '{}', 'DEAD', 8, $2, 'sms gateway refused', $2) RETURNING id::text AS id`,
      [`ops-${randomUUID()}`, now],
    )) as { id: string }[];

    const listed = await summary();
    expect(listed.body.deadJobs.count).toBe(1);
    expect(listed.body.deadJobs.jobs[0]).toMatchObject({
      id: row.id,
      kind: 'sms_send',
      orderId: null,
      orderNo: null,
      attempts: 8,
      lastError: 'sms gateway refused',
    });

    const retry = await call(stack.url, 'POST', `/api/v1/console/ops/dead-jobs/${row.id}/retry`, { token });
    expect(retry).toMatchObject({ status: 200, body: { id: row.id, status: 'PENDING' } });
    const [job] = (await db.query(`SELECT status, attempts, last_error FROM outbox WHERE id = $1`, [
      row.id,
    ])) as { status: string; attempts: number; last_error: string | null }[];
    expect(job).toMatchObject({ status: expect.stringMatching(/^(PENDING|DONE|DEAD)$/) });
    expect(job.status === 'PENDING' ? job.attempts : 0).toBe(0);

    // the job is no longer DEAD (or a second supervisor was quicker): nothing to retry
    await db.query(`UPDATE outbox SET status = 'DONE' WHERE id = $1`, [row.id]);
    expect(
      await call(stack.url, 'POST', `/api/v1/console/ops/dead-jobs/${row.id}/retry`, { token }),
    ).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect(
      await call(stack.url, 'POST', '/api/v1/console/ops/dead-jobs/not-a-number/retry', { token }),
    ).toMatchObject({ status: 400, body: { code: 'INVALID_ID' } });

    const audit = await auditEntries(stack, token, 'outbox.retry');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ target: row.id });
  });
});

describe('the risk hits of GET /api/v1/console/ops', () => {
  it('counts every rule and every decision over the last hour and the last 24 hours', async () => {
    const { db } = stack.server.deps;
    const now = stack.clock.now();
    const before = (await summary()).body.riskHits;
    expect(before.rules.map((r) => r.rule)).toContain('orders_per_card_per_hour');
    expect(before.decisions.map((d) => d.decision)).toEqual(['allow', 'step_up', 'review', 'block']);

    const event = (minutesAgo: number, decision: string, rules: string[]) =>
      db.query(
        `INSERT INTO risk_events (at, action, openid, decision, rules) VALUES ($1, 'checkout', $2, $3, $4)`,
        [new Date(now - minutesAgo * 60_000), `ops-${randomUUID()}`.slice(0, 28), decision, rules],
      );
    await event(5, 'review', ['orders_per_card_per_hour', 'amount_above_history']);
    await event(30, 'block', ['orders_per_card_per_hour']);
    await event(3 * 60, 'review', ['orders_per_card_per_hour']);
    await event(20 * 60, 'allow', []);
    await event(26 * 60, 'block', ['orders_per_card_per_hour']); // over a day ago: not counted

    const after = (await summary()).body.riskHits;
    const rule = (hits: typeof after, id: string) => hits.rules.find((r) => r.rule === id);
    const decision = (hits: typeof after, id: string) => hits.decisions.find((d) => d.decision === id);
    const delta = (a?: { lastHour: number; lastDay: number }, b?: { lastHour: number; lastDay: number }) => ({
      lastHour: (a?.lastHour ?? 0) - (b?.lastHour ?? 0),
      lastDay: (a?.lastDay ?? 0) - (b?.lastDay ?? 0),
    });
    expect(delta(rule(after, 'orders_per_card_per_hour'), rule(before, 'orders_per_card_per_hour'))).toEqual({
      lastHour: 2,
      lastDay: 3,
    });
    expect(delta(rule(after, 'amount_above_history'), rule(before, 'amount_above_history'))).toEqual({
      lastHour: 1,
      lastDay: 1,
    });
    expect(delta(rule(after, 'user_blocked'), rule(before, 'user_blocked'))).toEqual({
      lastHour: 0,
      lastDay: 0,
    });
    expect(delta(decision(after, 'review'), decision(before, 'review'))).toEqual({ lastHour: 1, lastDay: 2 });
    expect(delta(decision(after, 'block'), decision(before, 'block'))).toEqual({ lastHour: 1, lastDay: 1 });
    expect(delta(decision(after, 'allow'), decision(before, 'allow'))).toEqual({ lastHour: 0, lastDay: 1 });
    expect(delta(decision(after, 'step_up'), decision(before, 'step_up'))).toEqual({
      lastHour: 0,
      lastDay: 0,
    });
    // every rule is listed, fired or not
    expect(after.rules.every((r) => r.lastHour <= r.lastDay)).toBe(true);
  });
});
