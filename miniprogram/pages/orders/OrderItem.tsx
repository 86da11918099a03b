/** One row of the history: when, whose card, which department, the state (or how it really ended), the money. */
import { Text, View } from '@tarojs/components';
import type { OrderView } from '../../../shared/api';
import { formatFen } from '../../../shared/money';
import {
  ORDER_OUTCOME,
  MIX_PAY_TYPE,
  formatDateTime,
  orderStatusLabel,
  orderStatusTone,
} from '../../services/labels';
import { openPage } from '../../services/routes';
import { Tag } from '../../components/Tag';

/** What an outcome (decided by the server) says instead of the bare status, and in place of the payment kind. */
export function OrderItem({ order }: { order: OrderView }) {
  const outcome = order.outcome ? ORDER_OUTCOME[order.outcome] : undefined;
  const who = [order.patientName, order.dept].filter(Boolean).join(' · ');
  return (
    <View
      id={`order-${order.id}`}
      className="card card--tappable"
      onClick={() => openPage('order', { orderId: order.id })}
    >
      <View className="row">
        <Text className="orders-date">{formatDateTime(order.paidAt ?? order.createdAt)}</Text>
        {outcome ? (
          <Tag id={`order-status-${order.id}`} tone={outcome.tone}>
            {outcome.label}
          </Tag>
        ) : (
          <Tag id={`order-status-${order.id}`} tone={orderStatusTone(order.status)}>
            {orderStatusLabel(order.status)}
          </Tag>
        )}
      </View>
      {who ? <Text className="orders-who">{who}</Text> : null}
      <View className="row orders-amounts">
        <Text className="muted">{outcome ? outcome.detail : MIX_PAY_TYPE[order.mixPayType]}</Text>
        <Text className="amount orders-total">{formatFen(order.split.total)}</Text>
      </View>
      {order.split.cash !== order.split.total ? (
        <Text className="muted orders-split">
          医保 {formatFen(order.split.fund + order.split.account)} · 自费 {formatFen(order.split.cash)}
        </Text>
      ) : null}
      <Text className="mono muted orders-no">订单号 {order.orderNo}</Text>
    </View>
  );
}
