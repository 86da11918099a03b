/**
 * The chaos run (scripts/chaos/main.ts) end to end: the mocks and a server instance as child processes on the
 * real PostgreSQL and Redis, 200 seeded journeys of every kind through the proxy while faults, lost, duplicated
 * and replayed callbacks, kills (every 15 s) and connection terminations happen; then quiesce and the invariant
 * checker. Nothing may be left open and no promise broken. Tuned to about 2 minutes on a 2-core machine: a 10 s
 * payment window, 30 journeys at once.
 */
import { runChaos } from '../../scripts/chaos/main';
import { renderReport } from '../../scripts/chaos/report';

jest.setTimeout(300_000);

it('200 journeys with faults and kills end every order correctly', async () => {
  const report = await runChaos({
    flows: 200,
    seed: 20_261_214,
    instances: 1,
    killEveryMs: 15_000,
    concurrency: 30,
    paymentWindowMs: 10_000,
    quiesceTimeoutMs: 120_000,
  });
  const text = renderReport(report);
  if (!report.passed) console.log(text);
  expect(report.violations).toEqual([]);
  expect(report.quiesce.ok).toBe(true);
  // the run did what it says: kills, faults, every kind of journey
  expect(report.trouble.kills).toBeGreaterThan(0);
  expect(Object.values(report.trouble.faultHits).reduce((s, n) => s + n, 0)).toBeGreaterThan(0);
  expect(Object.keys(report.flowsByKind).sort()).toEqual(['cash-only', 'insurance-only', 'mixed']);
  expect(report.ordersByStatus.COMPLETED ?? 0).toBeGreaterThan(0);
});
