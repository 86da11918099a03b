/**
 * The H5 build as a 公众号 page inside WeChat (JSAPI调起医保支付说明): Debian chromium with a WeChat user agent and a
 * stub `WeixinJSBridge` (page.addInitScript) that hands every invoke to the test (context.exposeFunction). The
 * stub records the call, confirms the payment through the WeChat mock's admin API (POST /__admin/payments/confirm
 * {mixTradeNo}) as the real sheet would, and answers `{err_msg: 'requestMedicalInsurancePay:ok'}`. Pinned: the invoke
 * name and exact parameters (appid, mixTradeNo, the five cash fields — none for an insurance-only order), that the
 * cash fields are the ones signed for this order, and the upgrade message on a too-old WeChat.
 * Screenshots go to the folder printed at the start; look at them.
 */
import { createPublicKey, createVerify } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { testKeys } from '../../shared/crypto/keyring';
import { adminGet, adminPost } from '../helpers/stack';
import { assertNoHorizontalScroll, screenshotFolder, Shots } from './browser';
import { bindCard, patientWithBill } from './patientSteps';
import { describeInBrowser, phoneContext, useBrowser, useH5Stack } from './rig';

// the journey bill (patient-journey.test.ts): ¥491.00; employee rules give fund ¥148.33, and the 个账 pays
// min(balance, ¥342.67): a balance of ¥30.00 leaves ¥312.67 cash, a balance of ¥500.00 leaves no cash
const ITEMS = [
  { code: '110200002', name: '诊查费', price: 2000, qty: 1, insuranceClass: 'A' },
  { code: '250101001', name: '血常规', price: 3000, qty: 1, insuranceClass: 'A' },
  { code: '210103001', name: 'CT平扫', price: 35000, qty: 1, insuranceClass: 'B' },
  { code: 'XJ01DCA001', name: '头孢呋辛酯片', price: 4550, qty: 2, insuranceClass: 'B' },
];

const WECHAT_UA = (version: string) =>
  'Mozilla/5.0 (Linux; Android 14; V2309A Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) ' +
  'Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160117 MMWEBSDK/20240404 ' +
  `MicroMessenger/${version}(0x28003237) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64`;

interface Invocation {
  name: string;
  params: Record<string, string>;
}

describeInBrowser('a 公众号 page inside WeChat pays through WeixinJSBridge', () => {
  const stack = useH5Stack();
  const browser = useBrowser();

  const person = (balance: number) =>
    patientWithBill(stack, `桥${Math.random().toString(36).slice(2, 5)}`, ITEMS, {
      insured: { insutype: '310', balance },
    });

  /**
   * A page in "WeChat": its user agent, and a WeixinJSBridge whose every invoke is recorded here; a med-ins
   * invoke confirms the payment at the WeChat mock first (the patient entered the e-voucher password), then
   * answers ok.
   */
  async function wechatPage(
    version: string,
    invocations: Invocation[],
  ): Promise<{ page: Page; context: BrowserContext }> {
    const context = await phoneContext(browser, { userAgent: WECHAT_UA(version) });
    await context.exposeFunction('__wxInvoke', async (name: string, params: Record<string, string>) => {
      invocations.push({ name, params });
      if (name !== 'requestMedicalInsurancePay') return { err_msg: `${name}:fail unexpected in this test` };
      const confirmed = await adminPost<{ mixPayStatus?: string }>(
        stack.wechat.url,
        '/__admin/payments/confirm',
        {
          mixTradeNo: params.mixTradeNo,
        },
      );
      if (confirmed.mixPayStatus !== 'MIX_PAY_SUCCESS')
        return { err_msg: `requestMedicalInsurancePay:fail ${String(confirmed.mixPayStatus)}` };
      await stack.wechat.mock.deliverDue(); // the MEDICAL_INSURANCE.SUCCESS callback has reached the server
      return {
        result: 'success',
        err_msg: 'requestMedicalInsurancePay:ok',
        msg: '已完成医保支付',
        err_desc: '',
      };
    });
    await context.addInitScript(() => {
      type Answer = { err_msg: string };
      const w = window as unknown as {
        WeixinJSBridge?: unknown;
        __wxInvoke: (name: string, params: unknown) => Promise<Answer>;
      };
      w.WeixinJSBridge = {
        invoke(name: string, params: unknown, callback: (res: Answer) => void) {
          // a copy, as WeChat serialises the parameters (and so the test sees exactly what was passed)
          void w.__wxInvoke(name, JSON.parse(JSON.stringify(params))).then(callback);
        },
      };
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return { page, context };
  }

  /** Fills and checks the values stuck (Taro's H5 page may re-render a fresh form once: fill again then). */

  /** Sandbox login, card binding, insurance authorization, then the bill's pre-settlement (confirm page). */
  async function upToConfirm(page: Page, shots: Shots, p: Awaited<ReturnType<typeof person>>) {
    await page.goto(`${stack.url}/`);
    await page.locator('#login-button').click();
    await page.locator('#sandbox-login-confirm').click();
    await bindCard(page, stack, p);
    await page.locator('#authorize-button').click();
    await page.locator(`input[value="${p.authCode}"]`).check();
    await page.locator('button[value="confirm"]').click();
    await page.waitForFunction(() =>
      /医保授权成功/.test(document.querySelector('#eligibility')?.textContent ?? ''),
    );
    await page.goto(`${stack.url}/`);
    await page.locator('#bills-link').click();
    await page.locator(`#bill-${p.billNo}`).click();
    await page.locator('#bill-items').waitFor();
    await page.locator('#checkout-insurance').click();
    await page.locator('#split-fund').waitFor();
    await page.locator('#pay-button').waitFor();
    await shots.take(page, 'pre-settlement');
    await assertNoHorizontalScroll(page, 'pre-settlement');
  }

  const orderNoOn = async (page: Page) =>
    (await page.locator('.confirm-meta .mono').first().innerText()).trim();

  /**
   * The result page reaches 缴费成功. The test stack runs no background jobs: the server's outbox (which applies
   * the callback's confirmation) runs here, as often as needed while the page polls.
   */
  async function expectPaid(page: Page, shots: Shots) {
    await page.locator('#result-status').waitFor();
    const paidShown = () =>
      page.evaluate(() =>
        /缴费成功|支付成功/.test(document.querySelector('#result-status')?.textContent ?? ''),
      );
    for (let i = 0; i < 30 && !(await paidShown()); i++) {
      await stack.runJobs();
      await page.waitForTimeout(1000);
    }
    await shots.take(page, 'payment-result');
    expect((await page.locator('#result-status').innerText()).trim()).toMatch(/缴费成功|支付成功/);
    await assertNoHorizontalScroll(page, 'result');
  }

  /** The WeChat mock's view of the order: the med-ins order's echo (appid, prepay_id, mix_pay_type…). */
  async function medInsOf(outTradeNo: string) {
    const { medIns } = await adminGet<{ medIns: Record<string, unknown> }>(
      stack.wechat.url,
      `/__admin/orders/${encodeURIComponent(outTradeNo)}`,
    );
    return medIns;
  }

  const clientConfig = async () =>
    (await (await fetch(`${stack.url}/api/v1/client-config`)).json()) as { appId: string };

  it('CASH_AND_INSURANCE: requestMedicalInsurancePay with appid, mixTradeNo and the five signed cash fields; the order is paid', async () => {
    const shots = new Shots(screenshotFolder('jsapi-mixed'));
    const invocations: Invocation[] = [];
    const p = await person(3000);
    const { page, context } = await wechatPage('8.0.50.2600', invocations);
    await upToConfirm(page, shots, p);
    const outTradeNo = await orderNoOn(page);
    await page.locator('#pay-button').click();
    await expectPaid(page, shots);

    expect(invocations.map((i) => i.name)).toEqual(['requestMedicalInsurancePay']);
    const { params } = invocations[0];
    expect(Object.keys(params).sort()).toEqual(
      ['appid', 'mixTradeNo', 'nonceStr', 'package', 'paySign', 'signType', 'timeStamp'].sort(),
    );
    const medIns = await medInsOf(outTradeNo);
    const { appId } = await clientConfig();
    expect(medIns.mix_pay_type).toBe('CASH_AND_INSURANCE');
    expect(params.appid).toBe(appId);
    expect(params.appid).toBe(medIns.appid);
    expect(params.mixTradeNo).toBe(medIns.mix_trade_no);
    expect(params.package).toBe(`prepay_id=${String(medIns.prepay_id)}`);
    expect(params.timeStamp).toMatch(/^\d{10}$/);
    expect(params.nonceStr.length).toBeGreaterThan(0);
    expect(params.nonceStr.length).toBeLessThanOrEqual(32);
    expect(params.signType).toBe('RSA');
    // paySign = Base64(SHA256withRSA(merchant key, appId\ntimeStamp\nnonceStr\npackage\n))
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${params.appid}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`);
    expect(
      verifier.verify(createPublicKey(testKeys().mocks.wechat.merchantCertPem), params.paySign, 'base64'),
    ).toBe(true);
    await context.close();
  });

  it('INSURANCE_ONLY (the 个账 covers the rest): exactly {appid, mixTradeNo}; the order is paid', async () => {
    const shots = new Shots(screenshotFolder('jsapi-insurance-only'));
    const invocations: Invocation[] = [];
    const p = await person(50_000);
    const { page, context } = await wechatPage('8.0.44.2502', invocations);
    await upToConfirm(page, shots, p);
    expect((await page.locator('#pay-button').innerText()).trim()).toBe('确认医保支付');
    const outTradeNo = await orderNoOn(page);
    await page.locator('#pay-button').click();
    await expectPaid(page, shots);

    const medIns = await medInsOf(outTradeNo);
    expect(medIns.mix_pay_type).toBe('INSURANCE_ONLY');
    expect(invocations).toEqual([
      {
        name: 'requestMedicalInsurancePay',
        params: { appid: (await clientConfig()).appId, mixTradeNo: medIns.mix_trade_no },
      },
    ]);
    await context.close();
  });

  it('WeChat 8.0.43: the confirm page asks the patient to upgrade; nothing is invoked and the bill stays unpaid', async () => {
    const shots = new Shots(screenshotFolder('jsapi-too-old'));
    const invocations: Invocation[] = [];
    const p = await person(3000);
    const { page, context } = await wechatPage('8.0.43.2480', invocations);
    await upToConfirm(page, shots, p);
    await page.locator('#pay-button').click();
    await page.locator('#action-error').waitFor();
    await shots.take(page, 'upgrade-message');
    await assertNoHorizontalScroll(page, 'upgrade message');
    expect((await page.locator('#action-error').innerText()).replace(/\s+/g, '')).toContain(
      '当前微信版本过低，无法使用医保支付。请将微信升级到8.0.44或以上版本后再试。',
    );
    expect(invocations).toEqual([]);
    expect(page.url()).toContain('/pages/confirm/index');
    const bill = await adminGet<{ status: string }>(stack.his.url, `/__admin/bills/${p.billNo}`);
    expect(bill.status).not.toBe('PAID');
    await context.close();
  });
});
