/**
 * Insurance adapter, data side (pure): our port types ↔ the platform's wire (shared/protocol/insurance),
 * yuan ↔ fen, status and error mapping, and integrity checks of what comes back against what was sent
 * (order numbers, split sums, totals, refund amounts). Any answer that breaks them is invalid_response.
 * Split by protocol family: the standard envelope and 1101 (standard.ts), mobile payment 62xx (mobile.ts), the
 * day's reconciliation files 3201/3202/9102 (dayFiles.ts), with what they share in common.ts.
 */
export * from './common';
export * from './standard';
export * from './mobile';
export * from './dayFiles';
