/**
 * A patient in a real browser (Debian chromium, phone viewport) against the whole running stack: the H5 build
 * served by the server, the WeChat sandbox login and cashier pages, the insurance authorization page.
 * Every test's pages run under the Content-Security-Policy with no violation (counted after each test).
 * Screenshots of every step go to a folder printed at the start; look at them.
 */
import type { Page } from 'playwright-core';
import { adminGet } from '../helpers/stack';
import { assertNoHorizontalScroll, screenshotFolder, Shots } from './browser';
import { bindCard, patientWithBill, waitUntilPaid } from './patientSteps';
import { describeInBrowser, phoneContext, useBrowser, useH5Stack, useNoCspViolations } from './rig';

// the journey bill: 诊查费 20.00 (甲) + 血常规 30.00 (甲) + CT平扫 350.00 (乙, 20 % self-pay) + 头孢 2×45.50 (乙, 10 %)
const ITEMS = [
  { code: '110200002', name: '诊查费', price: 2000, qty: 1, insuranceClass: 'A' },
  { code: '250101001', name: '血常规', price: 3000, qty: 1, insuranceClass: 'A' },
  { code: '210103001', name: 'CT平扫', price: 35000, qty: 1, insuranceClass: 'B' },
  { code: 'XJ01DCA001', name: '头孢呋辛酯片', price: 4550, qty: 2, insuranceClass: 'B' },
];
// employee (310) rules, worked by hand: in-scope 2000 + 3000 + 35000×0.8 + 9100×0.9 = 41190 fen;
// fund = (41190 − 20000 deductible) × 70 % = 14833; account = min(balance 3000, 49100 − 14833) = 3000
const EXPECTED = { total: '¥491.00', fund: '¥148.33', account: '¥30.00', cash: '¥312.67' };

describeInBrowser('a patient pays a bill in the browser', () => {
  const stack = useH5Stack();
  const browser = useBrowser();
  /** the Content-Security-Policy violations of the test's pages: none, checked after each test */
  const watchCsp = useNoCspViolations();

  const person = (insured?: { insutype: '310' | '390'; balance: number; status?: string }) =>
    patientWithBill(stack, `浏览${Math.random().toString(36).slice(2, 5)}`, ITEMS, { insured });

  async function newPage(): Promise<Page> {
    const context = await phoneContext(browser);
    await watchCsp(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return page;
  }

  async function textOf(page: Page, id: string): Promise<string> {
    return (await page.locator(`#${id}`).first().innerText()).replace(/\s+/g, '');
  }

  /** Waits until the element's text (spaces and commas removed) contains `expected`; fails showing what it says. */
  async function expectText(page: Page, id: string, expected: string) {
    try {
      await page.waitForFunction(
        ([sel, want]) =>
          (document.querySelector(sel)?.textContent ?? '').replace(/[\s,]+/g, '').includes(want),
        [`#${id}`, expected] as const,
        { timeout: 10_000 },
      );
    } catch {
      throw new Error(`#${id} should contain ${expected} but says: ${await textOf(page, id)}`);
    }
  }

  /**
   * Fills fields and checks that every value stuck. Under load, Taro's H5 page can re-render a freshly shown form
   * once more and drop what was typed in its first moments (no person types that fast); fill again then, a
   * bounded number of times.
   */
  /** login in the sandbox, bind the card; ends on a page showing the card */
  async function loginAndBind(page: Page, shots: Shots, p: { name: string; idNo: string; phone: string }) {
    await page.goto(`${stack.url}/`);
    await page.locator('#login-button').click();
    await page.locator('#sandbox-login-confirm').waitFor();
    await shots.take(page, 'sandbox-login');
    await assertNoHorizontalScroll(page, 'sandbox login');
    await page.locator('#sandbox-login-confirm').click();
    await bindCard(page, stack, p, {
      onForm: () => shots.take(page, 'bind-form'),
      onCode: async () => {
        await shots.take(page, 'bind-code');
        await assertNoHorizontalScroll(page, 'bind code');
      },
    });
    await page.locator('[id^="card-"]').first().waitFor();
    await shots.take(page, 'card-bound');
    await assertNoHorizontalScroll(page, 'cards');
  }

  async function authorize(page: Page, shots: Shots, authCode: string) {
    await page.locator('#authorize-button').click();
    await page.locator(`input[value="${authCode}"]`).waitFor();
    // nobody is chosen for the patient, and the page fits a phone
    expect(await page.locator('input[name="authCode"]:checked').count()).toBe(0);
    await assertNoHorizontalScroll(page, 'insurance authorization');
    await page.locator(`input[value="${authCode}"]`).check();
    await shots.take(page, 'insurance-authorization-page');
    await page.locator('button[value="confirm"]').click();
    // the page shows "not authorized yet" while it exchanges the code: wait for the verdict itself
    await page.waitForFunction(() =>
      /医保授权成功|暂不能使用医保支付/.test(document.querySelector('#eligibility')?.textContent ?? ''),
    );
    await shots.take(page, 'eligibility');
  }

  async function openBill(page: Page, shots: Shots, billNo: string) {
    await page.goto(`${stack.url}/`);
    await page.locator('#bills-link').click();
    await page.locator(`#bill-${billNo}`).click();
    await page.locator('#bill-items').waitFor();
    await shots.take(page, 'bill-detail');
    await assertNoHorizontalScroll(page, 'bill detail');
  }

  it('mixed payment: logs in, binds, authorizes, sees the split, pays in the sandbox cashier, order COMPLETED and the HIS bill PAID', async () => {
    const shots = new Shots(screenshotFolder('mixed-payment'));
    const p = await person({ insutype: '310', balance: 3000 });
    const page = await newPage();
    await loginAndBind(page, shots, p);
    await authorize(page, shots, p.authCode as string);
    expect(await textOf(page, 'eligibility')).toMatch(/医保授权成功/);

    await openBill(page, shots, p.billNo);
    const items = await page.locator('#bill-items').innerText();
    expect(items).toMatch(/甲/);
    expect(items).toMatch(/乙/);
    await page.locator('#checkout-insurance').click();
    await page.locator('#split-fund').waitFor();
    await shots.take(page, 'pre-settlement-split');
    await assertNoHorizontalScroll(page, 'pre-settlement');
    await expectText(page, 'split-total', EXPECTED.total);
    await expectText(page, 'split-fund', EXPECTED.fund);
    await expectText(page, 'split-account', EXPECTED.account);
    await expectText(page, 'split-cash', EXPECTED.cash);

    await page.locator('#pay-button').click();
    await page.locator('#sandbox-pay-confirm').waitFor();
    await expectText(page, 'sandbox-cashier-cash', EXPECTED.cash);
    await shots.take(page, 'sandbox-cashier');
    await assertNoHorizontalScroll(page, 'sandbox cashier');
    await page.locator('#sandbox-pay-confirm').click();
    await waitUntilPaid(page, stack);
    await shots.take(page, 'payment-result');
    await assertNoHorizontalScroll(page, 'result');

    await stack.runJobs(); // HIS confirm through the outbox
    const bill = await adminGet<{ status: string; paidOrderId?: string }>(
      stack.his.url,
      `/__admin/bills/${p.billNo}`,
    );
    expect(bill.status).toBe('PAID');

    await page.goto(`${stack.url}/`);
    await page.locator('#orders-link').click();
    const order = page.locator('[id^="order-"]').first();
    await order.waitFor();
    await shots.take(page, 'orders');
    await order.click();
    await page.locator('#order-status').waitFor();
    await page.waitForFunction(() =>
      /已完成|COMPLETED/.test(document.querySelector('#order-status')?.textContent ?? ''),
    );
    await shots.take(page, 'order-detail');
    await assertNoHorizontalScroll(page, 'order detail');
    expect(await textOf(page, 'receipt-no')).toMatch(/\w{4,}/);
  });

  it('cancelling in the sandbox cashier leaves the bill unpaid and says so', async () => {
    const shots = new Shots(screenshotFolder('cancelled-payment'));
    const p = await person();
    const page = await newPage();
    await loginAndBind(page, shots, p);
    await openBill(page, shots, p.billNo);
    await page.locator('#checkout-cash').click();
    await page.locator('#split-cash').waitFor();
    await expectText(page, 'split-cash', EXPECTED.total);
    await page.locator('#pay-button').click();
    await page.locator('#sandbox-pay-cancel').click();
    await page.locator('#result-status').waitFor();
    await page.waitForFunction(() =>
      /取消/.test(document.querySelector('#result-status')?.textContent ?? ''),
    );
    await shots.take(page, 'cancelled');
    expect(await page.locator('body').innerText()).toMatch(/未支付|仍未支付/);
    await stack.runJobs(); // the release
    const bill = await adminGet<{ status: string }>(stack.his.url, `/__admin/bills/${p.billNo}`);
    expect(bill.status).toBe('UNPAID');
  });

  it('an ineligible (suspended) person is told why and pays everything in cash', async () => {
    const shots = new Shots(screenshotFolder('ineligible-cash'));
    const p = await person({ insutype: '310', balance: 3000, status: 'SUSPENDED' });
    const page = await newPage();
    await loginAndBind(page, shots, p);
    await authorize(page, shots, p.authCode as string);
    expect(await textOf(page, 'eligibility')).toMatch(/暂停/);
    await page.locator('#use-cash').waitFor();
    await openBill(page, shots, p.billNo);
    await page.locator('#checkout-cash').click();
    await page.locator('#split-cash').waitFor();
    await expectText(page, 'split-fund', '¥0.00');
    await expectText(page, 'split-cash', EXPECTED.total);
    await shots.take(page, 'cash-only-split');
    await page.locator('#pay-button').click();
    await page.locator('#sandbox-pay-confirm').click();
    await waitUntilPaid(page, stack);
    await shots.take(page, 'cash-paid');
  });
});
