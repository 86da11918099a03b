/**
 * The daily reconciliation: from RECON_DAILY_HOUR_CST (China time) each day, yesterday is reconciled once by
 * `scheduler` unless a finished run of it exists already (a cashier may have run it) or the day is closed. A
 * failed attempt (a party not ready or down) is tried again an hour later. One instance at a time: a store lock.
 */
import { cstDate } from '../../shared/clock';
import { latestRunOf } from '../db/recon/runs';
import { LockBusy, withLock } from '../ephemeral/port';
import { isDayClosed, reconcileDay } from '../services/reconciliation/runs';
import type { Deps } from '../services/deps';

export const DAILY_RETRY_AFTER_MS = 3600_000;
const LOCK_TTL_MS = 30 * 60_000;

/** What the scheduler did on this tick: the date it reconciled, or why it did nothing. */
export type DailyOutcome =
  | { ran: string }
  | { failed: string; error: string }
  | { skipped: 'not-yet' | 'done' | 'closed' | 'recently-failed' | 'busy' };

export async function runDailyReconciliationIfDue(deps: Deps): Promise<DailyOutcome> {
  const nowMs = deps.clock.now();
  const hourCst = new Date(nowMs + 8 * 3600_000).getUTCHours();
  if (hourCst < deps.settings.RECON_DAILY_HOUR_CST) return { skipped: 'not-yet' };
  const date = cstDate(nowMs - 24 * 3600_000);
  if (await isDayClosed(deps, date)) return { skipped: 'closed' };
  const latest = await latestRunOf(deps.db, date);
  if (latest?.status === 'DONE') return { skipped: 'done' };
  if (latest && nowMs - latest.startedAt.getTime() < DAILY_RETRY_AFTER_MS)
    return { skipped: 'recently-failed' };
  try {
    return await withLock(
      deps.store,
      `recon-daily:${date}`,
      LOCK_TTL_MS,
      async () => {
        await reconcileDay(deps, date, { username: 'scheduler', role: 'system' });
        return { ran: date };
      },
      { waitMs: 0 },
    );
  } catch (err) {
    if (err instanceof LockBusy) return { skipped: 'busy' };
    deps.logger.warn({ err, date }, 'daily reconciliation did not complete; it is tried again later');
    return { failed: date, error: (err as Error).message };
  }
}
