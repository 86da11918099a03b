/** The 个人账户 balance on the cards and home pages, with how old it is in plain Chinese (issue 13 item 5). */
import { render, waitFor } from '@testing-library/react';
import Cards from '../../miniprogram/pages/cards/index';
import { api } from '../../miniprogram/services/api';
import { agoLabel, balanceLabel } from '../../miniprogram/services/labels';
import { resetTaro } from './stubs/taro';
import { PATIENT_ID, patient } from './fixtures';

const NOW = Date.parse('2026-03-01T08:00:00.000Z');
const before = (ms: number) => new Date(NOW - ms).toISOString();
const MINUTE = 60_000;

afterEach(() => jest.restoreAllMocks());

describe('agoLabel', () => {
  it.each([
    [0, '刚刚'],
    [59_999, '刚刚'],
    [-30_000, '刚刚'], // the phone's clock a little behind the server's
    [MINUTE, '1 分钟前'],
    [3 * MINUTE + 59_000, '3 分钟前'],
    [59 * MINUTE, '59 分钟前'],
    [60 * MINUTE, '1 小时前'],
    [23 * 60 * MINUTE, '23 小时前'],
    [24 * 60 * MINUTE, '1 天前'],
    [29 * 24 * 60 * MINUTE, '29 天前'],
  ])('%i ms ago → %s', (ago, label) => {
    expect(agoLabel(before(ago), NOW)).toBe(label);
  });

  it('gives the date beyond a month, and nothing for a missing or bad time', () => {
    expect(agoLabel(before(40 * 24 * 60 * MINUTE), NOW)).toMatch(/^2026-01-2\d$/);
    expect(agoLabel(undefined, NOW)).toBe('');
    expect(agoLabel('not a date', NOW)).toBe('');
  });
});

describe('balanceLabel', () => {
  it('says the balance and how old it is', () => {
    expect(balanceLabel({ balance: 30_000, balanceAsOf: before(3 * MINUTE) }, NOW)).toBe(
      '个账余额 ¥300.00（3 分钟前更新）',
    );
    expect(balanceLabel({ balance: 0, balanceAsOf: before(0) }, NOW)).toBe('个账余额 ¥0.00（刚刚更新）');
  });

  it('says the balance alone without a time, and nothing without a balance', () => {
    expect(balanceLabel({ balance: 30_000 }, NOW)).toBe('个账余额 ¥300.00');
    expect(balanceLabel({ balanceAsOf: before(0) }, NOW)).toBeUndefined();
  });
});

describe('Cards page', () => {
  beforeEach(() => resetTaro({ path: '/pages/cards/index' }));

  it('shows the balance on the card with how old it is', async () => {
    jest.spyOn(api, 'patients').mockResolvedValue([
      patient({
        insurance: {
          eligible: true,
          insutype: '310',
          insutypeName: '职工基本医疗保险',
          balance: 30_000,
          balanceAsOf: new Date(Date.now() - 3 * MINUTE - 5_000).toISOString(),
          authorizedAt: '2026-03-01T08:00:00.000Z',
          expiresAt: '2999-01-01T00:00:00.000Z',
        },
      }),
    ]);
    render(<Cards />);
    await waitFor(() => expect(document.getElementById(`balance-${PATIENT_ID}`)).not.toBeNull());
    expect(document.getElementById(`balance-${PATIENT_ID}`)!.textContent).toBe(
      '个账余额 ¥300.00（3 分钟前更新）',
    );
  });
});
