/**
 * Operations (运行监控, supervisors, DESIGN 12): what the alerts watch, without Grafana — payments per channel
 * over the last hour (per minute, succeeded, failed, success rate; below 90 % in red), the outside parties as the
 * answering server sees them (calls, failures, latency, breaker), the background jobs that gave up (DEAD), each
 * of which may be put back in the queue after a confirmation, and how often the risk rules fired. Refreshes
 * itself every 30 seconds while open.
 */
import { useEffect, useState } from 'react';
import type { OpsDeadJobView, OpsSummaryView } from '../../../../shared/api';
import { consoleApi } from '../../../services/console/api';
import { consoleHref, openConsolePage } from '../../../services/console/routes';
import { formatCst } from '../../../services/console/time';
import { useConsoleData } from '../../../services/console/useData';
import { useSubmit } from '../../../services/console/useSubmit';
import { ConsoleShell } from '../../../components/console/Shell';
import { Dialog } from '../../../components/console/Dialog';
import { CEmpty, CTag, DataState } from '../../../components/console/States';
import { DECISION_LABEL, ruleLabel } from '../risk/labels';
import {
  BREAKER,
  CHANNEL_LABEL,
  SUCCESS_RATE_ALERT,
  duration,
  jobLabel,
  partyLabel,
  percent,
} from './labels';
import './index.css';

/** how often the page reloads itself */
const OPS_REFRESH_MS = 30_000;

function Payments({ lastHour }: { lastHour: OpsSummaryView['lastHour'] }) {
  return (
    <div className="c-panel">
      <div className="c-panel-title">近一小时缴费（按支付方式）</div>
      <table className="c-table" id="ops-payments">
        <thead>
          <tr>
            <th>支付方式</th>
            <th className="c-num">每分钟发起</th>
            <th className="c-num">发起</th>
            <th className="c-num">成功</th>
            <th className="c-num">失败</th>
            <th className="c-num">成功率</th>
          </tr>
        </thead>
        <tbody>
          {lastHour.map((c) => {
            const low = c.successRate !== null && c.successRate < SUCCESS_RATE_ALERT;
            return (
              <tr key={c.channel} id={`ops-channel-${c.channel}`}>
                <td className="c-nowrap">{CHANNEL_LABEL[c.channel] ?? '其他'}</td>
                <td className="c-num">{c.startedPerMinute}</td>
                <td className="c-num">{c.started}</td>
                <td className="c-num">{c.succeeded}</td>
                <td className={`c-num${c.failed > 0 ? ' ops-bad' : ''}`}>{c.failed}</td>
                <td className="c-num" id={`ops-channel-${c.channel}-rate`}>
                  {low ? (
                    <CTag tone="danger">{`${percent(c.successRate)} 偏低`}</CTag>
                  ) : (
                    percent(c.successRate)
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="c-sub ops-note">成功率 = 成功 ÷ 发起；低于 90% 标红。没有发起时显示“—”。</div>
    </div>
  );
}

function Parties({ parties }: { parties: OpsSummaryView['parties'] }) {
  return (
    <div className="c-panel">
      <div className="c-panel-title">外部系统调用（本服务器启动以来）</div>
      <table className="c-table" id="ops-parties">
        <thead>
          <tr>
            <th>系统</th>
            <th className="c-num">调用次数</th>
            <th className="c-num">失败次数</th>
            <th className="c-num">中位耗时</th>
            <th className="c-num" title="99% 的调用不超过此耗时">
              最慢耗时
            </th>
            <th>状态</th>
          </tr>
        </thead>
        <tbody>
          {parties.map((p) => {
            const breaker = BREAKER[p.breaker] ?? BREAKER.closed;
            return (
              <tr key={p.party} id={`ops-party-${p.party}`}>
                <td className="c-nowrap">{partyLabel(p.party)}</td>
                <td className="c-num">{p.calls}</td>
                <td className={`c-num${p.errors > 0 ? ' ops-bad' : ''}`}>{p.errors}</td>
                <td className="c-num">{duration(p.p50Ms)}</td>
                <td className="c-num">{duration(p.p99Ms)}</td>
                <td className="c-nowrap" title={breaker.hint}>
                  <CTag tone={breaker.tone} id={`ops-party-${p.party}-breaker`}>
                    {breaker.label}
                  </CTag>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="c-sub ops-note">
        最慢耗时：99% 的调用不超过此值。熔断：失败过多，暂停调用该系统，稍后自动试探恢复。
      </div>
    </div>
  );
}

function DeadJobs({
  dead,
  busy,
  onRetry,
}: {
  dead: OpsSummaryView['deadJobs'];
  busy: boolean;
  onRetry: (job: OpsDeadJobView) => void;
}) {
  return (
    <div className="c-panel" id="ops-dead">
      <div className="c-panel-title">
        需要人工处理的后台任务
        <span className="c-muted" id="ops-dead-count">
          {dead.count > dead.jobs.length
            ? `共 ${dead.count} 个，列出最近的 ${dead.jobs.length} 个`
            : `共 ${dead.count} 个`}
        </span>
      </div>
      {dead.jobs.length === 0 ? (
        <CEmpty title="没有放弃重试的后台任务">
          系统自动重试多次仍失败的任务会列在这里，供人工重新排队。
        </CEmpty>
      ) : (
        <>
          <div className="c-sub ops-note ops-note--top">
            以下任务系统已自动重试多次仍失败，已停止重试。排除原因后点“重新排队”，系统会立即重新处理。
          </div>
          <table className="c-table" id="ops-dead-jobs">
            <thead>
              <tr>
                <th>任务</th>
                <th>订单号</th>
                <th className="c-num">已尝试</th>
                <th>停止重试时间（北京时间）</th>
                <th>操作</th>
              </tr>
            </thead>
            <tbody>
              {dead.jobs.map((j) => (
                <tr key={j.id} id={`ops-dead-${j.id}`}>
                  <td className="ops-job">
                    <div className="ops-job-name">
                      {jobLabel(j.kind)}
                      <span className="c-muted"> #{j.id}</span>
                    </div>
                    {j.lastError ? (
                      <div className="ops-tech" title={j.lastError}>
                        技术详情：{j.lastError}
                      </div>
                    ) : null}
                  </td>
                  <td className="c-nowrap">
                    {j.orderId ? (
                      <a
                        className="c-link c-mono"
                        id={`ops-dead-${j.id}-order`}
                        href={consoleHref('order', { orderId: j.orderId })}
                        onClick={(e) => {
                          e.preventDefault();
                          if (j.orderId) openConsolePage('order', { orderId: j.orderId });
                        }}
                      >
                        {j.orderNo ?? `订单 #${j.orderId}`}
                      </a>
                    ) : (
                      <span className="c-muted">无（不涉及订单）</span>
                    )}
                  </td>
                  <td className="c-num">{j.attempts} 次</td>
                  <td className="c-nowrap">{formatCst(j.updatedAt)}</td>
                  <td>
                    <button
                      type="button"
                      id={`ops-dead-${j.id}-retry`}
                      className="c-btn c-btn--small c-btn--primary"
                      disabled={busy}
                      onClick={() => onRetry(j)}
                    >
                      重新排队
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

function RiskHits({ risk }: { risk: OpsSummaryView['riskHits'] }) {
  return (
    <div className="ops-grid-risk">
      <div className="c-panel">
        <div className="c-panel-title">风控规则命中次数</div>
        <table className="c-table" id="ops-risk-rules">
          <thead>
            <tr>
              <th>规则</th>
              <th className="c-num">近一小时</th>
              <th className="c-num">近 24 小时</th>
            </tr>
          </thead>
          <tbody>
            {risk.rules.map((r) => (
              <tr
                key={r.rule}
                id={`ops-risk-rule-${r.rule}`}
                className={r.lastDay === 0 ? 'ops-quiet' : undefined}
              >
                <td>{ruleLabel(r.rule)}</td>
                <td className="c-num">{r.lastHour}</td>
                <td className="c-num">{r.lastDay}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="c-panel">
        <div className="c-panel-title">风控决定次数</div>
        <table className="c-table" id="ops-risk-decisions">
          <thead>
            <tr>
              <th>决定</th>
              <th className="c-num">近一小时</th>
              <th className="c-num">近 24 小时</th>
            </tr>
          </thead>
          <tbody>
            {risk.decisions.map((d) => (
              <tr key={d.decision} id={`ops-risk-decision-${d.decision}`}>
                <td>{DECISION_LABEL[d.decision] ?? '其他'}</td>
                <td className="c-num">{d.lastHour}</td>
                <td className="c-num">{d.lastDay}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="c-sub ops-note">
          每次绑卡、下单、支付、退款都有一个决定；一个决定可能同时命中多条规则。
        </div>
      </div>
    </div>
  );
}

function OpsContent() {
  const summary = useConsoleData(() => consoleApi.ops());
  const retry = useSubmit();
  const [pending, setPending] = useState<OpsDeadJobView>();
  const [notice, setNotice] = useState<string>();
  const { reload } = summary;

  useEffect(() => {
    const timer = setInterval(() => void reload(), OPS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(undefined), 6000);
    return () => clearTimeout(timer);
  }, [notice]);

  const open = (job: OpsDeadJobView) => {
    retry.reset();
    setPending(job);
  };

  const confirm = async () => {
    if (!pending) return;
    const job = pending;
    const done = await retry.run(() => consoleApi.retryDeadJob(job.id));
    if (!done) return;
    setPending(undefined);
    setNotice(`已将任务 #${job.id}（${jobLabel(job.kind)}）重新排队，系统将立即重新处理`);
    void reload();
  };

  return (
    <>
      {notice ? (
        <div className="ops-toast" role="status" id="ops-notice">
          {notice}
        </div>
      ) : null}
      <div className="ops-bar" id="ops-updated">
        {summary.state.status === 'ready'
          ? `数据更新于 ${formatCst(summary.state.data.at)}（北京时间）· 每 30 秒自动刷新`
          : '每 30 秒自动刷新'}
        <button type="button" className="c-btn c-btn--small" id="ops-refresh" onClick={() => void reload()}>
          立即刷新
        </button>
      </div>
      <DataState state={summary.state} onRetry={reload}>
        {(data) => (
          <>
            <div className="c-grid-2 ops-row">
              <Payments lastHour={data.lastHour} />
              <Parties parties={data.parties} />
            </div>
            <DeadJobs dead={data.deadJobs} busy={retry.busy} onRetry={open} />
            <RiskHits risk={data.riskHits} />
          </>
        )}
      </DataState>
      {pending ? (
        <Dialog
          id="ops-retry-dialog"
          title={`重新排队：${jobLabel(pending.kind)} #${pending.id}`}
          confirmText="确认重新排队"
          busy={retry.busy}
          error={retry.error}
          onConfirm={() => void confirm()}
          onCancel={() => setPending(undefined)}
        >
          <p id="ops-retry-dialog-text">
            这个任务已尝试 {pending.attempts} 次仍失败。重新排队后，系统会立即重新处理，尝试次数从零开始；
            如果导致失败的原因还在，它会再次失败。请确认已排除原因（如外部系统已恢复）。
          </p>
        </Dialog>
      ) : null}
    </>
  );
}

export default function ConsoleOps() {
  return (
    <ConsoleShell
      active="ops"
      title="运行监控"
      subtitle="近一小时缴费、外部系统、需要人工处理的后台任务与风控命中"
      supervisorOnly
    >
      <OpsContent />
    </ConsoleShell>
  );
}
