/** The console's pages (H5 build only; app.config.ts registers them when TARO_ENV is h5). */
import Taro from '@tarojs/taro';
import { queryString, type Query } from '../routes';

export const CONSOLE_PAGES = {
  login: '/pages/console/login/index',
  orders: '/pages/console/orders/index',
  order: '/pages/console/order/index',
  recon: '/pages/console/recon/index',
  run: '/pages/console/run/index',
  requests: '/pages/console/requests/index',
  audit: '/pages/console/audit/index',
  users: '/pages/console/users/index',
  risk: '/pages/console/risk/index',
  ops: '/pages/console/ops/index',
} as const;

export type ConsolePage = keyof typeof CONSOLE_PAGES;

export function consoleUrl(page: ConsolePage, query?: Query): string {
  const qs = queryString(query);
  return qs ? `${CONSOLE_PAGES[page]}?${qs}` : CONSOLE_PAGES[page];
}

/** The address a link shows (hash router): '#/pages/console/run/index?runId=7'. */
export function consoleHref(page: ConsolePage, query?: Query): string {
  return `#${consoleUrl(page, query)}`;
}

/** Left-nav switches: a fresh page stack each time (no pile of hidden pages behind a desktop app). */
export function switchConsolePage(page: ConsolePage, query?: Query): void {
  void Taro.reLaunch({ url: consoleUrl(page, query) });
}

/** Drill-down (a run, an order): on top of the current page, so back returns to the list as it was. */
export function openConsolePage(page: ConsolePage, query?: Query): void {
  void Taro.navigateTo({ url: consoleUrl(page, query) });
}

/** Back one page, or to `fallback` when this page was opened directly (a bookmark, a reload). */
export function consoleBack(fallback: ConsolePage, query?: Query): void {
  if (Taro.getCurrentPages().length > 1) void Taro.navigateBack({ delta: 1 });
  else switchConsolePage(fallback, query);
}

/** The first 8 characters of a UUID, as people read run ids (the CSV file name uses the same). */
export const shortId = (id: string) => id.slice(0, 8);
