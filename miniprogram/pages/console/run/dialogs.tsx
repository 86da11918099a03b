/**
 * The dialogs of a run's page: one per row action (resolve with a reason; retry the HIS confirm; 补单 with its
 * preview fetched first; refund with an optional amount) and the daily close. Each calls the server, shows its
 * error in place, and hands the answer back.
 */
import { useEffect, useState } from 'react';
import type { DailyCloseView, PostMissingPreview, ReconRowView } from '../../../../shared/api';
import { consoleApi } from '../../../services/console/api';
import { RECON_KIND } from '../../../services/console/labels';
import { parseYuanInput } from '../../../services/amount';
import { useSubmit } from '../../../services/console/useSubmit';
import { orderStatusLabel } from '../../../services/labels';
import { Fen } from '../../../components/console/Amount';
import { Dialog } from '../../../components/console/Dialog';
import { CError, CLoading, CNotice } from '../../../components/console/States';

function RowSummary({ row }: { row: ReconRowView }) {
  return (
    <CNotice tone="muted">
      {RECON_KIND[row.kind].label} · 订单 <span className="c-mono">{row.orderNo}</span>
      {row.refundNo ? (
        <>
          {' '}
          · 退款 <span className="c-mono">{row.refundNo}</span>
        </>
      ) : null}
      <span className="c-sub">{row.note}</span>
    </CNotice>
  );
}

function ReasonField({
  id,
  value,
  onChange,
  placeholder,
  maxLength = 500,
}: {
  id: string;
  value: string;
  onChange: (v: string) => void;
  placeholder: string;
  maxLength?: number;
}) {
  return (
    <label className="c-field">
      原因（必填，记入审计日志）
      <textarea
        id={id}
        className="c-textarea"
        value={value}
        maxLength={maxLength}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}

interface RowDialogProps {
  row: ReconRowView;
  onDone: (row: ReconRowView) => void;
  onCancel: () => void;
}

export function ResolveDialog({ row, onDone, onCancel }: RowDialogProps) {
  const [reason, setReason] = useState('');
  const submit = useSubmit();
  const confirm = async () => {
    const answer = await submit.run(() => consoleApi.resolveRow(row.id, reason.trim()));
    if (answer) onDone(answer);
  };
  return (
    <Dialog
      id="dialog-resolve"
      title="标记已处理"
      confirmText="标记已处理"
      busy={submit.busy}
      error={submit.error}
      confirmDisabled={!reason.trim()}
      onConfirm={() => void confirm()}
      onCancel={onCancel}
    >
      <RowSummary row={row} />
      <ReasonField
        id="resolve-reason"
        value={reason}
        onChange={setReason}
        placeholder="如：已与 HIS 核实，窗口现金收费，非线上支付"
      />
    </Dialog>
  );
}

export function RetryHisDialog({ row, onDone, onCancel }: RowDialogProps) {
  const submit = useSubmit();
  const confirm = async () => {
    const answer = await submit.run(() => consoleApi.retryHisConfirm(row.id));
    if (answer) onDone(answer);
  };
  return (
    <Dialog
      id="dialog-retry"
      title="重试 HIS 确认"
      confirmText="重试HIS确认"
      busy={submit.busy}
      error={submit.error}
      onConfirm={() => void confirm()}
      onCancel={onCancel}
    >
      <RowSummary row={row} />
      <div>将再次通知 HIS 该订单已支付（收费确认）。HIS 已确认过的订单不会重复收费。</div>
    </Dialog>
  );
}

export function PostMissingDialog({ row, onDone, onCancel }: RowDialogProps) {
  const [preview, setPreview] = useState<PostMissingPreview>();
  const [previewError, setPreviewError] = useState<unknown>();
  const [reason, setReason] = useState('');
  const submit = useSubmit();

  useEffect(() => {
    let live = true;
    consoleApi.postMissingPreview(row.id).then(
      (p) => live && setPreview(p),
      (err: unknown) => live && setPreviewError(err),
    );
    return () => {
      live = false;
    };
  }, [row.id]);

  const confirm = async () => {
    const answer = await submit.run(() => consoleApi.postMissing(row.id, reason.trim()));
    if (answer) onDone(answer);
  };
  return (
    <Dialog
      id="dialog-post-missing"
      title="补单（将订单补记到 HIS）"
      confirmText="确认补单"
      tone="danger"
      busy={submit.busy}
      error={submit.error}
      confirmDisabled={!preview || !reason.trim()}
      onConfirm={() => void confirm()}
      onCancel={onCancel}
    >
      {previewError ? (
        <CError error={previewError} id="post-missing-preview-error" />
      ) : !preview ? (
        <CLoading text="正在生成补单预览…" />
      ) : (
        <div id="post-missing-preview">
          <dl className="c-dl">
            <dt>订单号</dt>
            <dd className="c-mono">{preview.orderNo}</dd>
            <dt>订单状态</dt>
            <dd>{orderStatusLabel(preview.orderStatus)}</dd>
            <dt>账单号</dt>
            <dd className="c-mono">{preview.billNos.join('、')}</dd>
            <dt>总额</dt>
            <dd>
              <Fen fen={preview.split.total} id="post-missing-total" className="c-amount--strong" />
            </dd>
            <dt>医保统筹</dt>
            <dd>
              <Fen fen={preview.split.fund} />
            </dd>
            <dt>个人账户</dt>
            <dd>
              <Fen fen={preview.split.account} />
            </dd>
            <dt>自费</dt>
            <dd>
              <Fen fen={preview.split.cash} />
            </dd>
            <dt>微信支付单号</dt>
            <dd className="c-mono">{preview.transactionId ?? '—'}</dd>
            <dt>医保结算号</dt>
            <dd className="c-mono">{preview.setlId ?? '—'}</dd>
          </dl>
          <CNotice tone="warning" id="post-missing-effect" className="c-notice--spaced">
            {preview.effect}
          </CNotice>
        </div>
      )}
      <ReasonField
        id="post-missing-reason"
        value={reason}
        onChange={setReason}
        placeholder="如：HIS 回调丢失，核实后补单"
      />
    </Dialog>
  );
}

export function RowRefundDialog({ row, onDone, onCancel }: RowDialogProps) {
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const submit = useSubmit();
  const max = row.ours?.total;
  const parsed = parseYuanInput(amount, max);
  const confirm = async () => {
    if (!parsed.ok) return;
    const answer = await submit.run(() =>
      consoleApi.refundRow(row.id, { amount: parsed.amountFen, reason: reason.trim() }),
    );
    if (answer) onDone(answer);
  };
  return (
    <Dialog
      id="dialog-row-refund"
      title="退款"
      confirmText="确认退款"
      tone="danger"
      busy={submit.busy}
      error={submit.error}
      confirmDisabled={!parsed.ok || !reason.trim()}
      onConfirm={() => void confirm()}
      onCancel={onCancel}
    >
      <RowSummary row={row} />
      <label className="c-field">
        退款金额（元，选填）
        <input
          id="row-refund-amount"
          className="c-input c-input--amount"
          inputMode="decimal"
          placeholder="留空 = 剩余全部"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
        />
        {!parsed.ok ? (
          <span className="c-field-error">{parsed.error}</span>
        ) : parsed.amountFen !== undefined ? (
          <span className="c-field-hint">
            将退 <Fen fen={parsed.amountFen} id="row-refund-fen" />
          </span>
        ) : (
          <span className="c-field-hint">留空则退该订单剩余全部金额</span>
        )}
      </label>
      <ReasonField
        id="row-refund-reason"
        value={reason}
        onChange={setReason}
        placeholder="如：HIS 未收费，原路退回患者"
        maxLength={200}
      />
    </Dialog>
  );
}

export function DailyCloseDialog({
  date,
  open,
  onDone,
  onCancel,
}: {
  date: string;
  /** unresolved discrepancies of the run, as the page knows them */
  open: number;
  onDone: (close: DailyCloseView) => void;
  onCancel: () => void;
}) {
  const submit = useSubmit();
  const confirm = async () => {
    const answer = await submit.run(() => consoleApi.dailyClose(date));
    if (answer) onDone(answer);
  };
  return (
    <Dialog
      id="dialog-daily-close"
      title={`日结 ${date}`}
      confirmText="确认日结"
      busy={submit.busy}
      error={submit.error}
      onConfirm={() => void confirm()}
      onCancel={onCancel}
    >
      <div>日结后，{date} 的对账结果与差异处理不再变动，也不能再次对账。</div>
      {open > 0 ? (
        <CNotice tone="warning">该日仍有 {open} 条未处理的差异，服务器将拒绝日结，请先处理。</CNotice>
      ) : null}
    </Dialog>
  );
}
