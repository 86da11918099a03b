/**
 * The chaos run's shared vocabulary (issue 14): what the runner hands the invariant checker, and what the checker
 * answers. The runner (scripts/chaos/main.ts) drives journeys with faults and kills; once everything is quiet the
 * checker (scripts/chaos/invariants.ts) compares our database with what each party says.
 */

/** Where everything is, once the run has quiesced. */
export interface InvariantContext {
  /** PostgreSQL URL and the schema the server instances used */
  databaseUrl: string;
  schema: string;
  /** the mocks' base URLs (admin APIs under /__admin) */
  insuranceUrl: string;
  hisUrl: string;
  wechatUrl: string;
  /** China dates (yyyy-MM-dd) the run touched, whose reconciliation is to be checked */
  days: string[];
}

/** One broken promise, named so a person can find it. */
export interface Violation {
  /** a stable check id: order-terminal, his-agrees, insurance-agrees, wechat-agrees, late-returned, ledger-balanced,
   * ledger-per-order, refund-within-paid, create-at-most-once, reconciliation-explained, process-survived, … */
  check: string;
  /** the order it is about, when it is about one */
  orderNo?: string;
  detail: string;
}

export interface InvariantReport {
  /** how many things each check looked at (so a check that looked at nothing shows as 0) */
  checked: Record<string, number>;
  violations: Violation[];
}
