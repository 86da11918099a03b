/**
 * H5 bridge. Inside WeChat (a 公众号 page: `window.WeixinJSBridge`, or a MicroMessenger user agent whose
 * bridge is still loading) payment is WeChat's own JSAPI sheet — `requestMedicalInsurancePay` for a
 * medical-insurance order, `getBrandWCPayRequest` for a cash-only one — and the outcome comes back here.
 * In an ordinary browser the WeChat mock's sandbox pages stand in for WeChat. Every step leaves the app with
 * window.location and comes back to an absolute URL of ours, with parameters appended by the other side.
 * The router runs in hash mode, so the other side's `?code=…` lands before the '#' (or, if it appends to the
 * whole string, inside the hash query): both are captured here at start-up and handed to the page they belong to.
 * Subscribe messages: WeChat offers no consent sheet to web pages, so inside WeChat the patient is told so; in an
 * ordinary browser the sandbox sheet stands in and comes back to the messages page with `subscribeResult`.
 */
import Taro from '@tarojs/taro';
import type { PaymentView } from '../../../shared/api';
import { loadClientConfig } from '../config';
import { PAGES, pageUrl, type PageName, type Query } from '../routes';
import { INSURANCE_AUTH, ONE_SHOT_PARAMS, type Bridge, type PayOutcome } from './types';
import {
  PayFailure,
  alreadyPaid,
  interpretSheetAnswer,
  medInsVersionProblem,
  sheetFields,
  weChatClientOfUserAgent,
  type SheetFields,
} from './wechatPay';

interface Landing {
  path: string;
  params: Record<string, string>;
}

function normalisePath(path: string): string {
  const p = path.split('?')[0].replace(/\/+$/, '');
  return p === '' ? PAGES.home : p.startsWith('/') ? p : `/${p}`;
}

/** Reads what the redirect appended, then removes it from the address bar (history.replaceState). */
export function captureLanding(win: Window = window): Landing | undefined {
  const { location, history } = win;
  const search = new URLSearchParams(location.search);
  const [hashPath = '', hashQuery = ''] = location.hash.replace(/^#/, '').split('?');
  const hashParams = new URLSearchParams(hashQuery);
  const params: Record<string, string> = {};
  search.forEach((value, key) => (params[key] = value));
  let hashHadOneShot = false;
  for (const key of ONE_SHOT_PARAMS) {
    const value = hashParams.get(key);
    if (value !== null) {
      params[key] ??= value;
      hashParams.delete(key);
      hashHadOneShot = true;
    }
  }
  if (!location.search && !hashHadOneShot) return undefined;
  const rest = hashParams.toString();
  const hash = hashPath ? `#${hashPath}${rest ? `?${rest}` : ''}` : '';
  history.replaceState(history.state, '', `${location.pathname}${hash}`);
  return { path: normalisePath(hashPath), params };
}

let landing: Landing | undefined = typeof window === 'undefined' ? undefined : captureLanding();

/** Absolute URL of one of our pages, for the other side to send the browser back to. */
export function absolutePageUrl(page: PageName, query?: Query, win: Window = window): string {
  return `${win.location.origin}${win.location.pathname}#${pageUrl(page, query)}`;
}

/** Leaves the app for another site (a seam for tests: jsdom cannot navigate). */
export const browser = {
  go(url: string): void {
    window.location.href = url;
  },
};

/** The JSAPI answer: `err_msg` is `<call>:ok|cancel|fail…` (getBrandWCPayRequest: `get_brand_wcpay_request:…`). */
export interface JSBridgeAnswer {
  err_msg?: string;
  err_desc?: string;
  errMsg?: string;
}

export interface WeixinJSBridge {
  invoke(name: string, params: Record<string, string>, callback: (res: JSBridgeAnswer) => void): void;
}

type WeChatWindow = Window & { WeixinJSBridge?: WeixinJSBridge };

/** How long a MicroMessenger page waits for `WeixinJSBridgeReady` before telling the patient to reopen it. */
export const BRIDGE_READY_TIMEOUT_MS = 10_000;

/**
 * WeChat's JSAPI bridge: at once when present; inside WeChat (MicroMessenger user agent) after the
 * `WeixinJSBridgeReady` event; `undefined` in an ordinary browser.
 */
export function weixinJSBridge(win: Window = window): Promise<WeixinJSBridge | undefined> {
  const w = win as WeChatWindow;
  if (w.WeixinJSBridge) return Promise.resolve(w.WeixinJSBridge);
  if (!/MicroMessenger/i.test(win.navigator.userAgent)) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const ready = () => {
      win.clearTimeout(timer);
      win.document.removeEventListener('WeixinJSBridgeReady', ready);
      if (w.WeixinJSBridge) resolve(w.WeixinJSBridge);
      else reject(new PayFailure('微信支付组件未能加载，请关闭页面后重新打开再试。'));
    };
    const timer = win.setTimeout(() => {
      win.document.removeEventListener('WeixinJSBridgeReady', ready);
      if (w.WeixinJSBridge) resolve(w.WeixinJSBridge);
      else reject(new PayFailure('微信支付组件加载超时，请关闭页面后重新打开再试。'));
    }, BRIDGE_READY_TIMEOUT_MS);
    win.document.addEventListener('WeixinJSBridgeReady', ready, false);
  });
}

function invoke(jsBridge: WeixinJSBridge, name: string, params: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    jsBridge.invoke(name, params, (res) => resolve(res?.err_msg ?? res?.errMsg ?? `${name}:fail`));
  });
}

const settle = (answer: PayOutcome | PayFailure): PayOutcome => {
  if (answer instanceof PayFailure) throw answer;
  return answer;
};

/**
 * JSAPI调起医保支付: `requestMedicalInsurancePay` with `appid` (the appid the order was placed with), `mixTradeNo`
 * and the five cash fields only when there is a cash part; `getBrandWCPayRequest` (appId + the five fields) for a
 * cash-only order. The WeChat version is checked first (from the user agent); too old: the upgrade message,
 * never the plain cash sheet.
 */
async function payInWeChat(jsBridge: WeixinJSBridge, win: Window, payment: PaymentView): Promise<PayOutcome> {
  if (alreadyPaid(payment.status)) return 'ok';
  const cash = payment.payParams;
  if (payment.mixTradeNo) {
    const client = weChatClientOfUserAgent(win.navigator.userAgent);
    const tooOld = medInsVersionProblem(client);
    if (tooOld) throw new PayFailure(tooOld);
    // the cash fields were signed over payParams.appId; without cash, the appid of client-config (the one the
    // server orders with)
    const appid = cash?.appId ?? (await loadClientConfig()).appId;
    const params: { appid: string; mixTradeNo: string } & Partial<SheetFields> = {
      appid,
      mixTradeNo: payment.mixTradeNo,
      ...(cash ? sheetFields(cash) : {}),
    };
    return settle(
      interpretSheetAnswer(
        'medIns',
        await invoke(jsBridge, 'requestMedicalInsurancePay', params),
        client.harmony,
      ),
    );
  }
  if (!cash) throw new PayFailure('服务器未返回支付参数，暂时无法打开微信支付，请稍后重试。');
  const params = { appId: cash.appId, ...sheetFields(cash) };
  return settle(interpretSheetAnswer('cash', await invoke(jsBridge, 'getBrandWCPayRequest', params)));
}

/** Inside WeChat (bridge present or still loading): a web page cannot ask for subscribe messages. */
function insideWeChat(win: Window = window): boolean {
  return !!(win as WeChatWindow).WeixinJSBridge || /MicroMessenger/i.test(win.navigator.userAgent);
}

export const NO_SUBSCRIBE_IN_WEB =
  '微信只允许在小程序中开启消息提醒，网页中无法开启。请在微信中打开本院小程序，在「消息」页开启提醒；缴费和退款的结果仍会显示在本页。';

const trimSlash = (url: string) => url.replace(/\/+$/, '');
const join = (base: string, query: string) => `${base}${base.includes('?') ? '&' : '?'}${query}`;

export const bridge: Bridge = {
  platform: 'h5',
  // the sandbox sheet is as strict as WeChat's: three templates a call
  subscribeLimit: 3,

  takeReturnedParams(pagePath) {
    if (!landing || landing.path !== normalisePath(pagePath)) return {};
    const { params } = landing;
    landing = undefined;
    return params;
  },

  async obtainLoginCode() {
    const config = await loadClientConfig();
    browser.go(
      join(
        `${trimSlash(config.wechatSandboxUrl)}/sandbox/login`,
        `redirect=${encodeURIComponent(absolutePageUrl('login'))}`,
      ),
    );
    return null;
  },

  async startInsuranceAuthorization(patientId) {
    const config = await loadClientConfig();
    const { authType, isDepart, bizType, cityCode } = INSURANCE_AUTH;
    browser.go(
      join(
        config.insuranceAuthUrl,
        `authType=${authType}&isDepart=${isDepart}&bizType=${bizType}&appid=${encodeURIComponent(config.appId)}` +
          `&cityCode=${cityCode}&redirectUrl=${encodeURIComponent(absolutePageUrl('authorize', { patientId }))}`,
      ),
    );
  },

  async pay(orderId, payment) {
    const jsBridge = await weixinJSBridge();
    if (jsBridge) return payInWeChat(jsBridge, window, payment);
    if (!payment.outTradeNo) throw new Error('服务器未返回支付单号（outTradeNo），无法打开收银台');
    const config = await loadClientConfig();
    const mix = payment.mixTradeNo ? `&mixTradeNo=${encodeURIComponent(payment.mixTradeNo)}` : '';
    // the sandbox cashier checks the signed parameters as WeChat's sheet does (paySign with the merchant key)
    const p = payment.payParams;
    const signed = p
      ? `&${new URLSearchParams({
          appId: p.appId,
          timeStamp: p.timeStamp,
          nonceStr: p.nonceStr,
          package: p.package,
          signType: p.signType,
          paySign: p.paySign,
        }).toString()}`
      : '';
    browser.go(
      join(
        `${trimSlash(config.wechatSandboxUrl)}/sandbox/cashier`,
        `outTradeNo=${encodeURIComponent(payment.outTradeNo)}${mix}${signed}` +
          `&redirect=${encodeURIComponent(absolutePageUrl('result', { orderId }))}`,
      ),
    );
    return null;
  },

  async requestSubscribe(templateIds) {
    if (insideWeChat()) {
      await Taro.showModal({
        title: '无法在网页中开启提醒',
        content: NO_SUBSCRIBE_IN_WEB,
        showCancel: false,
      });
      return null;
    }
    const config = await loadClientConfig();
    browser.go(
      join(
        `${trimSlash(config.wechatSandboxUrl)}/sandbox/subscribe`,
        `tmplIds=${encodeURIComponent(templateIds.join(','))}` +
          `&redirect=${encodeURIComponent(absolutePageUrl('messages'))}`,
      ),
    );
    return null;
  },
};
