/** The history page: whose card and which department each row is, the refused-insurance row, the filter bar. */
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import Orders from '../../miniprogram/pages/orders/index';
import { monthLabel, recentMonths } from '../../miniprogram/pages/orders/Filters';
import { api } from '../../miniprogram/services/api';
import { resetTaro } from './stubs/taro';
import { order, patient } from './fixtures';

const FAMILY_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const PAID_ID = '11111111-1111-4111-8111-111111111111';
const REFUSED_ID = '22222222-2222-4222-8222-222222222222';

const text = (id: string) => (document.getElementById(id)?.textContent ?? '').replace(/\s+/g, '');
const tap = (id: string) => fireEvent.click(document.getElementById(id)!);

const paid = order({ id: PAID_ID, status: 'COMPLETED', patientName: '张*', dept: '内科门诊、检验科' });
const refused = order({
  id: REFUSED_ID,
  status: 'CANCELLED',
  patientId: FAMILY_ID,
  patientName: '李*红',
  dept: '放射科',
  mixPayType: 'CASH_ONLY',
  split: { total: 5000, fund: 0, account: 0, cash: 5000 },
  outcome: 'INSURANCE_REFUSED',
});
const twoCards = [patient(), patient({ id: FAMILY_ID, name: '李*红', idNoMasked: '3601**********5678' })];

beforeEach(() => resetTaro({ path: '/pages/orders/index' }));
afterEach(() => jest.restoreAllMocks());

describe('Orders page: rows', () => {
  it('shows each order’s card and department', async () => {
    jest.spyOn(api, 'patients').mockResolvedValue(twoCards);
    jest.spyOn(api, 'orders').mockResolvedValue([paid, refused]);
    render(<Orders />);
    await waitFor(() => expect(text(`order-${PAID_ID}`)).toContain('张*·内科门诊、检验科'));
    expect(text(`order-${REFUSED_ID}`)).toContain('李*红·放射科');
  });

  it('says 医保结算未通过 for a refused insurance checkout, not 已取消 or 全自费', async () => {
    jest.spyOn(api, 'patients').mockResolvedValue(twoCards);
    jest.spyOn(api, 'orders').mockResolvedValue([refused]);
    render(<Orders />);
    await waitFor(() => expect(text(`order-status-${REFUSED_ID}`)).toBe('医保结算未通过'));
    const row = text(`order-${REFUSED_ID}`);
    expect(row).toContain('没有扣款');
    expect(row).not.toContain('已取消');
    expect(row).not.toContain('全自费');
  });

  it('shows only the card’s name for an order without a department', async () => {
    jest.spyOn(api, 'patients').mockResolvedValue([patient()]);
    jest.spyOn(api, 'orders').mockResolvedValue([order({ status: 'COMPLETED', dept: undefined })]);
    render(<Orders />);
    await screen.findByText('张*');
    expect(document.body.textContent).not.toContain('undefined');
  });
});

describe('Orders page: filters', () => {
  it('offers the cards only when there is more than one', async () => {
    jest.spyOn(api, 'patients').mockResolvedValue([patient()]);
    jest.spyOn(api, 'orders').mockResolvedValue([paid]);
    render(<Orders />);
    await screen.findByText('已完成');
    expect(document.getElementById('filter-status-paid')).not.toBeNull();
    expect(document.getElementById('filter-card-all')).toBeNull();
  });

  it('asks the server again for each filter the patient taps, and marks the chosen chip', async () => {
    jest.spyOn(api, 'patients').mockResolvedValue(twoCards);
    const orders = jest.spyOn(api, 'orders').mockResolvedValue([paid, refused]);
    render(<Orders />);
    await waitFor(() => expect(document.getElementById(`filter-card-${FAMILY_ID}`)).not.toBeNull());
    expect(orders).toHaveBeenLastCalledWith({});

    orders.mockResolvedValue([refused]);
    tap(`filter-card-${FAMILY_ID}`);
    await waitFor(() => expect(orders).toHaveBeenLastCalledWith({ patientId: FAMILY_ID }));
    await waitFor(() => expect(document.getElementById(`order-${PAID_ID}`)).toBeNull());
    expect(document.getElementById(`filter-card-${FAMILY_ID}`)!.className).toContain('orders-chip--on');

    tap('filter-status-closed');
    await waitFor(() => expect(orders).toHaveBeenLastCalledWith({ patientId: FAMILY_ID, status: 'closed' }));

    const month = recentMonths(Date.now())[1];
    expect(text(`filter-month-${month}`)).toBe(monthLabel(month));
    tap(`filter-month-${month}`);
    await waitFor(() =>
      expect(orders).toHaveBeenLastCalledWith({ patientId: FAMILY_ID, status: 'closed', month }),
    );

    tap('filter-card-all');
    await waitFor(() => expect(orders).toHaveBeenLastCalledWith({ status: 'closed', month }));
  });

  it('says when nothing matches, and clears the filters', async () => {
    jest.spyOn(api, 'patients').mockResolvedValue(twoCards);
    const orders = jest.spyOn(api, 'orders').mockResolvedValue([paid]);
    render(<Orders />);
    await screen.findByText('已完成');
    orders.mockResolvedValue([]);
    tap('filter-status-refund');
    expect(await screen.findByText('没有符合条件的缴费记录')).toBeTruthy();
    orders.mockResolvedValue([paid]);
    tap('filter-clear');
    await screen.findByText('已完成');
    expect(orders).toHaveBeenLastCalledWith({});
  });

  it('still lists the orders when the cards cannot be loaded', async () => {
    jest.spyOn(api, 'patients').mockRejectedValue(new Error('offline'));
    jest.spyOn(api, 'orders').mockResolvedValue([paid]);
    render(<Orders />);
    await screen.findByText('已完成');
    expect(document.getElementById('filter-card-all')).toBeNull();
  });
});

describe('recentMonths / monthLabel', () => {
  it('counts back twelve months in China time across a new year', () => {
    // 2026-01-31 17:00 UTC is already 1 February in China
    const months = recentMonths(Date.parse('2026-01-31T17:00:00Z'));
    expect(months).toHaveLength(12);
    expect(months.slice(0, 3)).toEqual(['2026-02', '2026-01', '2025-12']);
    expect(monthLabel('2025-12')).toBe('2025年12月');
    expect(monthLabel('2026-02')).toBe('2026年2月');
  });
});
