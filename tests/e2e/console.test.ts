/**
 * The cashier console in a real browser (Debian chromium, 1366×900) against the whole stack serving the H5
 * build: the seeded supervisor logs in with password + TOTP (computed at the stack's clock), finds the day's
 * orders, reconciles the day after the WeChat bill is out, sees an injected 短款 (a HIS charge nobody paid) and a
 * 长款 (a payment the HIS never heard of), resolves the one and posts the other (补单) after its preview, exports
 * CSV, closes the day, approves a patient's refund request, enrols a cashier (QR code), and reads the audit log —
 * all of it, the phone's pages too, under the Content-Security-Policy without a single violation.
 * Screenshots of every step go to a folder printed at the start; look at them.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { adminPost, seedPatient } from '../helpers/stack';
import { checkout, confirmAtWeChat, pay, payInFull, waitForStatus } from '../helpers/flow';
import { ADMIN, totp } from '../helpers/console';
import {
  assertNoHorizontalScroll,
  collectCspViolations,
  expectNoCspViolations,
  PHONE,
  screenshotFolder,
} from './browser';
import { auditLogText, desktopContext, expectText, TallShots, textOf } from './consoleSteps';
import { describeInBrowser, phoneContext, useBrowser, useH5Stack } from './rig';

const DAY = '2026-12-20';
const NEXT_DAY = '2026-12-21';
const at = (cst: string) => Date.parse(`${cst}+08:00`);
/** Nothing on a desktop page may be cut off sideways: panels, tables and the main column fit their boxes. */
async function assertFits(page: Page, where: string): Promise<void> {
  const overflowing = await page.evaluate(() =>
    Array.from(
      document.querySelectorAll<HTMLElement>('.c-main, .c-panel, .c-table-wrap, .c-dialog, .c-login-card'),
    )
      .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
      .map((el) => `${el.className} (${el.scrollWidth} > ${el.clientWidth})`),
  );
  if (overflowing.length > 0)
    throw new Error(`${where}: content wider than its box: ${overflowing.join('; ')}`);
}

/** The left navigation of the page on show (Taro keeps the pages below a drill-down in the DOM, hidden). */
async function nav(page: Page, to: string): Promise<void> {
  await page.locator(`#c-nav-${to}:visible`).click();
}

describeInBrowser('the cashier console in the browser', () => {
  const stack = useH5Stack();
  const browser = useBrowser();
  beforeAll(() => {
    stack.clock.freeze(at(`${DAY}T09:30:00`));
  });

  it('a supervisor logs in with a one-time code, reconciles a day, resolves and posts discrepancies, exports CSV, closes the day and reads the audit log', async () => {
    const shots = new TallShots(screenshotFolder('cashier-console'));

    // ---- the day: one mixed order paid in full, one paid but never confirmed to the HIS, one HIS charge nobody paid
    const patient = await seedPatient(stack, { insured: { insutype: '310', balance: 3000 } });
    const paid = await payInFull(stack, patient, true);
    const unconfirmed = await seedPatient(stack);
    const order2 = await checkout(stack, unconfirmed, false);
    expect(order2.status).toBe(201);
    expect((await pay(stack, unconfirmed, order2.body.id)).status).toBe(200);
    await confirmAtWeChat(stack, order2.body.orderNo);
    await waitForStatus(stack, unconfirmed, order2.body.id, ['PAID']);
    const injected = `MOE2E${Date.now() % 1e9}`;
    await adminPost(stack.his.url, '/__admin/charges', {
      orderNo: injected,
      total: 5000,
      fund: 0,
      account: 0,
      cash: 5000,
    });

    // ---- the patient asks for a refund of ¥10.00 on the phone (申请退款 on the order page)
    const phone = await phoneContext(browser, { timezoneId: 'Asia/Shanghai' });
    const phoneViolations = await collectCspViolations(phone);
    const mobile = await phone.newPage();
    mobile.setDefaultTimeout(15_000);
    await mobile.goto(`${stack.url}/#/pages/home/index`);
    await mobile.evaluate(
      (token) => localStorage.setItem('medins.session.token', JSON.stringify({ data: token })),
      patient.token,
    );
    await mobile.goto(`${stack.url}/#/pages/order/index?orderId=${paid.id}`);
    await mobile.locator('#refund-request-open').click();
    await mobile.locator('#refund-request-amount').fill('10');
    await mobile.locator('#refund-request-reason').fill('血常规检查取消');
    await shots.take(mobile, 'patient-refund-request-form', PHONE);
    await assertNoHorizontalScroll(mobile, 'patient refund request');
    await mobile.locator('#refund-request-submit').click();
    const requestCard = mobile.locator('#refund-requests .refund[id^="refund-request-"]').first();
    await requestCard.waitFor();
    const requestId = ((await requestCard.getAttribute('id')) as string).replace(/^refund-request-/, '');
    await expectText(mobile, `#refund-request-${requestId}`, '待审核');
    await expectText(mobile, `#refund-request-${requestId}`, '¥10.00');
    await shots.take(mobile, 'patient-refund-requested', PHONE);

    // ---- the WeChat trade bill of DAY is out from 09:00 the next day
    stack.clock.set(at(`${NEXT_DAY}T10:00:00`));

    const context = await desktopContext(browser, { acceptDownloads: true });
    const consoleViolations = await collectCspViolations(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);

    // ---- login: a wrong code first (the server's message), then the right one
    await page.goto(`${stack.url}/#/pages/console/login/index`);
    await page.locator('#login-username').fill(ADMIN.username);
    await page.locator('#login-password').fill(ADMIN.password);
    const valid = new Set([-30, 0, 30].map((s) => totp(ADMIN.secret, stack.clock.now() + s * 1000)));
    const wrong = ['000000', '111111', '222222'].find((c) => !valid.has(c)) as string;
    await page.locator('#login-otp').fill(wrong);
    await shots.take(page, 'login');
    await assertFits(page, 'login');
    await page.locator('#login-submit').click();
    await expectText(page, '#login-error', '用户名、密码或动态码不正确');
    await shots.take(page, 'login-wrong-code');
    await page.locator('#login-password').fill(ADMIN.password);
    await page.locator('#login-otp').fill(totp(ADMIN.secret, stack.clock.now()));
    await page.locator('#login-submit').click();
    await expectText(page, '#c-title', '订单查询');
    await expectText(page, '#c-user', 'admin主管');

    // ---- the day's orders and one order's detail
    await page.locator('#orders-date').fill(DAY);
    await page.locator('#orders-search').click();
    await page.locator(`#c-order-${paid.id}`).waitFor();
    await page.locator(`#c-order-${order2.body.id}`).waitFor();
    await expectText(page, `#c-order-${paid.id}`, '¥611.00');
    await shots.take(page, 'orders');
    await assertFits(page, 'orders');
    await page.locator(`#c-order-${paid.id}`).click();
    await expectText(page, '#c-order-amounts', '¥611.00');
    await page.locator('#c-order-ledger table').waitFor();
    await shots.take(page, 'order-detail');
    await assertFits(page, 'order detail');

    // ---- reconcile DAY
    await nav(page, 'recon');
    await page.locator('#recon-date').fill(DAY);
    await expectText(page, '#recon-runs', '该日尚未对账');
    await shots.take(page, 'reconciliation-before');
    await page.locator('#recon-run').click();
    await page.locator('#run-summary').waitFor({ timeout: 30_000 });
    await expectText(page, '#run-summary-MATCHED', '已匹配1');
    await expectText(page, '#run-summary-SHORT', '短款1');
    await expectText(page, '#run-summary-OVER', '长款1');
    const shortRow = page.locator('#run-rows tbody tr', { hasText: injected });
    await shortRow.waitFor();
    const shortId = ((await shortRow.getAttribute('id')) as string).replace(/^row-/, '');
    await expectText(page, `#row-${shortId}-his`, '¥50.00');
    await expectText(page, `#row-${shortId}-ours`, '无记录');
    await page.locator('#c-day-chart svg rect.c-bar--wechat').first().waitFor();
    await shots.take(page, 'reconciliation-run');
    await assertFits(page, 'run');

    // ---- resolve the 短款 with a reason
    await page.locator(`#row-${shortId}-resolve`).click();
    await page.locator('#resolve-reason').fill('经核实为窗口现金收费，误记为线上订单');
    await shots.take(page, 'resolve-dialog');
    await assertFits(page, 'resolve dialog');
    await page.locator('#dialog-resolve-confirm').click();
    await expectText(page, `#row-${shortId}-resolution`, '经核实为窗口现金收费');
    await shots.take(page, 'resolved');

    // ---- 补单 the 长款: the preview first
    const overRow = page.locator('#run-rows tbody tr', { hasText: order2.body.orderNo });
    const overId = ((await overRow.getAttribute('id')) as string).replace(/^row-/, '');
    await page.locator(`#row-${overId}-post-missing`).click();
    await page.locator('#post-missing-preview').waitFor();
    await expectText(page, '#post-missing-total', `¥${(order2.body.split.total / 100).toFixed(2)}`);
    await page.locator('#post-missing-reason').fill('HIS 未收到缴费确认，核实微信已收款后补单');
    await shots.take(page, 'post-missing-preview');
    await assertFits(page, 'post-missing dialog');
    await page.locator('#dialog-post-missing-confirm').click();
    await page.locator(`#row-${overId}-resolution`).waitFor();

    // ---- CSV export: caught as a download, it holds the rows
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('#run-export').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^reconciliation-${DAY}-.*\\.csv$`));
    const csv = readFileSync((await download.path()) as string, 'utf8');
    expect(csv).toContain(injected);
    expect(csv).toContain(order2.body.orderNo);
    expect(csv.trim().split(/\r?\n/).length).toBeGreaterThanOrEqual(3);
    await expectText(page, '#run-notice', '已导出CSV');

    // ---- nothing open any more: the daily close
    await page.getByText('刷新', { exact: true }).first().click();
    await expectText(page, '#run-summary-open', '未处理差异0');
    await page.locator('#run-daily-close').click();
    await page.locator('#dialog-daily-close-confirm').click();
    await expectText(page, '#run-closed', '已日结');
    await shots.take(page, 'daily-closed');
    expect(await page.locator('#run-rows button.c-btn').count()).toBe(0);

    // ---- the patient's refund request: approve
    await nav(page, 'requests');
    await page.locator(`#request-${requestId}`).waitFor();
    await expectText(page, `#request-${requestId}`, '¥10.00');
    await shots.take(page, 'refund-requests');
    await page.locator(`#request-${requestId}-approve`).click();
    await page.locator('#dialog-request-approve-confirm').click();
    await expectText(page, `#request-${requestId}`, '已同意');
    await shots.take(page, 'refund-request-approved');

    // ---- enrol a cashier: the QR code and the secret, once
    await nav(page, 'users');
    await page.locator('#user-username').fill('cashier01');
    await page.locator('#user-password').fill('Cashier#2026-e2e');
    await page.locator('#user-create').click();
    await page.locator('#user-qr').waitFor();
    expect(await textOf(page, '#user-secret')).toMatch(/^[A-Z2-7]{16,}$/);
    expect(
      await page.locator('#user-qr').evaluate((img: HTMLImageElement) => img.naturalWidth),
    ).toBeGreaterThan(0);
    await shots.take(page, 'user-enrolment');
    await assertFits(page, 'users');

    // ---- the audit log has each step
    const audit = await auditLogText(page);
    for (const action of [
      '登录',
      '登录失败',
      '对账',
      '差异标记已处理',
      '差异补单',
      '导出对账明细',
      '日结',
      '同意退款申请',
    ])
      expect(audit).toContain(action);
    expect(audit).toContain('经核实为窗口现金收费');
    await shots.take(page, 'audit-log');
    await assertFits(page, 'audit');

    // ---- the patient sees the decision on the phone
    await stack.runJobs();
    await mobile.reload();
    await expectText(mobile, `#refund-request-${requestId}`, '已同意');
    await expectText(mobile, `#refund-request-${requestId}`, '¥10.00');
    await shots.take(mobile, 'patient-order-refund-request', PHONE);
    await assertNoHorizontalScroll(mobile, 'patient order');
    // every page of both walks ran under the Content-Security-Policy without one violation
    expectNoCspViolations(phoneViolations, 'the patient pages');
    expectNoCspViolations(consoleViolations, 'the cashier console');
    await phone.close();
    await context.close();
  });
});
