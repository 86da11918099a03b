/** The audit trail (supervisor): who did what to which thing, when, under which request; newest first. */
import { useState } from 'react';
import { consoleApi } from '../../../services/console/api';
import { auditActionLabel, ROLE_LABEL } from '../../../services/console/labels';
import { formatCst } from '../../../services/console/time';
import { useConsoleData } from '../../../services/console/useData';
import { ConsoleShell } from '../../../components/console/Shell';
import { CEmpty, DataState } from '../../../components/console/States';

const LIMITS = [50, 100, 200, 500];

/** details as "key: value" lines; nested values as compact JSON */
export function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details ?? {})
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('\n');
}

const OTHER_ROLES: Record<string, string> = { system: '系统', anonymous: '未登录' };
const roleLabel = (role: string) => (ROLE_LABEL as Record<string, string>)[role] ?? OTHER_ROLES[role] ?? role;

export default function ConsoleAudit() {
  const [limit, setLimit] = useState(100);
  const [text, setText] = useState('');
  const { state, reload } = useConsoleData(() => consoleApi.audit(limit), [limit]);
  const needle = text.trim().toLowerCase();

  return (
    <ConsoleShell
      active="audit"
      title="审计日志"
      subtitle="登录、对账、差异处理、退款、导出、日结等操作，均不可修改"
      supervisorOnly
      actions={
        <button type="button" className="c-btn" onClick={() => void reload()}>
          刷新
        </button>
      }
    >
      <div className="c-panel">
        <div className="c-toolbar">
          <label className="c-field">
            显示条数
            <select
              id="audit-limit"
              className="c-select"
              value={limit}
              onChange={(e) => setLimit(Number(e.target.value))}
            >
              {LIMITS.map((n) => (
                <option key={n} value={n}>
                  最近 {n} 条
                </option>
              ))}
            </select>
          </label>
          <label className="c-field c-field--wide">
            筛选
            <input
              id="audit-filter"
              className="c-input"
              placeholder="操作人、操作、对象、详情"
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
          </label>
        </div>
      </div>
      <div className="c-panel">
        <DataState
          state={state}
          onRetry={reload}
          isEmpty={(list) => list.length === 0}
          empty={<CEmpty title="暂无审计记录" />}
        >
          {(list) => {
            const rows = needle
              ? list.filter((e) =>
                  [
                    e.actor,
                    e.role,
                    e.action,
                    auditActionLabel(e.action),
                    e.target ?? '',
                    e.description ?? '',
                    detailsText(e.details),
                  ]
                    .join(' ')
                    .toLowerCase()
                    .includes(needle),
                )
              : list;
            return (
              <table className="c-table" id="audit-table">
                <thead>
                  <tr>
                    <th>时间</th>
                    <th>操作人</th>
                    <th>角色</th>
                    <th>操作</th>
                    <th>对象</th>
                    <th>详情</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((e) => (
                    <tr key={e.id} id={`audit-${e.id}`}>
                      <td className="c-nowrap">{formatCst(e.at)}</td>
                      <td>{e.actor}</td>
                      <td className="c-nowrap">{roleLabel(e.role)}</td>
                      <td className="c-nowrap">
                        {auditActionLabel(e.action)}
                        <span className="c-sub c-mono">{e.action}</span>
                      </td>
                      <td className="c-mono">{e.target ?? '—'}</td>
                      <td>
                        {e.description ? <div className="c-audit-description">{e.description}</div> : null}
                        <pre className="c-json">{detailsText(e.details) || '—'}</pre>
                        {e.requestId ? <span className="c-sub c-mono">请求 {e.requestId}</span> : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            );
          }}
        </DataState>
      </div>
    </ConsoleShell>
  );
}
