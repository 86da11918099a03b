/**
 * One order: status in Chinese (refreshed while it is still moving), the split by fund, receipt number,
 * status history from `timeline` (patient words), refunds split by fund, and refund requests (申请退款 on a completed order).
 */
import { useEffect } from 'react';
import { Text, View } from '@tarojs/components';
import type { OrderView } from '../../../shared/api';
import { formatFen } from '../../../shared/money';
import { api } from '../../services/api';
import {
  MIX_PAY_TYPE,
  ORDER_OUTCOME,
  formatDateTime,
  orderStatusLabel,
  orderStatusTone,
} from '../../services/labels';
import { usePageParams } from '../../services/params';
import { openPage } from '../../services/routes';
import { useLoader } from '../../services/useLoader';
import { PageNotReady } from '../../components/PageState';
import { SplitCard } from '../../components/SplitCard';
import { RefundRequests } from './RefundRequest';
import { readRefunds, refundStatusLabel } from './refunds';
import './index.css';

/** States that change on their own (callbacks, the HIS confirmation, the janitor): refresh while shown. */
const MOVING: ReadonlySet<OrderView['status']> = new Set([
  'AWAITING_PAYMENT',
  'UNKNOWN',
  'PAID',
  'REFUNDING',
]);
const REFRESH_MS = 3000;

export default function Order() {
  const params = usePageParams();
  const orderId = params.orderId ?? '';
  const { state, reload } = useLoader(() => api.order(orderId));
  const status = state.status === 'ready' ? state.data.status : undefined;
  const refreshing = state.status === 'ready' && state.refreshing;

  useEffect(() => {
    if (!status || !MOVING.has(status) || refreshing) return;
    const timer = setTimeout(() => void reload(), REFRESH_MS);
    return () => clearTimeout(timer);
  }, [status, refreshing, reload]);

  if (state.status !== 'ready') return <PageNotReady state={state} onRetry={reload} />;

  const order = state.data;
  const outcome = order.outcome ? ORDER_OUTCOME[order.outcome] : undefined;
  const refunds = readRefunds(order.refunds ?? []);
  // newest first; the server words it for the patient (no actors, ids or cashier notes)
  const timeline = [...(order.timeline ?? [])].reverse();
  return (
    <View className="page order">
      <View className="card order-head">
        <Text className="muted">订单状态</Text>
        <Text
          className={`order-status order-status--${outcome?.tone ?? orderStatusTone(order.status)}`}
          id="order-status"
        >
          {outcome?.label ?? orderStatusLabel(order.status)}
        </Text>
        {outcome ? <Text className="muted">{outcome.detail}</Text> : null}
        <Text className="amount amount--big">{formatFen(order.split.total)}</Text>
        {outcome ? null : <Text className="muted">{MIX_PAY_TYPE[order.mixPayType]}</Text>}
        {order.allowedActions.includes('pay') ? (
          <Text className="link order-continue" onClick={() => openPage('confirm', { orderId: order.id })}>
            继续支付
          </Text>
        ) : null}
      </View>

      <View className="card">
        <View className="row order-line">
          <Text className="muted">电子票据号</Text>
          <Text className="mono order-value" id="receipt-no">
            {order.receiptNo ?? (order.status === 'PAID' ? '开具中' : '—')}
          </Text>
        </View>
        <View className="row order-line">
          <Text className="muted">订单号</Text>
          <Text className="mono order-value">{order.orderNo}</Text>
        </View>
        <View className="row order-line">
          <Text className="muted">账单号</Text>
          <Text className="mono order-value">{order.billNos.join('、')}</Text>
        </View>
        {order.transactionId ? (
          <View className="row order-line">
            <Text className="muted">微信支付单号</Text>
            <Text className="mono order-value">{order.transactionId}</Text>
          </View>
        ) : null}
        <View className="row order-line">
          <Text className="muted">下单时间</Text>
          <Text className="order-value">{formatDateTime(order.createdAt)}</Text>
        </View>
        {order.paidAt ? (
          <View className="row order-line">
            <Text className="muted">支付时间</Text>
            <Text className="order-value">{formatDateTime(order.paidAt)}</Text>
          </View>
        ) : null}
      </View>

      <SplitCard split={order.split} title="支付明细" />

      <View className="card" id="refunds">
        <Text className="card-title">退款</Text>
        {refunds.length === 0 ? (
          <Text className="muted">暂无退款</Text>
        ) : (
          refunds.map((r) => (
            <View key={r.id} className="refund">
              <View className="row">
                <Text>{refundStatusLabel(r.status)}</Text>
                {r.total !== undefined ? <Text className="amount">{formatFen(r.total)}</Text> : null}
              </View>
              <Text className="muted refund-legs">
                {[
                  r.fund !== undefined ? `统筹 ${formatFen(r.fund)}` : '',
                  r.account !== undefined ? `个账 ${formatFen(r.account)}` : '',
                  r.cash !== undefined ? `自费 ${formatFen(r.cash)}` : '',
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </Text>
              {r.createdAt ? <Text className="muted refund-legs">{formatDateTime(r.createdAt)}</Text> : null}
            </View>
          ))
        )}
      </View>

      <RefundRequests order={order} onChanged={() => void reload()} />

      {timeline.length > 0 ? (
        <View className="card" id="order-events">
          <Text className="card-title">状态记录</Text>
          {timeline.map((e, i) => (
            <View key={`${e.at}-${i}`} className={`event ${i === 0 ? 'event--latest' : ''}`}>
              <View className="event-dot" />
              <View className="grow">
                <View className="row">
                  <Text className="event-status">{e.title}</Text>
                  <Text className="muted">{formatDateTime(e.at)}</Text>
                </View>
                {e.detail ? <Text className="muted event-reason">{e.detail}</Text> : null}
              </View>
            </View>
          ))}
        </View>
      ) : null}
    </View>
  );
}
