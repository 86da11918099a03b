/**
 * Approving or rejecting a patient's refund request: the one dialog for it, used by the refund-requests page and
 * the order page. Approving makes the refund on the server; a rejection needs a reason the patient will read.
 */
import { useState } from 'react';
import type { RefundRequestView } from '../../../shared/api';
import { consoleApi } from '../../services/console/api';
import { REFUND_REQUEST_STATUS } from '../../services/console/labels';
import { useSubmit } from '../../services/console/useSubmit';
import { Fen } from './Amount';
import { Dialog } from './Dialog';
import { CNotice, CTag } from './States';

export type RequestDecision = { kind: 'approve' | 'reject'; request: RefundRequestView };

/** What a request asks for: an amount, or (none given) whatever is left of the order. */
export function RequestAmount({ amount }: { amount?: number }) {
  return amount !== undefined ? <Fen fen={amount} /> : <span className="c-muted">剩余全部</span>;
}

/** A request's amount, the patient's reason and its status (a coloured tag): three cells of a table row. */
export function RequestCells({
  request,
}: {
  request: Pick<RefundRequestView, 'amount' | 'reason' | 'status'>;
}) {
  const status = REFUND_REQUEST_STATUS[request.status];
  return (
    <>
      <td className="c-num">
        <RequestAmount amount={request.amount} />
      </td>
      <td>{request.reason}</td>
      <td>
        <CTag tone={status.tone}>{status.label}</CTag>
      </td>
    </>
  );
}

/** What the cashier is told once a decision went through. */
export function decisionNotice(answer: RefundRequestView): string {
  return answer.status === 'APPROVED'
    ? `已同意订单 ${answer.orderNo} 的退款申请，退款已发起。`
    : `已拒绝订单 ${answer.orderNo} 的退款申请。`;
}

export function RefundRequestDialog({
  decision,
  onCancel,
  onDone,
}: {
  decision: RequestDecision;
  onCancel: () => void;
  onDone: (answer: RefundRequestView) => void;
}) {
  const [reason, setReason] = useState('');
  const submit = useSubmit();
  const { request, kind } = decision;
  const confirm = async () => {
    const answer = await submit.run(() =>
      kind === 'approve'
        ? consoleApi.approveRefundRequest(request.id)
        : consoleApi.rejectRefundRequest(request.id, reason.trim()),
    );
    if (answer) onDone(answer);
  };
  return (
    <Dialog
      id={`dialog-request-${kind}`}
      title={kind === 'approve' ? '同意退款申请' : '拒绝退款申请'}
      confirmText={kind === 'approve' ? '同意并退款' : '拒绝'}
      tone={kind === 'approve' ? 'primary' : 'danger'}
      busy={submit.busy}
      error={submit.error}
      confirmDisabled={kind === 'reject' && !reason.trim()}
      onConfirm={() => void confirm()}
      onCancel={onCancel}
    >
      <dl className="c-dl">
        <dt>订单号</dt>
        <dd className="c-mono">{request.orderNo}</dd>
        <dt>申请金额</dt>
        <dd>
          <RequestAmount amount={request.amount} />
        </dd>
        <dt>患者说明</dt>
        <dd>{request.reason}</dd>
      </dl>
      {kind === 'approve' ? (
        <CNotice tone="warning">
          同意后将立即按申请金额发起退款（医保与微信按比例原路退回），不可撤销。
        </CNotice>
      ) : (
        <label className="c-field">
          拒绝原因（必填，患者可见）
          <textarea
            id="request-reject-reason"
            className="c-textarea"
            maxLength={200}
            value={reason}
            placeholder="如：检查已完成，费用不予退还"
            onChange={(e) => setReason(e.target.value)}
          />
        </label>
      )}
    </Dialog>
  );
}
