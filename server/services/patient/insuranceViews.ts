/**
 * How an insurance authorization reads in the patient API (the card view and the authorization answer): one place,
 * imported by both patient/cards.ts and patient/insuranceAuthorizations.ts, so neither needs the other for it.
 */
import type { InsuranceAuthorizationView } from '../../../shared/api';
import type { InsuranceAuthorizationRow } from '../../db/entities';

const INSUTYPE_NAMES: Record<string, string> = { '310': '职工基本医疗保险', '390': '城乡居民基本医疗保险' };

export function authorizationView(row: InsuranceAuthorizationRow): InsuranceAuthorizationView {
  return {
    eligible: row.eligible,
    reason: row.reason ?? undefined,
    insutype: row.insutype ?? undefined,
    insutypeName: row.insutype ? INSUTYPE_NAMES[row.insutype] : undefined,
    status: row.insuredStatus ?? undefined,
    balance: row.balanceFen ?? undefined,
    balanceAsOf: row.balanceFen !== null ? (row.balanceAsOf ?? row.createdAt).toISOString() : undefined,
    authorizedAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
  };
}
