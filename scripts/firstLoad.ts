/**
 * `npm run measure:first-load [-- --url http://127.0.0.1:3000] [--runs 3]`: what a patient's first visit costs.
 * Opens the patient app (the login page) in Debian chromium with a cold cache (cache disabled) and the CPU slowed
 * 4× (CDP Emulation.setCPUThrottlingRate), then prints the JavaScript bytes transferred (encoded, as on the wire:
 * compressed when the server compresses) and the time from navigation until `#login-button` is visible and
 * enabled. Without --url it starts a whole stack as the tests do (tests/helpers/stack.ts: the machine's PostgreSQL
 * and Redis, or TEST_DATABASE_URL / REDIS_URL) serving dist/h5 — build it first (`npm run build:h5`).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type CDPSession } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../tests/e2e/browser';

const PATIENT_PATH = '/#/pages/login/index';
const CPU_SLOWDOWN = 4;

interface Measure {
  jsBytes: number;
  jsFiles: { url: string; bytes: number }[];
  allBytes: number;
  interactiveMs: number;
  consoleJs: string[];
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function measureOnce(base: string): Promise<Measure> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
    const page = await context.newPage();
    const cdp: CDPSession = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.clearBrowserCache');
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });

    const types = new Map<string, { url: string; type: string }>();
    const finished: { url: string; type: string; bytes: number }[] = [];
    cdp.on('Network.responseReceived', (e) => types.set(e.requestId, { url: e.response.url, type: e.type }));
    cdp.on('Network.loadingFinished', (e) => {
      const seen = types.get(e.requestId);
      if (seen) finished.push({ ...seen, bytes: e.encodedDataLength });
    });

    const started = Date.now();
    await page.goto(`${base}${PATIENT_PATH}`, { waitUntil: 'commit' });
    await page.waitForFunction(
      () => {
        const el = document.querySelector('#login-button');
        if (!el) return false;
        const box = (el as HTMLElement).getBoundingClientRect();
        const disabled = el.hasAttribute('disabled') || el.getAttribute('aria-disabled') === 'true';
        return box.width > 0 && box.height > 0 && !disabled;
      },
      undefined,
      { polling: 'raf', timeout: 30_000 },
    );
    const interactiveMs = Date.now() - started;
    // whatever else the page fetches right after (lazy chunks) still counts as first-load JS
    await page.waitForLoadState('networkidle');

    const js = finished.filter((r) => r.type === 'Script' || /\.m?js(\?|$)/.test(r.url));
    const consoleJs: string[] = [];
    for (const r of js) {
      const res = await fetch(r.url);
      if ((await res.text()).includes('login-otp')) consoleJs.push(r.url);
    }
    return {
      jsBytes: js.reduce((sum, r) => sum + r.bytes, 0),
      jsFiles: js.map((r) => ({ url: new URL(r.url).pathname, bytes: r.bytes })),
      allBytes: finished.reduce((sum, r) => sum + r.bytes, 0),
      interactiveMs,
      consoleJs,
    };
  } finally {
    await browser.close();
  }
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  const runs = Number(option('--runs') ?? 3);
  let base = option('--url');
  let stop: (() => Promise<void>) | undefined;
  if (!base) {
    if (!existsSync(resolve('dist/h5/index.html'))) throw new Error('no dist/h5: run npm run build:h5 first');
    const { startStack } = await import('../tests/helpers/stack');
    const stack = await startStack();
    base = stack.url;
    stop = () => stack.stop();
  }
  try {
    const results: Measure[] = [];
    for (let i = 0; i < runs; i++) results.push(await measureOnce(base));
    const last = results[results.length - 1];
    for (const f of last.jsFiles) console.log(`  ${f.url.padEnd(32)} ${kb(f.bytes)}`);
    const times = results.map((r) => r.interactiveMs).sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(
      `first load of ${base}${PATIENT_PATH} (CPU ×${CPU_SLOWDOWN}, cold cache, ${runs} runs)\n` +
        `  patient JS transferred: ${kb(last.jsBytes)} in ${last.jsFiles.length} files (all: ${kb(last.allBytes)})\n` +
        `  #login-button interactive: median ${median} ms (runs: ${times.join(', ')} ms)\n` +
        `  console code among them: ${last.consoleJs.length === 0 ? 'none' : last.consoleJs.join(', ')}`,
    );
  } finally {
    await stop?.();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
