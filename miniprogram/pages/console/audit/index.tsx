/**
 * The audit trail (supervisor): who did what, when; newest first. What was done is the server's plain Chinese
 * sentence (server/services/console/auditSentence.ts): amounts in yuan, order numbers, no ids or raw details.
 */
import { useState } from 'react';
import type { AuditEntryView } from '../../../../shared/api';
import { consoleApi } from '../../../services/console/api';
import { auditActionLabel, ROLE_LABEL } from '../../../services/console/labels';
import { formatCst } from '../../../services/console/time';
import { useConsoleData } from '../../../services/console/useData';
import { ConsoleShell } from '../../../components/console/Shell';
import { CEmpty, DataState } from '../../../components/console/States';

const LIMITS = [50, 100, 200, 500];

const OTHER_ROLES: Record<string, string> = { system: '系统', anonymous: '未登录' };
const roleLabel = (role: string) => (ROLE_LABEL as Record<string, string>)[role] ?? OTHER_ROLES[role] ?? role;

/** the words a cashier can search for */
const searchText = (e: AuditEntryView) =>
  [e.actor, roleLabel(e.role), auditActionLabel(e.action), e.description].join(' ').toLowerCase();

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
              placeholder="操作人、操作、订单号、说明"
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
            const rows = needle ? list.filter((e) => searchText(e).includes(needle)) : list;
            return (
              <table className="c-table" id="audit-table">
                <thead>
                  <tr>
                    <th>时间</th>
                    <th>操作人</th>
                    <th>操作</th>
                    <th>说明</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((e) => (
                    <tr key={e.id} id={`audit-${e.id}`}>
                      <td className="c-nowrap">{formatCst(e.at)}</td>
                      <td className="c-nowrap">
                        {e.role === 'system' ? (
                          '系统'
                        ) : (
                          <>
                            {e.actor}
                            <span className="c-sub">{roleLabel(e.role)}</span>
                          </>
                        )}
                      </td>
                      <td className="c-nowrap">{auditActionLabel(e.action)}</td>
                      <td className="c-audit-description">{e.description || '—'}</td>
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
