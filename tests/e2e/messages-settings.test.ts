/**
 * 消息 and 设置 in a real browser (Debian chromium, 375×740) against the whole stack serving the H5 build: a
 * patient logs in through the sandbox, turns WeChat reminders on through the sandbox consent sheet (allowing
 * 缴费成功通知 and 退款结果通知 only), pays a bill, and finds 缴费成功通知 pushed to WeChat — once, as the WeChat
 * mock saw it; then turns 待缴费提醒 off and sets quiet hours 23:00–07:00, which a reload keeps. Screenshots go
 * to /tmp/shots/msg-*.png (the viewport, as the phone shows it); look at them.
 */
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { adminGet } from '../helpers/stack';
import { assertNoHorizontalScroll } from './browser';
import { bindCard, patientWithBill, waitUntilPaid } from './patientSteps';
import { describeInBrowser, phoneContext, useBrowser, useH5Stack, useNoCspViolations } from './rig';

const SHOTS = '/tmp/shots';
const VIEWPORT = { width: 375, height: 740 };
const ITEMS = [
  { code: '110200002', name: '诊查费', price: 2000, qty: 1 },
  { code: '250101001', name: '血常规', price: 3000, qty: 1 },
];

describeInBrowser('消息 and 设置 in the browser', () => {
  const stack = useH5Stack();
  const browser = useBrowser();
  const watchCsp = useNoCspViolations();

  beforeAll(() => mkdirSync(SHOTS, { recursive: true }));

  const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/msg-${name}.png` });
  const textOf = async (page: Page, selector: string) =>
    ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, '');
  const waitForText = (page: Page, selector: string, pattern: RegExp) =>
    page.waitForFunction(
      ([sel, source]) => new RegExp(source).test(document.querySelector(sel)?.textContent ?? ''),
      [selector, pattern.source] as const,
    );

  /**
   * The open sheet of a Taro time picker: each Picker keeps its overlay in <body>, display:none while closed (the
   * overlay itself has no height: its parts are fixed, hence no :visible).
   */
  const pickerSheet = (page: Page) => page.locator('.weui-picker__overlay:not([style*="display: none"])');
  const pickerClosed = (page: Page) =>
    page.waitForFunction(
      () => !document.querySelector('.weui-picker__overlay:not([style*="display: none"])'),
    );

  /**
   * Picks `value` (HH:mm) in the Taro time picker opened by tapping `opener`, which shows the current value: each
   * column is dragged by as many rows (34 px each, as Taro's picker measures them) as the value moves, then 确定.
   */
  async function pickTime(page: Page, opener: string, value: string) {
    const current = /(\d{2}):(\d{2})/.exec(await textOf(page, opener));
    if (!current) throw new Error(`${opener} shows no time`);
    await page.locator(opener).click();
    const sheet = pickerSheet(page);
    await sheet.locator('.weui-picker__action').first().waitFor();
    const wanted = value.split(':').map(Number);
    for (const [column, target] of wanted.entries()) {
      const rows = target - Number(current[column + 1]);
      if (rows === 0) continue;
      // a drag as the column's touch handlers take it (start, two moves, end), by `rows` rows of 34 px
      await sheet
        .locator('taro-picker-group')
        .nth(column)
        .evaluate(async (el, dy) => {
          const group = el as unknown as Record<
            'handleMoveStart' | 'handleMoving' | 'handleMoveEnd',
            (y: number) => Promise<void>
          >;
          // the column reads its position back from the picker, which renders it a frame later
          const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 30)));
          await group.handleMoveStart(400);
          await group.handleMoving(400 + dy / 2);
          await frame();
          await group.handleMoving(400 + dy);
          await frame();
          await group.handleMoveEnd(400 + dy);
        }, -rows * 34);
      await page.waitForTimeout(400); // the column's snap (0.3 s)
    }
    await sheet.locator('.weui-picker__action', { hasText: '确定' }).click();
    await pickerClosed(page);
    await waitForText(page, opener, new RegExp(value));
  }

  /** A Taro Switch's state (the checkbox inside the element with that id). */
  const switchOn = (page: Page, id: string) =>
    page.evaluate(
      (sel) => (document.querySelector(`${sel} input`) as HTMLInputElement | null)?.checked,
      `#${id}`,
    );

  it('reminders on through the sheet, a paid bill pushed once, settings kept across a reload', async () => {
    const openid = `oMsgE2E_${Date.now().toString(36)}`;
    const patient = await patientWithBill(stack, '周文静', ITEMS, { dept: '内科门诊' });
    const context = await phoneContext(browser, { viewport: VIEWPORT });
    await watchCsp(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);

    // log in through the sandbox as a known openid, bind the card
    await page.goto(`${stack.url}/`);
    await page.locator('#login-button').click();
    await page.locator('#sandbox-login-openid').fill(openid);
    await page.locator('#sandbox-login-confirm').click();
    await bindCard(page, stack, patient);
    await page.locator('[id^="card-"]').first().waitFor();

    // home: the two new entries
    await page.goto(`${stack.url}/`);
    await page.locator('#messages-link').waitFor();
    await page.locator('#settings-link').scrollIntoViewIfNeeded();
    await shot(page, '01-home');
    await assertNoHorizontalScroll(page, 'home');

    // 消息: nothing on yet, no message
    await page.locator('#messages-link').click();
    await waitForText(page, '#subscribe-button', /开启提醒/);
    expect(await textOf(page, '#reminders-on')).toContain('尚未开启');
    await page.locator('.state--empty').waitFor();
    await shot(page, '02-messages-empty');
    await assertNoHorizontalScroll(page, 'messages, empty');

    // 开启提醒 → the sandbox sheet (three templates a call, as WeChat's): allow 缴费成功通知 and 退款结果通知,
    // refuse 缴费未成功通知; 待缴费提醒 waits for the next call
    await page.locator('#subscribe-button').click();
    await page.locator('#sandbox-subscribe-rows').waitFor();
    expect(await textOf(page, '#sandbox-subscribe-user')).toContain(openid);
    const rows = await page.$$eval('#sandbox-subscribe-rows .title', (els) => els.map((e) => e.textContent));
    expect(rows).toEqual(['缴费成功通知', '退款结果通知', '缴费未成功通知']);
    for (const title of ['缴费未成功通知'])
      await page.locator('#sandbox-subscribe-rows label', { hasText: title }).locator('input').uncheck();
    await page.waitForTimeout(300); // the switches' slide
    await shot(page, '03-sandbox-sheet');
    await assertNoHorizontalScroll(page, 'the sandbox sheet');
    await page.locator('#sandbox-subscribe-allow').click();

    // back on 消息: the two on, the others named as off
    await waitForText(page, '#reminders-on', /已开启：缴费成功通知、退款结果通知/);
    expect(await textOf(page, '#reminders-off')).toBe('未开启：缴费未成功通知、待缴费提醒');
    expect(await textOf(page, '#subscribe-button')).toBe('管理提醒');
    expect(page.url()).not.toContain('subscribeResult');
    await shot(page, '04-messages-reminders-on');
    await assertNoHorizontalScroll(page, 'messages, reminders on');

    // pay the bill in cash through the sandbox cashier
    await page.goto(`${stack.url}/`);
    await page.locator('#bills-link').click();
    await page.locator(`#bill-${patient.billNo}`).click();
    await page.locator('#checkout-cash').click();
    await page.locator('#pay-button').click();
    await page.locator('#sandbox-pay-confirm').click();
    await waitUntilPaid(page, stack);

    // the outbox sends the notice to WeChat (the test stack works its jobs when told)
    type Sent = { touser: string; templateId: string; data: Record<string, { value: string }> };
    let sent: Sent[] = [];
    for (let round = 0; round < 6 && sent.length === 0; round++) {
      await stack.wechat.mock.deliverDue();
      await stack.runJobs();
      sent = await adminGet<Sent[]>(stack.wechat.url, `/__admin/messages?touser=${openid}`);
    }
    await stack.runJobs();
    sent = await adminGet<Sent[]>(stack.wechat.url, `/__admin/messages?touser=${openid}`);
    expect(sent).toHaveLength(1);

    await page.goto(`${stack.url}/`);
    await page.locator('#messages-link').click();
    await page.locator('.messages-list [id^="message-"]').first().waitFor();
    const first = page.locator('.messages-list > [id^="message-"]').first();
    const firstText = ((await first.textContent()) ?? '').replace(/\s+/g, '');
    expect(firstText).toContain('缴费成功通知');
    expect(firstText).toContain('已推送到微信');
    await shot(page, '05-messages-paid');
    await first.scrollIntoViewIfNeeded();
    await shot(page, '06-messages-paid-item');
    await assertNoHorizontalScroll(page, 'messages, paid');
    // a tap opens the order
    await first.click();
    await page.locator('.page.order').waitFor();

    // 设置: 待缴费提醒 off, quiet hours 23:00–07:00, saved, kept across a reload
    await page.goto(`${stack.url}/`);
    await page.locator('#settings-link').click();
    await page.locator('#settings-save').waitFor();
    expect(await switchOn(page, 'settings-billReminders')).toBe(true);
    await shot(page, '07-settings');
    await assertNoHorizontalScroll(page, 'settings');
    await page.locator('#settings-billReminders').click();
    expect(await switchOn(page, 'settings-billReminders')).toBe(false);
    // quiet hours off (the pickers go), then on again: 22:00–08:00 shown
    if (await switchOn(page, 'settings-quiet')) {
      await page.locator('#settings-quiet').click();
      await page.locator('#settings-quiet-start').waitFor({ state: 'detached' });
      expect(await textOf(page, '#settings-quiet-summary')).toContain('未开启');
    }
    await page.locator('#settings-quiet').click();
    await waitForText(page, '#settings-quiet-start', /22:00/);
    expect(await textOf(page, '#settings-quiet-end')).toContain('08:00');
    await shot(page, '08-settings-quiet-default');
    await pickTime(page, '#settings-quiet-start', '23:00');
    await page.locator('#settings-quiet-end').click();
    await pickerSheet(page).locator('.weui-picker__action').first().waitFor();
    await page.waitForTimeout(400); // the sheet's slide
    await shot(page, '09-settings-time-picker');
    await pickerSheet(page).locator('.weui-picker__action', { hasText: '取消' }).click();
    await pickerClosed(page);
    await pickTime(page, '#settings-quiet-end', '07:00');
    await waitForText(page, '#settings-quiet-summary', /23:00至次日07:00|23:00 至次日 07:00/);
    await page.locator('#settings-save').click();
    await page.getByText('已保存').waitFor();
    // the page shows what was saved, not what it loaded
    expect(await switchOn(page, 'settings-billReminders')).toBe(false);
    expect(await textOf(page, '#settings-quiet-summary')).toContain('23:00至次日07:00');
    await shot(page, '10-settings-saved');
    await assertNoHorizontalScroll(page, 'settings, saved');

    await page.reload();
    await page.locator('#settings-save').waitFor();
    await waitForText(page, '#settings-quiet-start', /23:00/);
    expect(await textOf(page, '#settings-quiet-end')).toContain('07:00');
    expect(await switchOn(page, 'settings-billReminders')).toBe(false);
    expect(await switchOn(page, 'settings-paymentNotices')).toBe(true);
    expect(await switchOn(page, 'settings-refundNotices')).toBe(true);
    expect(await switchOn(page, 'settings-quiet')).toBe(true);
    await shot(page, '11-settings-reloaded');
    await context.close();
  });
});
