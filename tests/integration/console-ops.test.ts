/**
 * The console's operations page, server side (DESIGN 12): `GET /api/v1/console/ops` for a supervisor — payments
 * per channel over the last hour, the parties as this instance sees them, the DEAD outbox jobs — and
 * `POST /api/v1/console/ops/dead-jobs/:id/retry`, which puts a DEAD job back in the queue, audited.
 */
import { randomUUID } from 'node:crypto';
import type { OpsSummaryView } from '../../server/services/console/ops';
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
    expect(answer.body.parties.map((p) => p.party)).toEqual(['insurance', 'his', 'wechatpay', 'sms']);
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
