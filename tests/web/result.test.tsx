/**
 * The payment result page asks the server, never the bridge: it polls GET /orders/:id (no real sleeps here —
 * an injected sleep, or jest's fake timers) until a final state, and cancels the order when the cashier says so.
 */
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { OrderStatusName, OrderView } from '../../shared/api';
import {
  PaymentResult,
  RECEIPT_ATTEMPTS_MAX,
  SETTLE_ATTEMPTS_MAX,
  type ResultDeps,
} from '../../miniprogram/pages/result/PaymentResult';
import { ApiError } from '../../miniprogram/services/errors';
import { pollUntil, resultPollDelayMs } from '../../miniprogram/services/poll';
import { resetTaro } from './stubs/taro';
import { ORDER_ID, order } from './fixtures';

/** A fake API answering the given statuses in turn (the last one repeats); records the sleeps asked for. */
function fakeServer(statuses: (OrderStatusName | Error)[], extra: Partial<OrderView> = {}) {
  let i = 0;
  const sleeps: number[] = [];
  const orderFn = jest.fn(async () => {
    const next = statuses[Math.min(i++, statuses.length - 1)];
    if (next instanceof Error) throw next;
    return order({
      status: next,
      ...(next === 'COMPLETED' ? { receiptNo: 'EINV20260301000123' } : {}),
      ...extra,
    });
  });
  const cancelOrder = jest.fn(async () => ({ status: 'CANCELLED' as const }));
  const deps: ResultDeps = {
    api: { order: orderFn, cancelOrder },
    sleep: async (ms) => void sleeps.push(ms),
  };
  return { deps, orderFn, cancelOrder, sleeps };
}

function show(deps: ResultDeps, result?: string) {
  const handlers = { onBills: jest.fn(), onOrder: jest.fn(), onHome: jest.fn() };
  render(<PaymentResult orderId={ORDER_ID} result={result} deps={deps} {...handlers} />);
  return handlers;
}

const statusText = () => document.getElementById('result-status')?.textContent;

beforeEach(() => resetTaro({ path: '/pages/result/index' }));

describe('PaymentResult', () => {
  it('polls past AWAITING_PAYMENT until PAID, says 缴费成功, then shows the receipt number once COMPLETED', async () => {
    const server = fakeServer(['AWAITING_PAYMENT', 'AWAITING_PAYMENT', 'PAID', 'PAID', 'COMPLETED']);
    show(server.deps, 'ok');
    await waitFor(() =>
      expect(document.getElementById('receipt-no')?.textContent).toBe('EINV20260301000123'),
    );
    expect(statusText()).toBe('缴费成功');
    expect(server.orderFn).toHaveBeenCalledTimes(5);
    expect(server.orderFn).toHaveBeenCalledWith(ORDER_ID);
    expect(server.cancelOrder).not.toHaveBeenCalled();
    expect(server.sleeps).toEqual([1000, 1000, 3000, 3000]);
  });

  it('does not believe the sheet: "ok" with a failed payment says 支付失败', async () => {
    const server = fakeServer(['AWAITING_PAYMENT', 'PAYMENT_FAILED']);
    show(server.deps, 'ok');
    await waitFor(() => expect(statusText()).toBe('支付失败'));
    expect(screen.getByText(/账单仍未支付/)).toBeTruthy();
    expect(document.getElementById('back-to-bills')).not.toBeNull();
  });

  it('on result=cancel cancels the order on the server and says the bill is still unpaid', async () => {
    const server = fakeServer(['CANCELLED']);
    const handlers = show(server.deps, 'cancel');
    await waitFor(() => expect(statusText()).toBe('支付已取消'));
    expect(server.cancelOrder).toHaveBeenCalledWith(ORDER_ID);
    expect(screen.getByText('您已取消支付，账单仍未支付。')).toBeTruthy();
    fireEvent.click(document.getElementById('back-to-bills')!);
    expect(handlers.onBills).toHaveBeenCalled();
  });

  it('when the cancel is refused because the money moved after all, shows what the server says', async () => {
    const server = fakeServer(['PAID', 'COMPLETED']);
    server.cancelOrder.mockRejectedValueOnce(
      new ApiError('ORDER_STATE_CONFLICT', '订单当前为“已支付”，不能取消。', 409),
    );
    show(server.deps, 'cancel');
    await waitFor(() => expect(document.getElementById('receipt-no')).not.toBeNull());
    expect(statusText()).toBe('缴费成功');
  });

  it.each([
    ['EXPIRED', '订单已过期'],
    ['PAYMENT_FAILED', '支付失败'],
    ['CANCELLED', '订单已取消'],
  ] as const)('says so for %s', async (status, words) => {
    show(fakeServer([status]).deps, 'ok');
    await waitFor(() => expect(statusText()).toBe(words));
    expect(document.body.textContent).toContain('账单仍未支付');
  });

  it('keeps polling through network errors and shows the outcome once the server answers', async () => {
    const server = fakeServer([
      new ApiError('TIMEOUT', '请求超时（10 秒），请检查网络后重试', 0),
      'COMPLETED',
    ]);
    show(server.deps, 'ok');
    await waitFor(() => expect(statusText()).toBe('缴费成功'));
    expect(server.orderFn).toHaveBeenCalledTimes(2);
  });

  it(`gives up after ${SETTLE_ATTEMPTS_MAX} attempts without a final state, says it is still being confirmed, and can ask again`, async () => {
    const server = fakeServer(['AWAITING_PAYMENT']);
    show(server.deps, 'ok');
    await waitFor(() => expect(statusText()).toBe('支付结果确认中'));
    expect(server.orderFn).toHaveBeenCalledTimes(SETTLE_ATTEMPTS_MAX);
    expect(server.sleeps.reduce((a, b) => a + b, 0)).toBeLessThan(120_000);
    fireEvent.click(document.getElementById('recheck')!);
    await waitFor(() => expect(server.orderFn).toHaveBeenCalledTimes(2 * SETTLE_ATTEMPTS_MAX));
  });

  it('stops asking for the receipt after a bounded number of attempts when the order stays PAID', async () => {
    const server = fakeServer(['PAID']);
    show(server.deps, 'ok');
    await waitFor(() => expect(server.orderFn).toHaveBeenCalledTimes(1 + RECEIPT_ATTEMPTS_MAX));
    expect(statusText()).toBe('缴费成功');
    await act(async () => undefined);
    expect(server.orderFn).toHaveBeenCalledTimes(1 + RECEIPT_ATTEMPTS_MAX);
  });

  it("shows the server's message while an answer is missing", async () => {
    const server = fakeServer([new ApiError('ORDER_NOT_FOUND', '没有找到这笔订单，请返回订单列表。', 404)]);
    show(server.deps, 'ok');
    await waitFor(() => expect(statusText()).toBe('支付结果确认中'));
    expect(screen.getByText(/没有找到这笔订单/)).toBeTruthy();
  });
});

describe('PaymentResult with real timers faked', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('waits 1 s between the first polls (default sleep, fake clock)', async () => {
    const statuses: OrderStatusName[] = ['AWAITING_PAYMENT', 'COMPLETED'];
    const orderFn = jest.fn(async () => order({ status: statuses.shift() ?? 'COMPLETED', receiptNo: 'R-9' }));
    const deps: ResultDeps = { api: { order: orderFn, cancelOrder: jest.fn() } };
    show(deps, 'ok');
    await act(async () => undefined);
    expect(orderFn).toHaveBeenCalledTimes(1);
    expect(statusText()).toBe('正在确认支付结果…');
    await act(async () => {
      jest.advanceTimersByTime(999);
    });
    expect(orderFn).toHaveBeenCalledTimes(1);
    await act(async () => {
      jest.advanceTimersByTime(1);
    });
    expect(orderFn).toHaveBeenCalledTimes(2);
    expect(statusText()).toBe('缴费成功');
  });
});

describe('pollUntil', () => {
  it('stops when cancelled (the page was closed)', async () => {
    let closed = false;
    const load = jest.fn(async () => {
      closed = true;
      return 1;
    });
    const outcome = await pollUntil({
      load,
      done: () => false,
      delayMs: () => 0,
      attemptsMax: 5,
      sleep: async () => undefined,
      cancelled: () => closed,
    });
    expect(outcome).toEqual({ kind: 'cancelled' });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('backs off 1 s, 1 s, 2 s, 2 s, then 3 s', () => {
    expect([1, 2, 3, 4, 5, 6].map(resultPollDelayMs)).toEqual([1000, 1000, 2000, 2000, 3000, 3000]);
  });
});
