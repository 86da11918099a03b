/**
 * The weapp bridge's payment against a fake global `wx` (小程序调起医保支付说明): the exact object handed to
 * wx.requestMedicalInsurancePay / wx.requestPayment for each mix_pay_type, the WeChat-version gate (iOS/Android
 * ≥ 8.0.44, HarmonyOS ≥ 8.0.13; below it the upgrade message and never plain requestPayment), and how the sheet's
 * answers map to the bridge's outcomes. The weapp file is imported by path (jest resolves `bridge/index` to H5).
 */
import { createElement } from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { bridge, weChatClient } from '../../miniprogram/services/bridge/index.weapp';
import { PayFailure } from '../../miniprogram/services/bridge/wechatPay';
import Confirm from '../../miniprogram/pages/confirm/index';
import { api } from '../../miniprogram/services/api';
import Taro, { resetTaro } from './stubs/taro';
import { FIVE, ORDER_ID, cashOnly, insuranceOnly, mixed, order } from './fixtures';

// the confirm page imports `services/bridge/index`: give it the weapp bridge, as the weapp build does
jest.mock('../../miniprogram/services/bridge/index', () =>
  jest.requireActual('../../miniprogram/services/bridge/index.weapp'),
);

const CALLBACKS = { success: expect.any(Function), fail: expect.any(Function) };
const UPGRADE = '当前微信版本过低，无法使用医保支付。请将微信升级到 8.0.44 或以上版本后再试。';
const UPGRADE_HARMONY = '当前微信版本过低，无法使用医保支付。请将鸿蒙版微信升级到 8.0.13 或以上版本后再试。';

type Callbacks = { success?: (res: { errMsg?: string }) => void; fail?: (err: { errMsg?: string }) => void };
type Answer = { ok: string } | { fail: string };

/** A fake `wx`: the client's version and platform, and both sheets answering `answer`. */
function fakeWx(client: { version: string; platform: string }, answer: Answer = { ok: '' }) {
  const answerWith = (api: string) => (options: Callbacks) => {
    if ('ok' in answer) options.success?.({ errMsg: `${api}:ok` });
    else options.fail?.({ errMsg: answer.fail });
  };
  return {
    getAppBaseInfo: jest.fn(() => ({ version: client.version, SDKVersion: '3.4.0' })),
    getDeviceInfo: jest.fn(() => ({ platform: client.platform, brand: 'devtools' })),
    getSystemInfoSync: jest.fn(() => ({ version: client.version, platform: client.platform })),
    requestMedicalInsurancePay: jest.fn(answerWith('requestMedicalInsurancePay')),
    requestPayment: jest.fn(answerWith('requestPayment')),
  };
}

const g = globalThis as { wx?: unknown };
let wx: ReturnType<typeof fakeWx>;
function install(fake: ReturnType<typeof fakeWx>) {
  wx = fake;
  g.wx = fake;
}
const IOS = { version: '8.0.44', platform: 'ios' };

beforeEach(() => {
  resetTaro();
  install(fakeWx(IOS));
});
afterEach(() => {
  delete g.wx;
  jest.restoreAllMocks();
});

const onlyCall = (fn: jest.Mock) => {
  expect(fn).toHaveBeenCalledTimes(1);
  return fn.mock.calls[0][0] as Record<string, unknown>;
};

describe('weapp bridge: what is passed for each mix_pay_type', () => {
  it('CASH_AND_INSURANCE: requestMedicalInsurancePay with mixTradeNo and exactly the five cash fields', async () => {
    await expect(bridge.pay(ORDER_ID, mixed)).resolves.toBe('ok');
    const options = onlyCall(wx.requestMedicalInsurancePay);
    expect(options).toStrictEqual({ mixTradeNo: mixed.mixTradeNo, ...FIVE, ...CALLBACKS });
    expect(options).not.toHaveProperty('appId');
    expect(wx.requestPayment).not.toHaveBeenCalled();
  });

  it('INSURANCE_ONLY: exactly {mixTradeNo} plus the callbacks, none of the cash fields', async () => {
    await expect(bridge.pay(ORDER_ID, insuranceOnly)).resolves.toBe('ok');
    const options = onlyCall(wx.requestMedicalInsurancePay);
    expect(options).toStrictEqual({ mixTradeNo: insuranceOnly.mixTradeNo, ...CALLBACKS });
    expect(Object.keys(options).sort()).toEqual(['fail', 'mixTradeNo', 'success']);
    expect(wx.requestPayment).not.toHaveBeenCalled();
  });

  it('CASH_ONLY: requestPayment with exactly the five fields (no mixTradeNo, no appId)', async () => {
    await expect(bridge.pay(ORDER_ID, cashOnly)).resolves.toBe('ok');
    expect(onlyCall(wx.requestPayment)).toStrictEqual({ ...FIVE, ...CALLBACKS });
    expect(wx.requestMedicalInsurancePay).not.toHaveBeenCalled();
  });

  it('an order the server already reports paid opens no sheet', async () => {
    await expect(bridge.pay(ORDER_ID, { ...mixed, status: 'PAID', payParams: undefined })).resolves.toBe(
      'ok',
    );
    expect(wx.requestMedicalInsurancePay).not.toHaveBeenCalled();
    expect(wx.requestPayment).not.toHaveBeenCalled();
  });

  it('a payment without mixTradeNo or payParams is a failure with a Chinese message', async () => {
    await expect(bridge.pay(ORDER_ID, { status: 'AWAITING_PAYMENT', outTradeNo: 'MO1' })).rejects.toThrow(
      /服务器未返回支付参数/,
    );
  });
});

describe('weapp bridge: the WeChat version gate for medical-insurance payment', () => {
  it.each([
    ['iOS 8.0.43', { version: '8.0.43', platform: 'ios' }, UPGRADE],
    ['Android 8.0.9', { version: '8.0.9', platform: 'android' }, UPGRADE],
    ['Android 7.0.22', { version: '7.0.22', platform: 'android' }, UPGRADE],
    ['HarmonyOS 8.0.12', { version: '8.0.12', platform: 'ohos' }, UPGRADE_HARMONY],
  ])('%s is refused with the upgrade message and neither sheet opens', async (_label, client, message) => {
    install(fakeWx(client));
    for (const payment of [mixed, insuranceOnly]) {
      const failure = await bridge.pay(ORDER_ID, payment).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(PayFailure);
      expect((failure as Error).message).toBe(message);
    }
    expect(wx.requestMedicalInsurancePay).not.toHaveBeenCalled();
    expect(wx.requestPayment).not.toHaveBeenCalled(); // never the plain cash sheet for a med-ins order
  });

  it.each([
    ['iOS 8.0.44', { version: '8.0.44', platform: 'ios' }],
    ['Android 8.0.100 (numeric, not lexical)', { version: '8.0.100', platform: 'android' }],
    ['iOS 8.1.0', { version: '8.1.0', platform: 'ios' }],
    ['HarmonyOS 8.0.13', { version: '8.0.13', platform: 'ohos' }],
    ['HarmonyOS PC 8.0.13', { version: '8.0.13', platform: 'ohos_pc' }],
    ['"harmony" 8.0.13', { version: '8.0.13', platform: 'harmony' }],
  ])('%s is accepted', async (_label, client) => {
    install(fakeWx(client));
    await expect(bridge.pay(ORDER_ID, mixed)).resolves.toBe('ok');
    expect(wx.requestMedicalInsurancePay).toHaveBeenCalledTimes(1);
    expect(wx.requestPayment).not.toHaveBeenCalled();
  });

  it('a cash-only order is not gated (plain requestPayment works on any version)', async () => {
    install(fakeWx({ version: '8.0.1', platform: 'ios' }));
    await expect(bridge.pay(ORDER_ID, cashOnly)).resolves.toBe('ok');
    expect(wx.requestPayment).toHaveBeenCalledTimes(1);
  });

  it('reads version and platform from getSystemInfoSync on a base library without getAppBaseInfo/getDeviceInfo', async () => {
    const fake: Partial<ReturnType<typeof fakeWx>> = fakeWx({ version: '8.0.43', platform: 'android' });
    delete fake.getAppBaseInfo;
    delete fake.getDeviceInfo;
    install(fake as ReturnType<typeof fakeWx>);
    expect(weChatClient(fake)).toEqual({ version: '8.0.43', harmony: false });
    await expect(bridge.pay(ORDER_ID, mixed)).rejects.toThrow(UPGRADE);
    expect(wx.requestPayment).not.toHaveBeenCalled();
  });

  it('the HarmonyOS platform comes from getDeviceInfo and the version from getAppBaseInfo', () => {
    const fake = fakeWx({ version: '8.0.13', platform: 'ohos' });
    expect(weChatClient(fake)).toEqual({ version: '8.0.13', harmony: true });
    expect(fake.getSystemInfoSync).not.toHaveBeenCalled();
  });

  it('without wx.requestMedicalInsurancePay (old base library): the upgrade message, not requestPayment', async () => {
    const fake: Partial<ReturnType<typeof fakeWx>> = fakeWx({ version: '8.0.50', platform: 'ios' });
    delete fake.requestMedicalInsurancePay;
    install(fake as ReturnType<typeof fakeWx>);
    await expect(bridge.pay(ORDER_ID, mixed)).rejects.toThrow(UPGRADE);
    await expect(bridge.pay(ORDER_ID, insuranceOnly)).rejects.toThrow(UPGRADE);
    expect(wx.requestPayment).not.toHaveBeenCalled();
  });
});

describe('weapp bridge: the sheet answers', () => {
  it('requestMedicalInsurancePay:fail cancel is the "cancel" outcome', async () => {
    install(fakeWx(IOS, { fail: 'requestMedicalInsurancePay:fail cancel' }));
    await expect(bridge.pay(ORDER_ID, mixed)).resolves.toBe('cancel');
    await expect(bridge.pay(ORDER_ID, insuranceOnly)).resolves.toBe('cancel');
  });

  it('requestPayment:fail cancel is the "cancel" outcome', async () => {
    install(fakeWx(IOS, { fail: 'requestPayment:fail cancel' }));
    await expect(bridge.pay(ORDER_ID, cashOnly)).resolves.toBe('cancel');
  });

  it('other med-ins fails are failures with a Chinese message (WeChat detail appended)', async () => {
    install(fakeWx(IOS, { fail: 'requestMedicalInsurancePay:fail' }));
    const bare = (await bridge.pay(ORDER_ID, mixed).catch((e: unknown) => e)) as Error;
    expect(bare).toBeInstanceOf(PayFailure);
    expect(bare.message).toBe(
      '医保支付未能完成。请确认已激活医保电子凭证（微信「我 → 服务 → 医疗健康 → 医保电子凭证」）后重试；' +
        '如仍无法支付，请到医院收费窗口缴费。',
    );

    install(fakeWx(IOS, { fail: 'requestMedicalInsurancePay:fail errno 102 access denied' }));
    await expect(bridge.pay(ORDER_ID, insuranceOnly)).rejects.toThrow(
      '医保支付暂不可用，请稍后再试或到医院收费窗口缴费。（微信返回：errno 102 access denied）',
    );
  });

  it('a cash sheet failure is a failure with a Chinese message', async () => {
    install(fakeWx(IOS, { fail: 'requestPayment:fail (detail message)' }));
    await expect(bridge.pay(ORDER_ID, cashOnly)).rejects.toThrow(
      '微信支付未能完成，请稍后重试。（微信返回：(detail message)）',
    );
  });
});

describe('confirm page on weapp', () => {
  beforeEach(() => resetTaro({ path: '/pages/confirm/index', params: { orderId: ORDER_ID } }));

  it('shows the upgrade message on a too-old WeChat and stays on the page (no result page, no requestPayment)', async () => {
    install(fakeWx({ version: '8.0.43', platform: 'ios' }));
    jest.spyOn(api, 'order').mockResolvedValue(order());
    jest.spyOn(api, 'startPayment').mockResolvedValue(mixed);
    render(createElement(Confirm));
    fireEvent.click(await screen.findByText(/确认支付/));
    await waitFor(() => expect(document.getElementById('action-error')?.textContent).toContain(UPGRADE));
    expect(wx.requestPayment).not.toHaveBeenCalled();
    expect(wx.requestMedicalInsurancePay).not.toHaveBeenCalled();
    expect(Taro.redirectTo).not.toHaveBeenCalled();
  });

  it('opens the result page with result=cancel when the patient closes the med-ins sheet', async () => {
    install(fakeWx(IOS, { fail: 'requestMedicalInsurancePay:fail cancel' }));
    jest.spyOn(api, 'order').mockResolvedValue(order());
    jest.spyOn(api, 'startPayment').mockResolvedValue(mixed);
    render(createElement(Confirm));
    fireEvent.click(await screen.findByText(/确认支付/));
    await waitFor(() =>
      expect(Taro.redirectTo).toHaveBeenCalledWith({
        url: `/pages/result/index?orderId=${ORDER_ID}&result=cancel`,
      }),
    );
  });
});
