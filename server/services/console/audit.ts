/**
 * The audit trail: who did what to which thing, when (the injected clock), under which request. Logins,
 * logouts and every console action that changes something write one row; reads do not. Append-only.
 */
import type { EntityManager } from 'typeorm';
import type { AuditEntryView } from '../../../shared/api';
import { AuditLogRow } from '../../db/consoleEntities';
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
  await (manager ?? deps.db.manager).query(
    `INSERT INTO audit_log (at, actor, role, action, target, details, request_id, description)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)`,
    [
      new Date(deps.clock.now()),
      record.actor.slice(0, ACTOR_LENGTH_MAX),
      record.role,
      record.action,
      record.target ?? null,
      JSON.stringify(record.details ?? {}),
      record.requestId ?? null,
      record.description ?? null,
    ],
  );
}

/** Newest first, at most `limit` (bounded by LIST_PAGE_MAX). */
export async function listAudit(deps: Deps, limit = AUDIT_LIST_DEFAULT): Promise<AuditEntryView[]> {
  const rows = await deps.db.getRepository(AuditLogRow).find({
    order: { id: 'DESC' },
    take: Math.min(limit, deps.settings.LIST_PAGE_MAX),
  });
  return rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    actor: r.actor,
    role: r.role,
    action: r.action,
    target: r.target,
    details: r.details,
    requestId: r.requestId,
    description: r.description,
  }));
}
