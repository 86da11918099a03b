/**
 * Step-up at checkout in a real browser (375×812): after a cancelled order (RISK_CANCELLED_PER_DAY=1) the next
 * checkout of the same bill is held; the confirm page asks for the code texted to the hospital's phone for the
 * card, and once it is proven the pay button appears and the bill is paid. Screenshots go to a folder printed at
 * the start; look at them.
 */
import { deliverTexts, lastCodeTo } from '../helpers/stack';
import { assertNoHorizontalScroll, screenshotFolder, Shots } from './browser';
import { bindCard, fillForm, patientWithBill, waitUntilPaid } from './patientSteps';
import { describeInBrowser, phoneContext, useBrowser, useH5Stack, useNoCspViolations } from './rig';

describeInBrowser('checkout step-up in the browser', () => {
  const stack = useH5Stack({ RISK_CANCELLED_PER_DAY: '1' });
  const browser = useBrowser();
  const watchCsp = useNoCspViolations();

  it('asks for the texted code before the pay button appears, then pays', async () => {
    const shots = new Shots(screenshotFolder('step-up'));
    const p = await patientWithBill(stack, '赵明', [
      { code: '110200002', name: '诊查费', price: 2000, qty: 1 },
    ]);
    const context = await phoneContext(browser);
    await watchCsp(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${stack.url}/`);
    await page.locator('#login-button').click();
    await page.locator('#sandbox-login-confirm').click();
    await bindCard(page, stack, p);
    await page.locator('[id^="card-"]').first().waitFor();

    const checkout = async () => {
      await page.goto(`${stack.url}/`);
      await page.locator('#bills-link').click();
      await page.locator(`#bill-${p.billNo}`).click();
      await page.locator('#checkout-cash').click();
      await page.locator('#confirm-notice').waitFor();
    };

    // the first try is cancelled on the confirm page
    await checkout();
    await page.locator('#cancel-order').click();
    await page.waitForFunction(() => !document.querySelector('#confirm-notice'));
    await stack.runJobs(); // the bill is released at the HIS

    // the second is stepped up: no pay button, a code to ask for
    await checkout();
    await page.locator('#step-up-start').waitFor();
    expect(await page.locator('#pay-button').count()).toBe(0);
    expect(await page.locator('#confirm-notice').innerText()).toContain('短信验证码');
    await assertNoHorizontalScroll(page, 'the held confirm page');
    await shots.take(page, 'held-for-step-up');

    await page.locator('#step-up-start').click();
    await page.locator('#step-up-code').waitFor();
    expect(await page.locator('#step-up').innerText()).toContain(
      `${p.phone.slice(0, 3)}****${p.phone.slice(-4)}`,
    );
    await deliverTexts(stack);
    await fillForm(page, { 'step-up-code': await lastCodeTo(stack, p.phone) });
    await shots.take(page, 'code-typed');
    await page.locator('#step-up-submit').click();

    await page.locator('#pay-button').waitFor();
    expect(await page.locator('#step-up').count()).toBe(0);
    await shots.take(page, 'proven-pay-button');
    await page.locator('#pay-button').click();
    await page.locator('#sandbox-pay-confirm').click();
    await waitUntilPaid(page, stack);
    await shots.take(page, 'paid');
    await context.close();
  });
});
