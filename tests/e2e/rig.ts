/**
 * What the browser tests set up alike: a describe that runs only where chromium is (chromiumAvailable), the whole
 * stack serving the H5 build, chromium itself, and the check that a test's pages ran under the
 * Content-Security-Policy without a violation. Each hook is registered in the describe block that calls it.
 */
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import { useStack, type Stack } from '../helpers/stack';
import {
  chromiumAvailable,
  collectCspViolations,
  type CspViolation,
  expectNoCspViolations,
  launch,
  PHONE,
} from './browser';

/** `describe` where chromium is, `describe.skip` (loudly; failing with CI=true) where it is not. */
export const describeInBrowser = chromiumAvailable() ? describe : describe.skip;

/** The whole stack serving the H5 build (dist/h5), started before the block's tests and stopped after. */
export function useH5Stack(env: Record<string, string> = {}): Stack {
  return useStack({ env: { H5_DIR: 'dist/h5', ...env } });
}

/** Chromium for the block's tests: launched before them, closed after. */
export function useBrowser(): Pick<Browser, 'newContext' | 'newPage'> {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });
  const launched = (): Browser => {
    if (!browser) throw new Error('chromium is launched by beforeAll: use it inside tests and hooks');
    return browser;
  };
  return {
    newContext: (options) => launched().newContext(options),
    newPage: (options) => launched().newPage(options),
  };
}

/**
 * After each test of the block, no Content-Security-Policy violation in the pages of the contexts it watched. The
 * function answered watches a context (call it before the context's first page).
 */
export function useNoCspViolations(): (context: BrowserContext) => Promise<void> {
  let watched: CspViolation[][] = [];
  afterEach(() => {
    const seen = watched.flat();
    watched = [];
    expectNoCspViolations(seen, expect.getState().currentTestName ?? 'the test');
  });
  return async (context) => {
    watched.push(await collectCspViolations(context));
  };
}

/** A phone-sized context as the patient's browser: 375×812, Chinese; `options` add to it. */
export function phoneContext(
  browser: Pick<Browser, 'newContext'>,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  return browser.newContext({ viewport: PHONE, deviceScaleFactor: 1, locale: 'zh-CN', ...options });
}
