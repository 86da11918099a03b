/**
 * Refund requests from both sides: the patient asks on a completed order (amount optional, in yuan → fen; a
 * reason) and sees 待审核 / 已同意 / 已拒绝 with the cashier's reason; the cashier lists pending requests and
 * approves or rejects one with a reason.
 */
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { RefundRequestView } from '../../shared/api';
import Order from '../../miniprogram/pages/order/index';
import ConsoleRefundRequests from '../../miniprogram/pages/console/requests/index';
import { api } from '../../miniprogram/services/api';
import { consoleApi } from '../../miniprogram/services/console/api';
import { setConsoleSession } from '../../miniprogram/services/console/session';
import { ApiError } from '../../miniprogram/services/errors';
import Taro, { resetTaro } from './stubs/taro';
import { ORDER_ID, order } from './fixtures';

const text = (id: string) => (document.getElementById(id)?.textContent ?? '').replace(/\s+/g, '');
const fill = (id: string, value: string) =>
  fireEvent.change(document.getElementById(id)!, { target: { value } });

function request(overrides: Partial<RefundRequestView> = {}): RefundRequestView {
  return {
    id: 'rq-1',
    orderId: ORDER_ID,
    orderNo: 'MO2026030100000001',
    amount: 1999,
    reason: '检查取消',
    status: 'PENDING',
    createdAt: '2026-03-01T03:00:00.000Z',
    ...overrides,
  };
}

afterEach(() => jest.restoreAllMocks());

describe('patient order page: 申请退款', () => {
  beforeEach(() => resetTaro({ path: '/pages/order/index', params: { orderId: ORDER_ID } }));

  it('asks for a refund on a completed order: yuan → fen exactly, a reason required', async () => {
    jest.spyOn(api, 'order').mockResolvedValue(order({ status: 'COMPLETED', receiptNo: 'EINV0001' }));
    const ask = jest
      .spyOn(api, 'requestRefund')
      .mockRejectedValueOnce(new ApiError('REFUND_NOT_ALLOWED', 'a request is already pending', 409))
      .mockResolvedValue(request());
    render(<Order />);
    fireEvent.click(await screen.findByText('申请退款'));
    fill('refund-request-amount', '491.01');
    fireEvent.click(screen.getByText('提交退款申请'));
    expect(text('refund-request-problem')).toBe('金额不能超过可退金额¥491.00');
    fill('refund-request-amount', '19.99');
    fireEvent.click(screen.getByText('提交退款申请'));
    expect(text('refund-request-problem')).toBe('请填写退款原因');
    fill('refund-request-reason', ' 检查取消 ');
    fireEvent.click(screen.getByText('提交退款申请'));
    expect(await screen.findByText(/a request is already pending/)).toBeTruthy();
    fireEvent.click(screen.getByText('提交退款申请'));
    await waitFor(() => expect(text('refund-request-rq-1')).toContain('待审核'));
    expect(ask).toHaveBeenLastCalledWith(ORDER_ID, { amount: 1999, reason: '检查取消' });
    expect(text('refund-request-rq-1')).toContain('¥19.99');
    // one pending request at a time
    expect(screen.queryByText('申请退款')).toBeNull();
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '已提交退款申请', icon: 'success' });
  });

  it('a blank amount asks for the rest', async () => {
    jest.spyOn(api, 'order').mockResolvedValue(order({ status: 'PARTIALLY_REFUNDED' }));
    const ask = jest.spyOn(api, 'requestRefund').mockResolvedValue(request({ amount: undefined }));
    render(<Order />);
    fireEvent.click(await screen.findByText('申请退款'));
    fill('refund-request-reason', '不需要了');
    fireEvent.click(screen.getByText('提交退款申请'));
    await waitFor(() =>
      expect(ask).toHaveBeenCalledWith(ORDER_ID, { amount: undefined, reason: '不需要了' }),
    );
    await waitFor(() => expect(text('refund-request-rq-1')).toContain('剩余全部'));
  });

  it("shows the order's requests with their status and the cashier's reason", async () => {
    jest.spyOn(api, 'order').mockResolvedValue({
      ...order({ status: 'COMPLETED' }),
      refundRequests: [
        request({
          id: 'rq-2',
          status: 'REJECTED',
          decidedBy: 'cashier01',
          decidedAt: '2026-03-01T05:00:00.000Z',
          decisionReason: '检查已完成，费用不予退还',
        }),
        request({ id: 'rq-3', status: 'APPROVED', amount: undefined, decidedAt: '2026-03-01T04:00:00.000Z' }),
      ],
    });
    render(<Order />);
    await waitFor(() => expect(text('refund-request-rq-2')).toContain('已拒绝'));
    expect(text('refund-request-rq-2')).toContain('收费处已拒绝：检查已完成，费用不予退还');
    expect(text('refund-request-rq-3')).toContain('已同意');
    // no pending request: the patient may ask again
    expect(screen.getByText('申请退款')).toBeTruthy();
  });

  it('offers nothing on an order that is not completed', async () => {
    jest.spyOn(api, 'order').mockResolvedValue(order({ status: 'PRESETTLED' }));
    render(<Order />);
    await waitFor(() => expect(text('order-status')).toBe('待支付'));
    expect(document.getElementById('refund-requests')).toBeNull();
  });
});

describe('console refund requests', () => {
  beforeEach(() => {
    resetTaro({ path: '/pages/console/requests/index' });
    setConsoleSession({
      token: 'ct_abcdefghijklmnopqrstuvwx',
      role: 'cashier',
      username: 'cashier01',
      expiresAtMs: Date.now() + 3_600_000,
    });
  });

  it('lists pending requests and approves one', async () => {
    const list = jest.spyOn(consoleApi, 'refundRequests').mockResolvedValue([request()]);
    const approve = jest.spyOn(consoleApi, 'approveRefundRequest').mockResolvedValue(
      request({
        status: 'APPROVED',
        decidedBy: 'cashier01',
        decidedAt: '2026-03-01T06:00:00.000Z',
        refundId: 'r1',
      }),
    );
    render(<ConsoleRefundRequests />);
    await waitFor(() => expect(text('request-rq-1')).toContain('¥19.99'));
    expect(list).toHaveBeenCalledWith('PENDING');
    expect(text('request-rq-1')).toContain('待审核');
    fireEvent.click(document.getElementById('request-rq-1-approve')!);
    fireEvent.click(document.getElementById('dialog-request-approve-confirm')!);
    await waitFor(() => expect(text('request-rq-1')).toContain('已同意'));
    expect(approve).toHaveBeenCalledWith('rq-1');
    expect(text('requests-notice')).toContain('退款已发起');
  });

  it('rejects only with a reason', async () => {
    jest.spyOn(consoleApi, 'refundRequests').mockResolvedValue([request()]);
    const reject = jest
      .spyOn(consoleApi, 'rejectRefundRequest')
      .mockResolvedValue(
        request({ status: 'REJECTED', decidedBy: 'cashier01', decisionReason: '检查已完成' }),
      );
    render(<ConsoleRefundRequests />);
    fireEvent.click(await screen.findByText('拒绝'));
    const confirm = document.getElementById('dialog-request-reject-confirm') as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    fill('request-reject-reason', '检查已完成');
    fireEvent.click(confirm);
    await waitFor(() => expect(text('request-rq-1')).toContain('已拒绝'));
    expect(reject).toHaveBeenCalledWith('rq-1', '检查已完成');
    expect(text('request-rq-1')).toContain('检查已完成');
  });

  it('switches the status filter and shows an empty state', async () => {
    const list = jest.spyOn(consoleApi, 'refundRequests').mockResolvedValue([]);
    render(<ConsoleRefundRequests />);
    expect(await screen.findByText('没有待审核的退款申请')).toBeTruthy();
    fireEvent.click(document.getElementById('requests-filter-ALL')!);
    await waitFor(() => expect(list).toHaveBeenLastCalledWith(undefined));
    expect(await screen.findByText('没有退款申请')).toBeTruthy();
  });
});
