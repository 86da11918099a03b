/** Every page path in one place (app.config.ts lists the same pages). */
import Taro from '@tarojs/taro';

export const PAGES = {
  home: '/pages/home/index',
  login: '/pages/login/index',
  cards: '/pages/cards/index',
  bind: '/pages/bind/index',
  authorize: '/pages/authorize/index',
  bills: '/pages/bills/index',
  bill: '/pages/bill/index',
  confirm: '/pages/confirm/index',
  result: '/pages/result/index',
  orders: '/pages/orders/index',
  order: '/pages/order/index',
  messages: '/pages/messages/index',
  settings: '/pages/settings/index',
} as const;

export type PageName = keyof typeof PAGES;
export type Query = Record<string, string | undefined>;

export function queryString(query: Query = {}): string {
  return Object.entries(query)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

/** '/pages/order/index?orderId=…' */
export function pageUrl(page: PageName, query?: Query): string {
  const qs = queryString(query);
  return qs ? `${PAGES[page]}?${qs}` : PAGES[page];
}

/** Opens a page on top of the current one. */
export function openPage(page: PageName, query?: Query): void {
  void Taro.navigateTo({ url: pageUrl(page, query) });
}

/** Replaces the current page (the result page replaces the confirm page: no way back into a paid order). */
export function replacePage(page: PageName, query?: Query): void {
  void Taro.redirectTo({ url: pageUrl(page, query) });
}

/** Clears the page stack and opens the page (after login, back to the start). */
export function restartAt(page: PageName, query?: Query): void {
  void Taro.reLaunch({ url: pageUrl(page, query) });
}

/** Back one page, or to `fallback` when this page was opened directly (a link, a redirect back to H5). */
export function goBack(fallback: PageName, query?: Query): void {
  const pages = Taro.getCurrentPages();
  if (pages.length > 1) void Taro.navigateBack({ delta: 1 });
  else restartAt(fallback, query);
}
