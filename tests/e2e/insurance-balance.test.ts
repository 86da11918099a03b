/**
 * The 个人账户 balance on the home card and the cards page, with how old it is (issue 13 item 5), in a real browser
 * at phone width against the whole stack. Screenshots go to a folder printed at the start; look at them.
 */
import type { Page } from 'playwright-core';
import { assertNoHorizontalScroll, screenshotFolder, Shots } from './browser';
import { bindCard, patientWithBill } from './patientSteps';
import { describeInBrowser, phoneContext, useBrowser, useH5Stack, useNoCspViolations } from './rig';

const ITEMS = [{ code: '110200002', name: '诊查费', price: 2000, qty: 1, insuranceClass: 'A' }];

describeInBrowser('the insurance balance on the card', () => {
  const stack = useH5Stack();
  const browser = useBrowser();
  const watchCsp = useNoCspViolations();

  async function newPage(): Promise<Page> {
    const context = await phoneContext(browser);
    await watchCsp(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return page;
  }

  async function waitForText(page: Page, selector: string, pattern: RegExp): Promise<string> {
    await page.waitForFunction(
      ([sel, source]) => new RegExp(source).test(document.querySelector(sel)?.textContent ?? ''),
      [selector, pattern.source] as const,
    );
    return (await page.locator(selector).first().innerText()).trim();
  }

  it('shows 个账余额 and how old it is on the home card and the cards page, within 375 px', async () => {
    const shots = new Shots(screenshotFolder('insurance-balance'));
    const p = await patientWithBill(stack, `余额${Math.random().toString(36).slice(2, 5)}`, ITEMS, {
      insured: { insutype: '310', balance: 30_000 },
    });
    const page = await newPage();
    await page.goto(`${stack.url}/`);
    await page.locator('#login-button').click();
    await page.locator('#sandbox-login-confirm').click();
    await bindCard(page, stack, p);
    await page.locator('[id^="card-"]').first().waitFor();

    await page.locator('#authorize-button').click();
    await page.locator(`input[value="${p.authCode as string}"]`).check();
    await page.locator('button[value="confirm"]').click();
    await page.waitForFunction(() =>
      /医保授权成功/.test(document.querySelector('#eligibility')?.textContent ?? ''),
    );

    await page.goto(`${stack.url}/`);
    expect(await waitForText(page, '#home-balance', /个账余额/)).toBe('个账余额 ¥300.00（刚刚更新）');
    await shots.take(page, 'home-balance');
    await assertNoHorizontalScroll(page, 'home with the balance');

    await page.locator('#cards-link').click();
    expect(await waitForText(page, '[id^="balance-"]', /个账余额/)).toBe('个账余额 ¥300.00（刚刚更新）');
    await shots.take(page, 'cards-balance');
    await assertNoHorizontalScroll(page, 'cards with the balance');
  });
});
