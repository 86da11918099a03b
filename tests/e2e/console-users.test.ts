/**
 * Managing console users in a real browser (Debian chromium, 1366×900) against the whole stack serving the H5
 * build: the supervisor enrols a cashier, resets its password after a confirmation (the temporary password shown
 * once), the cashier logs in with it and must choose a new password before anything else, then the supervisor
 * unlocks the cashier's address locked out by failed logins, disables the cashier (its open console sends it back
 * to the login) and is refused disabling the last supervisor. Screenshots of every step go to a folder printed at
 * the start; look at them.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { call } from '../helpers/stack';
import { totpCode } from '../../server/services/console/credentials';
import { ADMIN } from '../helpers/console';
import { collectCspViolations, expectNoCspViolations, screenshotFolder } from './browser';
import { auditLogText, desktopContext, expectText, logIn, textOf } from './consoleSteps';
import { describeInBrowser, useBrowser, useH5Stack } from './rig';

const CASHIER = { username: 'li.lei', password: 'Cashier#2026-e2e', newPassword: 'LiLei#New-2026' };

/** Opens a row action's confirmation, screenshots it, confirms. */
async function confirmAction(page: Page, action: string, username: string, shot: () => Promise<unknown>) {
  await page.locator(`#user-${action}-${username.replace('.', '\\.')}`).click();
  await page.locator('#user-action-dialog').waitFor();
  await shot();
  await page.locator('#user-action-dialog-confirm').click();
}

describeInBrowser('console users in the browser', () => {
  const stack = useH5Stack();
  const browser = useBrowser();
  beforeAll(() => {
    stack.clock.freeze(Date.parse('2026-12-20T09:30:00+08:00'));
  });
  afterAll(() => {
    stack.clock?.unfreeze();
  });

  /** The next TOTP step's code: a code is accepted once, so each login moves the clock on. */
  function nextCode(secret: string): string {
    stack.clock.advance(30_000);
    return totpCode(secret, stack.clock.now());
  }

  it('a supervisor resets, unlocks and disables a cashier, who must change the reset password first', async () => {
    const dir = screenshotFolder('console-users');
    let n = 0;
    const shot = (page: Page, step: string) =>
      page.screenshot({ path: join(dir, `${String(++n).padStart(2, '0')}-${step}.png`), fullPage: true });
    const newContext = () => desktopContext(browser);

    // ---- the supervisor logs in and enrols a cashier
    const adminContext = await newContext();
    const adminViolations = await collectCspViolations(adminContext);
    const admin = await adminContext.newPage();
    admin.setDefaultTimeout(15_000);
    await logIn(admin, stack, ADMIN, nextCode(ADMIN.secret));
    await expectText(admin, '#c-title', '订单查询');
    await admin.locator('#c-nav-users:visible').click();
    await admin.locator('#user-username').fill(CASHIER.username);
    await admin.locator('#user-password').fill(CASHIER.password);
    await admin.locator('#user-create').click();
    await admin.locator('#user-qr').waitFor();
    const secret = await textOf(admin, '#user-secret');
    await expectText(admin, '#users-table', CASHIER.username);

    // ---- reset its password: asked first, the temporary password shown once
    await confirmAction(admin, 'reset', CASHIER.username, () => shot(admin, 'reset-confirmation'));
    await admin.locator('#user-temp-password-value').waitFor();
    const temporary = await textOf(admin, '#user-temp-password-value');
    expect(temporary).toMatch(/^[A-Za-z2-9]{16}$/);
    await expectText(admin, `#user-state-${CASHIER.username.replace('.', '\\.')}`, '待修改密码');
    await shot(admin, 'temporary-password');

    // ---- the cashier logs in with it: a new password first, then the console
    const cashierContext = await newContext();
    const cashierViolations = await collectCspViolations(cashierContext);
    const cashier = await cashierContext.newPage();
    cashier.setDefaultTimeout(15_000);
    await logIn(cashier, stack, { username: CASHIER.username, password: temporary }, nextCode(secret));
    await cashier.locator('#change-password').waitFor();
    await shot(cashier, 'must-change-password');
    await cashier.locator('#change-password-new').fill(CASHIER.newPassword);
    await cashier.locator('#change-password-again').fill(CASHIER.newPassword);
    await cashier.locator('#change-password-submit').click();
    await expectText(cashier, '#c-title', '订单查询');
    await shot(cashier, 'cashier-in-console');

    // ---- five wrong logins from this address lock it out of the cashier's account; the supervisor unlocks
    for (let i = 0; i < 5; i++) {
      await call(stack.url, 'POST', '/api/v1/console/session', {
        body: { username: CASHIER.username, password: `wrong-${i}`, otp: '000000' },
      });
      stack.clock.advance(5_000);
    }
    await admin.reload();
    const row = `#user-state-${CASHIER.username.replace('.', '\\.')}`;
    await expectText(admin, row, '已锁定1个地址');
    await shot(admin, 'locked-address');
    await confirmAction(admin, 'unlock', CASHIER.username, () => shot(admin, 'unlock-confirmation'));
    await expectText(admin, '#user-action-done', '已解除li.lei的登录锁定（1个地址）');

    // ---- disable the cashier: its open console goes back to the login
    await confirmAction(admin, 'disable', CASHIER.username, () => shot(admin, 'disable-confirmation'));
    await expectText(admin, row, '已停用');
    await shot(admin, 'disabled');
    await cashier.locator('#c-nav-orders:visible').click();
    await cashier.reload();
    await cashier.locator('#login-username').waitFor();

    // ---- the last supervisor cannot be disabled: said inside the dialog
    await admin.locator('#user-disable-admin').click();
    await admin.locator('#user-action-dialog-confirm').click();
    await expectText(admin, '#user-action-dialog-error', '不能停用最后一个主管');
    await shot(admin, 'last-supervisor-refused');
    await admin.locator('#user-action-dialog-cancel').click();

    // ---- the audit log says each step in plain Chinese
    const audit = await auditLogText(admin);
    for (const words of [
      '重置了收费员li.lei的密码',
      '修改了自己的登录密码',
      '解除了收费员li.lei的登录锁定',
      '停用了收费员li.lei',
    ])
      expect(audit).toContain(words);
    await shot(admin, 'audit');

    expectNoCspViolations(adminViolations, 'supervisor console');
    expectNoCspViolations(cashierViolations, 'cashier console');
  });
});
