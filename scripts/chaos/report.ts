/**
 * The chaos run's report: what was driven, what trouble was made, how orders ended, what the invariant checker
 * found, how long each phase took. Text for people, JSON (`--json`) for machines. A run passes when the
 * quiesce finished and no invariant was broken.
 */
import type { InvariantReport, Violation } from './types';
import type { TroubleStats } from './faults';
import type { QuiesceResult } from './quiesce';

export interface ChaosReport {
  seed: number;
  flows: number;
  instances: number;
  killEveryMs: number;
  passed: boolean;
  flowsByKind: Record<string, number>;
  endings: Record<string, number>;
  aftermaths: Record<string, number>;
  /** what the driver saw, per journey outcome */
  outcomes: Record<string, number>;
  trouble: TroubleStats;
  proxy: { badGateway: number; retried: number };
  ordersByStatus: Record<string, number>;
  quiesce: QuiesceResult;
  checked: Record<string, number>;
  violations: Violation[];
  timings: {
    startMs: number;
    driveMs: number;
    quiesceMs: number;
    checkMs: number;
    totalMs: number;
    flowsPerSecond: number;
  };
}

export function passed(quiesce: QuiesceResult, invariants: InvariantReport): boolean {
  return quiesce.ok && invariants.violations.length === 0;
}

const line = (r: Record<string, number>) =>
  Object.entries(r)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '-';

export function renderReport(r: ChaosReport): string {
  const t = r.timings;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const out = [
    `chaos run: seed ${r.seed}, ${r.flows} flows, ${r.instances} instance(s), kill every ${r.killEveryMs ? s(r.killEveryMs) : 'never'}`,
    `  flows by kind      ${line(r.flowsByKind)}`,
    `  endings (planned)  ${line(r.endings)}`,
    `  after payment      ${line(r.aftermaths)}`,
    `  driver outcomes    ${line(r.outcomes)}`,
    `  fault windows      ${line(r.trouble.faultWindows)}`,
    `  faults injected    ${line(r.trouble.faultHits)} (requests hit)`,
    `  callback switches  ${line(r.trouble.callbackWindows)}; replays ${r.trouble.replays}`,
    `  kills ${r.trouble.kills}, restarts ${r.trouble.restarts}; pg terminations ${r.trouble.pgTerminations} (${r.trouble.pgConnectionsTerminated} connections)`,
    `  proxy              502s ${r.proxy.badGateway}, retried on another instance ${r.proxy.retried}`,
    `  orders by state    ${line(r.ordersByStatus)}`,
    `  quiesce            ${r.quiesce.ok ? 'ok' : 'TIMED OUT'} in ${s(r.quiesce.ms)} (mock clock moved ${s(r.quiesce.clockAdvancedMs)})`,
  ];
  if (!r.quiesce.ok) {
    const o = r.quiesce.open;
    out.push(
      `    still open: ${o.orders.length} orders, outbox PENDING ${o.outboxPending}, refunds open ${o.refundsOpen}, late payments returning ${o.latePaymentsReturning}, callbacks pending ${o.callbacksPending}`,
      ...o.orders.slice(0, 20).map((x) => `      ${x.orderNo} ${x.status}`),
    );
  }
  if (r.trouble.errors.length > 0)
    out.push(`  trouble errors     ${r.trouble.errors.slice(0, 5).join(' | ')}`);
  out.push(`  checks             ${line(r.checked)}`);
  out.push(`  violations         ${r.violations.length}`);
  for (const v of r.violations.slice(0, 50)) out.push(`    [${v.check}] ${v.orderNo ?? '-'}: ${v.detail}`);
  if (r.violations.length > 50) out.push(`    … and ${r.violations.length - 50} more`);
  out.push(
    `  timings            start ${s(t.startMs)}, drive ${s(t.driveMs)} (${t.flowsPerSecond.toFixed(2)} flows/s), quiesce ${s(t.quiesceMs)}, check ${s(t.checkMs)}, total ${s(t.totalMs)}`,
    r.passed ? 'PASSED' : 'FAILED',
  );
  return out.join('\n');
}
