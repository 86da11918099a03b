/**
 * The testers' mock console (`/__console`) in a real browser (Debian chromium, 1366×900): the three mocks in this
 * process, the console server proxying to them; a scenario switched, a fault injected and listed, a WeChat
 * payment confirmed through the admin API so a callback exists, the callback replayed from the console (its
 * history grows; a replay or a custom callback the merchant refuses shows red with its status), an exhausted fault
 * still listed greyed with its hits, the journal searched, verified per status and an entry opened. Screenshots of each step go to a folder printed at the
 * start; look at them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { ManualClock } from '../../shared/clock';
import { testKeys } from '../../shared/crypto/keyring';
import { createInsuranceMock } from '../../mocks/insurance';
import { createHisMock } from '../../mocks/his';
import { createWeChatPayMock } from '../../mocks/wechatpay';
import { createConsoleApp } from '../../mocks/console/server';
import { HttpWeChatPayGateway } from '../../server/gateways/wechatpay/client';
import { chromiumAvailable, launch, screenshotFolder, Shots } from './browser';

const run = chromiumAvailable() ? describe : describe.skip;
const DESKTOP = { width: 1366, height: 900 };

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function admin(base: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${base}/__admin${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

run('mock console (browser)', () => {
  const clock = new ManualClock(Date.parse('2026-12-01T10:00:00+08:00'));
  const keys = testKeys();
  const insuranceMock = createInsuranceMock({ keys: keys.mocks.insurance, clock });
  const hisMock = createHisMock({ clock });
  let wechatMock: ReturnType<typeof createWeChatPayMock>;
  const servers: Server[] = [];
  let urls: { insurance: string; his: string; wechatpay: string; console: string; receiver: string };
  let browser: Browser;
  let page: Page;
  let shots: Shots;
  const received: string[] = [];
  /** what the merchant's endpoint answers (a test switches it to 401 to see a refusal) */
  let receiverStatus = 204;

  beforeAll(async () => {
    const insurance = await listen(insuranceMock.app.callback());
    const his = await listen(hisMock.app.callback());
    wechatMock = createWeChatPayMock({ keys: keys.mocks.wechat, clock, insuranceBaseUrl: insurance.url });
    const wechat = await listen(wechatMock.app.callback());
    const receiver = await listen((req, res) => {
      received.push(req.url ?? '');
      req.resume();
      req.on('end', () => res.writeHead(receiverStatus).end());
    });
    const consoleServer = await listen(
      createConsoleApp({ insurance: insurance.url, his: his.url, wechatpay: wechat.url }).callback(),
    );
    servers.push(insurance.server, his.server, wechat.server, receiver.server, consoleServer.server);
    urls = {
      insurance: insurance.url,
      his: his.url,
      wechatpay: wechat.url,
      console: consoleServer.url,
      receiver: receiver.url,
    };
    browser = await launch();
    page = await browser.newPage({ viewport: DESKTOP });
    page.setDefaultTimeout(10_000);
    shots = new Shots(screenshotFolder('mock-console'));
  });

  afterAll(async () => {
    await browser?.close();
    wechatMock?.stop();
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  const idle = () => page.waitForSelector('main[aria-busy="false"]');

  test('overview: the three mocks up, their clocks', async () => {
    await page.goto(`${urls.console}/__console/`);
    await idle();
    await page.waitForSelector('#health .pill.up >> nth=2');
    expect(await page.locator('#health .pill.up').count()).toBe(3);
    await expect(page.locator('#overview-wechatpay .clock').textContent()).resolves.toContain(
      '2026-12-01 10:00:00',
    );
    await shots.take(page, 'overview');
    // move the clock by 3 hours from the console: all three follow (one clock here)
    await page.fill('#clock-advance', '3h');
    await page.click('#clock-card form button');
    await page.waitForFunction(() =>
      document.querySelector('#overview-his .clock')?.textContent?.includes('13:00:'),
    );
    expect(clock.now()).toBe(Date.parse('2026-12-01T13:00:00+08:00'));
    await shots.take(page, 'clock-advanced');
  });

  test('scenarios: switch one globally, see it active, clear it', async () => {
    await page.click('#tab-scenarios');
    await idle();
    const row = page.locator('#scenarios-table tr[data-scenario="insurance-suspended"]');
    const listed = (await row.count()) > 0;
    if (!listed) {
      // the scenarios endpoint is missing: the console must say so plainly
      await expect(page.locator('.scenarios-error').first().textContent()).resolves.toContain('404');
      await shots.take(page, 'scenarios-missing');
      return;
    }
    await row.locator('button.use-scenario').click();
    await page.waitForSelector('#scenario-status-insurance .global-scenario:has-text("insurance-suspended")');
    expect((await admin(urls.insurance, 'GET', '/scenario')).body.name).toBe('insurance-suspended');
    await expect(page.locator('#answer').textContent()).resolves.toContain('PUT /__admin/scenario');
    await shots.take(page, 'scenario-set');
    await page.click('#scenario-clear');
    await page.waitForSelector('#scenario-status-insurance .global-scenario:has-text("none")');
    expect((await admin(urls.insurance, 'GET', '/scenario')).body.name).toBeNull();
  });

  test('faults: add one with the form, see it listed; a refused one shows the mock error', async () => {
    await page.click('#tab-faults');
    await idle();
    await page.selectOption('#fault-mock', 'his');
    await page.fill('#fault-path', '/his/charges/confirm');
    await page.selectOption('#fault-kind', 'error5xx');
    await page.fill('#fault-status', '503');
    await page.fill('#fault-count', '2');
    await page.click('#fault-add');
    await page.waitForSelector('#faults-his tr[data-fault]');
    await expect(page.locator('#faults-his').textContent()).resolves.toContain('/his/charges/confirm');
    const listed = (await admin(urls.his, 'GET', '/faults')).body as unknown as unknown[];
    expect(listed).toHaveLength(1);
    await shots.take(page, 'fault-added');
    // a path without "/" is refused by the mock: its answer shows as an error
    await page.fill('#fault-path', 'no-slash');
    await page.click('#fault-add');
    await page.waitForSelector('#answer.fail');
    await expect(page.locator('#answer .error').textContent()).resolves.toContain('400');
    await shots.take(page, 'fault-refused');
    // used up (count 2): it stays listed, greyed, with its two hits
    for (let i = 0; i < 2; i++)
      expect((await fetch(`${urls.his}/his/charges/confirm`, { method: 'POST' })).status).toBe(503);
    await page.click('#tab-faults');
    await page.waitForSelector('#faults-his tr.exhausted[data-fault]');
    await expect(page.locator('#faults-his tr.exhausted td.hits').textContent()).resolves.toBe('2');
    await expect(page.locator('#faults-his tr.exhausted').textContent()).resolves.toContain('exhausted');
    await shots.take(page, 'fault-exhausted');
  });

  test('WeChat notifications: a confirmed payment sends one; replayed from the console, its history grows', async () => {
    const gateway = new HttpWeChatPayGateway({
      baseUrl: urls.wechatpay,
      keys: keys.server.wechat,
      timeoutMs: 5000,
      clock,
      notifyUrl: `${urls.receiver}/notify`,
      medInsCallbackUrl: `${urls.receiver}/medins`,
    });
    const login = await admin(urls.wechatpay, 'POST', '/login-codes', {});
    await gateway.createJsapiOrder({
      outTradeNo: 'MOCKCONSOLE0001',
      description: '门诊缴费',
      amountFen: 7560,
      openid: String(login.body.openid),
      expireAtMs: clock.now() + 30 * 60_000,
    });
    const confirmed = await admin(urls.wechatpay, 'POST', '/payments/confirm', {
      outTradeNo: 'MOCKCONSOLE0001',
    });
    expect(confirmed.status).toBe(200);
    await wechatMock.deliverDue();
    expect(received).toEqual(['/notify']);

    await page.click('#tab-notifications');
    await idle();
    const row = page.locator('#notifications-table tr[data-id]').first();
    await expect(row.locator('td.history').textContent()).resolves.toBe('1');
    await expect(row.textContent()).resolves.toContain('MOCKCONSOLE0001');
    await shots.take(page, 'notification');
    await row.locator('button.replay').click();
    await page.waitForFunction(
      () => document.querySelector('#notifications-table tr[data-id] td.history')?.textContent === '2',
    );
    expect(received).toEqual(['/notify', '/notify']);
    await expect(page.locator('#answer').textContent()).resolves.toContain('replay');
    expect(await page.locator('#answer').getAttribute('class')).toContain('ok');
    // the merchant now refuses (401): the replay shows red with the status, never "✓ delivered"
    receiverStatus = 401;
    await page.locator('#notifications-table tr[data-id] button.replay').first().click();
    await page.waitForSelector('#answer.fail');
    await expect(page.locator('#answer .head').textContent()).resolves.toMatch(/^✗.*401/);
    await expect(page.locator('#answer .error').textContent()).resolves.toContain('HTTP 401');
    await page.waitForSelector('#notifications-table tr[data-id] .last-failed');
    await expect(
      page.locator('#notifications-table tr[data-id] .last-failed').first().textContent(),
    ).resolves.toContain('401');
    await shots.take(page, 'notification-replay-refused');
    // the detail shows both attempts, the second a replay
    await page.locator('#notifications-table tr[data-id] button.secondary').first().click();
    await page.waitForSelector('#notification-detail table');
    await expect(page.locator('#notification-detail').textContent()).resolves.toContain(
      'TRANSACTION.SUCCESS',
    );
    await shots.take(page, 'notification-replayed');
    // a custom callback: the endpoint's answer or its error, shown plainly; the placeholder is our real path
    expect(await page.getAttribute('#cb-url', 'placeholder')).toContain('/api/v1/notify/wechatpay');
    await page.fill('#cb-url', `${urls.receiver}/custom`);
    await page.click('#callback-form button.btn');
    await page.waitForSelector('#answer.fail .head:has-text("callbacks/send")');
    await expect(page.locator('#answer .head').textContent()).resolves.toContain('401');
    await shots.take(page, 'callback-send-refused');
    receiverStatus = 204;
    await page.fill('#cb-url', `${urls.receiver}/custom`); // the list was redrawn after the send
    await page.click('#callback-form button.btn');
    await page.waitForSelector('#answer.ok .head:has-text("callbacks/send")');
    await expect(page.locator('#answer .head').textContent()).resolves.toMatch(/^✓.*204/);
    expect(await page.locator('#answer').textContent()).not.toContain('Request body');
    await shots.take(page, 'callback-send');
    // ids and URLs stay on one line at 1366 px (ellipsis, the whole value in the title)
    const idCell = page.locator('#notifications-table tr[data-id] td.mono .clip').first();
    const { height, lineHeight } = await idCell.evaluate((el) => ({
      height: el.getBoundingClientRect().height,
      lineHeight: parseFloat(getComputedStyle(el).lineHeight) || 16,
    }));
    expect(height).toBeLessThan(lineHeight * 1.5);
    // the whole table fits its card: no column is cut off
    const fits = await page.evaluate(() => {
      const table = document.querySelector('#notifications-table')!;
      return table.getBoundingClientRect().right <= table.parentElement!.getBoundingClientRect().right + 1;
    });
    expect(fits).toBe(true);
    expect(await idCell.getAttribute('title')).toBeTruthy();
  });

  test('journal: search, open an entry', async () => {
    await page.click('#tab-journal');
    await idle();
    await page.selectOption('#journal-mock', 'wechatpay');
    await page.fill('#journal-path', '/v3/pay');
    await page.click('#journal-form button.btn');
    await page.waitForSelector('#journal-table tr.clickable');
    await page.locator('#journal-table tr.clickable').first().click();
    await expect(page.locator('#journal-detail').textContent()).resolves.toContain(
      '/v3/pay/transactions/jsapi',
    );
    // verify: only the calls answered 2xx count, and the counts per status are shown
    await page.fill('#verify-path', '/v3/pay/transactions/jsapi');
    await page.fill('#verify-status', '2xx');
    await page.click('#verify-form button.btn');
    await page.waitForSelector('#verify-by-status');
    await expect(page.locator('#verify-result').textContent()).resolves.toContain('HTTP 200 × 1');
    await expect(page.locator('#verify-result .ok').textContent()).resolves.toContain('1 次');
    await page.fill('#verify-status', '5xx');
    await page.click('#verify-form button.btn');
    await page.waitForSelector('#verify-result .bad');
    await expect(page.locator('#verify-result .bad').first().textContent()).resolves.toContain('0 次');
    await shots.take(page, 'journal');
  });

  test('persons and HIS bills', async () => {
    await page.click('#tab-persons');
    await idle();
    await page.fill('#person-name', '测试员');
    await page.fill('#person-idno', '36010219900101123X');
    await page.click('#person-form button');
    await page.waitForSelector('#persons-table td:has-text("测试员")');
    await shots.take(page, 'persons');
    await page.click('#tab-his');
    await idle();
    await page.selectOption('#bill-patient', 'P100003');
    await page.fill('#bill-items', '110100001:1\n250101015:2');
    await page.click('#bill-form button');
    await page.waitForSelector('#bills-table tr[data-bill="MZ000007"]');
    await expect(page.locator('#bills-table tr[data-bill="MZ000007"]').textContent()).resolves.toContain(
      '¥55.00',
    );
    await page.locator('#bills-table tr[data-bill="MZ000007"] button').click();
    await page.waitForSelector('#bills-table tr[data-bill="MZ000007"]:has-text("WINDOW")');
    await shots.take(page, 'his-bills');
  });
});
