/**
 * The audit trail: who did what to which thing, when (the injected clock), under which request. Logins,
 * logouts and every console action that changes something write one row; reads do not. Append-only.
 */
import type { EntityManager } from 'typeorm';
import type { AuditEntryView } from '../../../shared/api';
import { insertAuditRow, orderNosOf, refundNamesOf } from '../../db/audit';
import { AuditLogRow } from '../../db/consoleEntities';
import { auditIdsOf, auditSentence, type AuditNames } from './auditSentence';
import type { Deps } from '../deps';

export const AUDIT_LIST_DEFAULT = 50;
/** actor names come from login attempts too: whatever was typed, bounded */
const ACTOR_LENGTH_MAX = 64;

export interface AuditRecord {
  actor: string;
  /** the actor's role, or 'anonymous' for a failed login */
  role: string;
  /** dotted verb, e.g. console.login, console.login_failed, order.refund */
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
  requestId?: string | null;
  /** a plain Chinese sentence for people reading the trail (locks, unlocks, user changes) */
  description?: string;
}

/**
 * Writes one audit row. Pass `manager` to write inside the caller's transaction, so that an action and its
 * audit row commit together or not at all.
 */
export async function recordAudit(deps: Deps, record: AuditRecord, manager?: EntityManager): Promise<void> {
  await insertAuditRow(manager ?? deps.db.manager, {
    at: new Date(deps.clock.now()),
    actor: record.actor.slice(0, ACTOR_LENGTH_MAX),
    role: record.role,
    action: record.action,
    target: record.target ?? null,
    details: record.details ?? {},
    requestId: record.requestId ?? null,
    description: record.description ?? null,
  });
}

/** Newest first, at most `limit` (bounded by LIST_PAGE_MAX). */
export async function listAudit(deps: Deps, limit = AUDIT_LIST_DEFAULT): Promise<AuditEntryView[]> {
  const rows = await deps.db.getRepository(AuditLogRow).find({
    order: { id: 'DESC' },
    take: Math.min(limit, deps.settings.LIST_PAGE_MAX),
  });
  const names = await namesOf(deps, auditIdsOf(rows));
  return rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    actor: r.actor,
    role: r.role,
    action: r.action,
    target: r.target,
    details: r.details,
    requestId: r.requestId,
    description: auditSentence(r, names),
  }));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The order and refund numbers of the ids the rows name (ids that are not uuids name nothing). */
async function namesOf(deps: Deps, ids: { orderIds: string[]; refundIds: string[] }): Promise<AuditNames> {
  const orderIds = ids.orderIds.filter((id) => UUID.test(id));
  const refundIds = ids.refundIds.filter((id) => UUID.test(id));
  return {
    orderNos: orderIds.length ? await orderNosOf(deps.db, orderIds) : new Map(),
    refunds: refundIds.length ? await refundNamesOf(deps.db, refundIds) : new Map(),
  };
}
