/**
 * Four-eyes refunds in a real browser (chromium, 1366×900) against the whole stack serving the H5 build: a
 * cashier's refund above the approval line is only submitted — the order page says it waits for a supervisor and
 * offers the cashier nothing to approve — then a supervisor opens the same order and approves it, and it runs.
 * Screenshots go to a folder printed at the start; look at them.
 */
import { seedPatient } from '../helpers/stack';
import { payInFull } from '../helpers/flow';
import { ADMIN, totp } from '../helpers/console';
import { createConsoleUser } from '../../server/services/console/accounts';
import { screenshotFolder } from './browser';
import { desktopContext, expectText, logIn, TallShots } from './consoleSteps';
import { describeInBrowser, useBrowser, useH5Stack } from './rig';

describeInBrowser('four-eyes refunds in the browser', () => {
  const stack = useH5Stack({ REFUND_APPROVAL_THRESHOLD_FEN: '10000' });
  const browser = useBrowser();

  it("a cashier's large refund waits on the order page until a supervisor approves it there", async () => {
    const shots = new TallShots(screenshotFolder('refund-approval'));
    const patient = await seedPatient(stack, { insured: { insutype: '310', balance: 3000 } });
    const order = await payInFull(stack, patient, true);
    const cashier = { username: 'cashier.zhao', password: 'Zhao#2026pw!' };
    const { totpSecret } = await createConsoleUser(
      stack.server.deps,
      { ...cashier, role: 'cashier' },
      { username: 'test', role: 'system' },
    );

    const context = await desktopContext(browser);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await logIn(page, stack, cashier, totp(totpSecret, stack.clock.now()));
    await expectText(page, '#c-title', '订单查询');
    await page.goto(`${stack.url}/#/pages/console/order/index?orderId=${order.id}`);
    await page.locator('#refund-submit').waitFor();
    await page.locator('#refund-reason').fill('患者全额退费');
    await page.locator('#refund-submit').click();
    await page.locator('#dialog-refund-confirm').click();
    await expectText(page, '#c-refund-created', '已提交主管审批');
    await page.getByText('刷新', { exact: true }).first().click();
    await expectText(page, '#c-refund-approval', '须另一位主管批准后才会退款');
    await expectText(page, '#c-refund-approval', '请联系主管审批');
    await expectText(page, '#c-refund-unavailable', '正在等待主管审批');
    expect(await page.locator('[id^="c-approve-"]').count()).toBe(0);
    await expectText(page, '#c-order-refunds', '待主管审批');
    await shots.take(page, 'cashier-refund-waits');
    await stack.runJobs();
    await expectText(page, '#c-order-status', '已完成');

    stack.clock.advance(30_000);
    await logIn(page, stack, ADMIN, totp(ADMIN.secret, stack.clock.now()));
    await expectText(page, '#c-title', '订单查询');
    await page.goto(`${stack.url}/#/pages/console/order/index?orderId=${order.id}`);
    await page.locator('[id^="c-approve-"]').click();
    // approved once the page, read again, no longer shows it waiting: then its legs are queued
    await page.locator('#c-refund-approval').waitFor({ state: 'detached' });
    await stack.runJobs();
    await stack.runJobs();
    await page.getByText('刷新', { exact: true }).first().click();
    await expectText(page, '#c-order-status', '已退款');
    await expectText(page, '#c-order-refunds', '退款成功');
    await expectText(page, '#c-order-events', '主管批准退款：患者全额退费');
    await shots.take(page, 'supervisor-approved');
  });
});
