/**
 * The console's risk page (issue 13): the review queue with approve / reject (a reason required), rule hit
 * counts, the latest decisions filtered by decision, and — for supervisors only — block / unblock.
 */
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { RiskEventView, RiskReviewView } from '../../shared/api';
import ConsoleRisk from '../../miniprogram/pages/console/risk/index';
import { consoleApi } from '../../miniprogram/services/console/api';
import { setConsoleSession } from '../../miniprogram/services/console/session';
import { resetTaro } from './stubs/taro';

const text = (id: string) => (document.getElementById(id)?.textContent ?? '').replace(/\s+/g, '');
const fill = (id: string, value: string) =>
  fireEvent.change(document.getElementById(id)!, { target: { value } });
const OPENID = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';

const review = (orderId: string, orderNo: string): RiskReviewView => ({
  orderId,
  orderNo,
  openid: OPENID,
  patientNameMasked: '张*',
  status: 'PRESETTLED',
  totalFen: 12345,
  createdAt: '2026-12-07T03:00:00.000Z',
  expiresAt: '2026-12-07T03:15:00.000Z',
  rules: ['orders_per_card_per_hour'],
});

const event = (id: string, decision: RiskEventView['decision'], rules: string[]): RiskEventView => ({
  id,
  at: '2026-12-07T03:00:00.000Z',
  action: 'checkout',
  openid: OPENID,
  cashier: null,
  patientId: null,
  orderId: null,
  deviceId: null,
  decision,
  rules,
  inputs: {},
});

function login(role: 'cashier' | 'supervisor') {
  setConsoleSession({
    token: 'ct_abcdefghijklmnopqrstuvwx',
    role,
    username: role === 'cashier' ? 'cashier01' : 'admin',
    expiresAtMs: Date.now() + 3_600_000,
  });
}

function mockReads() {
  jest.spyOn(consoleApi, 'riskReviews').mockResolvedValue([review('o-1', 'M001'), review('o-2', 'M002')]);
  jest.spyOn(consoleApi, 'riskRules').mockResolvedValue([
    { rule: 'user_blocked', hits: 7, hitsLastDay: 2 },
    { rule: 'orders_per_card_per_hour', hits: 3, hitsLastDay: 3 },
  ]);
  jest.spyOn(consoleApi, 'riskBlocks').mockResolvedValue([]);
  return jest
    .spyOn(consoleApi, 'riskEvents')
    .mockImplementation((q) =>
      Promise.resolve(
        q?.decision === 'block'
          ? { items: [event('9', 'block', ['user_blocked'])] }
          : { items: [event('9', 'block', ['user_blocked']), event('8', 'allow', [])], nextCursor: '8' },
      ),
    );
}

afterEach(() => jest.restoreAllMocks());

describe('console risk page', () => {
  beforeEach(() => resetTaro({ path: '/pages/console/risk/index' }));

  it('shows held orders, rule hit counts and decisions; a cashier approves one and sees no blocks', async () => {
    login('cashier');
    const events = mockReads();
    const approve = jest
      .spyOn(consoleApi, 'approveRiskReview')
      .mockResolvedValue({ orderId: 'o-1', decision: 'APPROVED', status: 'PRESETTLED' });
    render(<ConsoleRisk />);
    await waitFor(() => expect(text('risk-review-o-1')).toContain('M001'));
    expect(text('risk-review-o-1')).toContain('¥123.45');
    expect(text('risk-review-o-1')).toContain('同一就诊人一小时内下单过多');
    await waitFor(() => expect(text('risk-rule-user_blocked')).toBe('用户已被封禁27'));
    await waitFor(() => expect(text('risk-event-9')).toContain('拦截'));
    expect(text('risk-event-9')).toContain('用户已被封禁');
    expect(document.getElementById('risk-block-openid')).toBeNull();

    fireEvent.click(document.getElementById('risk-review-o-1-approve')!);
    await waitFor(() => expect(document.getElementById('risk-review-o-1')).toBeNull());
    expect(approve).toHaveBeenCalledWith('o-1');
    expect(text('risk-notice')).toContain('M001');

    fireEvent.click(document.getElementById('risk-events-filter-block')!);
    await waitFor(() => expect(events).toHaveBeenLastCalledWith({ decision: 'block' }));
    await waitFor(() => expect(document.getElementById('risk-event-8')).toBeNull());
  });

  it('rejects only with a reason', async () => {
    login('cashier');
    mockReads();
    const reject = jest
      .spyOn(consoleApi, 'rejectRiskReview')
      .mockResolvedValue({ orderId: 'o-2', decision: 'REJECTED', status: 'CANCELLED' });
    render(<ConsoleRisk />);
    await waitFor(() => expect(text('risk-review-o-2')).toContain('M002'));
    fireEvent.click(document.getElementById('risk-review-o-2-reject')!);
    const confirm = document.getElementById('risk-reject-confirm') as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    fill('risk-reject-reason', ' 多次下单 ');
    fireEvent.click(confirm);
    await waitFor(() => expect(document.getElementById('risk-review-o-2')).toBeNull());
    expect(reject).toHaveBeenCalledWith('o-2', '多次下单');
    expect(text('risk-notice')).toContain('账单已释放');
  });

  it('a supervisor blocks and unblocks a WeChat user', async () => {
    login('supervisor');
    mockReads();
    const block = jest.spyOn(consoleApi, 'blockRiskUser').mockResolvedValue({
      openid: OPENID,
      blockedBy: 'admin',
      reason: '疑似盗用',
      at: '2026-12-07T04:00:00.000Z',
    });
    const unblock = jest.spyOn(consoleApi, 'unblockRiskUser').mockResolvedValue(undefined);
    render(<ConsoleRisk />);
    await waitFor(() => expect(document.getElementById('risk-block-openid')).not.toBeNull());
    fill('risk-block-openid', OPENID);
    fill('risk-block-reason', '疑似盗用');
    fireEvent.click(document.getElementById('risk-block-submit')!);
    await waitFor(() => expect(text(`risk-block-${OPENID}`)).toContain('疑似盗用'));
    expect(block).toHaveBeenCalledWith(OPENID, '疑似盗用');
    fireEvent.click(document.getElementById(`risk-unblock-${OPENID}`)!);
    await waitFor(() => expect(document.getElementById(`risk-block-${OPENID}`)).toBeNull());
    expect(unblock).toHaveBeenCalledWith(OPENID);
    expect(text('risk-notice')).toBe('已解除封禁');
    expect(screen.getByText('封禁的微信用户')).toBeTruthy();
  });
});
