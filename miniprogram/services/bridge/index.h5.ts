/**
 * H5 bridge: the WeChat mock's sandbox pages stand in for WeChat. Every step leaves the app with
 * window.location and comes back to an absolute URL of ours, with parameters appended by the other side.
 * The router runs in hash mode, so the other side's `?code=…` lands before the '#' (or, if it appends to the
 * whole string, inside the hash query): both are captured here at start-up and handed to the page they belong to.
 */
import { loadClientConfig } from '../config';
import { PAGES, pageUrl, type PageName, type Query } from '../routes';
import { INSURANCE_AUTH, ONE_SHOT_PARAMS, type Bridge } from './types';

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

const trimSlash = (url: string) => url.replace(/\/+$/, '');
const join = (base: string, query: string) => `${base}${base.includes('?') ? '&' : '?'}${query}`;

export const bridge: Bridge = {
  platform: 'h5',

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
    if (!payment.outTradeNo) throw new Error('服务器未返回支付单号（outTradeNo），无法打开收银台');
    const config = await loadClientConfig();
    const mix = payment.mixTradeNo ? `&mixTradeNo=${encodeURIComponent(payment.mixTradeNo)}` : '';
    browser.go(
      join(
        `${trimSlash(config.wechatSandboxUrl)}/sandbox/cashier`,
        `outTradeNo=${encodeURIComponent(payment.outTradeNo)}${mix}` +
          `&redirect=${encodeURIComponent(absolutePageUrl('result', { orderId }))}`,
      ),
    );
    return null;
  },
};
