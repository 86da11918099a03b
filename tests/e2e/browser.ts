/**
 * Debian chromium driven by playwright-core (never a downloaded browser). Absent chromium: the browser tests are
 * skipped loudly, except with CI=true, where they fail.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const PHONE = { width: 375, height: 812 };

export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true')
    throw new Error(`CI=true and no chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  console.warn(
    `\n⚠️  SKIPPED: browser tests — no chromium at ${CHROMIUM}. Install it with: apt-get install -y chromium fonts-noto-cjk\n`,
  );
  return false;
}

/** How chromium is started, here and by scripts/firstLoad.ts: headless, quiet, no sandbox (containers). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A folder per run for the screenshots; printed so a person can look at them. */
export function screenshotFolder(name: string): string {
  const dir = resolve(
    '.data',
    'e2e-screenshots',
    `${new Date().toISOString().replace(/[:.]/g, '-')}-${name}`,
  );
  mkdirSync(dir, { recursive: true });
  console.log(`screenshots of ${name}: ${dir}`);
  return dir;
}

export class Shots {
  private n = 0;
  constructor(private readonly dir: string) {}
  async take(page: Page, step: string): Promise<void> {
    this.n++;
    await page.screenshot({
      path: join(this.dir, `${String(this.n).padStart(2, '0')}-${step}.png`),
      fullPage: true,
    });
  }
}

/** The page must not scroll sideways on a phone. */
export async function assertNoHorizontalScroll(page: Page, where: string): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  if (scrollWidth > innerWidth)
    throw new Error(`${where}: the page is ${scrollWidth}px wide in a ${innerWidth}px viewport`);
}

/** One `securitypolicyviolation` event, as the page saw it. */
export interface CspViolation {
  page: string;
  directive: string;
  blocked: string;
  source: string;
  line: number;
  sample: string;
}

/**
 * Every Content-Security-Policy violation in the context's pages, from before their first script on (an init
 * script listens on each new document and hands each event to the test). The list grows as the pages run;
 * `expectNoCspViolations` at the end of a walk.
 */
export async function collectCspViolations(context: BrowserContext): Promise<CspViolation[]> {
  const violations: CspViolation[] = [];
  await context.exposeBinding('__cspViolation', (_source, violation: CspViolation) => {
    violations.push(violation);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { __cspViolation?: (v: unknown) => void }).__cspViolation;
      report?.({
        page: e.documentURI,
        directive: e.effectiveDirective,
        blocked: e.blockedURI,
        source: e.sourceFile,
        line: e.lineNumber,
        sample: e.sample,
      });
    });
  });
  return violations;
}

/** Fails listing each violation: the page, the directive, what was blocked and where. */
export function expectNoCspViolations(violations: CspViolation[], where: string): void {
  if (violations.length === 0) return;
  const lines = violations.map(
    (v) =>
      `  ${v.directive} blocked ${v.blocked || '(inline)'} on ${v.page} (${v.source}:${v.line}) ${v.sample}`,
  );
  throw new Error(`${where}: ${violations.length} CSP violation(s):\n${lines.join('\n')}`);
}
