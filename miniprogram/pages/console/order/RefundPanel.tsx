/**
 * The refund form, offered only when the server allows a refund now (allowedActions has 'refund'); otherwise
 * why not. 确认退款 asks the server for the split first and shows it in a dialog; only the dialog's 确认 sends
 * the refund.
 */
import { useState } from 'react';
import type { RefundCreatedView, RefundPreviewView, RefundView } from '../../../../shared/api';
import { fenToYuan } from '../../../../shared/money';
import { parseYuanInput } from '../../../services/amount';
import { consoleApi, type ConsoleOrderDetailView } from '../../../services/console/api';
import { legKindLabel, refundStatus } from '../../../services/console/labels';
import { useSubmit } from '../../../services/console/useSubmit';
import { Fen } from '../../../components/console/Amount';
import { CErrorNotice, CNotice } from '../../../components/console/States';
import { RefundConfirmDialog } from './RefundConfirmDialog';
import { refundBlockedReason } from './refundBlocked';

type Pending = { body: { amount?: number; reason: string }; preview: RefundPreviewView };

export function RefundPanel({
  order,
  remaining,
  onChanged,
}: {
  order: ConsoleOrderDetailView;
  remaining: number;
  onChanged: () => Promise<void>;
}) {
  const [created, setCreated] = useState<RefundCreatedView | RefundView>();
  const check = useSubmit();
  const allowed = order.allowedActions.includes('refund');

  const refresh = async () => {
    if (!created) return;
    const latest = await check.run(() => consoleApi.refund(created.id));
    if (latest) setCreated(latest);
  };

  return (
    <div className="c-panel" id="c-refund-panel">
      <div className="c-panel-title">
        退款 {allowed ? <span className="c-muted">可退 {<Fen fen={remaining} />}</span> : null}
      </div>
      {created ? (
        <CNotice tone={refundStatus(created.status).tone} id="c-refund-created">
          {created.status === 'AWAITING_APPROVAL'
            ? '退款金额超过审批线，已提交主管审批；主管批准后才会退款。'
            : `退款已受理，状态：${refundStatus(created.status).label}`}
          {created.legs.map((l) => (
            <span key={l.kind} className="c-sub">
              {legKindLabel(l.kind)} <Fen fen={l.amount} /> · {refundStatus(l.status).label}
            </span>
          ))}
          <button type="button" className="c-link" onClick={() => void refresh()} disabled={check.busy}>
            {check.busy ? '查询中…' : '刷新退款状态'}
          </button>
        </CNotice>
      ) : null}
      {check.error ? <CErrorNotice error={check.error} /> : null}
      {allowed ? (
        <RefundForm order={order} remaining={remaining} onCreated={setCreated} onChanged={onChanged} />
      ) : (
        <CNotice tone="muted" id="c-refund-unavailable">
          {refundBlockedReason(
            order.status,
            remaining,
            order.refunds.some((r) => r.status === 'AWAITING_APPROVAL'),
          )}
        </CNotice>
      )}
    </div>
  );
}

function RefundForm({
  order,
  remaining,
  onCreated,
  onChanged,
}: {
  order: ConsoleOrderDetailView;
  remaining: number;
  onCreated: (created: RefundCreatedView) => void;
  onChanged: () => Promise<void>;
}) {
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string>();
  const [pending, setPending] = useState<Pending>();
  const preview = useSubmit();
  const submit = useSubmit();
  const parsed = parseYuanInput(amount, remaining);

  const ask = async () => {
    setProblem(undefined);
    if (!parsed.ok) return setProblem(parsed.error);
    if (!reason.trim()) return setProblem('请填写退款原因');
    const body = { amount: parsed.amountFen, reason: reason.trim() };
    const answer = await preview.run(() => consoleApi.previewRefund(order.id, body));
    if (answer) setPending({ body, preview: answer });
  };

  const send = async () => {
    if (!pending) return;
    const answer = await submit.run(() => consoleApi.refundOrder(order.id, pending.body));
    if (answer) {
      setPending(undefined);
      setAmount('');
      setReason('');
      onCreated(answer);
      await onChanged();
    }
  };

  return (
    <div className="c-form-grid">
      <label className="c-form-label" htmlFor="refund-amount">
        退款金额（元）
      </label>
      <div>
        <input
          id="refund-amount"
          className="c-input c-input--amount"
          inputMode="decimal"
          placeholder={fenToYuan(remaining)}
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
        />
        <span className="c-field-hint c-gap-left">
          {parsed.ok && parsed.amountFen !== undefined ? (
            <>
              将退 <Fen fen={parsed.amountFen} id="refund-amount-fen" />
            </>
          ) : (
            <>
              留空 = 退剩余全部 <Fen fen={remaining} />
            </>
          )}
        </span>
      </div>
      <label className="c-form-label c-form-label--top" htmlFor="refund-reason">
        退款原因
      </label>
      <textarea
        id="refund-reason"
        className="c-textarea"
        maxLength={200}
        placeholder="必填，如：患者取消检查"
        value={reason}
        onChange={(e) => setReason(e.target.value)}
      />
      <span />
      <div>
        {problem ? (
          <div className="c-field-error" id="refund-problem">
            {problem}
          </div>
        ) : null}
        {preview.error ? <CErrorNotice error={preview.error} id="refund-error" /> : null}
        <button
          type="button"
          id="refund-submit"
          className="c-btn c-btn--danger"
          disabled={preview.busy}
          onClick={() => void ask()}
        >
          {preview.busy ? '计算中…' : '确认退款'}
        </button>
        <span className="c-field-hint c-gap-left">下一步先显示各渠道退回金额，确认后才发起。</span>
      </div>
      {pending ? (
        <RefundConfirmDialog
          orderNo={order.orderNo}
          preview={pending.preview}
          reason={pending.body.reason}
          busy={submit.busy}
          error={submit.error}
          onConfirm={() => void send()}
          onCancel={() => setPending(undefined)}
        />
      ) : null}
    </div>
  );
}
