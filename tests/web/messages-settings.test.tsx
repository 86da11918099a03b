/**
 * Subscribe-message consent and the 消息 / 设置 pages' logic: the sheet's answers turned into accepted / rejected
 * (weapp and the sandbox's subscribeResult), where the H5 bridge sends the browser, the delivery tags and CST
 * times, what one sheet asks for, the quiet-hours rules, the messages page recording a returned answer, and the
 * settings page saving (Switch and Picker stand in as a checkbox and a text box).
 */
import type { ReactNode } from 'react';
import { fireEvent, render, waitFor } from '@testing-library/react';
import type { MessageView, SubscriptionsView } from '../../shared/api';
import { SUBSCRIBE_TEMPLATES } from '../../shared/protocol/wechat/subscribe';
import Messages from '../../miniprogram/pages/messages/index';
import Settings from '../../miniprogram/pages/settings/index';
import {
  DELIVERY,
  answerSentence,
  deliveryOf,
  formatCst,
  reminderTitles,
  templatesToAsk,
} from '../../miniprogram/pages/messages/labels';
import {
  DEFAULT_QUIET_HOURS,
  quietHoursProblem,
  quietSpanLabel,
  withQuietHours,
} from '../../miniprogram/pages/settings/form';
import { api } from '../../miniprogram/services/api';
import { bridge as h5Bridge, browser, captureLanding } from '../../miniprogram/services/bridge/index.h5';
import { bridge as weappBridge } from '../../miniprogram/services/bridge/index.weapp';
import {
  answerOfDecisions,
  decodeBase64Url,
  decodeSubscribeResult,
} from '../../miniprogram/services/bridge/subscribe';
import { ApiError } from '../../miniprogram/services/errors';
import { notificationsApi } from '../../miniprogram/services/notificationsApi';
import Taro, { resetTaro } from './stubs/taro';

const PAID = SUBSCRIBE_TEMPLATES.payment_success.templateId;
const REFUND = SUBSCRIBE_TEMPLATES.refund_result.templateId;
const FAILED = SUBSCRIBE_TEMPLATES.payment_failed.templateId;
const REMINDER = SUBSCRIBE_TEMPLATES.bill_reminder.templateId;

const SUBSCRIPTIONS: SubscriptionsView = {
  templates: Object.values(SUBSCRIBE_TEMPLATES).map(({ templateId, purpose, title, description }) => ({
    templateId,
    purpose,
    title,
    description,
  })),
  accepted: [],
};

const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
const text = (id: string) => (document.getElementById(id)?.textContent ?? '').replace(/\s+/g, '');

beforeEach(() => resetTaro({ path: '/pages/messages/index' }));
afterEach(() => jest.restoreAllMocks());

describe('the consent sheet’s answer', () => {
  it('accept → accepted; reject, ban and filter → rejected; unasked ids and errMsg are left out', () => {
    expect(
      answerOfDecisions(
        {
          errMsg: 'requestSubscribeMessage:ok',
          [PAID]: 'accept',
          [REFUND]: 'reject',
          [FAILED]: 'ban',
          x: 'accept',
        },
        [PAID, REFUND, FAILED, REMINDER],
      ),
    ).toEqual({ accepted: [PAID], rejected: [REFUND, FAILED] });
    expect(answerOfDecisions({ [REMINDER]: 'filter' }, [REMINDER])).toEqual({
      accepted: [],
      rejected: [REMINDER],
    });
  });

  it('decodes the sandbox’s subscribeResult (base64url JSON), and nothing else', () => {
    expect(
      decodeSubscribeResult(
        encode({ [PAID]: 'accept', [REFUND]: 'accept', [FAILED]: 'ban', [REMINDER]: 'reject' }),
      ),
    ).toEqual({ accepted: [PAID, REFUND], rejected: [FAILED, REMINDER] });
    expect(decodeBase64Url(Buffer.from('缴费成功通知 ✓', 'utf8').toString('base64url'))).toBe(
      '缴费成功通知 ✓',
    );
    expect(decodeSubscribeResult('not base64!')).toBeUndefined();
    expect(decodeSubscribeResult(encode(['accept']))).toBeUndefined();
    expect(decodeSubscribeResult(encode({}))).toBeUndefined();
    expect(decodeSubscribeResult(Buffer.from('{broken').toString('base64url'))).toBeUndefined();
  });

  it('subscribeResult is a one-shot parameter: captured and removed from the address bar', () => {
    const value = encode({ [PAID]: 'accept' });
    window.history.replaceState(null, '', `/?subscribeResult=${value}#/pages/messages/index`);
    expect(captureLanding()).toEqual({ path: '/pages/messages/index', params: { subscribeResult: value } });
    expect(window.location.search).toBe('');
    expect(window.location.hash).toBe('#/pages/messages/index');
  });
});

describe('weapp bridge: requestSubscribe', () => {
  const taro = Taro as unknown as { requestSubscribeMessage?: jest.Mock };
  afterEach(() => delete taro.requestSubscribeMessage);

  it('calls Taro.requestSubscribeMessage at once (inside the tap), at most 3 templates, and maps the answer', async () => {
    taro.requestSubscribeMessage = jest.fn(() =>
      Promise.resolve({
        errMsg: 'requestSubscribeMessage:ok',
        [PAID]: 'accept',
        [REFUND]: 'reject',
        [FAILED]: 'ban',
      }),
    );
    const answer = weappBridge.requestSubscribe([PAID, REFUND, FAILED, REMINDER]);
    // synchronously, before anything is awaited: WeChat opens the sheet only from a tap
    expect(taro.requestSubscribeMessage).toHaveBeenCalledTimes(1);
    expect(taro.requestSubscribeMessage).toHaveBeenCalledWith({ tmplIds: [PAID, REFUND, FAILED] });
    await expect(answer).resolves.toEqual({ accepted: [PAID], rejected: [REFUND, FAILED] });
    expect(weappBridge.subscribeLimit).toBe(3);
  });

  it('a sheet that cannot open rejects with a Chinese message (20004: subscriptions turned off)', async () => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    taro.requestSubscribeMessage = jest.fn(() =>
      Promise.reject({ errCode: 20004, errMsg: 'requestSubscribeMessage:fail main switch is off' }),
    );
    await expect(weappBridge.requestSubscribe([PAID])).rejects.toThrow(/关闭了订阅消息/);
  });
});

describe('H5 bridge: requestSubscribe', () => {
  const CONFIG = {
    appId: 'wx0123456789abcdef',
    hospitalName: '南昌市第一医院',
    wechatSandboxUrl: 'http://127.0.0.1:3103/',
    insuranceAuthUrl: 'http://127.0.0.1:3101/oauth/code',
  };
  const w = window as unknown as { WeixinJSBridge?: unknown };
  afterEach(() => delete w.WeixinJSBridge);

  it('an ordinary browser goes to the sandbox sheet with the templates and the messages page as redirect', async () => {
    window.history.replaceState(null, '', '/');
    jest.spyOn(api, 'clientConfig').mockResolvedValue(CONFIG);
    const go = jest.spyOn(browser, 'go').mockImplementation(() => undefined);
    await expect(h5Bridge.requestSubscribe([PAID, REFUND])).resolves.toBeNull();
    const url = new URL(go.mock.calls[0][0] as string);
    expect(`${url.origin}${url.pathname}`).toBe('http://127.0.0.1:3103/sandbox/subscribe');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      tmplIds: `${PAID},${REFUND}`,
      redirect: 'http://localhost/#/pages/messages/index',
    });
  });

  it('inside WeChat says plainly, in Chinese, that a web page cannot ask, and goes nowhere', async () => {
    w.WeixinJSBridge = { invoke: jest.fn() };
    const go = jest.spyOn(browser, 'go').mockImplementation(() => undefined);
    await expect(h5Bridge.requestSubscribe([PAID])).resolves.toBeNull();
    expect(go).not.toHaveBeenCalled();
    const modal = (Taro.showModal as jest.Mock).mock.calls[0][0] as { title: string; content: string };
    expect(modal.title).toBe('无法在网页中开启提醒');
    expect(modal.content).toContain('小程序');
  });
});

describe('messages page words', () => {
  it('says where each message went in plain Chinese', () => {
    expect(Object.fromEntries(Object.entries(DELIVERY).map(([k, v]) => [k, v.label]))).toEqual({
      sent: '已推送到微信',
      pending: '等待发送',
      not_subscribed: '未开启微信提醒（仅在此查看）',
      refused: '微信提醒已被关闭',
      failed: '推送未成功',
    });
    expect(deliveryOf('sent').tone).toBe('success');
    expect(deliveryOf('failed').tone).toBe('danger');
    expect(deliveryOf('something-new').label).toBe('状态未知');
  });

  it('shows times in China Standard Time whatever the phone’s zone', () => {
    expect(formatCst('2026-12-07T15:05:00Z')).toBe('2026-12-07 23:05');
    expect(formatCst('2026-12-07T23:30:00+08:00')).toBe('2026-12-07 23:30');
    expect(formatCst('2026-12-31T16:00:00Z')).toBe('2027-01-01 00:00');
    expect(formatCst('nonsense')).toBe('');
    expect(formatCst(null)).toBe('');
  });

  it('names the reminders on and off, asks for those off first within the sheet’s limit', () => {
    const view = { ...SUBSCRIPTIONS, accepted: [PAID, REFUND] };
    expect(reminderTitles(view)).toEqual({
      on: ['缴费成功通知', '退款结果通知'],
      off: ['缴费未成功通知', '待缴费提醒'],
    });
    expect(templatesToAsk(view, 20)).toEqual([FAILED, REMINDER, PAID, REFUND]);
    expect(templatesToAsk(view, 3)).toEqual([FAILED, REMINDER, PAID]);
    expect(answerSentence({ accepted: [PAID], rejected: [] }, view)).toBe('已开启：缴费成功通知。');
    expect(answerSentence({ accepted: [], rejected: [PAID] }, view)).toContain('没有开启');
  });
});

describe('settings rules', () => {
  const prefs = { billReminders: true, paymentNotices: true, refundNotices: true, quietHours: null };

  it('turning quiet hours on shows 22:00–08:00, or the span set before; off clears it', () => {
    expect(withQuietHours(prefs, true, undefined).quietHours).toEqual({ start: '22:00', end: '08:00' });
    expect(DEFAULT_QUIET_HOURS).toEqual({ start: '22:00', end: '08:00' });
    expect(withQuietHours(prefs, true, { start: '23:00', end: '07:00' }).quietHours).toEqual({
      start: '23:00',
      end: '07:00',
    });
    expect(
      withQuietHours({ ...prefs, quietHours: DEFAULT_QUIET_HOURS }, false, undefined).quietHours,
    ).toBeNull();
  });

  it('refuses a span that starts when it ends, and reads a span across midnight', () => {
    expect(quietHoursProblem({ start: '22:00', end: '22:00' })).toBe('开始和结束时间不能相同');
    expect(quietHoursProblem({ start: '23:00', end: '07:00' })).toBeUndefined();
    expect(quietHoursProblem(null)).toBeUndefined();
    expect(quietSpanLabel({ start: '23:00', end: '07:00' })).toBe('23:00 至次日 07:00');
    expect(quietSpanLabel({ start: '12:00', end: '14:00' })).toBe('12:00 至 14:00');
  });
});

describe('messages page', () => {
  const message = (over: Partial<MessageView> = {}): MessageView => ({
    id: 'm1',
    purpose: 'payment_success',
    title: '缴费成功通知',
    summary: '您的门诊费用已缴清。',
    lines: [
      { label: '就诊人', value: '张*三' },
      { label: '缴费金额', value: '¥12.30' },
    ],
    orderId: '11111111-1111-4111-8111-111111111111',
    delivery: 'sent',
    createdAt: '2026-12-07T13:40:00Z',
    sentAt: '2026-12-07T13:40:02Z',
    ...over,
  });

  it('records the answer the sandbox sheet brought back, once, and shows the reminders on', async () => {
    resetTaro({
      path: '/pages/messages/index',
      params: {
        subscribeResult: encode({
          [PAID]: 'accept',
          [REFUND]: 'accept',
          [FAILED]: 'reject',
          [REMINDER]: 'ban',
        }),
      },
    });
    const record = jest
      .spyOn(notificationsApi, 'recordSubscriptions')
      .mockResolvedValue({ ...SUBSCRIPTIONS, accepted: [PAID, REFUND] });
    const get = jest.spyOn(notificationsApi, 'subscriptions').mockResolvedValue(SUBSCRIPTIONS);
    jest.spyOn(notificationsApi, 'messages').mockResolvedValue({ messages: [message()], nextBefore: null });
    render(<Messages />);
    await waitFor(() => expect(text('reminders-on')).toBe('已开启：缴费成功通知、退款结果通知'));
    expect(record).toHaveBeenCalledTimes(1);
    expect(record).toHaveBeenCalledWith({ accepted: [PAID, REFUND], rejected: [FAILED, REMINDER] });
    expect(get).not.toHaveBeenCalled();
    expect(text('subscribe-button')).toBe('管理提醒');
    expect(text('message-m1')).toContain('2026-12-0721:40');
    expect(text('message-m1')).toContain('缴费金额¥12.30');
    expect(text('message-delivery-m1')).toBe('已推送到微信');
    fireEvent.click(document.getElementById('message-m1')!);
    expect(Taro.navigateTo).toHaveBeenCalledWith({
      url: '/pages/order/index?orderId=11111111-1111-4111-8111-111111111111',
    });
  });

  it('shows 开启提醒, the empty state, and pages on with 加载更多', async () => {
    jest.spyOn(notificationsApi, 'subscriptions').mockResolvedValue(SUBSCRIPTIONS);
    const messages = jest
      .spyOn(notificationsApi, 'messages')
      .mockResolvedValueOnce({
        messages: [message({ id: 'm2', orderId: null, delivery: 'not_subscribed' })],
        nextBefore: 'm2',
      })
      .mockResolvedValueOnce({ messages: [message({ id: 'm3', delivery: 'failed' })], nextBefore: null });
    render(<Messages />);
    await waitFor(() => expect(text('subscribe-button')).toBe('开启提醒'));
    expect(text('message-delivery-m2')).toBe('未开启微信提醒（仅在此查看）');
    fireEvent.click(document.getElementById('messages-more')!);
    await waitFor(() => expect(text('message-delivery-m3')).toBe('推送未成功'));
    expect(messages).toHaveBeenLastCalledWith('m2');
    expect(document.getElementById('messages-more')).toBeNull();
  });

  it('says so when there is no message yet', async () => {
    jest.spyOn(notificationsApi, 'subscriptions').mockResolvedValue(SUBSCRIPTIONS);
    jest.spyOn(notificationsApi, 'messages').mockResolvedValue({ messages: [], nextBefore: null });
    render(<Messages />);
    await waitFor(() => expect(document.body.textContent).toContain('暂无消息'));
  });
});

// 设置 needs Switch and Picker, which the shared stub does not have: a checkbox and a text box stand in for them
jest.mock('@tarojs/components', () => {
  const stub = jest.requireActual('./stubs/components');
  type Changed<T> = (event: { detail: { value: T } }) => void;
  return {
    ...stub,
    Switch: ({ id, checked, onChange }: { id?: string; checked?: boolean; onChange?: Changed<boolean> }) => (
      <input
        type="checkbox"
        id={id}
        checked={!!checked}
        onChange={(e) => onChange?.({ detail: { value: e.target.checked } })}
      />
    ),
    Picker: ({
      value,
      onChange,
      children,
    }: {
      value?: string;
      onChange?: Changed<string>;
      children?: ReactNode;
    }) => (
      <div>
        {children}
        <input
          className="picker-value"
          value={value}
          onChange={(e) => onChange?.({ detail: { value: e.target.value } })}
        />
      </div>
    ),
  };
});

describe('settings page', () => {
  const loaded = { billReminders: true, paymentNotices: true, refundNotices: true, quietHours: null };
  const checkbox = (id: string) => document.getElementById(id) as HTMLInputElement;
  const pickers = () => [...document.querySelectorAll('.picker-value')] as HTMLInputElement[];

  beforeEach(() => resetTaro({ path: '/pages/settings/index' }));

  it('turns quiet hours on at 22:00–08:00, saves the whole object, shows what was kept and says 已保存', async () => {
    jest.spyOn(notificationsApi, 'preferences').mockResolvedValue(loaded);
    const kept = { ...loaded, billReminders: false, quietHours: { start: '23:00', end: '07:00' } };
    const save = jest.spyOn(notificationsApi, 'savePreferences').mockResolvedValue(kept);
    render(<Settings />);
    await waitFor(() => expect(checkbox('settings-billReminders').checked).toBe(true));
    expect(text('settings-quiet-summary')).toContain('未开启');
    fireEvent.click(checkbox('settings-billReminders'));
    fireEvent.click(checkbox('settings-quiet'));
    expect(text('settings-quiet-start')).toContain('22:00');
    expect(text('settings-quiet-end')).toContain('08:00');
    fireEvent.change(pickers()[0], { target: { value: '23:00' } });
    fireEvent.change(pickers()[1], { target: { value: '07:00' } });
    expect(text('settings-quiet-summary')).toContain('23:00至次日07:00');
    fireEvent.click(document.getElementById('settings-save')!);
    await waitFor(() => expect(Taro.showToast).toHaveBeenCalledWith({ title: '已保存', icon: 'success' }));
    expect(save).toHaveBeenCalledWith(kept);
    // the page keeps showing what was saved, not what it first loaded
    expect(checkbox('settings-billReminders').checked).toBe(false);
    expect(text('settings-quiet-start')).toContain('23:00');
  });

  it('will not save a span that starts when it ends, and shows a failed save in Chinese', async () => {
    jest.spyOn(notificationsApi, 'preferences').mockResolvedValue({
      ...loaded,
      quietHours: { start: '22:00', end: '08:00' },
    });
    jest
      .spyOn(notificationsApi, 'savePreferences')
      .mockRejectedValue(new ApiError('UPSTREAM_UNAVAILABLE', '服务暂时不可用，请稍后再试', 503));
    render(<Settings />);
    await waitFor(() => expect(pickers()).toHaveLength(2));
    fireEvent.change(pickers()[1], { target: { value: '22:00' } });
    expect(text('settings-quiet-error')).toBe('开始和结束时间不能相同');
    expect((document.getElementById('settings-save') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(pickers()[1], { target: { value: '06:30' } });
    fireEvent.click(document.getElementById('settings-save')!);
    await waitFor(() => expect(text('action-error')).toContain('服务暂时不可用'));
    expect(Taro.showToast).not.toHaveBeenCalled();
  });
});
