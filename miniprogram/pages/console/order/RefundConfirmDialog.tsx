/**
 * What 确认退款 will give back, split by leg as the server allocates it (the preview), before anything is sent;
 * only 确认 sends the refund.
 */
import type { RefundPreviewView } from '../../../../shared/api';
import { Fen } from '../../../components/console/Amount';
import { Dialog } from '../../../components/console/Dialog';
import { CNotice } from '../../../components/console/States';

/** The legs of a refund in the order the cashier reads them; 统筹 holds the other funds too (shared/money Split). */
const LEGS: { key: 'fund' | 'account' | 'cash'; label: string }[] = [
  { key: 'fund', label: '医保统筹（含其他基金）' },
  { key: 'account', label: '个人账户' },
  { key: 'cash', label: '微信支付（自费）' },
];

export function RefundConfirmDialog({
  orderNo,
  preview,
  reason,
  busy,
  error,
  onConfirm,
  onCancel,
}: {
  orderNo: string;
  preview: RefundPreviewView;
  reason: string;
  busy: boolean;
  error: unknown;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { split } = preview;
  return (
    <Dialog
      id="dialog-refund"
      title="确认退款"
      confirmText="确认"
      tone="danger"
      busy={busy}
      error={error}
      onConfirm={onConfirm}
      onCancel={onCancel}
    >
      <p className="c-dialog-lead">
        订单 <span className="c-mono">{orderNo}</span> 将按原路退回：
      </p>
      <table className="c-table" id="dialog-refund-split">
        <tbody>
          {LEGS.map((leg) => (
            <tr
              key={leg.key}
              id={`dialog-refund-${leg.key}`}
              className={split[leg.key] === 0 ? 'c-muted' : undefined}
            >
              <td>{leg.label}</td>
              <td className="c-num">
                <Fen fen={split[leg.key]} />
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr id="dialog-refund-total">
            <td>退款合计</td>
            <td className="c-num">
              <Fen fen={split.total} />
            </td>
          </tr>
        </tfoot>
      </table>
      <dl className="c-dl">
        <dt>退款原因</dt>
        <dd>{reason}</dd>
        <dt>退款后可退</dt>
        <dd id="dialog-refund-left">
          <Fen fen={preview.leftAfter} />
        </dd>
      </dl>
      <CNotice tone="warning">确认后立即向医保与微信支付发起退款，不可撤销。</CNotice>
    </Dialog>
  );
}
