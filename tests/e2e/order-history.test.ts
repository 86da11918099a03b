/**
 * The order history in a real browser (Debian chromium, 375×812) against the whole stack serving the H5 build:
 * one WeChat user binds two cards, pays a bill on each — the second after the insurance platform refused its
 * settlement — then reads the history, filtered by card and by status. Screenshots of every step go to a folder
 * printed at the start; look at them.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { call } from '../helpers/stack';
import { assertNoHorizontalScroll, screenshotFolder, Shots } from './browser';
import { bindCard, patientWithBill, waitUntilPaid, type BillHolder } from './patientSteps';
import { describeInBrowser, phoneContext, useBrowser, useH5Stack, useNoCspViolations } from './rig';

const ITEMS = [
  { code: '110200002', name: '诊查费', price: 2000, qty: 1 },
  { code: '250101001', name: '血常规', price: 3000, qty: 1 },
];

describeInBrowser('the order history in the browser', () => {
  const stack = useH5Stack();
  const browser = useBrowser();
  const watchCsp = useNoCspViolations();

  const person = (name: string, dept: string, insured: boolean) =>
    patientWithBill(stack, name, ITEMS, {
      dept,
      insured: insured ? { insutype: '310', balance: 3000 } : undefined,
    });

  /** A phone context whose pages are checked for CSP violations after the test; its first page. */
  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await phoneContext(browser);
    await watchCsp(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${stack.url}/`);
    await page.locator('#login-button').click();
    await page.locator('#sandbox-login-confirm').click();
    return { context, page };
  }

  /** From a page with #add-card: the bind form, the texted code; ends on the cards page. */
  async function bindOn(page: Page, p: BillHolder) {
    await bindCard(page, stack, p);
    await page.locator('[id^="card-"]').first().waitFor();
  }

  async function openBill(page: Page, billNo: string) {
    await page.goto(`${stack.url}/`);
    await page.locator('#bills-link').click();
    await page.locator(`#bill-${billNo}`).click();
    await page.locator('#bill-items').waitFor();
  }

  /** From the bill page: cash checkout, the sandbox cashier, the result page at 缴费成功. */
  async function payInCash(page: Page) {
    await page.locator('#checkout-cash').click();
    await page.locator('#pay-button').click();
    await page.locator('#sandbox-pay-confirm').click();
    await waitUntilPaid(page, stack);
    await stack.runJobs(); // the HIS confirm
  }

  /** The ids of the order rows on screen, once the list shows exactly `count` of them. */
  async function rows(page: Page, count: number): Promise<string[]> {
    await page.waitForFunction(
      (n) => document.querySelectorAll('.orders-list > [id^="order-"]').length === n,
      count,
    );
    return page.$$eval('.orders-list > [id^="order-"]', (els) => els.map((e) => e.id));
  }

  const rowText = async (page: Page, id: string) =>
    (await page.locator(`#${id}`).innerText()).replace(/\s+/g, '');

  it('two cards, an order on each, filtered by card and by status', async () => {
    const shots = new Shots(screenshotFolder('order-history'));
    const self = await person('王建国', '内科门诊', false);
    const relative = await person('王小丽', '放射科', true);
    const { context, page } = await newPage();
    await bindOn(page, self);
    await openBill(page, self.billNo);
    await payInCash(page);

    // the second card is the current one once bound; insurance authorized, then suspended before checkout
    await page.goto(`${stack.url}/`);
    await page.locator('#cards-link').click();
    await bindOn(page, relative);
    await page.locator('#authorize-button').click();
    await page.locator(`input[value="${relative.authCode}"]`).check();
    await page.locator('button[value="confirm"]').click();
    await page.waitForFunction(() =>
      /医保授权成功/.test(document.querySelector('#eligibility')?.textContent ?? ''),
    );
    const suspended = await call(stack.insurance.url, 'PATCH', `/__admin/persons/${relative.psnNo}`, {
      body: { status: 'SUSPENDED' },
    });
    expect(suspended.status).toBe(200);
    await openBill(page, relative.billNo);
    await page.locator('#checkout-insurance').click();
    await page.locator('#bill-insurance-refused').waitFor();
    await shots.take(page, 'insurance-refused-at-checkout');
    await stack.runJobs(); // the refused order's release unlocks the bill
    await payInCash(page);

    await page.goto(`${stack.url}/`);
    await page.locator('#orders-link').click();
    const all = await rows(page, 3);
    await shots.take(page, 'history-all');
    await assertNoHorizontalScroll(page, 'history');
    const texts = await Promise.all(all.map((id) => rowText(page, id)));
    expect(texts[0]).toMatch(/王\*丽·放射科.*已完成|已完成.*王\*丽·放射科/);
    expect(texts[1]).toContain('医保结算未通过');
    expect(texts[1]).toContain('王*丽·放射科');
    expect(texts[1]).not.toContain('已取消');
    expect(texts[1]).not.toContain('全自费');
    expect(texts[2]).toContain('王*国·内科门诊');

    const cards = await page.$$eval('[id^="filter-card-"]', (els) => els.map((e) => e.id));
    expect(cards).toHaveLength(3); // 全部 and the two cards
    const selfChip = page.locator('[id^="filter-card-"]', { hasText: '王*国' });
    await selfChip.click();
    const mine = await rows(page, 1);
    expect(await rowText(page, mine[0])).toContain('王*国·内科门诊');
    await shots.take(page, 'history-card-self');
    await assertNoHorizontalScroll(page, 'history filtered by card');

    await page.locator('[id^="filter-card-"]', { hasText: '王*丽' }).click();
    await rows(page, 2);
    await page.locator('#filter-status-closed').click();
    const closed = await rows(page, 1);
    expect(await rowText(page, closed[0])).toContain('医保结算未通过');
    await shots.take(page, 'history-card-relative-closed');

    await page.locator('#filter-status-unpaid').click();
    await page.locator('#filter-clear').waitFor();
    await shots.take(page, 'history-nothing-matches');
    await assertNoHorizontalScroll(page, 'history, nothing matches');
    await page.locator('#filter-clear').click();
    await rows(page, 3);

    // the refused try's own page says what it was, in its header and its 状态记录
    await page.locator(`#${all[1]}`).click();
    await page.waitForFunction(() =>
      /医保结算未通过/.test(document.querySelector('#order-status')?.textContent ?? ''),
    );
    expect((await page.locator('.page.order').innerText()).replace(/\s+/g, '')).not.toContain('已取消');
    await shots.take(page, 'refused-order-detail');
    await context.close();
  });

  // issue 11 item 5: going back from the cashier left 医保预结算完成 on screen and the button spinning
  it('back from the cashier without paying, the confirm page says the order still waits, and pays', async () => {
    const shots = new Shots(screenshotFolder('confirm-return'));
    const p = await person('赵一', '内科门诊', false);
    const { context, page } = await newPage();
    await bindOn(page, p);
    await openBill(page, p.billNo);
    await page.locator('#checkout-cash').click();
    await page.locator('#pay-button').click();
    await page.locator('#sandbox-pay-confirm').waitFor();

    await page.goBack();
    await page.waitForFunction(() =>
      /您还没有完成支付/.test(document.querySelector('#confirm-notice')?.textContent ?? ''),
    );
    await page.waitForFunction(() => {
      const button = document.querySelector('#pay-button');
      return !!button && !button.hasAttribute('disabled') && /确认支付/.test(button.textContent ?? '');
    });
    await shots.take(page, 'back-from-cashier');
    await assertNoHorizontalScroll(page, 'confirm page after the cashier');

    await page.locator('#pay-button').click();
    await page.locator('#sandbox-pay-confirm').click();
    await waitUntilPaid(page, stack);
    await shots.take(page, 'paid-after-coming-back');
    await context.close();
  });
});
