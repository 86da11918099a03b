/**
 * The cashier's refund in a real browser (chromium, 1366×900) against the whole stack serving the H5 build: an
 * order only paid (not yet confirmed by the hospital) offers no refund and says why; a completed order's 确认退款
 * opens a dialog with the server's split by leg, and only 确认 sends it. Then the day's reconciliation (matched
 * rows not red, every word Chinese, nothing cut off) and the audit log (a sentence per row, yuan, order numbers).
 * Screenshots go to a folder printed at the start; look at them.
 */
import type { Page } from 'playwright-core';
import { seedPatient, type Stack } from '../helpers/stack';
import { checkout, confirmAtWeChat, pay, payInFull, waitForStatus } from '../helpers/flow';
import { ADMIN, totp } from '../helpers/console';
import { allocateRefund } from '../../server/domain/refunds';
import { formatFen } from '../../shared/money';
import { screenshotFolder } from './browser';
import { auditLogText, DESKTOP, desktopContext, expectText, logIn, TallShots, textOf } from './consoleSteps';
import { describeInBrowser, useBrowser, useH5Stack } from './rig';

const DAY = '2026-12-06';
const NEXT_DAY = '2026-12-07';
const at = (cst: string) => Date.parse(`${cst}+08:00`);
const ENGLISH_STATUS = /SUCCEEDED|COMPLETED|PARTIALLY_REFUNDED|REFUNDING|DONE|MATCHED|CUTOFF|PENDING/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** Nothing cut off sideways: every panel, table and the main column fit their boxes at 1366 px. */
async function assertFits(page: Page, where: string): Promise<void> {
  const overflowing = await page.evaluate(() =>
    Array.from(
      document.querySelectorAll<HTMLElement>('.c-main, .c-panel, .c-table-wrap, .c-table, .c-dialog'),
    )
      .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
      .map((el) => `${el.className} (${el.scrollWidth} > ${el.clientWidth})`),
  );
  if (overflowing.length > 0)
    throw new Error(`${where}: content wider than its box: ${overflowing.join('; ')}`);
  // and every table's last column ends inside the window
  const beyond = await page.evaluate(
    (width) =>
      Array.from(document.querySelectorAll<HTMLElement>('.c-table th:last-child, .c-table td:last-child'))
        .filter((el) => el.offsetParent !== null && el.getBoundingClientRect().right > width + 1)
        .map((el) => el.textContent),
    DESKTOP.width,
  );
  if (beyond.length > 0)
    throw new Error(`${where}: columns cut off at ${DESKTOP.width}px: ${beyond.join('; ')}`);
}

/** The console login at the stack's clock; the page then shows the orders. */
async function logInAsAdmin(page: Page, stack: Stack): Promise<void> {
  await logIn(page, stack, ADMIN, totp(ADMIN.secret, stack.clock.now()));
  await expectText(page, '#c-title', '订单查询');
}

/** Red text inside an element: the discrepancy mark and negative amounts. */
async function redIn(page: Page, selector: string): Promise<number> {
  return page.locator(`${selector} .c-diff, ${selector} .c-amount--negative`).count();
}

describeInBrowser('the cashier refund dialog in the browser', () => {
  const stack = useH5Stack();
  const browser = useBrowser();
  beforeAll(() => {
    stack.clock.freeze(at(`${DAY}T09:30:00`));
  });

  it('refunds a completed order after showing the split by leg; then the day reconciles without false red and the audit log says it in words', async () => {
    const shots = new TallShots(screenshotFolder('console-refund-dialog'));
    const patient = await seedPatient(stack, { insured: { insutype: '310', balance: 3000 } });
    const order = await payInFull(stack, patient, true);
    const other = await seedPatient(stack);
    const paidOnly = await checkout(stack, other, false);
    expect((await pay(stack, other, paidOnly.body.id)).status).toBe(200);
    await confirmAtWeChat(stack, paidOnly.body.orderNo);
    await waitForStatus(stack, other, paidOnly.body.id, ['PAID']);

    stack.clock.set(at(`${DAY}T15:00:00`));
    const context = await desktopContext(browser); // closed with the browser
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await logInAsAdmin(page, stack);

    // ---- a PAID order the hospital has not confirmed: no form, and why
    await page.goto(`${stack.url}/#/pages/console/order/index?orderId=${paidOnly.body.id}`);
    await expectText(page, '#c-refund-unavailable', '已支付、医院尚未确认收费');
    expect(await page.locator('#refund-submit').count()).toBe(0);
    await shots.take(page, 'order-paid-no-refund');

    // ---- the completed order: 确认退款 opens the dialog with the server's split
    await page.goto(`${stack.url}/#/pages/console/order/index?orderId=${order.id}`);
    await page.locator('#refund-submit').waitFor();
    await page.locator('#refund-amount').fill('100.00');
    await page.locator('#refund-reason').fill('患者取消部分检查');
    await page.locator('#refund-submit').click();
    await page.locator('#dialog-refund').waitFor();
    const none = { total: 0, fund: 0, account: 0, cash: 0 };
    const expected = allocateRefund(order.split, none, 10000);
    if (!expected.ok) throw new Error('the order should allow a refund of ¥100.00');
    const { split } = expected;
    expect(split.fund > 0 && split.cash > 0).toBe(true);
    await expectText(page, '#dialog-refund-fund', formatFen(split.fund));
    await expectText(page, '#dialog-refund-account', formatFen(split.account));
    await expectText(page, '#dialog-refund-cash', formatFen(split.cash));
    await expectText(page, '#dialog-refund-total', '¥100.00');
    await expectText(page, '#dialog-refund-left', formatFen(order.split.total - 10000));
    // nothing sent yet
    const before = (await stack.server.deps.db.query(
      `SELECT count(*) AS n FROM refunds WHERE order_id = $1`,
      [order.id],
    )) as { n: string }[];
    expect(Number(before[0].n)).toBe(0);
    await shots.take(page, 'refund-dialog');
    await assertFits(page, 'refund dialog');

    await page.locator('#dialog-refund-confirm').click();
    await page.locator('#c-refund-created').waitFor();
    expect(await page.locator('#dialog-refund').count()).toBe(0);
    await stack.runJobs();
    await stack.runJobs();
    await page.getByText('刷新', { exact: true }).first().click();
    await expectText(page, '#c-order-status', '部分退款');
    await expectText(page, '#c-order-refunds', '退款成功');
    await shots.take(page, 'order-after-refund');
    await assertFits(page, 'order');
    expect(await textOf(page, '.c-main')).not.toMatch(ENGLISH_STATUS);

    // ---- the day's reconciliation, once the WeChat bill is out (a new login at the new time)
    stack.clock.set(at(`${NEXT_DAY}T10:00:00`));
    await logInAsAdmin(page, stack);
    await page.locator('#c-nav-recon:visible').click();
    await page.locator('#recon-date').fill(DAY);
    await page.locator('#recon-run').click();
    await page.locator('#run-summary').waitFor({ timeout: 30_000 });
    await page.locator('#rows-kind').selectOption('ALL');
    await page.locator('#run-rows tbody tr').first().waitFor();
    const matchedRows = page.locator('#run-rows tbody tr', {
      has: page.locator('.c-tag--success', { hasText: '已匹配' }),
    });
    expect(await matchedRows.count()).toBeGreaterThan(0);
    for (const id of await matchedRows.evaluateAll((rows) => rows.map((r) => r.id)))
      expect(await redIn(page, `#${id}`)).toBe(0);
    const runText = await textOf(page, '.c-main');
    expect(runText).not.toMatch(ENGLISH_STATUS);
    await shots.take(page, 'reconciliation-run-all-rows');
    await assertFits(page, 'reconciliation run');

    await page.locator('#rows-kind').selectOption('DISCREPANCIES');
    await page.locator('#run-rows-panel').waitFor();
    await shots.take(page, 'reconciliation-run-discrepancies');
    await assertFits(page, 'reconciliation run (discrepancies)');

    await page.locator('#c-nav-recon:visible').click();
    await page.locator('#recon-date').fill(DAY);
    await page.locator('#recon-runs-table').waitFor();
    expect(await textOf(page, '#recon-runs-table')).not.toMatch(ENGLISH_STATUS);
    await shots.take(page, 'reconciliation-day');
    await assertFits(page, 'reconciliation');

    // ---- the audit log: a sentence per row, the refund in yuan with the order number
    const audit = await auditLogText(page);
    expect(audit).toContain(`为订单${order.orderNo}发起退款100.00元`);
    expect(audit).toContain('原因：患者取消部分检查');
    expect(audit).toContain(`对账${DAY}`);
    expect(audit).not.toMatch(UUID);
    expect(audit).not.toMatch(/[{}]|amount|console\.login/);
    await shots.take(page, 'audit-log');
    await assertFits(page, 'audit');
  });
});
