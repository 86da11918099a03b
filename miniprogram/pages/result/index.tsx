/** Payment result page: `?orderId=…&result=ok|cancel|fail` (H5: `result` is appended by the sandbox cashier). */
import { Text, View } from '@tarojs/components';
import { api } from '../../services/api';
import { usePageParams } from '../../services/params';
import { openPage, restartAt } from '../../services/routes';
import { PaymentResult, type ResultDeps } from './PaymentResult';
import './index.css';

const deps: ResultDeps = { api };

export default function Result() {
  const params = usePageParams();
  if (!params.orderId)
    return (
      <View className="page">
        <View className="state state--error">
          <Text className="state-title" id="result-status">
            缺少订单号
          </Text>
          <Text className="state-message">请在缴费记录中查看订单。</Text>
        </View>
      </View>
    );
  return (
    <PaymentResult
      orderId={params.orderId}
      result={params.result}
      deps={deps}
      onBills={() => restartAt('bills')}
      onOrder={(orderId) => openPage('order', { orderId })}
      onHome={() => restartAt('home')}
    />
  );
}
