/**
 * The patient's refund requests on an order (待审核 / 已同意 / 已拒绝, with the cashier's reason), and a form to
 * ask for one on a completed order: amount in yuan (optional: blank = the rest), a reason. The hospital decides.
 */
import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import type { OrderView, RefundRequestStatus, RefundRequestView } from '../../../shared/api';
import { formatFen } from '../../../shared/money';
import { parseYuanInput } from '../../services/amount';
import { api } from '../../services/api';
import { formatDateTime, type Tone } from '../../services/labels';
import { ErrorNotice } from '../../components/PageState';
import { Tag } from '../../components/Tag';
import { FormField } from '../../components/FormField';
import { readRefunds } from './refunds';

export const REQUEST_STATUS: Record<RefundRequestStatus, { label: string; tone: Tone }> = {
  PENDING: { label: '待审核', tone: 'warning' },
  APPROVED: { label: '已同意', tone: 'success' },
  REJECTED: { label: '已拒绝', tone: 'danger' },
};

/** What can still be refunded: the total less every refund that did not fail. */
export function refundableFen(order: OrderView): number {
  const refunded = readRefunds(order.refunds ?? [])
    .filter((r) => r.status !== 'FAILED' && r.status !== 'REJECTED')
    .reduce((sum, r) => sum + (r.total ?? 0), 0);
  return Math.max(0, order.split.total - refunded);
}

export function RefundRequests({ order, onChanged }: { order: OrderView; onChanged: () => void }) {
  const [sent, setSent] = useState<RefundRequestView[]>([]);
  const [open, setOpen] = useState(false);
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const known = order.refundRequests ?? [];
  const requests = [...sent.filter((s) => !known.some((k) => k.id === s.id)), ...known].sort((a, b) =>
    b.createdAt.localeCompare(a.createdAt),
  );
  const remaining = refundableFen(order);
  const pending = requests.some((r) => r.status === 'PENDING');
  // the server decides (allowedActions); a request just sent is pending until the order is read again
  const canAsk = order.allowedActions.includes('request-refund') && remaining > 0 && !pending;
  if (requests.length === 0 && !canAsk) return null;

  const submit = async () => {
    const parsed = parseYuanInput(amount, remaining);
    setError(undefined);
    if (!parsed.ok) return setProblem(parsed.error);
    if (!reason.trim()) return setProblem('请填写退款原因');
    setProblem(undefined);
    setBusy(true);
    try {
      const created = await api.requestRefund(order.id, { amount: parsed.amountFen, reason: reason.trim() });
      setSent((s) => [created, ...s]);
      setOpen(false);
      setAmount('');
      setReason('');
      void Taro.showToast({ title: '已提交退款申请', icon: 'success' });
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="card" id="refund-requests">
      <Text className="card-title">退款申请</Text>
      {requests.map((r) => (
        <View key={r.id} className="refund" id={`refund-request-${r.id}`}>
          <View className="row">
            <Tag tone={REQUEST_STATUS[r.status].tone}>{REQUEST_STATUS[r.status].label}</Tag>
            <Text className="amount">{r.amount !== undefined ? formatFen(r.amount) : '剩余全部'}</Text>
          </View>
          <Text className="muted refund-legs">
            {formatDateTime(r.createdAt)} · {r.reason}
          </Text>
          {r.status === 'PENDING' ? (
            <Text className="muted refund-legs">收费处审核后，退款将原路退回（医保部分退回医保）。</Text>
          ) : null}
          {r.decisionReason || r.decidedAt ? (
            <Text className="refund-legs refund-decision">
              收费处{r.status === 'APPROVED' ? '已同意' : '已拒绝'}
              {r.decisionReason ? `：${r.decisionReason}` : ''}
              {r.decidedAt ? `（${formatDateTime(r.decidedAt)}）` : ''}
            </Text>
          ) : null}
        </View>
      ))}
      {canAsk && !open ? (
        <Button id="refund-request-open" className="btn" onClick={() => setOpen(true)}>
          申请退款
        </Button>
      ) : null}
      {canAsk && open ? (
        <View className="refund-form">
          <FormField
            label="退款金额（元，选填）"
            id="refund-request-amount"
            kind="digit"
            placeholder={`最多 ${formatFen(remaining)}，不填则退剩余全部`}
            maxLength={12}
            value={amount}
            onChange={setAmount}
          />
          <FormField
            label="退款原因"
            id="refund-request-reason"
            placeholder="如：检查取消、重复缴费"
            maxLength={200}
            value={reason}
            onChange={setReason}
          />
          {problem ? (
            <Text className="field-error" id="refund-request-problem">
              {problem}
            </Text>
          ) : null}
          {error ? <ErrorNotice error={error} /> : null}
          <Button
            id="refund-request-submit"
            className="btn btn--primary"
            disabled={busy || undefined}
            onClick={submit}
          >
            {busy ? '正在提交…' : '提交退款申请'}
          </Button>
          <Button className="btn btn--plain" onClick={() => setOpen(false)}>
            取消
          </Button>
        </View>
      ) : null}
    </View>
  );
}
