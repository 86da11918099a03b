/**
 * One reconciliation run: counts per kind, totals per source and channel, the day's chart, and the
 * discrepancy list with its actions; CSV export of the rows; the daily close (日结) for supervisors.
 */
import { useState } from 'react';
import type { ReconKind, ReconRowAction, ReconRowView, ReconRunView } from '../../../../shared/api';
import { consoleApi, type RowsQuery } from '../../../services/console/api';
import { saveBlob } from '../../../services/console/download';
import { RECON_KIND, RECON_KINDS_IN_ORDER, RUN_STATUS } from '../../../services/console/labels';
import { consoleBack, shortId } from '../../../services/console/routes';
import { getConsoleSession, isSupervisor } from '../../../services/console/session';
import { formatCst } from '../../../services/console/time';
import { useConsoleData, useLoadMore } from '../../../services/console/useData';
import { useSubmit } from '../../../services/console/useSubmit';
import { usePageParams } from '../../../services/params';
import { DayChart } from '../../../components/console/DayChart';
import { ConsoleShell } from '../../../components/console/Shell';
import { CEmpty, CErrorNotice, CNotice, CTag, DataState, LoadMore } from '../../../components/console/States';
import {
  DailyCloseDialog,
  PostMissingDialog,
  ResolveDialog,
  RetryHisDialog,
  RowRefundDialog,
} from './dialogs';
import { RowsTable } from './Rows';
import { TotalsTable } from './Totals';

/** Which rows the list shows: every discrepancy (default), one kind, or everything including matches. */
export type KindFilter = 'DISCREPANCIES' | 'ALL' | ReconKind;
export type ResolvedFilter = 'any' | 'open' | 'resolved';

export function rowsQueryOf(kind: KindFilter, resolved: ResolvedFilter): RowsQuery {
  const q: RowsQuery = {};
  if (kind === 'DISCREPANCIES') q.discrepancies = true;
  else if (kind !== 'ALL') q.kind = kind;
  if (resolved !== 'any') q.resolved = resolved === 'resolved';
  return q;
}

type Open = { action: ReconRowAction; row: ReconRowView } | { action: 'daily-close' } | undefined;

export default function ConsoleRun() {
  const params = usePageParams();
  const runId = params.runId ?? '';
  const run = useConsoleData(() => consoleApi.reconciliation(runId), [runId]);
  const r = run.state.status === 'ready' ? run.state.data : undefined;
  const supervisor = isSupervisor(getConsoleSession());
  const [dialog, setDialog] = useState<Open>();
  const [notice, setNotice] = useState<string>();
  const exporting = useSubmit();
  const [kind, setKind] = useState<KindFilter>('DISCREPANCIES');
  const [resolved, setResolved] = useState<ResolvedFilter>('any');

  const exportCsv = async (view: ReconRunView) => {
    // the file holds what the list shows (every page of it)
    const file = await exporting.run(() => consoleApi.reconRowsCsv(view.id, rowsQueryOf(kind, resolved)));
    if (file) {
      saveBlob(file.blob, file.filename ?? `reconciliation-${view.date}-${shortId(view.id)}.csv`);
      setNotice(`已导出 CSV：${file.filename ?? `reconciliation-${view.date}-${shortId(view.id)}.csv`}`);
    }
  };

  return (
    <ConsoleShell
      active="recon"
      title={
        <>
          对账结果 {r ? r.date : ''}
          {r ? <CTag tone={RUN_STATUS[r.status].tone}>{RUN_STATUS[r.status].label}</CTag> : null}
          {r?.closed ? (
            <CTag tone="muted" id="run-closed">
              已日结
            </CTag>
          ) : null}
        </>
      }
      subtitle={
        <>
          <button type="button" className="c-link" onClick={() => consoleBack('recon', { date: r?.date })}>
            ← 返回对账列表
          </button>
          {r ? (
            <span>
              #{shortId(r.id)} · {r.actor} · 开始 {formatCst(r.startedAt)}
              {r.finishedAt ? ` · 完成 ${formatCst(r.finishedAt)}` : ''}
            </span>
          ) : null}
        </>
      }
      actions={
        r ? (
          <>
            <button type="button" className="c-btn" onClick={() => void run.reload()}>
              刷新
            </button>
            <button
              type="button"
              id="run-export"
              className="c-btn"
              disabled={exporting.busy || r.status !== 'DONE'}
              onClick={() => void exportCsv(r)}
            >
              {exporting.busy ? '导出中…' : '导出 CSV'}
            </button>
            {!r.closed ? (
              <button
                type="button"
                id="run-daily-close"
                className="c-btn c-btn--primary"
                disabled={!supervisor || r.status !== 'DONE'}
                title={supervisor ? undefined : '仅主管可日结'}
                onClick={() => setDialog({ action: 'daily-close' })}
              >
                日结{supervisor ? '' : '（仅主管）'}
              </button>
            ) : null}
          </>
        ) : null
      }
    >
      <DataState state={run.state} onRetry={run.reload}>
        {(view) => (
          <>
            {notice ? (
              <CNotice tone="success" id="run-notice">
                {notice}
              </CNotice>
            ) : null}
            {exporting.error ? <CErrorNotice error={exporting.error} id="run-export-error" /> : null}
            {view.status === 'FAILED' ? (
              <CNotice tone="danger" id="run-failed">
                对账失败：{view.error ?? '未知原因'}。请稍后重新对账。
              </CNotice>
            ) : null}
            {view.status === 'RUNNING' ? (
              <CNotice tone="warning">对账仍在进行，稍后点「刷新」查看结果。</CNotice>
            ) : null}
            {view.closed ? <CNotice tone="muted">该日已日结：对账结果与差异处理不再变动。</CNotice> : null}
            <SummaryCards run={view} kind={kind} onPick={setKind} />
            {view.totals ? (
              <div className="c-panel">
                <div className="c-panel-title">
                  分渠道合计{' '}
                  <span className="c-muted">净额 = 收款 − 退款；HIS 分渠道只比收款；与本院不一致处标红</span>
                </div>
                <TotalsTable totals={view.totals} />
              </div>
            ) : null}
            {view.totals ? (
              <div className="c-panel">
                <div className="c-panel-title">当日分时走势</div>
                <DayChart hourly={view.totals.hourly} />
              </div>
            ) : null}
            <RowsPanel
              run={view}
              supervisor={supervisor}
              kind={kind}
              resolved={resolved}
              onKind={setKind}
              onResolved={setResolved}
              onAction={(row, action) => setDialog({ action, row })}
              dialog={dialog}
              closeDialog={() => setDialog(undefined)}
              onRunChanged={run.reload}
              onNotice={setNotice}
            />
          </>
        )}
      </DataState>
    </ConsoleShell>
  );
}

function SummaryCards({
  run,
  kind,
  onPick,
}: {
  run: ReconRunView;
  kind: KindFilter;
  onPick: (k: KindFilter) => void;
}) {
  return (
    <div className="c-stats" id="run-summary">
      {RECON_KINDS_IN_ORDER.map((k) => {
        const meta = RECON_KIND[k];
        return (
          <button
            type="button"
            key={k}
            id={`run-summary-${k}`}
            className={`c-stat c-stat--${meta.tone}${kind === k ? ' c-stat--selected' : ''}`}
            onClick={() => onPick(kind === k ? 'DISCREPANCIES' : k)}
          >
            <span className="c-stat-label">{meta.label}</span>
            <span className="c-stat-value">{run.summary[meta.summary]}</span>
            <span className="c-stat-hint">{meta.hint}</span>
          </button>
        );
      })}
      <button
        type="button"
        id="run-summary-open"
        className={`c-stat c-stat--${run.open > 0 ? 'danger' : 'success'}${kind === 'DISCREPANCIES' ? ' c-stat--selected' : ''}`}
        onClick={() => onPick('DISCREPANCIES')}
      >
        <span className="c-stat-label">未处理差异</span>
        <span className="c-stat-value">{run.open}</span>
        <span className="c-stat-hint">{run.open > 0 ? '处理后方可日结' : '可以日结'}</span>
      </button>
    </div>
  );
}

interface RowsPanelProps {
  run: ReconRunView;
  supervisor: boolean;
  kind: KindFilter;
  resolved: ResolvedFilter;
  onKind: (k: KindFilter) => void;
  onResolved: (r: ResolvedFilter) => void;
  onAction: (row: ReconRowView, action: ReconRowAction) => void;
  dialog: Open;
  closeDialog: () => void;
  onRunChanged: () => Promise<void>;
  onNotice: (text: string) => void;
}

function RowsPanel(props: RowsPanelProps) {
  const { run, kind, resolved } = props;
  const rows = useConsoleData(
    () => consoleApi.reconRows(run.id, rowsQueryOf(kind, resolved)),
    [run.id, kind, resolved],
  );
  const more = useLoadMore(rows.update, (cursor) =>
    consoleApi.reconRows(run.id, { ...rowsQueryOf(kind, resolved), cursor }),
  );

  /** An action's answer replaces its row; the run's counts are fetched again. */
  const rowDone = (row: ReconRowView, what: string) => {
    rows.update((page) => ({ ...page, items: page.items.map((r) => (r.id === row.id ? row : r)) }));
    props.closeDialog();
    props.onNotice(`${what}：订单 ${row.orderNo}`);
    void props.onRunChanged();
  };

  const d = props.dialog;
  return (
    <div className="c-panel" id="run-rows-panel">
      <div className="c-panel-title">
        差异明细
        <span className="c-panel-title-actions">
          <label className="c-field">
            <select
              id="rows-kind"
              className="c-select"
              value={kind}
              onChange={(e) => props.onKind(e.target.value as KindFilter)}
            >
              <option value="DISCREPANCIES">全部差异</option>
              {RECON_KINDS_IN_ORDER.map((k) => (
                <option key={k} value={k}>
                  {RECON_KIND[k].label}
                </option>
              ))}
              <option value="ALL">全部记录（含已匹配）</option>
            </select>
          </label>
          <label className="c-field">
            <select
              id="rows-resolved"
              className="c-select"
              value={resolved}
              onChange={(e) => props.onResolved(e.target.value as ResolvedFilter)}
            >
              <option value="any">未处理 + 已处理</option>
              <option value="open">仅未处理</option>
              <option value="resolved">仅已处理</option>
            </select>
          </label>
        </span>
      </div>
      <DataState
        state={rows.state}
        onRetry={rows.reload}
        isEmpty={(page) => page.items.length === 0}
        empty={
          <CEmpty
            title={
              kind === 'DISCREPANCIES' && resolved !== 'resolved'
                ? '没有差异，三方一致'
                : '没有符合条件的记录'
            }
          />
        }
      >
        {(page) => (
          <>
            <RowsTable
              rows={page.items}
              supervisor={props.supervisor}
              closed={run.closed}
              onAction={props.onAction}
            />
            <LoadMore id="rows-more" cursor={page.nextCursor} {...more} />
          </>
        )}
      </DataState>

      {d && d.action === 'resolve' ? (
        <ResolveDialog
          row={d.row}
          onCancel={props.closeDialog}
          onDone={(row) => rowDone(row, '已标记处理')}
        />
      ) : null}
      {d && d.action === 'retry-his-confirm' ? (
        <RetryHisDialog
          row={d.row}
          onCancel={props.closeDialog}
          onDone={(row) => rowDone(row, '已重试 HIS 确认')}
        />
      ) : null}
      {d && d.action === 'post-missing' ? (
        <PostMissingDialog
          row={d.row}
          onCancel={props.closeDialog}
          onDone={(row) => rowDone(row, '已补单')}
        />
      ) : null}
      {d && d.action === 'refund' ? (
        <RowRefundDialog
          row={d.row}
          onCancel={props.closeDialog}
          onDone={(row) => rowDone(row, '已发起退款')}
        />
      ) : null}
      {d && d.action === 'daily-close' ? (
        <DailyCloseDialog
          date={run.date}
          open={run.open}
          onCancel={props.closeDialog}
          onDone={(close) => {
            props.closeDialog();
            props.onNotice(`${close.date} 已日结（${close.closedBy}，${formatCst(close.closedAt)}）`);
            void props.onRunChanged();
          }}
        />
      ) : null}
    </div>
  );
}
