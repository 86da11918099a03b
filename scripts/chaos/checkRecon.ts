/**
 * reconciliation-explained (issue 14): every row of each day's latest reconciliation run is MATCHED, or a
 * cut-off (CUTOFF: the same record on an adjacent day; the classifier also explains a late payment returned
 * across midnight this way, and one returned the same day as MATCHED, net zero), or was resolved by a person.
 * Anything else (OVER, SHORT, AMOUNT_MISMATCH, STATUS_MISMATCH) is money nobody can explain.
 */
import type { OracleReconRow, OracleReconRun } from './oracleData';
import { Findings } from './oracleReport';

const EXPLAINED = ['MATCHED', 'CUTOFF'];

/** The amounts of a row's sides, in a line: "ours total 1000 cash 1000; wechat total 0 …". */
function sidesText(sides: unknown): string {
  if (!sides || typeof sides !== 'object') return 'no sides';
  return Object.entries(sides as Record<string, Record<string, unknown>>)
    .map(([source, side]) =>
      ['total', 'fund', 'account', 'cash']
        .filter((k) => side && typeof side[k] === 'number')
        .reduce((text, k) => `${text} ${k} ${String(side[k])}`, source),
    )
    .join('; ');
}

export function checkReconciliation(
  days: readonly string[],
  runs: Map<string, OracleReconRun>,
  rows: readonly OracleReconRow[],
  f: Findings,
): void {
  const check = 'reconciliation-explained';
  for (const date of days) {
    const run = runs.get(date);
    if (!run) {
      f.fail(
        check,
        undefined,
        `no finished reconciliation run of ${date}: run it (console POST /api/v1/console/reconciliations, or pass options.reconcile) before checking`,
      );
      continue;
    }
    if (run.status !== 'DONE')
      f.fail(check, undefined, `the latest reconciliation run ${run.id} of ${date} is ${run.status}`);
    const insuranceCheck = run.totals?.insuranceCheck;
    if (insuranceCheck && !insuranceCheck.balanced)
      f.fail(
        check,
        undefined,
        `the insurance day totals (3201) of ${date} do not balance: ${insuranceCheck.message ?? ''}`,
      );
  }
  for (const row of rows) {
    f.count(check);
    if (EXPLAINED.includes(row.kind) || row.resolved) continue;
    f.fail(
      check,
      row.orderNo,
      `reconciliation of ${row.date}: ${row.record} ${row.refundNo ?? row.orderNo} is ${row.kind} ` +
        `(${sidesText(row.sides)}); the classifier's note: ${row.note}`,
    );
  }
}
