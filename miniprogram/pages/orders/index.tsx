/** The patient's orders, newest first. */
import { Text, View } from '@tarojs/components';
import { formatFen } from '../../../shared/money';
import { api } from '../../services/api';
import { MIX_PAY_TYPE, formatDateTime, orderStatusLabel, orderStatusTone } from '../../services/labels';
import { openPage } from '../../services/routes';
import { useLoader } from '../../services/useLoader';
import { Empty, PageNotReady } from '../../components/PageState';
import { Tag } from '../../components/Tag';
import './index.css';

export default function Orders() {
  const { state, reload } = useLoader(api.orders);
  if (state.status !== 'ready') return <PageNotReady state={state} onRetry={reload} />;
  if (state.data.length === 0)
    return (
      <View className="page">
        <Empty title="暂无缴费记录" message="在线缴费后，订单和电子票据会显示在这里。" />
      </View>
    );
  return (
    <View className="page orders">
      {state.data.map((order) => (
        <View
          key={order.id}
          id={`order-${order.id}`}
          className="card card--tappable"
          onClick={() => openPage('order', { orderId: order.id })}
        >
          <View className="row">
            <Text className="orders-date">{formatDateTime(order.paidAt ?? order.createdAt)}</Text>
            <Tag tone={orderStatusTone(order.status)}>{orderStatusLabel(order.status)}</Tag>
          </View>
          <View className="row orders-amounts">
            <Text className="muted">{MIX_PAY_TYPE[order.mixPayType]}</Text>
            <Text className="amount orders-total">{formatFen(order.split.total)}</Text>
          </View>
          {order.split.cash !== order.split.total ? (
            <Text className="muted orders-split">
              医保 {formatFen(order.split.fund + order.split.account)} · 自费 {formatFen(order.split.cash)}
            </Text>
          ) : null}
          <Text className="mono muted orders-no">订单号 {order.orderNo}</Text>
        </View>
      ))}
    </View>
  );
}
