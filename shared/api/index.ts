/**
 * The HTTP API (DESIGN 13): request schemas and answer types shared by the server (validation) and the
 * mini-program (typed client). Amounts are integer fen. Split by audience — the patient (patient.ts), the cashier
 * console (console.ts), reconciliation and the daily close (reconciliation.ts) — with what several of them share
 * in common.ts; this index re-exports them all, so `from '…/shared/api'` names any of them. The mini-program takes
 * types only from here, never zod.
 */
export * from './common';
export * from './patient';
export * from './console';
export * from './reconciliation';
export * from './risk';
export * from './ops';
export * from './notifications';
