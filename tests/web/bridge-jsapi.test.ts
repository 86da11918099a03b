/**
 * The H5 bridge inside WeChat (JSAPI调起医保支付说明): a stub `window.WeixinJSBridge` records what is invoked. Pins
 * the invoke name and exact parameters for each mix_pay_type, the appid's source, the version gate read from the
 * user agent, waiting for `WeixinJSBridgeReady`, and the meaning of `err_msg`. The sandbox cashier (ordinary
 * browser) is in bridge-h5.test.ts.
 */
import type { PaymentView } from '../../shared/api';
import { BRIDGE_READY_TIMEOUT_MS, bridge, browser } from '../../miniprogram/services/bridge/index.h5';
import { PayFailure } from '../../miniprogram/services/bridge/wechatPay';
import { api } from '../../miniprogram/services/api';
import { resetTaro } from './stubs/taro';
import { FIVE, ORDER_ID, PAY_PARAMS, cashOnly, insuranceOnly, mixed } from './fixtures';

const CONFIG = {
  appId: 'wx0123456789abcdef',
  hospitalName: '南昌市第一医院',
  wechatSandboxUrl: 'http://127.0.0.1:3103/',
  insuranceAuthUrl: 'http://127.0.0.1:3101/oauth/code',
};

const UA = {
  iosOk:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 ' +
    'MicroMessenger/8.0.44(0x1800302c) NetType/WIFI Language/zh_CN',
  iosOld:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 ' +
    'MicroMessenger/8.0.43(0x1800302b) NetType/WIFI Language/zh_CN',
  androidOk:
    'Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/111.0 ' +
    'Mobile Safari/537.36 XWEB/1160083 MMWEBSDK/20240301 MicroMessenger/8.0.48.2580(0x28003036) WeChat/arm64',
  harmonyOld:
    'Mozilla/5.0 (Phone; OpenHarmony 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36 ' +
    'ArkWeb/4.1.6.1 Mobile MicroMessenger/8.0.12.33(0x2800000c)',
  harmonyOk:
    'Mozilla/5.0 (Phone; OpenHarmony 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36 ' +
    'ArkWeb/4.1.6.1 Mobile MicroMessenger/8.0.13.50(0x2800000d)',
  chrome:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36',
};
const UPGRADE = '当前微信版本过低，无法使用医保支付。请将微信升级到 8.0.44 或以上版本后再试。';
const UPGRADE_HARMONY = '当前微信版本过低，无法使用医保支付。请将鸿蒙版微信升级到 8.0.13 或以上版本后再试。';

type Invoke = jest.Mock<void, [string, Record<string, string>, (res: { err_msg: string }) => void]>;
const w = window as Window & { WeixinJSBridge?: { invoke: Invoke } };

function setUserAgent(ua: string) {
  Object.defineProperty(window.navigator, 'userAgent', { value: ua, configurable: true });
}

/** A WeixinJSBridge whose sheet answers `<prefix>:<suffix>` (prefix: the call's own err_msg prefix). */
function installBridge(suffix = 'ok', errMsg?: string): Invoke {
  const invoke: Invoke = jest.fn((name, _params, callback) => {
    const prefix = name === 'getBrandWCPayRequest' ? 'get_brand_wcpay_request' : name;
    callback({ err_msg: errMsg ?? `${prefix}:${suffix}` });
  });
  w.WeixinJSBridge = { invoke };
  return invoke;
}

let go: jest.SpyInstance;
beforeEach(() => {
  resetTaro();
  setUserAgent(UA.iosOk);
  jest.spyOn(api, 'clientConfig').mockResolvedValue(CONFIG);
  go = jest.spyOn(browser, 'go').mockImplementation(() => undefined);
});
afterEach(() => {
  delete w.WeixinJSBridge;
  jest.useRealTimers();
  jest.restoreAllMocks();
});

const onlyInvoke = (invoke: Invoke) => {
  expect(invoke).toHaveBeenCalledTimes(1);
  return { name: invoke.mock.calls[0][0], params: invoke.mock.calls[0][1] };
};

describe('H5 bridge inside WeChat: what is invoked', () => {
  it('CASH_AND_INSURANCE: requestMedicalInsurancePay with appid, mixTradeNo and exactly the five cash fields', async () => {
    const invoke = installBridge();
    await expect(bridge.pay(ORDER_ID, mixed)).resolves.toBe('ok');
    expect(onlyInvoke(invoke)).toStrictEqual({
      name: 'requestMedicalInsurancePay',
      params: { appid: PAY_PARAMS.appId, mixTradeNo: mixed.mixTradeNo, ...FIVE },
    });
    expect(go).not.toHaveBeenCalled(); // no sandbox cashier inside WeChat
  });

  it('the appid of a mixed order is the one its paySign was made with (payParams.appId)', async () => {
    const invoke = installBridge();
    await bridge.pay(ORDER_ID, { ...mixed, payParams: { ...PAY_PARAMS, appId: 'wxsigned000000000' } });
    expect(onlyInvoke(invoke).params.appid).toBe('wxsigned000000000');
  });

  it('INSURANCE_ONLY: exactly {appid (from client-config), mixTradeNo}', async () => {
    const invoke = installBridge();
    await expect(bridge.pay(ORDER_ID, insuranceOnly)).resolves.toBe('ok');
    const { name, params } = onlyInvoke(invoke);
    expect(name).toBe('requestMedicalInsurancePay');
    expect(params).toStrictEqual({ appid: CONFIG.appId, mixTradeNo: insuranceOnly.mixTradeNo });
  });

  it('CASH_ONLY: getBrandWCPayRequest with appId and the five fields', async () => {
    const invoke = installBridge();
    await expect(bridge.pay(ORDER_ID, cashOnly)).resolves.toBe('ok');
    expect(onlyInvoke(invoke)).toStrictEqual({
      name: 'getBrandWCPayRequest',
      params: { appId: PAY_PARAMS.appId, ...FIVE },
    });
  });

  it('an order the server reports paid opens no sheet', async () => {
    const invoke = installBridge();
    await expect(bridge.pay(ORDER_ID, { ...insuranceOnly, status: 'COMPLETED' })).resolves.toBe('ok');
    expect(invoke).not.toHaveBeenCalled();
  });
});

describe('H5 bridge inside WeChat: the version gate (from the user agent)', () => {
  it.each([
    ['iOS 8.0.43', UA.iosOld, UPGRADE],
    ['HarmonyOS 8.0.12', UA.harmonyOld, UPGRADE_HARMONY],
  ])('%s is refused with the upgrade message, and nothing else is invoked', async (_label, ua, message) => {
    setUserAgent(ua);
    const invoke = installBridge();
    for (const payment of [mixed, insuranceOnly]) {
      const failure = await bridge.pay(ORDER_ID, payment).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(PayFailure);
      expect((failure as Error).message).toBe(message);
    }
    expect(invoke).not.toHaveBeenCalled(); // never getBrandWCPayRequest for a med-ins order
    expect(go).not.toHaveBeenCalled();
  });

  it.each([
    ['iOS 8.0.44', UA.iosOk],
    ['Android 8.0.48.2580', UA.androidOk],
    ['HarmonyOS 8.0.13', UA.harmonyOk],
  ])('%s is accepted', async (_label, ua) => {
    setUserAgent(ua);
    const invoke = installBridge();
    await expect(bridge.pay(ORDER_ID, mixed)).resolves.toBe('ok');
    expect(onlyInvoke(invoke).name).toBe('requestMedicalInsurancePay');
  });

  it('a cash-only order is not gated', async () => {
    setUserAgent(UA.iosOld);
    const invoke = installBridge();
    await expect(bridge.pay(ORDER_ID, cashOnly)).resolves.toBe('ok');
    expect(onlyInvoke(invoke).name).toBe('getBrandWCPayRequest');
  });
});

describe('H5 bridge inside WeChat: err_msg', () => {
  it.each([
    ['requestMedicalInsurancePay:ok', mixed, 'ok'],
    ['requestMedicalInsurancePay:cancel', mixed, 'cancel'],
    ['requestMedicalInsurancePay:fail cancel', insuranceOnly, 'cancel'],
    ['get_brand_wcpay_request:ok', cashOnly, 'ok'],
    ['get_brand_wcpay_request:cancel', cashOnly, 'cancel'],
  ])('%s → %s', async (errMsg, payment, outcome) => {
    installBridge('', errMsg);
    await expect(bridge.pay(ORDER_ID, payment as PaymentView)).resolves.toBe(outcome);
  });

  it.each([
    ['requestMedicalInsurancePay:fail', mixed, /^医保支付未能完成。请确认已激活医保电子凭证/],
    ['get_brand_wcpay_request:fail', cashOnly, /^微信支付未能完成，请稍后重试。$/],
    ['system:function_not_exist', mixed, new RegExp(`^${UPGRADE}$`)],
    ['system:access_denied', insuranceOnly, /^医保支付暂不可用.*access_denied/],
  ])('%s → a failure with a Chinese message', async (errMsg, payment, message) => {
    installBridge('', errMsg);
    const failure = await bridge.pay(ORDER_ID, payment as PaymentView).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PayFailure);
    expect((failure as Error).message).toMatch(message);
  });
});

describe('H5 bridge: finding WeixinJSBridge', () => {
  it('inside WeChat before the bridge is injected: waits for WeixinJSBridgeReady, then invokes', async () => {
    const pending = bridge.pay(ORDER_ID, insuranceOnly);
    await Promise.resolve();
    const invoke = installBridge();
    document.dispatchEvent(new Event('WeixinJSBridgeReady'));
    await expect(pending).resolves.toBe('ok');
    expect(onlyInvoke(invoke).name).toBe('requestMedicalInsurancePay');
    expect(go).not.toHaveBeenCalled();
  });

  it('inside WeChat, a bridge that never comes: a failure after the timeout, never the sandbox cashier', async () => {
    jest.useFakeTimers();
    const pending = bridge.pay(ORDER_ID, mixed).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(BRIDGE_READY_TIMEOUT_MS + 1);
    const failure = await pending;
    expect(failure).toBeInstanceOf(PayFailure);
    expect((failure as Error).message).toMatch(/微信支付组件加载超时/);
    expect(go).not.toHaveBeenCalled();
  });

  it('an ordinary browser (no bridge, no MicroMessenger) keeps the sandbox cashier', async () => {
    setUserAgent(UA.chrome);
    await expect(bridge.pay(ORDER_ID, mixed)).resolves.toBeNull();
    expect(new URL(go.mock.calls[0][0] as string).pathname).toBe('/sandbox/cashier');
  });
});
