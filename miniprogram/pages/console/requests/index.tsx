/**
 * Refund requests from patients: pending first; approve (the server makes the refund) or reject with a reason
 * the patient will read.
 */
import { useState } from 'react';
import type { RefundRequestStatus, RefundRequestView } from '../../../../shared/api';
import { consoleApi } from '../../../services/console/api';
import { openConsolePage } from '../../../services/console/routes';
import { formatCst } from '../../../services/console/time';
import { useConsoleData } from '../../../services/console/useData';
import {
  RefundRequestDialog,
  RequestCells,
  decisionNotice,
  type RequestDecision,
} from '../../../components/console/RefundRequestDialog';
import { ConsoleShell } from '../../../components/console/Shell';
import { CEmpty, CNotice, DataState } from '../../../components/console/States';

type Filter = RefundRequestStatus | 'ALL';
const FILTERS: { value: Filter; label: string }[] = [
  { value: 'PENDING', label: '待审核' },
  { value: 'APPROVED', label: '已同意' },
  { value: 'REJECTED', label: '已拒绝' },
  { value: 'ALL', label: '全部' },
];

type Decision = RequestDecision | undefined;

export default function ConsoleRefundRequests() {
  const [filter, setFilter] = useState<Filter>('PENDING');
  const { state, reload, update } = useConsoleData(
    () => consoleApi.refundRequests(filter === 'ALL' ? undefined : filter),
    [filter],
  );
  const [decision, setDecision] = useState<Decision>();
  const [notice, setNotice] = useState<string>();

  const decided = (answer: RefundRequestView) => {
    update((list) => list.map((r) => (r.id === answer.id ? answer : r)));
    setDecision(undefined);
    setNotice(decisionNotice(answer));
  };

  return (
    <ConsoleShell
      active="requests"
      title="退款申请"
      subtitle="患者在小程序中提交的退款申请；同意即按申请金额发起退款"
      actions={
        <button type="button" className="c-btn" onClick={() => void reload()}>
          刷新
        </button>
      }
    >
      <div className="c-panel">
        <div className="c-toolbar">
          {FILTERS.map((f) => (
            <button
              key={f.value}
              type="button"
              id={`requests-filter-${f.value}`}
              className={`c-btn${filter === f.value ? ' c-btn--primary' : ''}`}
              onClick={() => setFilter(f.value)}
            >
              {f.label}
            </button>
          ))}
        </div>
      </div>
      {notice ? (
        <CNotice tone="success" id="requests-notice">
          {notice}
        </CNotice>
      ) : null}
      <div className="c-panel">
        <DataState
          state={state}
          onRetry={reload}
          isEmpty={(list) => list.length === 0}
          empty={<CEmpty title={filter === 'PENDING' ? '没有待审核的退款申请' : '没有退款申请'} />}
        >
          {(list) => (
            <table className="c-table" id="requests-table">
              <thead>
                <tr>
                  <th>申请时间</th>
                  <th>订单号</th>
                  <th className="c-num">申请金额</th>
                  <th>患者说明</th>
                  <th>状态</th>
                  <th>审核</th>
                  <th>操作</th>
                </tr>
              </thead>
              <tbody>
                {list.map((r) => (
                  <tr key={r.id} id={`request-${r.id}`}>
                    <td className="c-nowrap">{formatCst(r.createdAt)}</td>
                    <td>
                      <button
                        type="button"
                        className="c-link c-mono"
                        onClick={() => openConsolePage('order', { orderId: r.orderId })}
                      >
                        {r.orderNo}
                      </button>
                    </td>
                    <RequestCells request={r} />
                    <td>
                      {r.decidedBy ? (
                        <>
                          {r.decidedBy} · {formatCst(r.decidedAt, false)}
                          {r.decisionReason ? <span className="c-sub">{r.decisionReason}</span> : null}
                        </>
                      ) : (
                        <span className="c-muted">—</span>
                      )}
                    </td>
                    <td>
                      {r.status === 'PENDING' ? (
                        <div className="c-actions">
                          <button
                            type="button"
                            id={`request-${r.id}-approve`}
                            className="c-btn c-btn--small c-btn--primary"
                            onClick={() => setDecision({ kind: 'approve', request: r })}
                          >
                            同意
                          </button>
                          <button
                            type="button"
                            id={`request-${r.id}-reject`}
                            className="c-btn c-btn--small"
                            onClick={() => setDecision({ kind: 'reject', request: r })}
                          >
                            拒绝
                          </button>
                        </div>
                      ) : (
                        <span className="c-muted">—</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </DataState>
      </div>
      {decision ? (
        <RefundRequestDialog decision={decision} onCancel={() => setDecision(undefined)} onDone={decided} />
      ) : null}
    </ConsoleShell>
  );
}
