/**
 * The console's reconciliation pages in jsdom: a run's summary, totals and SVG chart from a fixture run; row
 * actions by `row.actions` and role; the 补单 preview dialog; resolve; CSV export; the daily close's 409; the
 * chart's geometry.
 */
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { ReconRowView, ReconRunView, ReconTotals } from '../../shared/api';
import ConsoleRun, { rowsQueryOf } from '../../miniprogram/pages/console/run/index';
import ConsoleRecon from '../../miniprogram/pages/console/recon/index';
import { consoleApi } from '../../miniprogram/services/console/api';
import { chartGeometry, fullDay, niceStep } from '../../miniprogram/services/console/chart';
import { setConsoleSession } from '../../miniprogram/services/console/session';
import { ApiError } from '../../miniprogram/services/errors';
import Taro, { resetTaro } from './stubs/taro';

const RUN_ID = '6d0f3c1a-8b2e-4f4a-9c7d-2e1b0a9f8c7d';
const text = (id: string) => (document.getElementById(id)?.textContent ?? '').replace(/\s+/g, '');
const channel = (count: number, paidFen: number, refundedFen = 0) => ({ count, paidFen, refundedFen });

function totals(overrides: Partial<ReconTotals> = {}): ReconTotals {
  return {
    ours: {
      cash: channel(3, 93801),
      fund: channel(3, 44499),
      account: channel(3, 9000),
      total: channel(3, 147300),
    },
    wechat: { cash: channel(3, 93801), feeFen: 563 },
    insurance: { fund: channel(3, 44499), account: channel(3, 9000), total: channel(3, 53499) },
    his: {
      cash: channel(4, 98801),
      fund: channel(3, 44499),
      account: channel(3, 9000),
      total: channel(4, 152300),
    },
    insuranceCheck: { balanced: true, message: '对总账一致' },
    hourly: [
      { hour: 9, wechatFen: 31267, insuranceFen: 17833, hisFen: 49100 },
      { hour: 10, wechatFen: 62534, insuranceFen: 35666, hisFen: 103200 },
      { hour: 15, wechatFen: -1000, insuranceFen: 0, hisFen: -1000 },
    ],
    ...overrides,
  };
}

function run(overrides: Partial<ReconRunView> = {}): ReconRunView {
  return {
    id: RUN_ID,
    date: '2026-03-01',
    status: 'DONE',
    actor: 'admin',
    startedAt: '2026-03-02T02:00:00.000Z',
    finishedAt: '2026-03-02T02:00:03.000Z',
    summary: { matched: 3, over: 1, short: 1, amountMismatch: 0, statusMismatch: 1, cutoff: 0 },
    totals: totals(),
    open: 3,
    closed: false,
    ...overrides,
  };
}

const side = (total: number, fund = 0, account = 0, ref?: string) => ({
  total,
  fund,
  account,
  cash: total - fund - account,
  ref,
});

function rows(): ReconRowView[] {
  return [
    {
      id: '101',
      runId: RUN_ID,
      kind: 'SHORT',
      record: 'PAYMENT',
      orderNo: 'MO2026030100000009',
      his: side(5000, 0, 0, 'RCPT-9'),
      note: 'HIS 有收费记录，微信支付与医保均无此单',
      actions: ['resolve'],
    },
    {
      id: '102',
      runId: RUN_ID,
      kind: 'OVER',
      record: 'PAYMENT',
      orderNo: 'MO2026030100000002',
      orderId: '0b7d4c1e-5a6f-4e3d-8c2b-9a1f0e7d6c5b',
      ours: { ...side(49100, 14833, 3000), status: 'PAID' },
      wechat: side(31267, 0, 0, '4200000001202603010000000002'),
      insurance: side(17833, 14833, 3000, 'SETL0002'),
      note: '渠道已收款，HIS 未确认收费',
      actions: ['retry-his-confirm', 'post-missing', 'refund', 'resolve'],
    },
    {
      id: '103',
      runId: RUN_ID,
      kind: 'STATUS_MISMATCH',
      record: 'REFUND',
      orderNo: 'MO2026030100000003',
      refundNo: 'RF2026030100000003',
      ours: { ...side(1000), status: 'REFUNDED' },
      wechat: side(1000),
      note: '已处理过',
      actions: [],
      resolution: { action: 'resolve', by: 'admin', reason: '已人工核对', at: '2026-03-02T03:00:00.000Z' },
    },
  ];
}

function login(role: 'cashier' | 'supervisor') {
  setConsoleSession({
    token: 'ct_abcdefghijklmnopqrstuvwx',
    role,
    username: role,
    expiresAtMs: Date.now() + 3_600_000,
  });
}

function mockRun(view = run(), list = rows()) {
  jest.spyOn(consoleApi, 'reconciliation').mockResolvedValue(view);
  return jest.spyOn(consoleApi, 'reconRows').mockResolvedValue({ items: list });
}

beforeEach(() => resetTaro({ path: '/pages/console/run/index', params: { runId: RUN_ID } }));
afterEach(() => jest.restoreAllMocks());

describe('run page', () => {
  it('shows the counts per kind, the totals per source and channel formatted from fen, and the SVG chart', async () => {
    login('supervisor');
    const rowsCall = mockRun();
    render(<ConsoleRun />);
    await waitFor(() => expect(text('run-summary')).toContain('长款1'));
    expect(text('run-summary-MATCHED')).toContain('已匹配3');
    expect(text('run-summary-SHORT')).toContain('短款1');
    expect(text('run-summary-STATUS_MISMATCH')).toContain('状态不符1');
    expect(text('run-summary-open')).toContain('未处理差异3');
    // the list asks for every discrepancy, open and resolved
    expect(rowsCall).toHaveBeenCalledWith(RUN_ID, { discrepancies: true });

    expect(text('run-totals-cash-ours')).toContain('¥938.01');
    expect(text('run-totals-cash-wechat')).toContain('¥938.01');
    expect(text('run-totals-cash-wechat')).not.toContain('较本院');
    // the HIS charged ¥50.00 of cash nobody paid: marked with the difference
    expect(text('run-totals-cash-his')).toContain('¥988.01');
    expect(text('run-totals-cash-his')).toContain('较本院收款+¥50.00');
    expect(text('run-totals-fund-insurance')).toContain('¥444.99');
    expect(text('run-totals-total-his')).toContain('¥1523.00');
    expect(text('run-totals-cash-insurance')).toBe('—');
    expect(text('run-fee')).toContain('¥5.63');
    expect(text('run-insurance-check')).toContain('平');

    const svg = document.querySelector('#c-day-chart svg') as SVGSVGElement;
    expect(svg).toBeTruthy();
    // hours 9 and 10 have two bars each (WeChat + insurance), hour 15 one (a WeChat refund)
    expect(svg.querySelectorAll('rect.c-bar--wechat')).toHaveLength(3);
    expect(svg.querySelectorAll('rect.c-bar--insurance')).toHaveLength(2);
    expect(svg.querySelector('path.c-his-line')?.getAttribute('d')).toMatch(
      /^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+){23}$/,
    );
    const ticks = [...svg.querySelectorAll('text.c-chart-tick')].map((t) => t.textContent);
    expect(ticks).toContain('¥0.00');
    expect(ticks.filter((t) => t?.startsWith('¥')).every((t) => /^-?¥-?\d+\.\d{2}$/.test(t ?? ''))).toBe(
      true,
    );
    expect(ticks).toContain('09');
    expect(svg.querySelector('title')?.textContent).toContain('微信');
  });

  it('shows each row with what every source says, its note, and only the actions the server offers', async () => {
    login('supervisor');
    mockRun();
    render(<ConsoleRun />);
    await screen.findByText('HIS 有收费记录，微信支付与医保均无此单');
    expect(text('row-101-ours')).toBe('无记录');
    expect(text('row-101-his')).toContain('¥50.00');
    expect(text('row-102-wechat')).toContain('¥312.67');
    expect(text('row-102-insurance')).toContain('¥178.33');
    expect(text('row-102-his')).toBe('无记录');

    const buttons = (id: string) =>
      [...document.querySelectorAll(`#row-${id}-actions button`)].map((b) => b.textContent);
    expect(buttons('101')).toEqual(['标记已处理']);
    expect(buttons('102')).toEqual(['重试HIS确认', '补单', '退款', '标记已处理']);
    expect(buttons('103')).toEqual([]);
    expect(text('row-103-resolution')).toContain('已处理');
    expect(text('row-103-resolution')).toContain('已人工核对');
    for (const id of ['row-102-post-missing', 'row-102-refund', 'row-102-resolve'])
      expect((document.getElementById(id) as HTMLButtonElement).disabled).toBe(false);
    expect((document.getElementById('run-daily-close') as HTMLButtonElement).disabled).toBe(false);
  });

  it('marks red only real discrepancies: matched and cross-day rows, and the cells that agree, are never red', async () => {
    login('supervisor');
    const matched: ReconRowView = {
      id: '201',
      runId: RUN_ID,
      kind: 'MATCHED',
      record: 'REFUND',
      orderNo: 'MO2026030100000004',
      refundNo: 'RF2026030100000004',
      // a refund's money goes back: negative on every side, and the HIS total is the whole refund
      ours: { ...side(-1000, -300, -100), status: 'SUCCEEDED' },
      wechat: side(-600),
      insurance: side(-400, -300, -100),
      his: side(-1000, 0, 0, 'RCPT-4'),
      note: '三方一致',
      actions: [],
    };
    const paid: ReconRowView = {
      ...matched,
      id: '202',
      record: 'PAYMENT',
      refundNo: undefined,
      orderNo: 'MO2026030100000005',
      ours: { ...side(49100, 14833, 3000), status: 'COMPLETED' },
      wechat: side(31267),
      insurance: side(17833, 14833, 3000),
      his: side(49100, 14833, 3000, 'RCPT-5'),
    };
    const cutoff: ReconRowView = {
      ...paid,
      id: '203',
      kind: 'CUTOFF',
      orderNo: 'MO2026030100000006',
      ours: { ...side(49100, 14833, 3000), status: 'PARTIALLY_REFUNDED' },
      his: undefined,
      note: '跨零点，次日对平',
    };
    const mismatch: ReconRowView = {
      ...paid,
      id: '204',
      kind: 'AMOUNT_MISMATCH',
      orderNo: 'MO2026030100000007',
      his: side(50100, 14833, 3000, 'RCPT-7'),
      note: 'HIS 总额 501.00 元 ≠ 本系统 491.00 元',
      actions: ['resolve'],
    };
    mockRun(
      run({ summary: { matched: 2, over: 0, short: 0, amountMismatch: 1, statusMismatch: 0, cutoff: 1 } }),
      [matched, paid, cutoff, mismatch],
    );
    render(<ConsoleRun />);
    await waitFor(() => expect(document.getElementById('row-201')).toBeTruthy());
    const red = (id: string) =>
      document.querySelectorAll(`#${id} .c-diff, #${id} .c-amount--negative`).length;
    for (const id of ['row-201', 'row-202', 'row-203']) expect(red(id)).toBe(0);
    expect(red('row-204-his')).toBe(1);
    for (const cell of ['ours', 'wechat', 'insurance']) expect(red(`row-204-${cell}`)).toBe(0);

    // our status in Chinese, a refund's as a refund's
    expect(text('row-201-ours')).toContain('退款成功');
    expect(text('row-202-ours')).toContain('已完成');
    expect(text('row-203-ours')).toContain('部分退款');
    const table = document.getElementById('run-rows')?.textContent ?? '';
    for (const word of ['SUCCEEDED', 'COMPLETED', 'PARTIALLY_REFUNDED', 'MATCHED', 'CUTOFF', 'DONE'])
      expect(table).not.toContain(word);
    // the cross-day kind is grey, not red
    expect(document.querySelector('#row-203 .c-tag')?.className).toContain('c-tag--muted');
    expect(document.getElementById('run-summary-CUTOFF')?.className).not.toContain('danger');
  });

  it("compares the HIS's channels on what was charged: a refund the HIS records as one total is no discrepancy", async () => {
    login('supervisor');
    const refunded = totals({
      ours: {
        cash: channel(1, 43267, 7081),
        fund: channel(1, 14833, 2428),
        account: channel(1, 3000, 491),
        total: channel(1, 61100, 10000),
      },
      wechat: { cash: channel(1, 43267, 7081), feeFen: 0 },
      insurance: {
        fund: channel(1, 14833, 2428),
        account: channel(1, 3000, 491),
        total: channel(1, 17833, 2919),
      },
      his: {
        cash: channel(1, 43267),
        fund: channel(1, 14833),
        account: channel(1, 3000),
        total: channel(1, 61100, 10000),
      },
    });
    mockRun(run({ totals: refunded }), []);
    render(<ConsoleRun />);
    await waitFor(() => expect(text('run-totals-cash-his')).toContain('¥432.67'));
    expect(document.querySelectorAll('#run-totals .c-diff')).toHaveLength(0);
    expect(text('run-totals-total-his')).toContain('¥511.00');
    expect(text('run-totals-cash-his')).toContain('退款只记合计');
  });

  it('disables the supervisor-only actions (补单, 退款) and the daily close for a cashier, with a hint', async () => {
    login('cashier');
    mockRun();
    render(<ConsoleRun />);
    await screen.findByText('渠道已收款，HIS 未确认收费');
    const postMissing = document.getElementById('row-102-post-missing') as HTMLButtonElement;
    const refund = document.getElementById('row-102-refund') as HTMLButtonElement;
    expect(postMissing.disabled).toBe(true);
    expect(postMissing.title).toBe('仅主管可操作');
    expect(refund.disabled).toBe(true);
    expect((document.getElementById('row-102-resolve') as HTMLButtonElement).disabled).toBe(false);
    expect((document.getElementById('row-102-retry-his-confirm') as HTMLButtonElement).disabled).toBe(false);
    expect(text('row-102-actions')).toContain('补单、退款仅主管可操作');
    // rows without supervisor-only actions carry no hint
    expect(text('row-101-actions')).not.toContain('仅主管');
    const close = document.getElementById('run-daily-close') as HTMLButtonElement;
    expect(close.disabled).toBe(true);
    expect(close.textContent).toContain('仅主管');
  });

  it('on a closed day shows 已日结 and hides every action and the daily close', async () => {
    login('supervisor');
    mockRun(run({ closed: true, open: 0 }));
    render(<ConsoleRun />);
    await screen.findByText('渠道已收款，HIS 未确认收费');
    expect(text('run-closed')).toBe('已日结');
    expect(document.querySelectorAll('#run-rows button.c-btn')).toHaveLength(0);
    expect(document.getElementById('run-daily-close')).toBeNull();
    expect(text('row-102-actions')).toContain('已日结');
  });

  it('补单: fetches the preview first, shows it in a dialog, and posts only with a reason', async () => {
    login('supervisor');
    mockRun();
    const preview = jest.spyOn(consoleApi, 'postMissingPreview').mockResolvedValue({
      rowId: '102',
      orderId: '0b7d4c1e-5a6f-4e3d-8c2b-9a1f0e7d6c5b',
      orderNo: 'MO2026030100000002',
      orderStatus: 'PAID',
      billNos: ['B20260301002'],
      split: { total: 49100, fund: 14833, account: 3000, cash: 31267 },
      transactionId: '4200000001202603010000000002',
      setlId: 'SETL0002',
      effect: 'HIS 将把账单 B20260301002 记为已收费 ¥491.00，并开具电子票据',
    });
    const resolved: ReconRowView = {
      ...rows()[1],
      actions: [],
      resolution: {
        action: 'post-missing',
        by: 'admin',
        reason: 'HIS 回调丢失',
        at: '2026-03-02T04:00:00.000Z',
      },
    };
    const post = jest.spyOn(consoleApi, 'postMissing').mockResolvedValue(resolved);
    const reloadRun = jest.spyOn(consoleApi, 'reconciliation');
    render(<ConsoleRun />);
    fireEvent.click(await screen.findByText('补单'));
    expect(preview).toHaveBeenCalledWith('102');
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByText('HIS 将把账单 B20260301002 记为已收费 ¥491.00，并开具电子票据');
    expect(text('post-missing-preview')).toContain('MO2026030100000002');
    expect(text('post-missing-preview')).toContain('已支付');
    expect(text('post-missing-total')).toBe('¥491.00');
    expect(text('post-missing-preview')).toContain('¥148.33');
    expect(text('post-missing-preview')).toContain('¥312.67');
    expect(text('post-missing-preview')).toContain('SETL0002');

    const confirm = document.getElementById('dialog-post-missing-confirm') as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    fireEvent.change(document.getElementById('post-missing-reason')!, {
      target: { value: ' HIS 回调丢失 ' },
    });
    expect(confirm.disabled).toBe(false);
    fireEvent.click(confirm);
    await waitFor(() => expect(post).toHaveBeenCalledWith('102', 'HIS 回调丢失'));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(text('row-102-resolution')).toContain('补单');
    expect(text('run-notice')).toContain('已补单');
    expect(reloadRun.mock.calls.length).toBeGreaterThanOrEqual(2);
  });

  it("补单: a failed preview shows the server's message and cannot be confirmed", async () => {
    login('supervisor');
    mockRun();
    jest
      .spyOn(consoleApi, 'postMissingPreview')
      .mockRejectedValue(new ApiError('ORDER_STATE_CONFLICT', 'the order is not paid', 409));
    render(<ConsoleRun />);
    fireEvent.click(await screen.findByText('补单'));
    expect(await screen.findByText('the order is not paid')).toBeTruthy();
    fireEvent.change(document.getElementById('post-missing-reason')!, { target: { value: 'x' } });
    expect((document.getElementById('dialog-post-missing-confirm') as HTMLButtonElement).disabled).toBe(true);
  });

  it("resolve needs a reason, shows the server's refusal in the dialog, then replaces the row", async () => {
    login('cashier');
    mockRun();
    const resolve = jest
      .spyOn(consoleApi, 'resolveRow')
      .mockRejectedValueOnce(new ApiError('DAY_CLOSED', 'the day 2026-03-01 is closed', 409))
      .mockResolvedValue({
        ...rows()[0],
        actions: [],
        resolution: {
          action: 'resolve',
          by: 'cashier',
          reason: '窗口现金收费',
          at: '2026-03-02T04:00:00.000Z',
        },
      });
    render(<ConsoleRun />);
    fireEvent.click(await screen.findByText('标记已处理', { selector: '#row-101-resolve' }));
    const confirm = document.getElementById('dialog-resolve-confirm') as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    fireEvent.change(document.getElementById('resolve-reason')!, { target: { value: '窗口现金收费' } });
    fireEvent.click(confirm);
    expect(await screen.findByText('the day 2026-03-01 is closed')).toBeTruthy();
    expect(text('dialog-resolve-error')).toContain('该日已日结');
    fireEvent.click(confirm);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(resolve).toHaveBeenLastCalledWith('101', '窗口现金收费');
    expect(text('row-101-resolution')).toContain('窗口现金收费');
  });

  it('refund from a row: the optional amount goes to the server in fen, exactly', async () => {
    login('supervisor');
    mockRun();
    const refund = jest.spyOn(consoleApi, 'refundRow').mockResolvedValue({ ...rows()[1], actions: [] });
    render(<ConsoleRun />);
    fireEvent.click(await screen.findByText('退款', { selector: '#row-102-refund' }));
    fireEvent.change(document.getElementById('row-refund-amount')!, { target: { value: '0.29' } });
    expect(text('row-refund-fen')).toBe('¥0.29');
    fireEvent.change(document.getElementById('row-refund-reason')!, {
      target: { value: 'HIS 未收费，原路退回' },
    });
    fireEvent.click(document.getElementById('dialog-row-refund-confirm')!);
    await waitFor(() =>
      expect(refund).toHaveBeenCalledWith('102', { amount: 29, reason: 'HIS 未收费，原路退回' }),
    );
  });

  it('filters the rows by kind and by open / resolved, and the summary cards pick a kind', async () => {
    login('supervisor');
    const rowsCall = mockRun();
    render(<ConsoleRun />);
    await screen.findByText('渠道已收款，HIS 未确认收费');
    fireEvent.change(document.getElementById('rows-resolved')!, { target: { value: 'open' } });
    await waitFor(() =>
      expect(rowsCall).toHaveBeenLastCalledWith(RUN_ID, { discrepancies: true, resolved: false }),
    );
    fireEvent.click(document.getElementById('run-summary-SHORT')!);
    await waitFor(() =>
      expect(rowsCall).toHaveBeenLastCalledWith(RUN_ID, { kind: 'SHORT', resolved: false }),
    );
    expect(rowsQueryOf('ALL', 'resolved')).toEqual({ resolved: true });
  });

  it('pages the rows with the cursor', async () => {
    login('supervisor');
    jest.spyOn(consoleApi, 'reconciliation').mockResolvedValue(run());
    const rowsCall = jest
      .spyOn(consoleApi, 'reconRows')
      .mockResolvedValueOnce({ items: rows().slice(0, 1), nextCursor: '101' })
      .mockResolvedValueOnce({ items: rows().slice(1) });
    render(<ConsoleRun />);
    fireEvent.click(await screen.findByText('加载更多'));
    await screen.findByText('渠道已收款，HIS 未确认收费');
    expect(rowsCall).toHaveBeenLastCalledWith(RUN_ID, { discrepancies: true, cursor: '101' });
    expect(screen.queryByText('加载更多')).toBeNull();
  });

  it('exports the rows as a CSV file through a Blob and an <a download>', async () => {
    login('cashier');
    mockRun();
    const blob = new Blob(['kind,orderNo\nSHORT,MO2026030100000009\n'], { type: 'text/csv' });
    const csv = jest
      .spyOn(consoleApi, 'reconRowsCsv')
      .mockResolvedValue({ blob, filename: 'recon-2026-03-01.csv' });
    const created = jest.fn(() => 'blob:console/1');
    Object.assign(URL, { createObjectURL: created, revokeObjectURL: jest.fn() });
    let downloaded: { href: string; download: string } | undefined;
    const click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      downloaded = { href: this.href, download: this.download };
    });
    render(<ConsoleRun />);
    fireEvent.click(await screen.findByText('导出 CSV'));
    await waitFor(() => expect(click).toHaveBeenCalled());
    expect(csv).toHaveBeenCalledWith(RUN_ID, { discrepancies: true });
    expect(created).toHaveBeenCalledWith(blob);
    expect(downloaded).toEqual({ href: 'blob:console/1', download: 'recon-2026-03-01.csv' });
    expect(await screen.findByText(/已导出 CSV/)).toBeTruthy();
  });

  it('daily close: a 409 is shown plainly in the dialog; success marks the day closed', async () => {
    login('supervisor');
    mockRun();
    const close = jest
      .spyOn(consoleApi, 'dailyClose')
      .mockRejectedValueOnce(
        new ApiError('RECON_OPEN_DISCREPANCIES', '3 discrepancies of 2026-03-01 are not resolved', 409),
      )
      .mockResolvedValue({
        date: '2026-03-01',
        runId: RUN_ID,
        closedBy: 'supervisor',
        closedAt: '2026-03-02T05:00:00.000Z',
        summary: run().summary,
        totals: totals(),
      });
    render(<ConsoleRun />);
    fireEvent.click(await screen.findByText('日结'));
    expect(text('dialog-daily-close')).toContain('仍有3条未处理的差异');
    fireEvent.click(document.getElementById('dialog-daily-close-confirm')!);
    expect(await screen.findByText('3 discrepancies of 2026-03-01 are not resolved')).toBeTruthy();
    expect(text('dialog-daily-close-error')).toContain('仍有未处理的差异');
    jest.spyOn(consoleApi, 'reconciliation').mockResolvedValue(run({ closed: true, open: 0 }));
    fireEvent.click(document.getElementById('dialog-daily-close-confirm')!);
    await waitFor(() => expect(text('run-closed')).toBe('已日结'));
    expect(close).toHaveBeenCalledWith('2026-03-01');
    expect(text('run-notice')).toContain('2026-03-01已日结');
  });

  it("a failed run says why; an unknown run shows the server's message", async () => {
    login('supervisor');
    mockRun(
      run({ status: 'FAILED', error: 'the WeChat trade bill is not available yet', totals: undefined }),
      [],
    );
    const { unmount } = render(<ConsoleRun />);
    expect(await screen.findByText(/the WeChat trade bill is not available yet/)).toBeTruthy();
    unmount();
    jest.spyOn(consoleApi, 'reconciliation').mockRejectedValue(new ApiError('NOT_FOUND', 'no such run', 404));
    render(<ConsoleRun />);
    expect(await screen.findByText('no such run')).toBeTruthy();
  });
});

describe('reconciliation page', () => {
  beforeEach(() => resetTaro({ path: '/pages/console/recon/index', params: { date: '2026-03-01' } }));

  it('lists the runs of the date, runs one and opens it; a refusal shows the server message', async () => {
    login('cashier');
    const list = jest.spyOn(consoleApi, 'reconciliations').mockResolvedValue([run()]);
    jest.spyOn(consoleApi, 'dailyCloses').mockResolvedValue([]);
    const start = jest
      .spyOn(consoleApi, 'runReconciliation')
      .mockRejectedValueOnce(
        new ApiError('UPSTREAM_UNAVAILABLE', 'bill not ready before 09:00 next day', 503),
      )
      .mockResolvedValue(run({ id: '43' }));
    render(<ConsoleRecon />);
    await waitFor(() => expect(text(`recon-run-${RUN_ID}`)).toContain('admin'));
    expect(list).toHaveBeenCalledWith({ date: '2026-03-01', limit: 20 });
    expect(text(`recon-run-${RUN_ID}`)).toContain('已完成');
    fireEvent.click(document.getElementById('recon-run')!);
    expect(await screen.findByText('bill not ready before 09:00 next day')).toBeTruthy();
    fireEvent.click(document.getElementById('recon-run')!);
    await waitFor(() =>
      expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/console/run/index?runId=43' }),
    );
    expect(start).toHaveBeenLastCalledWith('2026-03-01');
  });

  it('marks a run red only for real discrepancies: matched and cross-day counts are not red', async () => {
    login('cashier');
    jest.spyOn(consoleApi, 'reconciliations').mockResolvedValue([
      run({
        summary: { matched: 5, over: 0, short: 0, amountMismatch: 0, statusMismatch: 0, cutoff: 2 },
        open: 0,
      }),
    ]);
    jest.spyOn(consoleApi, 'dailyCloses').mockResolvedValue([]);
    render(<ConsoleRecon />);
    await waitFor(() => expect(text(`recon-run-${RUN_ID}`)).toContain('admin'));
    expect(document.querySelectorAll(`#recon-run-${RUN_ID} .c-diff`)).toHaveLength(0);
    expect(document.getElementById(`recon-run-${RUN_ID}`)?.textContent).not.toMatch(/DONE|CUTOFF|MATCHED/);
  });

  it('says when a day has no run yet, and when it is closed', async () => {
    login('supervisor');
    jest.spyOn(consoleApi, 'reconciliations').mockResolvedValue([]);
    jest.spyOn(consoleApi, 'dailyCloses').mockResolvedValue([
      {
        date: '2026-03-01',
        runId: RUN_ID,
        closedBy: 'admin',
        closedAt: '2026-03-02T05:00:00.000Z',
        summary: run().summary,
        totals: totals(),
      },
    ]);
    render(<ConsoleRecon />);
    expect(await screen.findByText('该日尚未对账')).toBeTruthy();
    await waitFor(() => expect(text('recon-closed')).toContain('已日结'));
    expect((document.getElementById('recon-run') as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('chartGeometry', () => {
  it('fills the 24 hours, stacks positives up and negatives down from the zero line', () => {
    const g = chartGeometry(totals().hourly);
    expect(fullDay(totals().hourly)).toHaveLength(24);
    expect(g.hours).toHaveLength(24);
    expect(g.his).toHaveLength(24);
    const at10 = g.bars.filter((b) => b.hour === 10);
    const [wechat, insurance] = at10;
    expect(wechat.channel).toBe('wechat');
    // insurance sits on top of WeChat, touching it
    expect(insurance.y + insurance.height).toBeCloseTo(wechat.y, 6);
    expect(wechat.y + wechat.height).toBeCloseTo(g.zeroY, 6);
    const refund = g.bars.find((b) => b.hour === 15)!;
    expect(refund.y).toBeCloseTo(g.zeroY, 6);
    expect(refund.valueFen).toBe(-1000);
    // the axis covers the highest hour and the refund
    expect(g.ticks[g.ticks.length - 1].valueFen).toBeGreaterThanOrEqual(103200);
    expect(g.ticks[0].valueFen).toBeLessThanOrEqual(-1000);
    expect(g.ticks.every((t) => t.label.startsWith('¥') || t.label.startsWith('-¥'))).toBe(true);
    expect(g.empty).toBe(false);
  });

  it('draws an empty day on a ¥0–¥4 axis without bars', () => {
    const g = chartGeometry([]);
    expect(g.empty).toBe(true);
    expect(g.bars).toHaveLength(0);
    expect(g.ticks.map((t) => t.label)).toEqual(['¥0.00', '¥1.00', '¥2.00', '¥3.00', '¥4.00']);
  });

  it('picks round steps of 1, 2 or 5 × 10^k fen', () => {
    expect(niceStep(104200)).toBe(50000);
    expect(niceStep(40000)).toBe(10000);
    expect(niceStep(7)).toBe(2);
    expect(niceStep(0)).toBe(1);
  });
});
