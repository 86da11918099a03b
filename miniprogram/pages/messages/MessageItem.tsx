/** One message of the history: title and time, the sentence, its lines as WeChat shows them, where it went. */
import { Text, View } from '@tarojs/components';
import type { MessageView } from '../../../shared/api';
import { openPage } from '../../services/routes';
import { Tag } from '../../components/Tag';
import { deliveryOf, formatCst } from './labels';

export function MessageItem({ message }: { message: MessageView }) {
  const delivery = deliveryOf(message.delivery);
  const orderId = message.orderId;
  return (
    <View
      id={`message-${message.id}`}
      className={orderId ? 'card card--tappable message' : 'card message'}
      onClick={orderId ? () => openPage('order', { orderId }) : undefined}
    >
      <View className="row message-head">
        <Text className="message-title">{message.title}</Text>
        <Text className="muted message-time">{formatCst(message.createdAt)}</Text>
      </View>
      <Text className="message-summary">{message.summary}</Text>
      {message.lines.length > 0 ? (
        <View className="message-lines">
          {message.lines.map((line, i) => (
            <View className="message-line" key={`${i}-${line.label}`}>
              <Text className="message-label">{line.label}</Text>
              <Text className="message-value">{line.value}</Text>
            </View>
          ))}
        </View>
      ) : null}
      <View className="row message-foot">
        <Tag id={`message-delivery-${message.id}`} tone={delivery.tone}>
          {delivery.label}
        </Tag>
        {orderId ? <Text className="link message-link">查看订单 ›</Text> : null}
      </View>
    </View>
  );
}
