/**
 * 日结 (daily close): a supervisor freezes a day once its latest reconciliation is done and every discrepancy
 * (but cut-offs, which settle on the adjacent day) has been dealt with. A closed day cannot be re-run and its
 * rows take no more actions. Closing twice is refused.
 */
import type { DailyCloseView, ReconSummary, ReconTotals } from '../../../shared/api';
import { cstDate } from '../../../shared/clock';
import { recordAudit } from '../console/audit';
import { AppError } from '../errors';
import type { Deps } from '../deps';
import type { ReconActor } from './runs';

interface CloseRow {
  date: string;
  run_id: string;
  closed_by: string;
  closed_at: Date;
  summary: ReconSummary;
  totals: ReconTotals;
}

const CLOSE_SELECT = `
  SELECT to_char(c.date, 'YYYY-MM-DD') AS date, c.run_id, c.closed_by, c.closed_at, r.summary, r.totals
    FROM daily_closes c JOIN recon_runs r ON r.id = c.run_id`;

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
  const [latest] = (await deps.db.query(
    `SELECT id, status FROM recon_runs WHERE date = $1 ORDER BY started_at DESC, id LIMIT 1`,
    [date],
  )) as { id: string; status: string }[];
  if (!latest || latest.status !== 'DONE') {
    throw new AppError('DAY_NOT_RECONCILED', `${date} 还没有完成对账，请先对账。`);
  }
  const [{ open }] = (await deps.db.query(
    `SELECT count(*)::int AS open FROM recon_rows
      WHERE run_id = $1 AND kind NOT IN ('MATCHED', 'CUTOFF') AND resolution IS NULL`,
    [latest.id],
  )) as { open: number }[];
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
    const inserted = (await m.query(
      `INSERT INTO daily_closes (date, run_id, closed_by, closed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (date) DO NOTHING RETURNING date`,
      [date, latest.id, actor.username, new Date(deps.clock.now())],
    )) as unknown[];
    if (inserted.length === 0) throw new AppError('DAY_CLOSED', `${date} 已经日结过了。`);
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
  const [row] = (await deps.db.query(`${CLOSE_SELECT} WHERE c.date = $1`, [date])) as CloseRow[];
  return closeView(row);
}

export async function listCloses(deps: Deps, limit: number): Promise<DailyCloseView[]> {
  const rows = (await deps.db.query(`${CLOSE_SELECT} ORDER BY c.date DESC LIMIT $1`, [
    Math.min(limit, deps.settings.LIST_PAGE_MAX),
  ])) as CloseRow[];
  return rows.map(closeView);
}
