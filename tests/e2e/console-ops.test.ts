/**
 * The operations page (运行监控) in a real browser (chromium, 1366×900) against the whole stack serving the H5
 * build: after a paid order, a supervisor opens it from the left navigation and reads the last hour's payments,
 * the outside parties, two background jobs that gave up (DEAD: one of an order, one of a kind the page does not
 * know) and a risk rule's hits — all in Chinese but the grey technical detail line — then puts one job back in
 * the queue (confirmed in a dialog) and sees it leave the list. Screenshots go to /tmp/shots/ops-*.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { seedPatient } from '../helpers/stack';
import { checkout, pay, payInFull } from '../helpers/flow';
import { ADMIN, totp } from '../helpers/console';
import { collectCspViolations, expectNoCspViolations } from './browser';
import { DESKTOP, desktopContext, expectText, logIn } from './consoleSteps';
import { describeInBrowser, useBrowser, useH5Stack } from './rig';

const SHOTS = process.env.OPS_SHOTS_DIR ?? '/tmp/shots';

/** What the supervisor sees (1366×900), and the whole page (the viewport grown to the page's height). */
async function shoot(page: Page, step: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `ops-${step}.png`) });
  const height = await page.evaluate(() => {
    const pages = Array.from(document.querySelectorAll<HTMLElement>('.taro_page')).filter(
      (p) => getComputedStyle(p).display !== 'none',
    );
    return Math.max(pages[pages.length - 1]?.scrollHeight ?? 0, document.documentElement.scrollHeight);
  });
  if (height > DESKTOP.height) {
    await page.setViewportSize({ width: DESKTOP.width, height: Math.min(height, 8000) });
    await page.screenshot({ path: join(SHOTS, `ops-${step}-full.png`) });
    await page.setViewportSize(DESKTOP);
  }
}

/** Nothing wider than its box: the page does not scroll sideways and no table overflows its panel. */
async function expectNothingCutOff(page: Page): Promise<void> {
  const overflows = await page.evaluate(() => {
    const found: string[] = [];
    const main = document.querySelector<HTMLElement>('.c-main');
    if (main && main.scrollWidth > main.clientWidth + 1)
      found.push(`.c-main ${main.scrollWidth}>${main.clientWidth}`);
    if (document.documentElement.scrollWidth > window.innerWidth)
      found.push(`document ${document.documentElement.scrollWidth}>${window.innerWidth}`);
    for (const table of Array.from(document.querySelectorAll<HTMLElement>('.c-main table'))) {
      const panel = table.closest<HTMLElement>('.c-panel');
      if (panel && table.getBoundingClientRect().right > panel.getBoundingClientRect().right + 1)
        found.push(`#${table.id} overflows its panel`);
    }
    return found;
  });
  expect(overflows).toEqual([]);
}

/** The Latin words on the page but the technical detail lines, the order numbers and "HIS" (医院HIS). */
async function englishOnPage(page: Page, allowed: string[]): Promise<string[]> {
  const text = await page.evaluate(() => {
    const main = document.querySelector('.c-main');
    if (!main) return '';
    const words: string[] = [];
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode())
      if (!node.parentElement?.closest('.ops-tech')) words.push(node.textContent ?? '');
    return words.join(' ');
  });
  return (text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []).filter((w) => w !== 'HIS' && !allowed.includes(w));
}

describeInBrowser('the operations page in the browser', () => {
  const stack = useH5Stack();
  const browser = useBrowser();

  it('shows payments, parties, DEAD jobs and risk hits in Chinese; a DEAD job is put back in the queue', async () => {
    const { db } = stack.server.deps;
    const paid = await payInFull(stack, await seedPatient(stack), false);
    // a second cash payment started and not (yet) paid: the last hour's success rate is 50 %, below 90 %
    const waiting = await seedPatient(stack);
    const unpaid = await checkout(stack, waiting, false);
    expect((await pay(stack, waiting, unpaid.body.id)).status).toBe(200);
    // the breakers as the gateways' observer reports them: SMS open after failures, insurance half-open
    stack.server.metrics.outsideCalls.inc({ party: 'sms', outcome: 'timeout' }, 10);
    stack.server.metrics.breakerState.set({ party: 'sms' }, 2);
    stack.server.metrics.breakerState.set({ party: 'insurance' }, 1);
    const now = new Date(stack.clock.now());
    const dead = async (kind: string, orderId: string | null, error: string) => {
      const [row] = (await db.query(
        `INSERT INTO outbox (kind, dedupe_key, order_id, payload, status, attempts, next_attempt_at, last_error,
                             created_at, updated_at)
         VALUES ($1, $2, $3, '{}', 'DEAD', 8, $4, $5, $4, $4) RETURNING id::text AS id`,
        [kind, `ops-e2e-${randomUUID()}`, orderId, now, error],
      )) as { id: string }[];
      return row.id;
    };
    const hisJob = await dead('his_confirm', paid.id, 'HIS 6201 timeout after 5000ms (ECONNRESET)');
    const oddJob = await dead('mystery_kind', null, 'unknown kind mystery_kind');
    await db.query(
      `INSERT INTO risk_events (at, action, openid, decision, rules) VALUES ($1, 'checkout', $2, 'review', $3)`,
      [now, `ops-${randomUUID()}`.slice(0, 28), ['orders_per_card_per_hour']],
    );

    const context = await desktopContext(browser);
    const violations = await collectCspViolations(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await logIn(page, stack, ADMIN, totp(ADMIN.secret, stack.clock.now()));
    await expectText(page, '#c-title', '订单查询');
    await page.locator('#c-nav-ops:visible').click();
    await expectText(page, '#c-title', '运行监控');

    // the last hour: two cash payments started, one succeeded — 50 %, highlighted
    await expectText(page, '#ops-channel-cash', '自费（微信支付）');
    await expectText(page, '#ops-channel-cash-rate', '50%偏低');
    expect(await page.locator('#ops-channel-cash-rate .c-tag--danger').count()).toBe(1);
    await expectText(page, '#ops-channel-insurance-rate', '—');
    // the parties, in Chinese, with their breakers
    await expectText(page, '#ops-party-insurance', '医保平台');
    await expectText(page, '#ops-party-his', '医院HIS');
    await expectText(page, '#ops-party-wechatpay', '微信支付');
    await expectText(page, '#ops-party-sms', '短信');
    await expectText(page, '#ops-party-his-breaker', '正常');
    await expectText(page, '#ops-party-insurance-breaker', '半开');
    await expectText(page, '#ops-party-sms-breaker', '熔断');
    expect(await page.locator('#ops-party-sms-breaker.c-tag--danger').count()).toBe(1);
    await expectText(page, '#ops-party-his', /毫秒|秒/);
    // the DEAD jobs: the order's number links to the order; an unknown kind still reads as Chinese
    await expectText(page, '#ops-dead-count', '共2个');
    await expectText(page, `#ops-dead-${hisJob}`, '向医院HIS确认缴费');
    await expectText(page, `#ops-dead-${hisJob}-order`, paid.orderNo);
    await expectText(page, `#ops-dead-${hisJob}`, '8次');
    await expectText(page, `#ops-dead-${hisJob}`, '技术详情：HIS6201timeout');
    await expectText(page, `#ops-dead-${oddJob}`, '其他后台任务');
    await expectText(page, `#ops-dead-${oddJob}`, '无（不涉及订单）');
    // the risk hits
    await expectText(page, '#ops-risk-rule-orders_per_card_per_hour', '同一就诊人一小时内下单过多11');
    await expectText(page, '#ops-risk-decision-review', '人工审核11');
    expect(await englishOnPage(page, [paid.orderNo])).toEqual([]);
    await expectNothingCutOff(page);
    await shoot(page, '01-overview');

    await page.locator(`#ops-dead-${hisJob}-retry`).click();
    await expectText(page, '#ops-retry-dialog', '向医院HIS确认缴费');
    await expectText(page, '#ops-retry-dialog-text', '已尝试8次');
    await shoot(page, '02-confirm');
    await page.locator('#ops-retry-dialog-confirm').click();
    await expectText(page, '#ops-notice', `已将任务#${hisJob}（向医院HIS确认缴费）重新排队`);
    await page.locator(`#ops-dead-${hisJob}`).waitFor({ state: 'detached' });
    await expectText(page, '#ops-dead-count', '共1个');
    const [job] = (await db.query(`SELECT status FROM outbox WHERE id = $1`, [hisJob])) as {
      status: string;
    }[];
    expect(job.status).not.toBe('DEAD');
    expect(await englishOnPage(page, [paid.orderNo])).toEqual([]);
    await expectNothingCutOff(page);
    await shoot(page, '03-requeued');

    await expectText(page, `#ops-dead-${oddJob}`, '其他后台任务');
    expectNoCspViolations(violations, 'operations page');
    await context.close();
  });
});
