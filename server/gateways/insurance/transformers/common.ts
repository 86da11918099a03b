/**
 * What every insurance transformer leans on: the insurance GatewayError shorthands, parsing an answer with its
 * schema, yuan ↔ fen and split checks of what comes back, China-time stamps, and the exhaustive status mappings
 * (ordStas, psn_insu_stas, refStatus). Kept in one place so both wire families map the same way.
 */
import type { z } from 'zod';
import { isValidSplit, yuanToFen, type Split } from '../../../../shared/money';
import { ordStasSchema, type OrdStas, type PsnInsuStas } from '../../../../shared/protocol/insurance';
import { GatewayError, type InsuredStatus, type SettlementStatus } from '../../ports';

export const invalid = (message: string, partyCode?: string, httpStatus?: number) =>
  new GatewayError('insurance', 'invalid_response', message, partyCode, httpStatus);
export const rejected = (message: string, partyCode: string, httpStatus?: number) =>
  new GatewayError('insurance', 'rejected', message, partyCode, httpStatus);

/** Parses an answer with its schema; a mismatch is invalid_response naming the first bad field. */
export function parseAnswer<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const result = schema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw invalid(`${what}: unexpected answer at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data;
}

export function fen(yuan: string, what: string): number {
  try {
    return yuanToFen(yuan);
  } catch {
    throw invalid(`${what}: not a yuan amount: ${JSON.stringify(yuan)}`);
  }
}

/** The legs of an answer as a split; legs that do not sum to the total are invalid_response. */
export function splitFromWire(
  yuan: { total: string; fund: string; account: string; cash: string },
  what: string,
): Split {
  const split = {
    total: fen(yuan.total, what),
    fund: fen(yuan.fund, what),
    account: fen(yuan.account, what),
    cash: fen(yuan.cash, what),
  };
  if (!isValidSplit(split)) {
    throw invalid(
      `${what}: split does not add up: total ${split.total} ≠ fund ${split.fund} + account ${split.account} + cash ${split.cash}`,
      'SPLIT_MISMATCH',
    );
  }
  return split;
}

/** yyyyMMddHHmmss in China Standard Time → ms; undefined for "" or a malformed value. */
export function parseCstCompact(value: string | undefined): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value ?? '');
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s) - 8 * 3600_000;
}

// ───────────────────────────── status mapping (exhaustive, no default) ─────────────────────────────

export function settlementStatusOf(ordStas: OrdStas): SettlementStatus {
  switch (ordStas) {
    case '0':
      return 'UPLOADED';
    case '1':
      return 'PRESETTLED';
    case '4':
    case '6': // partly refunded: still settled
      return 'SETTLED';
    case '7':
      return 'REFUNDED';
    case '9':
      return 'REVOKED';
    case '14':
      return 'FAILED';
  }
}

export function insuredStatusOf(stas: PsnInsuStas): InsuredStatus {
  switch (stas) {
    case '1':
      return 'ACTIVE';
    case '2':
    case '4': // terminated: as ineligible as suspended
      return 'SUSPENDED';
    case '3':
      return 'ARREARS';
    case '5':
      return 'OUT_OF_AREA';
  }
}

export function refundStatusOf(refStatus: 'SUCC' | 'FAIL' | 'EXP'): 'SUCCEEDED' | 'FAILED' | 'PROCESSING' {
  switch (refStatus) {
    case 'SUCC':
      return 'SUCCEEDED';
    case 'FAIL':
      return 'FAILED';
    case 'EXP': // abnormal: the outcome is not final; query again
      return 'PROCESSING';
  }
}

export function ordStasOf(value: string, what: string): OrdStas {
  const parsed = ordStasSchema.safeParse(value);
  if (!parsed.success) throw invalid(`${what}: unknown ordStas ${JSON.stringify(value)}`, 'UNKNOWN_ORD_STAS');
  return parsed.data;
}
