/**
 * 日结 (daily close): a supervisor freezes a day once its latest reconciliation is done and every discrepancy
 * (but cut-offs, which settle on the adjacent day) has been dealt with. A closed day cannot be re-run and its
 * rows take no more actions. Closing twice is refused.
 */
import type { DailyCloseView } from '../../../shared/api';
import { cstDate } from '../../../shared/clock';
import {
  countOpenDiscrepancies,
  insertDailyClose,
  latestRunOf,
  listCloseRows,
  readClose,
  type CloseRow,
} from '../../db/recon/runs';
import { recordAudit } from '../console/audit';
import { AppError } from '../errors';
import type { Deps } from '../deps';
import type { ReconActor } from './runs';

const closeView = (c: CloseRow): DailyCloseView => ({
  date: c.date,
  runId: c.run_id,
  closedBy: c.closed_by,
  closedAt: c.closed_at.toISOString(),
  summary: c.summary,
  totals: c.totals,
});

export async function closeDay(deps: Deps, date: string, actor: ReconActor): Promise<DailyCloseView> {
  // a day is closed once it is over in China time: payments may still land in it until midnight
  if (date >= cstDate(deps.clock.now())) {
    throw new AppError('DAY_NOT_OVER', `${date} 尚未结束（北京时间），请在次日 00:00 之后再日结。`);
  }
  const latest = await latestRunOf(deps.db, date);
  if (!latest || latest.status !== 'DONE') {
    throw new AppError('DAY_NOT_RECONCILED', `${date} 还没有完成对账，请先对账。`);
  }
  const open = await countOpenDiscrepancies(deps.db, latest.id);
  if (open > 0) {
    throw new AppError(
      'RECON_OPEN_DISCREPANCIES',
      `${date} 还有 ${open} 条对账差异未处理，请处理后再日结。`,
      {
        open,
      },
    );
  }
  await deps.db.transaction(async (m) => {
    const inserted = await insertDailyClose(m, date, latest.id, actor.username, new Date(deps.clock.now()));
    if (!inserted) throw new AppError('DAY_CLOSED', `${date} 已经日结过了。`);
    await recordAudit(
      deps,
      {
        actor: actor.username,
        role: actor.role,
        action: 'day.close',
        target: date,
        details: { runId: latest.id },
        requestId: actor.requestId ?? null,
      },
      m,
    );
  });
  const row = await readClose(deps.db, date);
  if (!row) throw new Error(`daily close of ${date} vanished after it was written`);
  return closeView(row);
}

export async function listCloses(deps: Deps, limit: number): Promise<DailyCloseView[]> {
  const rows = await listCloseRows(deps.db, Math.min(limit, deps.settings.LIST_PAGE_MAX));
  return rows.map(closeView);
}
