/**
 * The monitoring metrics over the operations listener (DESIGN 12), on real PostgreSQL + Redis and the mocks:
 * payments per channel counted from order_events by the background refresh, outside calls per party and the
 * breakers fed by gateways/http.ts, DEAD outbox jobs and yesterday's open discrepancies from the database — and
 * every metric that ops/alerts.yml and ops/grafana-dashboard.json use is in our /metrics.
 */
import { randomUUID } from 'node:crypto';
import { cstDate } from '../../shared/clock';
import { checkout, confirmAtWeChat, pay, payInFull, waitForStatus } from '../helpers/flow';
import { createMetrics, databaseRefresh } from '../../server/http/metrics';
import { alertExpressions, dashboardExpressions, metricNames } from '../helpers/monitoring';
import { call, seedPatient, useStack } from '../helpers/stack';

const stack = useStack({ env: { METRICS_CACHE_MS: '0' } });

async function scrape(): Promise<string> {
  const answer = await call<string>(stack.opsUrl, 'GET', '/metrics');
  expect(answer.status).toBe(200);
  return answer.body;
}

/** The value of one series (`name{labels}` exactly as exposed), or undefined. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/**
 * The names exposed: of every sample (histograms with their _bucket/_sum/_count), and of every `# TYPE` line (a
 * labelled counter such as callback_verification_failures_total has no sample until it first counts).
 */
function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const declared = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)/.exec(line);
    if (declared) {
      names.add(declared[1]);
      if (declared[2] === 'histogram')
        for (const s of ['_bucket', '_sum', '_count']) names.add(declared[1] + s);
    } else if (line !== '' && !line.startsWith('#'))
      names.add(/^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? '');
  }
  return names;
}

describe('the monitoring metrics', () => {
  it('count payments per channel from the database, from the first refresh on', async () => {
    await stack.runJobs();
    const before = await scrape();
    for (const channel of ['cash', 'insurance', 'mixed'])
      for (const stage of ['started', 'succeeded', 'failed'])
        expect(value(before, `payments_${stage}_total{channel="${channel}"}`)).toBe(0);

    await payInFull(stack, await seedPatient(stack), false);
    // a cash payment the patient's bank refuses
    const p = await seedPatient(stack);
    const order = await checkout(stack, p, false, randomUUID());
    expect(order.status).toBe(201);
    expect((await pay(stack, p, order.body.id)).status).toBe(200);
    await confirmAtWeChat(stack, order.body.orderNo, 'FAIL');
    // no callback for a failure: the janitor asks WeChat once the order is quiet for 30 s
    stack.clock.advance(31_000);
    await stack.runJobs();
    await waitForStatus(stack, p, order.body.id, ['PAYMENT_FAILED']);
    await stack.runJobs();

    const after = await scrape();
    expect(value(after, 'payments_started_total{channel="cash"}')).toBe(2);
    expect(value(after, 'payments_succeeded_total{channel="cash"}')).toBe(1);
    expect(value(after, 'payments_failed_total{channel="cash"}')).toBe(1);
    expect(value(after, 'payments_started_total{channel="mixed"}')).toBe(0);

    // counted once: another refresh changes nothing
    await stack.runJobs();
    expect(value(await scrape(), 'payments_started_total{channel="cash"}')).toBe(2);
  });

  it('settle what they counted: an event is counted once, before and after its id is settled (60 s on)', async () => {
    const metrics = createMetrics();
    let at = 0;
    const refresh = databaseRefresh(stack.server.deps.db, metrics, stack.clock, () => at);
    const started = async () =>
      (await metrics.paymentsStarted.get()).values.find((v) => v.labels.channel === 'cash')?.value;
    await refresh();
    expect(await started()).toBe(0);
    await payInFull(stack, await seedPatient(stack), false);
    at = 1_000;
    await refresh();
    expect(await started()).toBe(1);
    at = 61_000; // the first mark settles: nothing new
    await refresh();
    at = 62_000; // the mark of 1 s settles the payment's events
    await refresh();
    expect(await started()).toBe(1);
    await payInFull(stack, await seedPatient(stack), false);
    for (at of [63_000, 200_000, 300_000]) {
      await refresh();
      expect(await started()).toBe(2);
    }
  });

  it('time the outside calls per party and show the breakers closed', async () => {
    const text = await scrape();
    expect(value(text, 'outside_calls_total{party="his",outcome="ok"}')).toBeGreaterThan(0);
    expect(value(text, 'outside_calls_total{party="wechatpay",outcome="ok"}')).toBeGreaterThan(0);
    expect(value(text, 'outside_call_duration_seconds_count{party="his"}')).toBeGreaterThan(0);
    expect(text).toContain('outside_call_duration_seconds_bucket{le="0.01",party="his"}');
    for (const party of ['insurance', 'his', 'wechatpay', 'sms'])
      expect(value(text, `circuit_breaker_state{party="${party}"}`)).toBe(0);
  });

  it("show DEAD outbox jobs and yesterday's open discrepancies", async () => {
    const { db } = stack.server.deps;
    const now = new Date(stack.clock.now());
    await db.query(
      `INSERT INTO outbox (kind, dedupe_key, payload, status, attempts, next_attempt_at, created_at)
       VALUES ('sms_send', $1, '{}', 'DEAD', 8, $2, $2)`,
      [`monitoring-${randomUUID()}`, now],
    );
    const yesterday = cstDate(stack.clock.now() - 86_400_000);
    const runId = randomUUID();
    await db.query(
      `INSERT INTO recon_runs (id, date, status, actor, started_at, finished_at) VALUES ($1, $2, 'DONE', 'test', $3, $3)`,
      [runId, yesterday, now],
    );
    for (const kind of ['OVER', 'SHORT', 'CUTOFF', 'MATCHED'])
      await db.query(
        `INSERT INTO recon_rows (run_id, kind, record, order_no, sides, note) VALUES ($1, $2, 'PAYMENT', $3, '{}', '')`,
        [runId, kind, `M${kind}`],
      );
    await db.query(
      `UPDATE recon_rows SET resolution = '{"by":"test"}' WHERE run_id = $1 AND kind = 'SHORT'`,
      [runId],
    );
    // these gauges are read at most every 30 s (of the server's clock)
    stack.clock.advance(30_000);
    await stack.runJobs();
    const text = await scrape();
    expect(value(text, 'outbox_dead')).toBe(1);
    // OVER is open; SHORT was resolved, CUTOFF and MATCHED are not discrepancies to resolve
    expect(value(text, 'reconciliation_open_discrepancies')).toBe(1);
    expect(value(text, 'reconciliation_yesterday_run_done')).toBe(1);
  });

  it('expose every metric the alert rules and the dashboard use', async () => {
    const exposed = exposedNames(await scrape());
    const used = new Set([...alertExpressions(), ...dashboardExpressions()].flatMap(metricNames));
    expect(used.size).toBeGreaterThanOrEqual(10);
    expect([...used].filter((name) => !exposed.has(name))).toEqual([]);
  });
});
