/**
 * Pre-settlement: the split (统筹 fund / 个账 account / 自费 cash) and the total, shown BEFORE the patient
 * confirms. Confirming starts the payment (POST /orders/:id/payments) and hands it to the platform bridge;
 * the result page then asks the server what really happened.
 */
import { useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import type { OrderView } from '../../../shared/api';
import { formatFen, isValidSplit } from '../../../shared/money';
import { api } from '../../services/api';
import { bridge } from '../../services/bridge/index';
import { MIX_PAY_TYPE, formatDateTime, orderStatusLabel } from '../../services/labels';
import { usePageParams } from '../../services/params';
import { openPage, replacePage, goBack } from '../../services/routes';
import { useLoader } from '../../services/useLoader';
import { usePageReturn } from '../../services/usePageReturn';
import { ErrorNotice, PageNotReady } from '../../components/PageState';
import { SplitCard } from '../../components/SplitCard';
import { StepUpPanel } from './StepUpPanel';
import './index.css';

/**
 * What the top of the page says, from the order's state as the server reads it now: coming back from the
 * cashier without paying must not still say 预结算完成, and a paid order is not offered again.
 */
export function confirmNotice(order: OrderView): { tone: 'success' | 'warning' | 'info'; text: string } {
  const insurancePart = order.split.fund + order.split.account;
  if (order.stepUpRequired)
    return {
      tone: 'warning',
      text: '为保障您的账户安全，支付前需要先用短信验证码确认就诊人身份。',
    };
  if (order.heldForReview)
    return {
      tone: 'warning',
      text: '这笔订单需要医院人工核实后才能支付，核实通过后这里会出现支付按钮；如有疑问请咨询收费窗口。',
    };
  switch (order.status) {
    case 'PRESETTLED':
      return order.useInsurance
        ? {
            tone: 'success',
            text: `医保预结算完成：医保支付 ${formatFen(insurancePart)}，您需自费 ${formatFen(order.split.cash)}。`,
          }
        : { tone: 'info', text: '本次不使用医保，全部费用自费支付。' };
    case 'AWAITING_PAYMENT':
      return {
        tone: 'warning',
        text:
          order.split.cash > 0
            ? `您还没有完成支付。请继续支付自费部分 ${formatFen(order.split.cash)}，或取消订单。`
            : '您还没有完成医保支付。请继续支付，或取消订单。',
      };
    case 'UNKNOWN':
      return { tone: 'info', text: '正在向微信支付确认结果，请稍候刷新，不要重复支付。' };
    default:
      return { tone: 'info', text: `订单当前状态：${orderStatusLabel(order.status)}，无需在此支付。` };
  }
}

export function payButtonText(order: OrderView): string {
  return order.split.cash > 0 ? `确认支付 ${formatFen(order.split.cash)}` : '确认医保支付';
}

export default function Confirm() {
  const params = usePageParams();
  const orderId = params.orderId ?? '';
  const [busy, setBusy] = useState<'pay' | 'cancel' | 'leaving' | undefined>();
  const [actionError, setActionError] = useState<unknown>();
  const { state, reload } = useLoader(() => api.order(orderId));
  // back from the cashier (didShow, or the H5 page restored as it was left): the buttons work again
  usePageReturn(() => setBusy(undefined));

  const pay = async (order: OrderView) => {
    setActionError(undefined);
    setBusy('pay');
    try {
      const payment = await api.startPayment(order.id);
      const outcome = await bridge.pay(order.id, payment);
      if (outcome === null) {
        setBusy('leaving'); // H5: the browser is on its way to the cashier
        return;
      }
      replacePage('result', { orderId: order.id, result: outcome });
    } catch (err) {
      setActionError(err);
      setBusy(undefined);
    }
  };

  const cancel = async (order: OrderView) => {
    setActionError(undefined);
    setBusy('cancel');
    try {
      await api.cancelOrder(order.id);
      goBack('bills');
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(undefined);
    }
  };

  if (state.status !== 'ready')
    return <PageNotReady state={state} onRetry={reload} loadingText="正在获取医保预结算结果…" />;

  const order = state.data;
  const payable = order.allowedActions.includes('pay') && isValidSplit(order.split);
  const notice = confirmNotice(order);
  return (
    <View className="page confirm">
      <View
        className={`notice${notice.tone === 'info' ? '' : ` notice--${notice.tone}`}`}
        id="confirm-notice"
      >
        <Text>{notice.text}</Text>
      </View>

      <SplitCard split={order.split} idPrefix="split" title={`支付方式：${MIX_PAY_TYPE[order.mixPayType]}`} />

      <View className="card confirm-meta">
        <View className="row">
          <Text className="muted">订单号</Text>
          <Text className="mono confirm-value">{order.orderNo}</Text>
        </View>
        <View className="row">
          <Text className="muted">账单</Text>
          <Text className="mono confirm-value">{order.billNos.join('、')}</Text>
        </View>
        {order.expiresAt && payable ? (
          <View className="row">
            <Text className="muted">请在此前支付</Text>
            <Text className="confirm-value">{formatDateTime(order.expiresAt)}</Text>
          </View>
        ) : null}
      </View>

      {order.stepUpRequired ? <StepUpPanel order={order} onProven={reload} /> : null}

      {actionError ? <ErrorNotice error={actionError} /> : null}

      {payable ? (
        <View>
          <Button
            id="pay-button"
            className="btn btn--primary"
            disabled={!!busy || undefined}
            onClick={() => pay(order)}
          >
            {busy === 'leaving' ? '正在打开收银台…' : payButtonText(order)}
          </Button>
          {order.allowedActions.includes('cancel') ? (
            <Button
              id="cancel-order"
              className="btn btn--plain"
              disabled={!!busy || undefined}
              onClick={() => cancel(order)}
            >
              暂不支付，取消订单
            </Button>
          ) : null}
        </View>
      ) : (
        <View>
          <Button className="btn" onClick={() => openPage('order', { orderId: order.id })}>
            查看订单详情
          </Button>
          {order.allowedActions.includes('cancel') ? (
            <Button
              id="cancel-order"
              className="btn btn--plain"
              disabled={!!busy || undefined}
              onClick={() => cancel(order)}
            >
              不缴了，取消订单
            </Button>
          ) : null}
        </View>
      )}
    </View>
  );
}
