/** The split shown before paying: amounts from fen through formatFen, the legs' sum, the pay button. */
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { formatFen } from '../../shared/money';
import { SplitCard } from '../../miniprogram/components/SplitCard';
import Confirm from '../../miniprogram/pages/confirm/index';
import { api } from '../../miniprogram/services/api';
import { bridge } from '../../miniprogram/services/bridge/index';
import { ApiError } from '../../miniprogram/services/errors';
import Taro, { resetTaro } from './stubs/taro';
import { ORDER_ID, order } from './fixtures';

const text = (id: string) => (document.getElementById(id)?.textContent ?? '').replace(/\s+/g, '');

describe('SplitCard', () => {
  it('shows total, fund, account and cash formatted from fen, and the sum of the legs', () => {
    render(<SplitCard split={{ total: 49100, fund: 14833, account: 3000, cash: 31267 }} idPrefix="split" />);
    expect(text('split-total')).toContain('¥491.00');
    expect(text('split-fund')).toContain('¥148.33');
    expect(text('split-account')).toContain('¥30.00');
    expect(text('split-cash')).toContain('¥312.67');
    expect(text('split-check')).toBe('¥148.33+¥30.00+¥312.67=¥491.00');
  });

  it('uses formatFen for every amount, including a cash-only split', () => {
    const split = { total: 5, fund: 0, account: 0, cash: 5 };
    render(<SplitCard split={split} idPrefix="split" />);
    expect(text('split-total')).toContain(formatFen(5));
    expect(text('split-fund')).toContain('¥0.00');
    expect(text('split-cash')).toContain('¥0.05');
  });

  it('says so when the legs do not add up to the total', () => {
    render(<SplitCard split={{ total: 49100, fund: 14833, account: 3000, cash: 31266 }} idPrefix="split" />);
    expect(document.getElementById('split-check')).toBeNull();
    expect(text('split-invalid')).toContain('金额校验未通过');
  });
});

describe('Confirm page (pre-settlement)', () => {
  beforeEach(() => resetTaro({ path: '/pages/confirm/index', params: { orderId: ORDER_ID } }));
  afterEach(() => jest.restoreAllMocks());

  it('shows the split of the order before paying, and the cash amount on the pay button', async () => {
    jest.spyOn(api, 'order').mockResolvedValue(order());
    render(<Confirm />);
    await screen.findByText(/确认支付/);
    expect(api.order).toHaveBeenCalledWith(ORDER_ID);
    expect(text('split-total')).toContain('¥491.00');
    expect(text('split-fund')).toContain('¥148.33');
    expect(text('split-account')).toContain('¥30.00');
    expect(text('split-cash')).toContain('¥312.67');
    expect(text('pay-button')).toBe('确认支付¥312.67');
  });

  it('starts the payment, hands it to the bridge and opens the result page with what the sheet said', async () => {
    jest.spyOn(api, 'order').mockResolvedValue(order());
    const payment = {
      status: 'AWAITING_PAYMENT' as const,
      outTradeNo: 'MO2026030100000001',
      mixTradeNo: 'MIX1',
    };
    jest.spyOn(api, 'startPayment').mockResolvedValue(payment);
    jest.spyOn(bridge, 'pay').mockResolvedValue('ok');
    render(<Confirm />);
    fireEvent.click(await screen.findByText(/确认支付/));
    await waitFor(() => expect(Taro.redirectTo).toHaveBeenCalled());
    expect(bridge.pay).toHaveBeenCalledWith(ORDER_ID, payment);
    expect(Taro.redirectTo).toHaveBeenCalledWith({
      url: `/pages/result/index?orderId=${ORDER_ID}&result=ok`,
    });
  });

  it('reads the order again when the patient comes back from the cashier without paying', async () => {
    const load = jest.spyOn(api, 'order').mockResolvedValue(order());
    jest.spyOn(api, 'startPayment').mockResolvedValue({ status: 'AWAITING_PAYMENT' });
    jest.spyOn(bridge, 'pay').mockResolvedValue(null); // H5: off to the cashier page
    render(<Confirm />);
    expect(text('confirm-notice')).toBe('');
    await screen.findByText(/医保预结算完成/);
    fireEvent.click(await screen.findByText(/确认支付/));
    await screen.findByText('正在打开收银台…');

    // back from the cashier: the browser restores the page as it was left
    load.mockResolvedValue(order({ status: 'AWAITING_PAYMENT' }));
    window.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true }));
    await screen.findByText(/您还没有完成支付/);
    expect(screen.queryByText(/医保预结算完成/)).toBeNull();
    expect(text('pay-button')).toBe('确认支付¥312.67');
    expect(document.getElementById('pay-button')?.hasAttribute('disabled')).toBe(false);
  });

  it('says an order held by the risk rules waits for the hospital, and offers no pay button', async () => {
    jest.spyOn(api, 'order').mockResolvedValue(order({ heldForReview: true, allowedActions: ['cancel'] }));
    render(<Confirm />);
    await screen.findByText(/需要医院人工核实后才能支付/);
    expect(document.getElementById('pay-button')).toBeNull();
  });

  it('offers no pay button for an order that cannot be paid any more', async () => {
    jest.spyOn(api, 'order').mockResolvedValue(order({ status: 'COMPLETED', receiptNo: 'R1' }));
    render(<Confirm />);
    await screen.findByText(/无需在此支付/);
    expect(document.getElementById('pay-button')).toBeNull();
  });

  it('offers no pay button when the legs do not add up', async () => {
    jest
      .spyOn(api, 'order')
      .mockResolvedValue(order({ split: { total: 100, fund: 50, account: 0, cash: 49 } }));
    render(<Confirm />);
    await screen.findByText(/金额校验未通过/);
    expect(document.getElementById('pay-button')).toBeNull();
  });

  it("shows the server's message when the order cannot be loaded", async () => {
    jest
      .spyOn(api, 'order')
      .mockRejectedValue(new ApiError('ORDER_NOT_FOUND', '没有找到这笔订单，请返回订单列表。', 404));
    render(<Confirm />);
    expect(await screen.findByText('没有找到这笔订单，请返回订单列表。')).toBeTruthy();
    expect(screen.getByText('未找到该订单')).toBeTruthy();
  });

  it("shows the server's message when starting the payment is refused, and keeps the split on screen", async () => {
    jest.spyOn(api, 'order').mockResolvedValue(order());
    jest
      .spyOn(api, 'startPayment')
      .mockRejectedValue(
        new ApiError('ORDER_STATE_CONFLICT', 'the order has expired; please check out again', 409),
      );
    render(<Confirm />);
    fireEvent.click(await screen.findByText(/确认支付/));
    expect(await screen.findByText(/the order has expired; please check out again/)).toBeTruthy();
    expect(text('split-total')).toContain('¥491.00');
  });
});
