/**
 * Four eyes: a cashier's refund above the approval line waits here for a supervisor, who starts it or turns it
 * down with a reason. A cashier sees that it waits; the server checks the role and that the approver is not the
 * refund's cashier, and its refusal is shown as it says it.
 */
import { useState } from 'react';
import type { RefundView } from '../../../../shared/api';
import { consoleApi, type ConsoleOrderDetailView } from '../../../services/console/api';
import { getConsoleSession, isSupervisor } from '../../../services/console/session';
import { formatCst } from '../../../services/console/time';
import { useSubmit } from '../../../services/console/useSubmit';
import { Fen } from '../../../components/console/Amount';
import { CErrorNotice, CNotice } from '../../../components/console/States';

export function ApprovalPanel({
  order,
  onChanged,
}: {
  order: ConsoleOrderDetailView;
  onChanged: () => Promise<void>;
}) {
  const waiting = order.refunds.filter((r) => r.status === 'AWAITING_APPROVAL');
  if (waiting.length === 0) return null;
  const supervisor = isSupervisor(getConsoleSession()) && order.allowedActions.includes('approve-refund');
  return (
    <div className="c-panel" id="c-refund-approval">
      <div className="c-panel-title">待主管审批的退款</div>
      {waiting.map((r) => (
        <WaitingRefund key={r.id} refund={r} supervisor={supervisor} onChanged={onChanged} />
      ))}
    </div>
  );
}

function WaitingRefund({
  refund,
  supervisor,
  onChanged,
}: {
  refund: RefundView;
  supervisor: boolean;
  onChanged: () => Promise<void>;
}) {
  const submit = useSubmit();
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');

  const approve = async () => {
    if (await submit.run(() => consoleApi.approveRefund(refund.id))) await onChanged();
  };
  const reject = async () => {
    if (!reason.trim()) return;
    if (await submit.run(() => consoleApi.rejectRefund(refund.id, reason.trim()))) await onChanged();
  };

  return (
    <CNotice tone="warning" id={`c-approval-${refund.id}`}>
      退款 <Fen fen={refund.split.total} />
      （统筹 <Fen fen={refund.split.fund} />
      、个账 <Fen fen={refund.split.account} />
      、自费 <Fen fen={refund.split.cash} />
      ）于 {formatCst(refund.createdAt)} 提交，原因：{refund.reason}。
      金额超过审批线，须另一位主管批准后才会退款。
      {submit.error ? <CErrorNotice error={submit.error} /> : null}
      {supervisor ? (
        <div className="c-actions">
          <button
            type="button"
            className="c-btn c-btn--primary"
            id={`c-approve-${refund.id}`}
            disabled={submit.busy}
            onClick={() => void approve()}
          >
            批准退款
          </button>
          {rejecting ? (
            <>
              <input
                className="c-input"
                id={`c-reject-reason-${refund.id}`}
                placeholder="驳回原因（必填）"
                value={reason}
                maxLength={200}
                onChange={(e) => setReason(e.target.value)}
              />
              <button
                type="button"
                className="c-btn"
                id={`c-reject-confirm-${refund.id}`}
                disabled={submit.busy || !reason.trim()}
                onClick={() => void reject()}
              >
                确认驳回
              </button>
            </>
          ) : (
            <button
              type="button"
              className="c-btn"
              id={`c-reject-${refund.id}`}
              onClick={() => setRejecting(true)}
            >
              驳回
            </button>
          )}
        </div>
      ) : (
        <span className="c-sub">请联系主管审批。</span>
      )}
    </CNotice>
  );
}
