/**
 * Steps of the cashier console that several browser tests take the same way: a desktop context, the login form,
 * and reading an element's text (spaces removed) until it says what the test expects.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import type { Stack } from '../helpers/stack';

export const DESKTOP = { width: 1366, height: 900 };

/** Full-page screenshots: the pages scroll inside Taro's page element, so the viewport grows to fit it. */
export class TallShots {
  private n = 0;
  constructor(readonly dir: string) {}
  async take(page: Page, step: string, viewport = DESKTOP): Promise<void> {
    this.n++;
    const height = await page.evaluate(() => {
      const pages = Array.from(document.querySelectorAll<HTMLElement>('.taro_page')).filter(
        (p) => getComputedStyle(p).display !== 'none',
      );
      const current = pages[pages.length - 1];
      return Math.max(current?.scrollHeight ?? 0, document.documentElement.scrollHeight);
    });
    const grown = Math.min(Math.max(viewport.height, height), 8000);
    if (grown !== viewport.height) await page.setViewportSize({ width: viewport.width, height: grown });
    await page.screenshot({ path: join(this.dir, `${String(this.n).padStart(2, '0')}-${step}.png`) });
    if (grown !== viewport.height) await page.setViewportSize(viewport);
  }
}

/** A desktop context as the cashier's browser: 1366×900, Chinese, China time. */
export function desktopContext(
  browser: Pick<Browser, 'newContext'>,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  return browser.newContext({
    viewport: DESKTOP,
    deviceScaleFactor: 1,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    ...options,
  });
}

/** The console's login form, filled and submitted (what the page shows next is the test's to check). */
export async function logIn(
  page: Page,
  stack: Stack,
  user: { username: string; password: string },
  otp: string,
): Promise<void> {
  await page.goto(`${stack.url}/#/pages/console/login/index`);
  await page.locator('#login-username').fill(user.username);
  await page.locator('#login-password').fill(user.password);
  await page.locator('#login-otp').fill(otp);
  await page.locator('#login-submit').click();
}

/** The text of the first element matching `selector`, spaces removed. */
export async function textOf(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().innerText()).replace(/\s+/g, '');
}

/** Waits until the element's text (spaces removed) contains `expected`; fails showing what it says. */
export async function expectText(page: Page, selector: string, expected: string | RegExp): Promise<void> {
  try {
    await page.waitForFunction(
      ([sel, want, isRe]) => {
        const got = (document.querySelector(sel)?.textContent ?? '').replace(/\s+/g, '');
        return isRe ? new RegExp(want).test(got) : got.includes(want);
      },
      [
        selector,
        typeof expected === 'string' ? expected : expected.source,
        typeof expected !== 'string',
      ] as const,
      { timeout: 10_000 },
    );
  } catch {
    throw new Error(
      `${selector} should contain ${String(expected)} but says: ${await textOf(page, selector)}`,
    );
  }
}

/** The audit log, opened from the left navigation of the page on show: its table's text, once it is there. */
export async function auditLogText(page: Page): Promise<string> {
  await page.locator('#c-nav-audit:visible').click();
  await page.locator('#audit-table').waitFor();
  return textOf(page, '#audit-table');
}
