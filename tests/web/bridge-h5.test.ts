/** The H5 bridge: where it sends the browser, and how the parameters coming back reach the right page. */
import { absolutePageUrl, bridge, browser, captureLanding } from '../../miniprogram/services/bridge/index.h5';
import { api } from '../../miniprogram/services/api';
import { resetTaro } from './stubs/taro';
import { ORDER_ID, PATIENT_ID } from './fixtures';

const CONFIG = {
  appId: 'wx0123456789abcdef',
  hospitalName: '南昌市第一医院',
  wechatSandboxUrl: 'http://127.0.0.1:3103/',
  insuranceAuthUrl: 'http://127.0.0.1:3101/oauth/code',
};

let go: jest.SpyInstance;
beforeEach(() => {
  resetTaro();
  window.history.replaceState(null, '', '/');
  jest.spyOn(api, 'clientConfig').mockResolvedValue(CONFIG);
  go = jest.spyOn(browser, 'go').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

const target = () => new URL(go.mock.calls[0][0] as string);

describe('H5 bridge', () => {
  it('absolute page URLs use the hash router at the site root', () => {
    expect(absolutePageUrl('result', { orderId: ORDER_ID })).toBe(
      `http://localhost/#/pages/result/index?orderId=${ORDER_ID}`,
    );
  });

  it('login goes to the sandbox login page with the login page as redirect', async () => {
    await expect(bridge.obtainLoginCode()).resolves.toBeNull();
    const url = target();
    expect(`${url.origin}${url.pathname}`).toBe('http://127.0.0.1:3103/sandbox/login');
    expect(url.searchParams.get('redirect')).toBe('http://localhost/#/pages/login/index');
  });

  it('insurance authorization goes to the authorization page with the fixed parameters and our redirectUrl', async () => {
    await bridge.startInsuranceAuthorization(PATIENT_ID);
    const url = target();
    expect(`${url.origin}${url.pathname}`).toBe('http://127.0.0.1:3101/oauth/code');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      authType: '2',
      isDepart: '2',
      bizType: '04107',
      appid: CONFIG.appId,
      cityCode: '360100',
      redirectUrl: `http://localhost/#/pages/authorize/index?patientId=${PATIENT_ID}`,
    });
  });

  it('pay goes to the sandbox cashier with outTradeNo, mixTradeNo and the result page as redirect', async () => {
    await expect(
      bridge.pay(ORDER_ID, { status: 'AWAITING_PAYMENT', outTradeNo: 'MO1', mixTradeNo: 'MIX1' }),
    ).resolves.toBeNull();
    const url = target();
    expect(`${url.origin}${url.pathname}`).toBe('http://127.0.0.1:3103/sandbox/cashier');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      outTradeNo: 'MO1',
      mixTradeNo: 'MIX1',
      redirect: `http://localhost/#/pages/result/index?orderId=${ORDER_ID}`,
    });
  });

  it('pay with cash hands the sandbox cashier the signed parameters, for it to check paySign as WeChat does', async () => {
    const payParams = {
      appId: 'wx8888888888888888',
      timeStamp: '1795300000',
      nonceStr: 'n0nce',
      package: 'prepay_id=wx201410272009395522657a690389285100',
      signType: 'RSA' as const,
      paySign: 'c2lnbg==',
    };
    await bridge.pay(ORDER_ID, { status: 'AWAITING_PAYMENT', outTradeNo: 'MO3', payParams });
    expect(Object.fromEntries(target().searchParams)).toEqual({
      outTradeNo: 'MO3',
      ...payParams,
      redirect: `http://localhost/#/pages/result/index?orderId=${ORDER_ID}`,
    });
  });

  it('pay for a cash order sends no mixTradeNo, and refuses without an outTradeNo', async () => {
    await bridge.pay(ORDER_ID, { status: 'AWAITING_PAYMENT', outTradeNo: 'MO2' });
    expect(target().searchParams.has('mixTradeNo')).toBe(false);
    await expect(bridge.pay(ORDER_ID, { status: 'AWAITING_PAYMENT' })).rejects.toThrow(/outTradeNo/);
  });
});

describe('captureLanding', () => {
  it('reads ?code= placed before the hash (URL.searchParams style) and strips it from the address bar', () => {
    window.history.replaceState(null, '', '/?code=abc%2B1#/pages/login/index');
    expect(captureLanding()).toEqual({ path: '/pages/login/index', params: { code: 'abc+1' } });
    expect(`${window.location.pathname}${window.location.search}${window.location.hash}`).toBe(
      '/#/pages/login/index',
    );
  });

  it('reads one-shot parameters appended inside the hash and keeps the page own ones', () => {
    window.history.replaceState(null, '', `/#/pages/result/index?orderId=${ORDER_ID}&result=cancel`);
    expect(captureLanding()).toEqual({ path: '/pages/result/index', params: { result: 'cancel' } });
    expect(window.location.hash).toBe(`#/pages/result/index?orderId=${ORDER_ID}`);
  });

  it('treats a return to the site root as the home page, and a clean URL as no landing', () => {
    window.history.replaceState(null, '', '/?authCode=A1');
    expect(captureLanding()).toEqual({ path: '/pages/home/index', params: { authCode: 'A1' } });
    window.history.replaceState(null, '', '/#/pages/orders/index');
    expect(captureLanding()).toBeUndefined();
  });
});
