/**
 * ops/alerts.yml is a valid Prometheus rule file and its alerts fire as ops/alerts.test.yml says (promtool); the
 * dashboard is a Grafana JSON model whose panels all query something. That every metric named in either exists
 * in our /metrics is checked against a running server in tests/integration/monitoring.test.ts.
 */
import { spawnSync } from 'node:child_process';
import {
  OPS_DIR,
  PROMTOOL,
  alertExpressions,
  dashboardExpressions,
  metricNames,
  promtoolAvailable,
  readDashboard,
} from '../helpers/monitoring';

const promtool = (...args: string[]) => {
  const run = spawnSync(PROMTOOL, args, { cwd: OPS_DIR, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
};

const withPromtool = promtoolAvailable() ? describe : describe.skip;

withPromtool('ops/alerts.yml under promtool', () => {
  it('passes `promtool check rules`', () => {
    const run = promtool('check', 'rules', 'alerts.yml');
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it('passes its unit tests (`promtool test rules alerts.test.yml`)', () => {
    const run = promtool('test', 'rules', 'alerts.test.yml');
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });
});

describe('the alert rules', () => {
  it('cover what the operators asked for', () => {
    const expressions = alertExpressions();
    expect(expressions).toHaveLength(9);
    const used = new Set(expressions.flatMap(metricNames));
    for (const name of [
      'outbox_dead',
      'callback_verification_failures_total',
      'outside_calls_total',
      'payments_started_total',
      'payments_succeeded_total',
      'reconciliation_open_discrepancies',
      'circuit_breaker_state',
      'risk_decisions_last_hour',
      'patient_messages_last_hour',
    ])
      expect(used).toContain(name);
  });

  it('metricNames reads the metrics of an expression, not its functions, labels or keywords', () => {
    expect(
      metricNames(
        'sum by (party) (rate(outside_calls_total{outcome!="ok"}[5m])) > 0.2 and on () hour() >= 3 and max(x_y) == 2',
      ).sort(),
    ).toEqual(['outside_calls_total', 'x_y']);
  });
});

describe('ops/grafana-dashboard.json', () => {
  it('is a Grafana dashboard whose every panel has a query', () => {
    const dashboard = readDashboard();
    expect(dashboard.title).toBeTruthy();
    expect(dashboard.uid).toBeTruthy();
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);
    for (const panel of dashboard.panels) {
      expect(panel.title).toBeTruthy();
      expect(panel.targets?.length).toBeGreaterThan(0);
    }
    const used = new Set(dashboardExpressions(dashboard).flatMap(metricNames));
    for (const name of [
      'payments_started_total',
      'payments_succeeded_total',
      'payments_failed_total',
      'outside_call_duration_seconds_bucket',
      'outside_calls_total',
      'circuit_breaker_state',
      'outbox_pending',
      'outbox_dead',
      'reconciliation_open_discrepancies',
    ])
      expect(used).toContain(name);
  });
});
