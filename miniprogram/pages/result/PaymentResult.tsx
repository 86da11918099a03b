/**
 * What happened to the payment, according to the server. The bridge's "ok" proves nothing: the page polls
 * GET /orders/:id (bounded) until a final state. A cancel from the cashier first cancels the order on the
 * server (releasing the bill); if that is refused (the money moved after all), the server's state wins.
 */
import { useEffect, useRef, useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import type { OrderView } from '../../../shared/api';
import { formatFen } from '../../../shared/money';
import type { Api } from '../../services/api';
import { ErrorNotice } from '../../components/PageState';
import { PAYMENT_SETTLED, orderStatusLabel } from '../../services/labels';
import { pollUntil, realSleep, resultPollDelayMs } from '../../services/poll';
import { SplitCard } from '../../components/SplitCard';

/** Attempts to wait for a final state (about 80 s with resultPollDelayMs), then for the receipt after PAID. */
export const SETTLE_ATTEMPTS_MAX = 30;
export const RECEIPT_ATTEMPTS_MAX = 10;
export const RECEIPT_POLL_MS = 3000;

export interface ResultDeps {
  api: Pick<Api, 'order' | 'cancelOrder'>;
  sleep?: (ms: number) => Promise<void>;
}

interface Props {
  orderId: string;
  /** what the payment sheet / cashier said: 'ok' | 'cancel' | 'fail' */
  result?: string;
  deps: ResultDeps;
  onBills: () => void;
  onOrder: (orderId: string) => void;
  onHome: () => void;
}

type Phase = 'cancelling' | 'checking' | 'settled' | 'unsure';

interface Headline {
  status: string;
  detail: string;
  tone: 'success' | 'danger' | 'warning' | 'info';
}

export function headlineFor(phase: Phase, order: OrderView | undefined, userCancelled: boolean): Headline {
  if (phase === 'cancelling')
    return { status: '正在取消支付…', detail: '正在释放账单，请稍候。', tone: 'info' };
  const unsure: Headline = {
    status: '支付结果确认中',
    detail: '暂未收到支付结果。请勿重复支付，稍后可在缴费记录中查看；如已扣款，系统会自动处理。',
    tone: 'warning',
  };
  if (phase === 'unsure' && !order) return unsure;
  if (phase === 'checking' || !order)
    return { status: '正在确认支付结果…', detail: '正在向医院和医保查询，请勿重复支付。', tone: 'info' };
  switch (order.status) {
    case 'PAID':
      return { status: '缴费成功', detail: '医院正在确认收费，电子票据开具中。', tone: 'success' };
    case 'COMPLETED':
      return { status: '缴费成功', detail: '医院已确认收费，电子票据已开具。', tone: 'success' };
    case 'CANCELLED':
      return userCancelled
        ? { status: '支付已取消', detail: '您已取消支付，账单仍未支付。', tone: 'warning' }
        : { status: '订单已取消', detail: '订单已取消，未扣款，账单仍未支付。', tone: 'warning' };
    case 'EXPIRED':
      return {
        status: '订单已过期',
        detail: '超过支付时限，订单已关闭，未扣款，账单仍未支付。',
        tone: 'warning',
      };
    case 'PAYMENT_FAILED':
      return {
        status: '支付失败',
        detail: '支付未成功，款项未扣除或将原路退回，账单仍未支付。',
        tone: 'danger',
      };
    case 'REFUNDING':
    case 'REFUNDED':
    case 'PARTIALLY_REFUNDED':
      return {
        status: orderStatusLabel(order.status),
        detail: '该订单已发起退款，详情见订单。',
        tone: 'info',
      };
    case 'CREATED':
    case 'PRESETTLED':
    case 'AWAITING_PAYMENT':
    case 'UNKNOWN':
      return unsure;
  }
}

export function PaymentResult({ orderId, result, deps, onBills, onOrder, onHome }: Props) {
  const userCancelled = result === 'cancel';
  const [phase, setPhase] = useState<Phase>(userCancelled ? 'cancelling' : 'checking');
  const [order, setOrder] = useState<OrderView>();
  const [error, setError] = useState<unknown>();
  const [round, setRound] = useState(0);
  const closed = useRef(false);

  useEffect(() => {
    closed.current = false;
    const sleep = deps.sleep ?? realSleep;
    const cancelled = () => closed.current;

    const settle = async () => {
      const first = await pollUntil<OrderView>({
        load: () => deps.api.order(orderId),
        done: (o) => PAYMENT_SETTLED.has(o.status),
        onValue: (o) => {
          setOrder(o);
          setError(undefined);
        },
        onError: setError,
        delayMs: resultPollDelayMs,
        attemptsMax: SETTLE_ATTEMPTS_MAX,
        sleep,
        cancelled,
      });
      if (first.kind === 'cancelled') return;
      if (first.kind === 'gave-up') {
        setPhase('unsure');
        return;
      }
      setPhase('settled');
      if (first.value.status !== 'PAID') return;
      // paid: keep asking a little longer for the HIS confirmation and the receipt number
      await pollUntil<OrderView>({
        load: () => deps.api.order(orderId),
        done: (o) => o.status !== 'PAID',
        onValue: setOrder,
        delayMs: () => RECEIPT_POLL_MS,
        waitFirst: true,
        attemptsMax: RECEIPT_ATTEMPTS_MAX,
        sleep,
        cancelled,
      });
    };

    const run = async () => {
      if (userCancelled && round === 0) {
        try {
          await deps.api.cancelOrder(orderId);
        } catch (err) {
          // refused (e.g. already paid): the order's real state is shown below
          setError(err);
        }
        if (closed.current) return;
        setPhase('checking');
      }
      await settle();
    };
    void run();
    return () => {
      closed.current = true;
    };
  }, [orderId, userCancelled, round, deps]);

  const recheck = () => {
    setPhase('checking');
    setRound((r) => r + 1);
  };

  const headline = headlineFor(phase, order, userCancelled);
  const paid = order && (order.status === 'PAID' || order.status === 'COMPLETED');
  return (
    <View className="page result">
      <View className={`result-hero result-hero--${headline.tone}`}>
        <Text className="result-icon">
          {headline.tone === 'success' ? '✓' : headline.tone === 'info' ? '…' : '!'}
        </Text>
        <Text className="result-status" id="result-status">
          {headline.status}
        </Text>
        <Text className="result-detail">{headline.detail}</Text>
        {paid ? <Text className="amount result-amount">{formatFen(order.split.total)}</Text> : null}
      </View>

      {error && phase !== 'settled' ? <ErrorNotice error={error} /> : null}

      {order && phase === 'settled' && order.status === 'COMPLETED' ? (
        <View className="card">
          <View className="row">
            <Text className="muted">电子票据号</Text>
            <Text className="mono" id="receipt-no">
              {order.receiptNo ?? '开具中'}
            </Text>
          </View>
        </View>
      ) : null}

      {order && paid ? <SplitCard split={order.split} title="本次支付" /> : null}

      {phase === 'unsure' ? (
        <Button id="recheck" className="btn btn--primary" onClick={recheck}>
          重新查询支付结果
        </Button>
      ) : null}
      {order && phase === 'settled' && !paid ? (
        <Button id="back-to-bills" className="btn btn--primary" onClick={onBills}>
          返回待缴费账单
        </Button>
      ) : null}
      <Button id="view-order" className="btn" onClick={() => onOrder(orderId)}>
        查看订单详情
      </Button>
      <Button className="btn btn--plain" onClick={onHome}>
        返回首页
      </Button>
    </View>
  );
}
