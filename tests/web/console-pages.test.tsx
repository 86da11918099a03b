/**
 * The console's other pages in jsdom: login (the server's message; locked), the frame (no session → login; the
 * role's navigation), orders (amounts from fen, paging, client-side filters, states), the order detail and its
 * refund form (yuan → fen exactly), the audit log, and users (the enrolment QR code and secret, shown once).
 */
import { TextEncoder } from 'node:util';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { ConsoleOrderSummary, ConsoleUserListItem } from '../../shared/api';
import ConsoleLogin, {
  loginProblems,
  newPasswordProblems,
} from '../../miniprogram/pages/console/login/index';
import ConsoleOrders, { filterOrders } from '../../miniprogram/pages/console/orders/index';
import ConsoleOrder from '../../miniprogram/pages/console/order/index';
import ConsoleAudit from '../../miniprogram/pages/console/audit/index';
import ConsoleUsers, { groupSecret } from '../../miniprogram/pages/console/users/index';
import { consoleApi, type ConsoleOrderDetailView } from '../../miniprogram/services/console/api';
import {
  getConsoleSession,
  setConsoleAfterLogin,
  setConsoleSession,
} from '../../miniprogram/services/console/session';
import { ApiError } from '../../miniprogram/services/errors';
import Taro, { resetTaro } from './stubs/taro';

const ORDER_ID = '0b7d4c1e-5a6f-4e3d-8c2b-9a1f0e7d6c5b';

function listed(overrides: Partial<ConsoleUserListItem> = {}): ConsoleUserListItem {
  return {
    id: '5f0c9a52-7d1e-4b8a-9c3f-2e6d1a0b4c7e',
    username: 'cashier01',
    role: 'cashier',
    disabled: false,
    mustChangePassword: false,
    lockedAddresses: 0,
    createdAt: '2026-03-01T01:00:00.000Z',
    ...overrides,
  };
}
const text = (id: string) => (document.getElementById(id)?.textContent ?? '').replace(/\s+/g, '');
const fill = (id: string, value: string) =>
  fireEvent.change(document.getElementById(id)!, { target: { value } });

/** The console login form, filled in and submitted. */
function submitLogin(username: string, password: string, otp: string) {
  fill('login-username', username);
  fill('login-password', password);
  fill('login-otp', otp);
  fireEvent.click(document.getElementById('login-submit')!);
}

function login(role: 'cashier' | 'supervisor') {
  setConsoleSession({
    token: 'ct_abcdefghijklmnopqrstuvwx',
    role,
    username: role === 'supervisor' ? 'admin' : 'cashier01',
    expiresAtMs: Date.now() + 3_600_000,
  });
}

function summary(overrides: Partial<ConsoleOrderSummary> = {}): ConsoleOrderSummary {
  return {
    id: ORDER_ID,
    orderNo: 'MO2026030100000001',
    status: 'COMPLETED',
    split: { total: 49100, fund: 14833, account: 3000, cash: 31267 },
    refunded: 0,
    billNos: ['B20260301001'],
    patientName: '张*',
    idNoMasked: '3601**********1234',
    createdAt: '2026-03-01T01:00:00.000Z',
    paidAt: '2026-03-01T01:01:00.000Z',
    receiptNo: 'EINV0001',
    ...overrides,
  };
}

function detail(overrides: Partial<ConsoleOrderDetailView> = {}): ConsoleOrderDetailView {
  return {
    ...summary(),
    useInsurance: true,
    transactionId: '4200000001202603010000000001',
    mixTradeNo: 'MIX0001',
    events: [
      { from: null, to: 'CREATED', actor: 'patient', reason: 'checkout', at: '2026-03-01T01:00:00.000Z' },
      {
        from: 'PAID',
        to: 'COMPLETED',
        actor: 'system',
        reason: 'HIS charge confirmed',
        at: '2026-03-01T01:02:00.000Z',
      },
    ],
    outbox: [
      {
        kind: 'his_confirm',
        status: 'DONE',
        attempts: 2,
        lastError: 'HIS timeout',
        nextAttemptAt: '2026-03-01T01:01:30.000Z',
      },
    ],
    ledger: [
      {
        postingId: 'p-0001-aaaa',
        kind: 'settlement',
        account: 'wechatpay_clearing',
        direction: 'D',
        amount: 31267,
        at: '2026-03-01T01:01:00.000Z',
      },
      {
        postingId: 'p-0001-aaaa',
        kind: 'settlement',
        account: 'insurance_fund_receivable',
        direction: 'D',
        amount: 17833,
        at: '2026-03-01T01:01:00.000Z',
      },
      {
        postingId: 'p-0001-aaaa',
        kind: 'settlement',
        account: 'patient_charges',
        direction: 'C',
        amount: 49100,
        at: '2026-03-01T01:01:00.000Z',
      },
    ],
    refunds: [],
    refundRequests: [],
    allowedActions: ['refund'],
    ...overrides,
  };
}

// jsdom has no TextEncoder; browsers (and qrcode's byte mode) do
Object.assign(globalThis, { TextEncoder });

afterEach(() => jest.restoreAllMocks());

describe('console login', () => {
  beforeEach(() => resetTaro({ path: '/pages/console/login/index' }));

  it('checks the form first: username, password, a 6-digit code', async () => {
    const call = jest.spyOn(consoleApi, 'login');
    render(<ConsoleLogin />);
    fill('login-otp', '12a3');
    fireEvent.click(document.getElementById('login-submit')!);
    expect(await screen.findByText('请输入用户名')).toBeTruthy();
    expect(screen.getByText('请输入密码')).toBeTruthy();
    expect(screen.getByText('动态码为身份验证器上的 6 位数字')).toBeTruthy();
    expect((document.getElementById('login-otp') as HTMLInputElement).value).toBe('123');
    expect(call).not.toHaveBeenCalled();
    expect(loginProblems({ username: 'a', password: 'b', otp: '123456' })).toEqual({});
  });

  it("shows the server's message for a wrong login and clears the spent code", async () => {
    jest
      .spyOn(consoleApi, 'login')
      .mockRejectedValue(
        new ApiError('CONSOLE_LOGIN_FAILED', 'wrong username, password or one-time code', 401),
      );
    render(<ConsoleLogin />);
    submitLogin('admin', 'nope', '000000');
    expect(await screen.findByText('wrong username, password or one-time code')).toBeTruthy();
    expect(text('login-error')).toContain('用户名、密码或动态码不正确');
    expect((document.getElementById('login-otp') as HTMLInputElement).value).toBe('');
    expect(getConsoleSession()).toBeUndefined();
  });

  it('says a locked account (423) is locked, until when, in China time', async () => {
    jest
      .spyOn(consoleApi, 'login')
      .mockRejectedValue(
        new ApiError(
          'ACCOUNT_LOCKED',
          'too many failed logins; the account is locked until 2026-03-01T02:15:00.000Z',
          423,
        ),
      );
    render(<ConsoleLogin />);
    submitLogin('admin', 'nope', '000000');
    await waitFor(() => expect(text('login-locked')).toContain('账号已锁定'));
    expect(text('login-locked')).toContain('2026-03-0110:15');
  });

  it('keeps the session and goes back to the page that sent the cashier here, or to the orders', async () => {
    const call = jest
      .spyOn(consoleApi, 'login')
      .mockResolvedValue({ token: 'ct_new_token_abcdefghijkl', role: 'supervisor', expiresInS: 3600 });
    setConsoleAfterLogin('/pages/console/run/index?runId=42');
    render(<ConsoleLogin />);
    submitLogin(' admin ', 'Admin#2026', '123456');
    await waitFor(() =>
      expect(Taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/console/run/index?runId=42' }),
    );
    expect(call).toHaveBeenCalledWith({ username: 'admin', password: 'Admin#2026', otp: '123456' });
    expect(getConsoleSession()).toMatchObject({
      token: 'ct_new_token_abcdefghijkl',
      role: 'supervisor',
      username: 'admin',
    });
  });
});

describe('console login after a password reset, and when locked', () => {
  beforeEach(() => resetTaro({ path: '/pages/console/login/index' }));

  async function logInWithTemporaryPassword() {
    jest.spyOn(consoleApi, 'login').mockResolvedValue({
      token: 'ct_reset_token_abcdefghijk',
      role: 'cashier',
      expiresInS: 3600,
      mustChangePassword: true,
    });
    render(<ConsoleLogin />);
    submitLogin('wang.fang', 'TempPass23456789', '123456');
    await waitFor(() => expect(document.getElementById('change-password')).toBeTruthy());
  }

  it('asks for a new password first, and keeps no session until it is changed', async () => {
    await logInWithTemporaryPassword();
    expect(text('change-password')).toContain('wang.fang的密码已由主管重置');
    expect(getConsoleSession()).toBeUndefined();
    expect(Taro.reLaunch).not.toHaveBeenCalled();
  });

  it('checks the new password: long enough, typed twice alike, not the temporary one', async () => {
    const change = jest.spyOn(consoleApi, 'changePassword');
    await logInWithTemporaryPassword();
    fill('change-password-new', 'short');
    fill('change-password-again', 'shorter');
    fireEvent.click(document.getElementById('change-password-submit')!);
    expect(await screen.findByText('新密码至少 10 位')).toBeTruthy();
    expect(screen.getByText('两次输入的新密码不一致')).toBeTruthy();
    expect(change).not.toHaveBeenCalled();
    expect(
      newPasswordProblems({
        current: 'TempPass23456789',
        next: 'TempPass23456789',
        again: 'TempPass23456789',
      }),
    ).toEqual(['新密码不能与当前密码相同']);
  });

  it('changes it with the login’s token, then keeps the new session and opens the console', async () => {
    const change = jest.spyOn(consoleApi, 'changePassword').mockResolvedValue({
      token: 'ct_fresh_token_abcdefghijk',
      role: 'cashier',
      expiresInS: 3600,
      mustChangePassword: false,
    });
    await logInWithTemporaryPassword();
    fill('change-password-new', 'Brand#New2026');
    fill('change-password-again', 'Brand#New2026');
    fireEvent.click(document.getElementById('change-password-submit')!);
    await waitFor(() =>
      expect(getConsoleSession()).toMatchObject({
        token: 'ct_fresh_token_abcdefghijk',
        username: 'wang.fang',
      }),
    );
    expect(change).toHaveBeenCalledWith(
      { currentPassword: 'TempPass23456789', newPassword: 'Brand#New2026' },
      'ct_reset_token_abcdefghijk',
    );
    expect(Taro.reLaunch).toHaveBeenCalled();
  });

  it("shows the server's refusal of the new password and stays on the form", async () => {
    jest
      .spyOn(consoleApi, 'changePassword')
      .mockRejectedValue(new ApiError('CURRENT_PASSWORD_WRONG', '当前密码不正确', 422));
    await logInWithTemporaryPassword();
    fill('change-password-new', 'Brand#New2026');
    fill('change-password-again', 'Brand#New2026');
    fireEvent.click(document.getElementById('change-password-submit')!);
    await waitFor(() => expect(text('change-password-error')).toContain('当前密码不正确'));
    expect(getConsoleSession()).toBeUndefined();
  });

  it("says the server's Chinese message for an address locked out (423), and a wait (429)", async () => {
    const locked = jest
      .spyOn(consoleApi, 'login')
      .mockRejectedValueOnce(
        new ApiError(
          'ACCOUNT_LOCKED',
          '从您当前的网络地址登录此账号失败次数过多，已暂时锁定，请在北京时间 2026-03-01 10:15:00 之后再试，或联系主管解锁',
          423,
        ),
      );
    render(<ConsoleLogin />);
    submitLogin('admin', 'nope', '000000');
    await waitFor(() =>
      expect(text('login-locked')).toContain('北京时间2026-03-0110:15:00之后再试，或联系主管解锁'),
    );
    locked.mockRejectedValueOnce(new ApiError('LOGIN_THROTTLED', '登录失败次数过多，请 4 秒后再试', 429));
    fill('login-otp', '000000');
    fireEvent.click(document.getElementById('login-submit')!);
    await waitFor(() => expect(text('login-error')).toContain('请4秒后再试'));
    expect(text('login-error')).toContain('请稍候再试');
  });
});

describe('console frame', () => {
  it('sends a visitor without a session to the console login', async () => {
    resetTaro({ path: '/pages/console/orders/index' });
    jest.spyOn(consoleApi, 'orders').mockResolvedValue({ items: [] });
    render(<ConsoleOrders />);
    await waitFor(() => expect(Taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/console/login/index' }));
  });

  it('shows the supervisor pages in the navigation to supervisors only', async () => {
    resetTaro({ path: '/pages/console/orders/index' });
    jest.spyOn(consoleApi, 'orders').mockResolvedValue({ items: [] });
    login('cashier');
    const { unmount } = render(<ConsoleOrders />);
    expect(document.getElementById('c-nav-audit')).toBeNull();
    expect(text('c-user')).toBe('cashier01收费员');
    unmount();
    login('supervisor');
    render(<ConsoleOrders />);
    expect(document.getElementById('c-nav-audit')).toBeTruthy();
    fireEvent.click(document.getElementById('c-nav-recon')!);
    expect(Taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/console/recon/index' });
  });

  it('logs out', async () => {
    resetTaro({ path: '/pages/console/orders/index' });
    jest.spyOn(consoleApi, 'orders').mockResolvedValue({ items: [] });
    const logout = jest.spyOn(consoleApi, 'logout').mockResolvedValue(undefined);
    login('cashier');
    render(<ConsoleOrders />);
    fireEvent.click(document.getElementById('c-logout')!);
    await waitFor(() => expect(Taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/console/login/index' }));
    expect(logout).toHaveBeenCalled();
    expect(getConsoleSession()).toBeUndefined();
  });
});

describe('console orders', () => {
  beforeEach(() => {
    resetTaro({ path: '/pages/console/orders/index' });
    login('cashier');
  });

  it('lists the day with amounts formatted from fen, pages with the cursor, and opens an order', async () => {
    const second = summary({
      id: 'f1d2c3b4-0000-4000-8000-000000000002',
      orderNo: 'MO2026030100000002',
      split: { total: 1999, fund: 0, account: 0, cash: 1999 },
    });
    const call = jest
      .spyOn(consoleApi, 'orders')
      .mockResolvedValueOnce({ items: [summary()], nextCursor: 'c1' })
      .mockResolvedValueOnce({ items: [second] });
    render(<ConsoleOrders />);
    await waitFor(() => expect(text(`c-order-${ORDER_ID}`)).toContain('¥491.00'));
    expect(text(`c-order-${ORDER_ID}`)).toContain('¥148.33');
    expect(text(`c-order-${ORDER_ID}`)).toContain('¥312.67');
    expect(text(`c-order-${ORDER_ID}`)).toContain('已完成');
    expect(text(`c-order-${ORDER_ID}`)).toContain('2026-03-0109:00:00');
    const date = (document.getElementById('orders-date') as HTMLInputElement).value;
    expect(call).toHaveBeenCalledWith({ date, status: undefined });
    fireEvent.click(screen.getByText('加载更多'));
    await waitFor(() => expect(text('orders-table')).toContain('¥19.99'));
    expect(call).toHaveBeenLastCalledWith({ date, status: undefined, cursor: 'c1' });
    expect(text('orders-table')).toContain('合计（2笔）¥510.99');
    fireEvent.click(document.getElementById(`c-order-${ORDER_ID}`)!);
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: `/pages/console/order/index?orderId=${ORDER_ID}` });
  });

  it('searches another day and status on the server', async () => {
    const call = jest.spyOn(consoleApi, 'orders').mockResolvedValue({ items: [] });
    render(<ConsoleOrders />);
    await screen.findByText(/没有订单/);
    fill('orders-date', '2026-03-01');
    fireEvent.change(document.getElementById('orders-status')!, { target: { value: 'REFUNDED' } });
    fireEvent.click(document.getElementById('orders-search')!);
    await waitFor(() => expect(call).toHaveBeenLastCalledWith({ date: '2026-03-01', status: 'REFUNDED' }));
    expect(await screen.findByText('2026-03-01 没有已退款订单')).toBeTruthy();
  });

  it('filters loaded rows by amount range (yuan → fen) and patient or number', () => {
    const rows = [
      summary(),
      summary({
        id: 'x',
        orderNo: 'MO2',
        patientName: '李*',
        split: { total: 1000, fund: 0, account: 0, cash: 1000 },
      }),
    ];
    expect(
      filterOrders(rows, { minYuan: '10.01', maxYuan: '', text: '' }).rows.map((r) => r.orderNo),
    ).toEqual(['MO2026030100000001']);
    expect(
      filterOrders(rows, { minYuan: '', maxYuan: '10.00', text: '' }).rows.map((r) => r.orderNo),
    ).toEqual(['MO2']);
    expect(filterOrders(rows, { minYuan: '', maxYuan: '', text: '李' }).rows).toHaveLength(1);
    expect(filterOrders(rows, { minYuan: '1.001', maxYuan: '', text: '' }).problem).toMatch(/最低金额/);
  });

  it("shows the server's message on error, and retries", async () => {
    jest
      .spyOn(consoleApi, 'orders')
      .mockRejectedValueOnce(new ApiError('VALIDATION_FAILED', 'date: must be a real calendar day', 400))
      .mockResolvedValue({ items: [] });
    render(<ConsoleOrders />);
    expect(await screen.findByText('date: must be a real calendar day')).toBeTruthy();
    fireEvent.click(screen.getByText('重试'));
    expect(await screen.findByText(/没有订单/)).toBeTruthy();
  });
});

describe('console order detail', () => {
  beforeEach(() => {
    resetTaro({ path: '/pages/console/order/index', params: { orderId: ORDER_ID } });
    login('cashier');
  });

  it('shows the split, what is left, events, outbox attempts and ledger postings', async () => {
    jest.spyOn(consoleApi, 'order').mockResolvedValue(detail({ refunded: 1000 }));
    render(<ConsoleOrder />);
    await waitFor(() => expect(text('c-order-amounts')).toContain('¥491.00'));
    expect(text('c-order-remaining')).toBe('可退金额¥481.00');
    expect(text('c-order-events')).toMatch(/已创建.*患者下单.*已支付.*已完成.*医院已确认收费/);
    expect(text('c-order-ledger')).toContain('应收医保统筹');
    expect(text('c-order-outbox')).toContain('HIS确认收费');
    expect(text('c-order-outbox')).toContain('已完成');
    expect(text('c-order-outbox')).toContain('HIStimeout');
    expect(text('c-order-ledger')).toContain('借方¥491.00·贷方¥491.00·借贷平衡');
    expect(text('c-order-status')).toBe('已完成');
  });

  it('refunds: yuan typed → fen exactly, blank = the rest, a reason is required; the split is shown before it is sent', async () => {
    jest.spyOn(consoleApi, 'order').mockResolvedValue(detail());
    const preview = jest
      .spyOn(consoleApi, 'previewRefund')
      .mockRejectedValueOnce(new ApiError('REFUND_EXCEEDS_PAID', '这笔订单最多还可退 491.00 元。', 422))
      .mockResolvedValueOnce({
        split: { total: 1999, fund: 604, account: 122, cash: 1273 },
        leftAfter: 47101,
      })
      .mockResolvedValue({ split: { total: 49100, fund: 14833, account: 3000, cash: 31267 }, leftAfter: 0 });
    const refund = jest
      .spyOn(consoleApi, 'refundOrder')
      .mockRejectedValueOnce(
        new ApiError('REFUND_NOT_ALLOWED', '这笔订单正在退款，请等退款完成后再操作。', 409),
      )
      .mockResolvedValue({
        id: 'r1',
        status: 'PROCESSING',
        legs: [
          { kind: 'cash', amount: 1273, status: 'PENDING' },
          { kind: 'insurance', amount: 726, status: 'PENDING' },
        ],
      });
    render(<ConsoleOrder />);
    await screen.findByText('确认退款');
    fill('refund-amount', '19.999');
    fireEvent.click(screen.getByText('确认退款'));
    expect(text('refund-problem')).toContain('金额格式不正确');
    fill('refund-amount', '19.99');
    expect(text('refund-amount-fen')).toBe('¥19.99');
    fireEvent.click(screen.getByText('确认退款'));
    expect(text('refund-problem')).toBe('请填写退款原因');
    expect(preview).not.toHaveBeenCalled();
    fill('refund-reason', ' 患者取消检查 ');
    fireEvent.click(screen.getByText('确认退款'));
    expect(await screen.findByText('这笔订单最多还可退 491.00 元。')).toBeTruthy();
    expect(document.getElementById('dialog-refund')).toBeNull();

    // the dialog shows the server's split by leg; nothing is sent until 确认
    fireEvent.click(screen.getByText('确认退款'));
    await waitFor(() => expect(document.getElementById('dialog-refund')).toBeTruthy());
    expect(preview).toHaveBeenLastCalledWith(ORDER_ID, { amount: 1999, reason: '患者取消检查' });
    expect(text('dialog-refund-fund')).toBe('医保统筹（含其他基金）¥6.04');
    expect(text('dialog-refund-account')).toBe('个人账户¥1.22');
    expect(text('dialog-refund-cash')).toBe('微信支付（自费）¥12.73');
    expect(text('dialog-refund-total')).toBe('退款合计¥19.99');
    expect(text('dialog-refund-left')).toBe('¥471.01');
    expect(refund).not.toHaveBeenCalled();
    fireEvent.click(document.getElementById('dialog-refund-cancel')!);
    expect(document.getElementById('dialog-refund')).toBeNull();
    expect(refund).not.toHaveBeenCalled();

    fireEvent.click(screen.getByText('确认退款'));
    await waitFor(() => expect(document.getElementById('dialog-refund')).toBeTruthy());
    fireEvent.click(document.getElementById('dialog-refund-confirm')!);
    await waitFor(() => expect(text('dialog-refund-error')).toContain('这笔订单正在退款'));
    fireEvent.click(document.getElementById('dialog-refund-confirm')!);
    await waitFor(() => expect(text('c-refund-created')).toContain('退款中'));
    expect(document.getElementById('dialog-refund')).toBeNull();
    expect(refund).toHaveBeenCalledTimes(2);
    expect(refund).toHaveBeenLastCalledWith(ORDER_ID, { amount: 1999, reason: '患者取消检查' });
    expect(text('c-refund-created')).toContain('¥12.73');

    // blank amount: the rest (no amount sent)
    fill('refund-reason', '全额');
    fireEvent.click(screen.getByText('确认退款'));
    await waitFor(() => expect(text('dialog-refund-total')).toBe('退款合计¥491.00'));
    expect(preview).toHaveBeenLastCalledWith(ORDER_ID, { amount: undefined, reason: '全额' });
    fireEvent.click(document.getElementById('dialog-refund-confirm')!);
    await waitFor(() =>
      expect(refund).toHaveBeenLastCalledWith(ORDER_ID, { amount: undefined, reason: '全额' }),
    );
  });

  it("a cashier's large refund waits: the cashier is told, a supervisor approves or rejects with a reason", async () => {
    const waiting = {
      id: 'a1b2c3d4-0000-4000-8000-000000000001',
      refundNo: 'RMO2026030100000001',
      status: 'AWAITING_APPROVAL' as const,
      reason: '患者全额退费',
      split: { total: 49100, fund: 14833, account: 3000, cash: 31267 },
      legs: [],
      createdAt: '2026-03-01T02:00:00.000Z',
    };
    const order = detail({ refunds: [waiting], allowedActions: ['approve-refund', 'reject-refund'] });
    jest.spyOn(consoleApi, 'order').mockResolvedValue(order);
    const { unmount } = render(<ConsoleOrder />);
    await waitFor(() => expect(text('c-refund-approval')).toContain('须另一位主管批准后才会退款'));
    expect(text('c-refund-approval')).toContain('请联系主管审批');
    expect(document.getElementById(`c-approve-${waiting.id}`)).toBeNull();
    unmount();

    login('supervisor');
    const approve = jest
      .spyOn(consoleApi, 'approveRefund')
      .mockResolvedValue({ id: waiting.id, status: 'REQUESTED', legs: [] });
    const reject = jest
      .spyOn(consoleApi, 'rejectRefund')
      .mockResolvedValue({ id: waiting.id, status: 'REJECTED', legs: [] });
    render(<ConsoleOrder />);
    fireEvent.click(await screen.findByText('驳回'));
    const confirm = document.getElementById(`c-reject-confirm-${waiting.id}`)!;
    expect(confirm.hasAttribute('disabled')).toBe(true);
    fireEvent.change(document.getElementById(`c-reject-reason-${waiting.id}`)!, {
      target: { value: '金额有误' },
    });
    fireEvent.click(confirm);
    await waitFor(() => expect(reject).toHaveBeenCalledWith(waiting.id, '金额有误'));
    fireEvent.click(document.getElementById(`c-approve-${waiting.id}`)!);
    await waitFor(() => expect(approve).toHaveBeenCalledWith(waiting.id));
  });

  it('offers no refund once everything is refunded', async () => {
    jest
      .spyOn(consoleApi, 'order')
      .mockResolvedValue(detail({ status: 'REFUNDED', refunded: 49100, allowedActions: [] }));
    render(<ConsoleOrder />);
    await waitFor(() => expect(text('c-refund-unavailable')).toBe('已全额退款。'));
    expect(document.getElementById('refund-submit')).toBeNull();
  });

  it('offers no refund for a PAID order the hospital has not confirmed, and says why', async () => {
    jest.spyOn(consoleApi, 'order').mockResolvedValue(detail({ status: 'PAID', allowedActions: [] }));
    render(<ConsoleOrder />);
    await waitFor(() => expect(text('c-refund-unavailable')).toContain('已支付、医院尚未确认收费'));
    expect(document.getElementById('refund-submit')).toBeNull();
  });

  it('says a refund is under way while the order is REFUNDING', async () => {
    jest
      .spyOn(consoleApi, 'order')
      .mockResolvedValue(detail({ status: 'REFUNDING', refunded: 0, allowedActions: [] }));
    render(<ConsoleOrder />);
    await waitFor(() => expect(text('c-refund-unavailable')).toContain('退款处理中'));
  });

  it('follows allowedActions rather than the status: no form when the server offers no refund', async () => {
    jest.spyOn(consoleApi, 'order').mockResolvedValue(detail({ status: 'COMPLETED', allowedActions: [] }));
    render(<ConsoleOrder />);
    await waitFor(() => expect(document.getElementById('c-refund-unavailable')).toBeTruthy());
    expect(document.getElementById('refund-submit')).toBeNull();
  });

  it('shows a pending patient request with 同意退款 / 拒绝 and the decided ones in grey', async () => {
    const pending = {
      id: 'rq-1',
      orderId: ORDER_ID,
      orderNo: 'MO2026030100000001',
      amount: 5000,
      reason: '检查取消了',
      status: 'PENDING' as const,
      createdAt: '2026-03-01T03:00:00.000Z',
    };
    const rejected = {
      ...pending,
      id: 'rq-0',
      amount: undefined,
      reason: '不想做了',
      status: 'REJECTED' as const,
      createdAt: '2026-03-01T02:00:00.000Z',
      decidedBy: 'cashier01',
      decidedAt: '2026-03-01T02:30:00.000Z',
      decisionReason: '检查已完成',
    };
    const order = jest.spyOn(consoleApi, 'order').mockResolvedValue(
      detail({
        refundRequests: [pending, rejected],
        allowedActions: ['refund', 'approve-request', 'reject-request'],
      }),
    );
    const approve = jest
      .spyOn(consoleApi, 'approveRefundRequest')
      .mockResolvedValue({ ...pending, status: 'APPROVED', decidedBy: 'cashier01', refundId: 'r1' });
    render(<ConsoleOrder />);
    await waitFor(() => expect(text('c-order-request-rq-1')).toContain('¥50.00'));
    expect(text('c-order-request-rq-1')).toContain('检查取消了');
    expect(text('c-order-request-rq-1')).toContain('2026-03-0111:00');
    expect(text('c-order-request-rq-1')).toContain('待审核');
    expect(document.getElementById('c-order-request-rq-1')!.className).not.toContain('c-row--resolved');
    expect(document.getElementById('c-order-request-rq-0')!.className).toContain('c-row--resolved');
    expect(text('c-order-request-rq-0')).toContain('已拒绝');
    expect(text('c-order-request-rq-0')).toContain('检查已完成');
    expect(document.getElementById('c-order-request-rq-0-approve')).toBeNull();

    fireEvent.click(document.getElementById('c-order-request-rq-1-approve')!);
    expect(text('dialog-request-approve')).toContain('同意后将立即按申请金额发起退款');
    fireEvent.click(document.getElementById('dialog-request-approve-confirm')!);
    await waitFor(() => expect(text('c-order-requests-notice')).toContain('已同意订单MO2026030100000001'));
    expect(approve).toHaveBeenCalledWith('rq-1');
    expect(order).toHaveBeenCalledTimes(2);
  });

  it('offers only 拒绝 for a pending request when the order cannot be refunded', async () => {
    jest.spyOn(consoleApi, 'order').mockResolvedValue(
      detail({
        status: 'REFUNDING',
        allowedActions: ['reject-request'],
        refundRequests: [
          {
            id: 'rq-1',
            orderId: ORDER_ID,
            orderNo: 'MO2026030100000001',
            reason: '检查取消了',
            status: 'PENDING',
            createdAt: '2026-03-01T03:00:00.000Z',
          },
        ],
      }),
    );
    render(<ConsoleOrder />);
    await waitFor(() => expect(document.getElementById('c-order-request-rq-1-reject')).toBeTruthy());
    expect(document.getElementById('c-order-request-rq-1-approve')).toBeNull();
    expect(text('c-order-request-rq-1')).toContain('剩余全部');
  });
});

describe('console audit log', () => {
  beforeEach(() => resetTaro({ path: '/pages/console/audit/index' }));

  it("lists time, actor, role, action and the server's sentence: yuan, order numbers, no ids or raw details", async () => {
    login('supervisor');
    const audit = jest.spyOn(consoleApi, 'audit').mockResolvedValue([
      {
        id: '7',
        at: '2026-03-02T02:00:00.000Z',
        actor: 'admin',
        role: 'supervisor',
        action: 'console.login',
        target: 'console_user:admin',
        details: { ip: '127.0.0.1' },
        requestId: 'req-1',
        description: '主管 admin 登录后台（地址 127.0.0.1）',
      },
      {
        id: '8',
        at: '2026-03-02T02:05:00.000Z',
        actor: 'admin',
        role: 'supervisor',
        action: 'order.refund',
        target: ORDER_ID,
        details: { amount: 1999, reason: '患者取消检查', refundId: ORDER_ID },
        requestId: null,
        description: '主管 admin 为订单 MO2026030100000001 发起退款 19.99 元，原因：患者取消检查',
      },
    ]);
    render(<ConsoleAudit />);
    await waitFor(() => expect(text('audit-7')).toContain('登录'));
    expect(text('audit-7')).toContain('2026-03-0210:00:00');
    expect(text('audit-7')).toContain('主管');
    expect(text('audit-7')).toContain('主管admin登录后台（地址127.0.0.1）');
    expect(text('audit-8')).toContain('订单退款');
    expect(text('audit-8')).toContain('发起退款19.99元');
    const table = text('audit-table');
    expect(table).not.toContain(ORDER_ID);
    expect(table).not.toContain('amount');
    expect(table).not.toContain('{');
    expect(table).not.toContain('req-1');
    expect(table).not.toContain('console.login');
    expect(audit).toHaveBeenCalledWith(100);
    fill('audit-filter', '退款');
    expect(document.getElementById('audit-7')).toBeNull();
    expect(document.getElementById('audit-8')).toBeTruthy();
    fill('audit-filter', 'MO2026030100000001');
    expect(document.getElementById('audit-8')).toBeTruthy();
  });

  it('shows the plain Chinese description of a lock or unlock, and filters by it', async () => {
    login('supervisor');
    jest.spyOn(consoleApi, 'audit').mockResolvedValue([
      {
        id: '9',
        at: '2026-03-02T02:10:00.000Z',
        actor: 'admin',
        role: 'supervisor',
        action: 'console.unlocked',
        target: 'console_user:cashier01',
        details: { addresses: ['203.0.113.7'] },
        requestId: 'req-9',
        description:
          'admin 解除了收费员 cashier01 的登录锁定（1 个地址：203.0.113.7），并清零了各地址的失败次数',
      },
      {
        id: '10',
        at: '2026-03-02T02:11:00.000Z',
        actor: 'admin',
        role: 'supervisor',
        action: 'console.login',
        target: 'console_user:admin',
        details: {},
        requestId: null,
        description: '主管 admin 登录后台',
      },
    ]);
    render(<ConsoleAudit />);
    await waitFor(() => expect(text('audit-9')).toContain('解除锁定'));
    expect(text('audit-9')).toContain('admin解除了收费员cashier01的登录锁定');
    fill('audit-filter', '清零');
    expect(document.getElementById('audit-10')).toBeNull();
    expect(document.getElementById('audit-9')).toBeTruthy();
  });

  it('is for supervisors: a cashier is told so', async () => {
    login('cashier');
    jest
      .spyOn(consoleApi, 'audit')
      .mockRejectedValue(new ApiError('FORBIDDEN', 'this needs the supervisor role', 403));
    render(<ConsoleAudit />);
    expect(text('c-forbidden')).toContain('此页面仅主管可用');
  });
});

describe('console users', () => {
  beforeEach(() => {
    resetTaro({ path: '/pages/console/users/index' });
    login('supervisor');
  });

  it('creates a user and shows the enrolment once: a QR code of the otpauth URI and the secret', async () => {
    jest.spyOn(consoleApi, 'users').mockResolvedValue([listed({ username: 'admin', role: 'supervisor' })]);
    const create = jest.spyOn(consoleApi, 'createUser').mockResolvedValue({
      username: 'cashier01',
      role: 'cashier',
      secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
      otpauthUri: 'otpauth://totp/Hospital:cashier01?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Hospital',
    });
    render(<ConsoleUsers />);
    await waitFor(() => expect(text('users-table')).toContain('admin'));
    fill('user-username', 'Bad Name');
    fill('user-password', 'short');
    fireEvent.click(document.getElementById('user-create')!);
    expect(screen.getByText(/用户名为 3–32 位/)).toBeTruthy();
    expect(screen.getByText('初始密码至少 10 位')).toBeTruthy();
    expect(create).not.toHaveBeenCalled();
    fill('user-username', 'cashier01');
    fill('user-password', 'Cashier#2026!');
    fireEvent.click(document.getElementById('user-create')!);
    await waitFor(() => expect(text('user-secret')).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'));
    expect(create).toHaveBeenCalledWith({
      username: 'cashier01',
      password: 'Cashier#2026!',
      role: 'cashier',
    });
    expect(text('user-enrolment')).toContain('只显示这一次');
    const qr = (await waitFor(() => {
      const img = document.getElementById('user-qr');
      expect(img).toBeTruthy();
      return img;
    })) as HTMLImageElement;
    const svg = decodeURIComponent(qr.src.replace('data:image/svg+xml;utf8,', ''));
    expect(svg).toMatch(/^<svg[^>]*viewBox/);
    expect(svg).toContain('<path');
    expect(groupSecret('JBSWY3DPEHPK3PXP')).toBe('JBSW Y3DP EHPK 3PXP');
  });

  it("shows the server's refusal", async () => {
    jest.spyOn(consoleApi, 'users').mockResolvedValue([]);
    jest
      .spyOn(consoleApi, 'createUser')
      .mockRejectedValue(new ApiError('USERNAME_TAKEN', 'cashier01 exists', 409));
    render(<ConsoleUsers />);
    fill('user-username', 'cashier01');
    fill('user-password', 'Cashier#2026!');
    fireEvent.click(document.getElementById('user-create')!);
    expect(await screen.findByText('cashier01 exists')).toBeTruthy();
    expect(text('user-error')).toContain('用户名已存在');
  });
});

describe('console users: managing a user', () => {
  const LOCKED = listed({ username: 'cashier01', lockedAddresses: 2 });
  const OFF = listed({
    id: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    username: 'old.hand',
    disabled: true,
    mustChangePassword: true,
  });
  beforeEach(() => {
    resetTaro({ path: '/pages/console/users/index' });
    login('supervisor');
    jest
      .spyOn(consoleApi, 'users')
      .mockResolvedValue([
        listed({ id: 'a0000000-0000-4000-8000-000000000001', username: 'admin', role: 'supervisor' }),
        LOCKED,
        OFF,
      ]);
  });

  async function openAction(action: string, username: string) {
    render(<ConsoleUsers />);
    await waitFor(() => expect(document.getElementById(`user-${action}-${username}`)).toBeTruthy());
    fireEvent.click(document.getElementById(`user-${action}-${username}`)!);
    return text('user-action-dialog-text');
  }

  it('shows each user’s state and the actions it allows', async () => {
    render(<ConsoleUsers />);
    await waitFor(() => expect(text('users-table')).toContain('old.hand'));
    expect(text('user-state-cashier01')).toBe('在用已锁定2个地址');
    expect(text('user-state-old.hand')).toBe('已停用待修改密码');
    expect(document.getElementById('user-disable-cashier01')?.textContent).toBe('停用');
    expect(document.getElementById('user-enable-old.hand')?.textContent).toBe('启用');
    expect(document.getElementById('user-disable-old.hand')).toBeNull();
    for (const action of ['reset', 'totp', 'unlock'])
      expect(document.getElementById(`user-${action}-cashier01`)).toBeTruthy();
  });

  it('asks before disabling, does nothing on cancel, and disables on confirm', async () => {
    const disable = jest.spyOn(consoleApi, 'disableUser').mockResolvedValue({ ...LOCKED, disabled: true });
    expect(await openAction('disable', 'cashier01')).toContain(
      '停用后cashier01不能再登录，已登录的会话立即失效',
    );
    fireEvent.click(document.getElementById('user-action-dialog-cancel')!);
    expect(document.getElementById('user-action-dialog')).toBeNull();
    expect(disable).not.toHaveBeenCalled();
    fireEvent.click(document.getElementById('user-disable-cashier01')!);
    fireEvent.click(document.getElementById('user-action-dialog-confirm')!);
    await waitFor(() => expect(text('user-action-done')).toBe('已停用cashier01。'));
    expect(disable).toHaveBeenCalledWith(LOCKED.id);
    expect(document.getElementById('user-action-dialog')).toBeNull();
    expect(consoleApi.users).toHaveBeenCalledTimes(2);
  });

  it('enables a disabled user after asking', async () => {
    const enable = jest.spyOn(consoleApi, 'enableUser').mockResolvedValue({ ...OFF, disabled: false });
    expect(await openAction('enable', 'old.hand')).toContain('重新启用后old.hand可以再次登录');
    fireEvent.click(document.getElementById('user-action-dialog-confirm')!);
    await waitFor(() => expect(text('user-action-done')).toBe('已启用old.hand。'));
    expect(enable).toHaveBeenCalledWith(OFF.id);
  });

  it("keeps the dialog open with the server's refusal: the last supervisor cannot be disabled", async () => {
    jest
      .spyOn(consoleApi, 'disableUser')
      .mockRejectedValue(
        new ApiError(
          'LAST_SUPERVISOR',
          '不能停用 admin：它是最后一个在用的主管账号，请先新建或启用另一个主管',
          409,
        ),
      );
    await openAction('disable', 'admin');
    fireEvent.click(document.getElementById('user-action-dialog-confirm')!);
    await waitFor(() => expect(text('user-action-dialog-error')).toContain('不能停用最后一个主管'));
    expect(text('user-action-dialog-error')).toContain('最后一个在用的主管账号');
  });

  it('resets a password after asking and shows the temporary one once', async () => {
    const reset = jest
      .spyOn(consoleApi, 'resetPassword')
      .mockResolvedValue({ username: 'cashier01', temporaryPassword: 'Xk7mPq2RtW9sVb4N' });
    expect(await openAction('reset', 'cashier01')).toContain('生成一个临时密码（只显示一次）');
    fireEvent.click(document.getElementById('user-action-dialog-confirm')!);
    await waitFor(() => expect(text('user-temp-password-value')).toBe('Xk7mPq2RtW9sVb4N'));
    expect(text('user-temp-password')).toContain('只显示这一次');
    expect(reset).toHaveBeenCalledWith(LOCKED.id);
  });

  it('re-enrols the authenticator after asking and shows the new QR code and secret', async () => {
    jest.spyOn(consoleApi, 'reenrolTotp').mockResolvedValue({
      username: 'cashier01',
      role: 'cashier',
      secret: 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU',
      otpauthUri: 'otpauth://totp/Hospital:cashier01?secret=KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU&issuer=Hospital',
    });
    expect(await openAction('totp', 'cashier01')).toContain('原验证器的动态码立即作废');
    fireEvent.click(document.getElementById('user-action-dialog-confirm')!);
    await waitFor(() => expect(text('user-secret')).toBe('KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU'));
    expect(text('user-enrolment')).toContain('重新生成密钥');
    await waitFor(() => expect(document.getElementById('user-qr')).toBeTruthy());
  });

  it('unlocks after asking, saying how many addresses are locked', async () => {
    const unlock = jest
      .spyOn(consoleApi, 'unlockUser')
      .mockResolvedValue({ username: 'cashier01', unlockedAddresses: 2 });
    expect(await openAction('unlock', 'cashier01')).toContain('当前有2个地址被锁定');
    fireEvent.click(document.getElementById('user-action-dialog-confirm')!);
    await waitFor(() => expect(text('user-action-done')).toBe('已解除cashier01的登录锁定（2个地址）。'));
    expect(unlock).toHaveBeenCalledWith(LOCKED.id);
  });
});
