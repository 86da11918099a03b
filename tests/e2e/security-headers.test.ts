/**
 * The security headers as a browser applies them (Debian chromium): the Content-Security-Policy is on the page,
 * the violation counter of browser.ts sees a violation when there is one (so its 0 in the journey and console
 * tests means something), and no other page can frame ours. The journeys themselves count the violations of
 * their walks: patient-journey.test.ts, console.test.ts.
 */
import { collectCspViolations, PHONE } from './browser';
import { describeInBrowser, useBrowser, useH5Stack } from './rig';

describeInBrowser('security headers in the browser', () => {
  const stack = useH5Stack();
  const browser = useBrowser();

  it('serves the app under a CSP, and the counter sees an injected inline script blocked', async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const violations = await collectCspViolations(context);
    const page = await context.newPage();
    const answer = await page.goto(`${stack.url}/#/pages/console/login/index`);
    expect(answer?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('#login-username').waitFor();
    expect(violations).toEqual([]);

    const ran = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__injected = true';
      document.head.append(script);
      return (window as unknown as { __injected?: boolean }).__injected === true;
    });
    expect(ran).toBe(false);
    // the event reaches the test through a binding: a moment later
    for (let waited = 0; violations.length === 0 && waited < 5000; waited += 50)
      await page.waitForTimeout(50);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ directive: 'script-src-elem', blocked: 'inline' });
    await context.close();
  });

  it('cannot be framed by another page (frame-ancestors none)', async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    const framed = page.waitForResponse((r) => r.url().startsWith(stack.url));
    await page.setContent(`<iframe id="victim" src="${stack.url}/#/pages/console/login/index"></iframe>`);
    expect((await framed).headers()['x-frame-options']).toBe('DENY');
    // the frame stays empty: the console's login form never renders inside it
    await page.waitForTimeout(1000);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const rendered = await frame
      ?.locator('#login-username')
      .count()
      .catch(() => 0);
    expect(rendered ?? 0).toBe(0);
    await context.close();
  });
});
