/** How the invariant checks record what they looked at and what they found (scripts/chaos/types.ts). */
import type { InvariantReport, Violation } from './types';
import type { Legs } from './oracleData';

export class Findings {
  readonly checked: Record<string, number> = {};
  readonly violations: Violation[] = [];

  /** The check looked at `n` more things (so a check that looked at nothing still shows, as 0). */
  count(check: string, n = 1): void {
    this.checked[check] = (this.checked[check] ?? 0) + n;
  }

  fail(check: string, orderNo: string | undefined, detail: string): void {
    this.violations.push(orderNo === undefined ? { check, detail } : { check, orderNo, detail });
  }

  report(): InvariantReport {
    return { checked: { ...this.checked }, violations: [...this.violations] };
  }
}

export const ZERO: Legs = { total: 0, fund: 0, account: 0, cash: 0 };

export function addLegs(a: Legs, b: Legs): Legs {
  return {
    total: a.total + b.total,
    fund: a.fund + b.fund,
    account: a.account + b.account,
    cash: a.cash + b.cash,
  };
}

export function subLegs(a: Legs, b: Legs): Legs {
  return {
    total: a.total - b.total,
    fund: a.fund - b.fund,
    account: a.account - b.account,
    cash: a.cash - b.cash,
  };
}

export const legsText = (l: Legs): string =>
  `total ${l.total} = fund ${l.fund} + account ${l.account} + cash ${l.cash}`;

/** The legs that differ, as "fund 30 ≠ 20" pieces; [] when they agree. */
export function legDiffs(
  ours: Legs,
  theirs: Partial<Legs>,
  keys: (keyof Legs)[] = ['total', 'fund', 'account', 'cash'],
) {
  return keys.flatMap((k) =>
    theirs[k] === ours[k] ? [] : [`${k}: ours ${ours[k]}, theirs ${theirs[k] ?? 'none'}`],
  );
}

/** Our order statuses by what they mean for the money. */
export const KEPT = ['COMPLETED', 'PARTIALLY_REFUNDED', 'REFUNDED', 'REFUNDING'];
export const CLOSED = ['CANCELLED', 'EXPIRED', 'PAYMENT_FAILED'];
/** statuses in which the settlement has been posted to the ledger */
export const POSTED = ['PAID', ...KEPT];
