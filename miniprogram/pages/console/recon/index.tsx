/**
 * Reconciliation of a China-time day: run it (the server fetches the WeChat trade bill, insurance 3201/3202
 * and the HIS charge list, and classifies every record), see the runs of that day, open one. The recent daily
 * closes (日结) are listed beside.
 */
import { useState } from 'react';
import type { DailyCloseView, ReconRunView } from '../../../../shared/api';
import { consoleApi } from '../../../services/console/api';
import { RECON_KIND, RECON_KINDS_IN_ORDER, RUN_STATUS } from '../../../services/console/labels';
import { openConsolePage, shortId } from '../../../services/console/routes';
import { addDays, cstDate, formatCst, isDate } from '../../../services/console/time';
import { useConsoleData } from '../../../services/console/useData';
import { useSubmit } from '../../../services/console/useSubmit';
import { usePageParams } from '../../../services/params';
import { ConsoleShell } from '../../../components/console/Shell';
import { CEmpty, CErrorNotice, CNotice, CTag, DataState } from '../../../components/console/States';

const RUNS_MAX = 20;
const CLOSES_MAX = 14;

export default function ConsoleRecon() {
  const params = usePageParams();
  const [date, setDate] = useState(() =>
    params.date && isDate(params.date) ? params.date : addDays(cstDate(Date.now()), -1),
  );
  const valid = isDate(date);
  const runs = useConsoleData(
    () => (valid ? consoleApi.reconciliations({ date, limit: RUNS_MAX }) : Promise.resolve([])),
    [date],
  );
  const closes = useConsoleData(() => consoleApi.dailyCloses(CLOSES_MAX));
  const start = useSubmit();

  const run = async () => {
    if (!valid) return;
    const created = await start.run(() => consoleApi.runReconciliation(date));
    if (created) {
      void runs.reload();
      openConsolePage('run', { runId: created.id });
    }
  };

  const closedDay =
    closes.state.status === 'ready' ? closes.state.data.find((c) => c.date === date) : undefined;

  return (
    <ConsoleShell
      active="recon"
      title="对账与日结"
      subtitle="HIS ↔ 医保 ↔ 微信支付 三方对账；按北京时间自然日"
    >
      <div className="c-panel">
        <div className="c-toolbar">
          <label className="c-field">
            对账日期
            <input
              id="recon-date"
              type="date"
              className="c-input"
              value={date}
              onChange={(e) => setDate(e.target.value)}
            />
          </label>
          <button
            type="button"
            id="recon-run"
            className="c-btn c-btn--primary"
            disabled={!valid || start.busy || !!closedDay}
            onClick={() => void run()}
          >
            {start.busy ? '对账中，请稍候…' : '开始对账'}
          </button>
          <span className="c-field-hint">
            微信支付对账单于次日 09:00 后提供；同一日可重复对账，每次生成一份新结果。
          </span>
        </div>
        {!valid ? <div className="c-field-error">请选择日期</div> : null}
        {closedDay ? (
          <CNotice tone="muted" id="recon-closed">
            {date} 已日结（{closedDay.closedBy}，{formatCst(closedDay.closedAt)}），不能再对账。
          </CNotice>
        ) : null}
        {start.error ? (
          <div style={{ marginTop: 12 }}>
            <CErrorNotice error={start.error} id="recon-run-error" />
          </div>
        ) : null}
      </div>

      <div className="c-panel" id="recon-runs">
        <div className="c-panel-title">
          {valid ? date : ''} 的对账记录
          <span className="c-muted">最新在前，点击查看差异明细</span>
        </div>
        <DataState
          state={runs.state}
          onRetry={runs.reload}
          isEmpty={(list) => list.length === 0}
          empty={<CEmpty title="该日尚未对账">选择日期后点「开始对账」。</CEmpty>}
        >
          {(list) => <RunsTable runs={list} />}
        </DataState>
      </div>

      <div className="c-panel" id="recon-closes">
        <div className="c-panel-title">
          最近日结 <span className="c-muted">日结后当日数据不再变动</span>
        </div>
        <DataState
          state={closes.state}
          onRetry={closes.reload}
          isEmpty={(list) => list.length === 0}
          empty={<CEmpty title="暂无日结记录" />}
        >
          {(list) => <ClosesTable closes={list} onPick={setDate} />}
        </DataState>
      </div>
    </ConsoleShell>
  );
}

function RunsTable({ runs }: { runs: ReconRunView[] }) {
  return (
    <div className="c-table-wrap">
      <table className="c-table" id="recon-runs-table">
        <thead>
          <tr>
            <th>开始时间</th>
            <th>操作人</th>
            <th>状态</th>
            {RECON_KINDS_IN_ORDER.map((k) => (
              <th key={k} className="c-num">
                {RECON_KIND[k].label}
              </th>
            ))}
            <th className="c-num">未处理</th>
            <th>日结</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr
              key={r.id}
              id={`recon-run-${r.id}`}
              className="c-clickable"
              onClick={() => openConsolePage('run', { runId: r.id })}
            >
              <td className="c-nowrap">
                {formatCst(r.startedAt)}
                <span className="c-sub c-mono">#{shortId(r.id)}</span>
              </td>
              <td>{r.actor}</td>
              <td>
                <CTag tone={RUN_STATUS[r.status].tone}>{RUN_STATUS[r.status].label}</CTag>
                {r.error ? <span className="c-sub c-diff">{r.error}</span> : null}
              </td>
              {RECON_KINDS_IN_ORDER.map((k) => {
                const n = r.summary[RECON_KIND[k].summary];
                return (
                  <td key={k} className={`c-num${RECON_KIND[k].discrepancy && n > 0 ? ' c-diff' : ''}`}>
                    {n}
                  </td>
                );
              })}
              <td className={`c-num${r.open > 0 ? ' c-diff' : ''}`}>{r.open}</td>
              <td>{r.closed ? <CTag tone="muted">已日结</CTag> : <span className="c-muted">未日结</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ClosesTable({ closes, onPick }: { closes: DailyCloseView[]; onPick: (date: string) => void }) {
  return (
    <table className="c-table">
      <thead>
        <tr>
          <th>日期</th>
          <th>日结人</th>
          <th>日结时间</th>
          <th className="c-num">已匹配</th>
          <th>对账记录</th>
        </tr>
      </thead>
      <tbody>
        {closes.map((c) => (
          <tr key={c.date}>
            <td>
              <button type="button" className="c-link" onClick={() => onPick(c.date)}>
                {c.date}
              </button>
            </td>
            <td>{c.closedBy}</td>
            <td className="c-nowrap">{formatCst(c.closedAt)}</td>
            <td className="c-num">{c.summary.matched}</td>
            <td>
              <button
                type="button"
                className="c-link"
                onClick={() => openConsolePage('run', { runId: c.runId })}
              >
                #{shortId(c.runId)}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
