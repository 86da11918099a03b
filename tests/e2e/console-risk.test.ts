/**
 * The risk page in a real browser (chromium, 1366×900) against the whole stack serving the H5 build: a checkout
 * held by the risk rules (a card's second order within the hour, the limit lowered to 1) shows in the review
 * queue; the cashier approves it (the patient then pays), the decisions and rule hit counts show in Chinese, and
 * the supervisor blocks and unblocks the patient. Screenshots go to a folder printed at the start; look at them.
 */
import { randomUUID } from 'node:crypto';
import { adminPost, call, seedPatient } from '../helpers/stack';
import { checkout, pay } from '../helpers/flow';
import { ADMIN, totp } from '../helpers/console';
import { collectCspViolations, expectNoCspViolations, screenshotFolder, Shots } from './browser';
import { desktopContext, expectText, logIn } from './consoleSteps';
import { describeInBrowser, useBrowser, useH5Stack } from './rig';

describeInBrowser('the risk page in the browser', () => {
  const stack = useH5Stack({ RISK_ORDERS_PER_CARD_PER_HOUR: '1' });
  const browser = useBrowser();

  it('a held order is approved from the review queue; a patient is blocked and unblocked', async () => {
    const shots = new Shots(screenshotFolder('console-risk'));
    const p = await seedPatient(stack);
    expect((await checkout(stack, p, false)).status).toBe(201);
    const { billNo } = await adminPost<{ billNo: string }>(stack.his.url, '/__admin/bills', {
      patientId: p.hisPatientId,
      items: [{ code: '110200002', name: '诊查费', price: 2000, qty: 1 }],
    });
    const held = await call<{ id: string; orderNo: string }>(stack.url, 'POST', '/api/v1/orders', {
      token: p.token,
      headers: { 'idempotency-key': randomUUID() },
      body: { patientId: p.patientId, billNos: [billNo], useInsurance: false },
    });
    expect(held.status).toBe(201);
    expect((await pay(stack, p, held.body.id)).status).toBe(409);

    const context = await desktopContext(browser);
    const violations = await collectCspViolations(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await logIn(page, stack, ADMIN, totp(ADMIN.secret, stack.clock.now()));
    await expectText(page, '#c-title', '订单查询');
    await page.locator('#c-nav-risk:visible').click();
    await expectText(page, '#c-title', '风险审核');
    await expectText(page, `#risk-review-${held.body.id}`, held.body.orderNo);
    await expectText(page, `#risk-review-${held.body.id}`, '同一就诊人一小时内下单过多');
    await expectText(page, '#risk-rule-orders_per_card_per_hour', '11');
    await expectText(page, '#risk-events', '人工审核');
    await shots.take(page, 'review-queue');

    await page.locator(`#risk-review-${held.body.id}-approve`).click();
    await expectText(page, '#risk-notice', held.body.orderNo);
    expect(await page.locator(`#risk-review-${held.body.id}`).count()).toBe(0);
    await shots.take(page, 'approved');
    expect((await pay(stack, p, held.body.id)).status).toBe(200);

    await page.locator('#risk-block-openid').fill(p.openid);
    await page.locator('#risk-block-reason').fill('疑似盗用');
    await page.locator('#risk-block-submit').click();
    await expectText(page, '#risk-blocks', '疑似盗用');
    await shots.take(page, 'blocked');
    const refused = await checkout(stack, p, false);
    expect(refused.status).toBe(403);

    await page.locator(`#risk-unblock-${p.openid}`).click();
    await expectText(page, '#risk-notice', '已解除封禁');
    await page.locator('#risk-events-filter-block').click();
    await expectText(page, '#risk-events', '用户已被封禁');
    const text = await page.locator('.c-main').innerText();
    expect(text).not.toMatch(/\b(allow|step_up|review|block|checkout|orders_per_card_per_hour)\b/);
    await shots.take(page, 'events-blocked');
    expectNoCspViolations(violations, 'risk page');
    await context.close();
  });
});
