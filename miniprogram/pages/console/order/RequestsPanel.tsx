/**
 * The patients' refund requests of this order: pending ones with 同意退款 / 拒绝 when the server allows them
 * (allowedActions), decided ones below in grey. Deciding goes through the refund-requests page's dialog.
 */
import { useState } from 'react';
import type { RefundRequestView } from '../../../../shared/api';
import type { ConsoleOrderDetailView } from '../../../services/console/api';
import { formatCst } from '../../../services/console/time';
import {
  RefundRequestDialog,
  RequestCells,
  decisionNotice,
  type RequestDecision,
} from '../../../components/console/RefundRequestDialog';
import { CNotice, CTag } from '../../../components/console/States';

export function RequestsPanel({
  order,
  onChanged,
}: {
  order: ConsoleOrderDetailView;
  onChanged: () => Promise<void>;
}) {
  const [decision, setDecision] = useState<RequestDecision>();
  const [notice, setNotice] = useState<string>();
  const requests = order.refundRequests ?? [];
  if (requests.length === 0 && !notice) return null;
  const pending = requests.filter((r) => r.status === 'PENDING');
  const decided = requests.filter((r) => r.status !== 'PENDING');
  const canApprove = order.allowedActions.includes('approve-request');
  const canReject = order.allowedActions.includes('reject-request');

  const done = async (answer: RefundRequestView) => {
    setDecision(undefined);
    setNotice(decisionNotice(answer));
    await onChanged();
  };

  return (
    <div className="c-panel" id="c-order-requests">
      <div className="c-panel-title">
        患者退款申请 {pending.length > 0 ? <CTag tone="warning">{pending.length} 条待审核</CTag> : null}
      </div>
      {notice ? (
        <CNotice tone="success" id="c-order-requests-notice">
          {notice}
        </CNotice>
      ) : null}
      {requests.length > 0 ? (
        <table className="c-table">
          <thead>
            <tr>
              <th>申请时间</th>
              <th className="c-num">申请金额</th>
              <th>患者说明</th>
              <th>状态</th>
              <th>审核</th>
            </tr>
          </thead>
          <tbody>
            {[...pending, ...decided].map((r) => (
              <tr
                key={r.id}
                id={`c-order-request-${r.id}`}
                className={r.status === 'PENDING' ? undefined : 'c-row--resolved'}
              >
                <td className="c-nowrap">{formatCst(r.createdAt)}</td>
                <RequestCells request={r} />
                <td>
                  {r.status === 'PENDING' ? (
                    <div className="c-actions">
                      {canApprove ? (
                        <button
                          type="button"
                          id={`c-order-request-${r.id}-approve`}
                          className="c-btn c-btn--small c-btn--primary"
                          onClick={() => setDecision({ kind: 'approve', request: r })}
                        >
                          同意退款
                        </button>
                      ) : null}
                      {canReject ? (
                        <button
                          type="button"
                          id={`c-order-request-${r.id}-reject`}
                          className="c-btn c-btn--small"
                          onClick={() => setDecision({ kind: 'reject', request: r })}
                        >
                          拒绝
                        </button>
                      ) : null}
                      {!canApprove && canReject ? (
                        <span className="c-sub">订单当前不能退款，只能拒绝</span>
                      ) : null}
                    </div>
                  ) : (
                    <>
                      {r.decidedBy ?? '—'}
                      {r.decidedAt ? ` · ${formatCst(r.decidedAt, false)}` : ''}
                      {r.decisionReason ? <span className="c-sub">{r.decisionReason}</span> : null}
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {decision ? (
        <RefundRequestDialog
          decision={decision}
          onCancel={() => setDecision(undefined)}
          onDone={(a) => void done(a)}
        />
      ) : null}
    </div>
  );
}
