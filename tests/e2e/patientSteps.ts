/**
 * Steps of the patient's journey that several browser tests take the same way: filling a Taro form so the values
 * stick, and binding a card with the code the hospital texts. Each test keeps its own screenshots around them.
 */
import type { Page } from 'playwright-core';
import { adminPost, deliverTexts, lastCodeTo, newIdNo, newPhone, type Stack } from '../helpers/stack';

/** Fills one field: a Taro Input renders as an element holding an <input>, or as the <input> itself. */
export async function fill(page: Page, id: string, value: string): Promise<void> {
  const inner = page.locator(`#${id} input`);
  if ((await inner.count()) > 0) await inner.first().fill(value);
  else await page.locator(`#${id}`).fill(value);
}

/** Fills and checks the values stuck (Taro's H5 page may re-render a fresh form once: fill again then). */
export async function fillForm(page: Page, values: Record<string, string>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    for (const [id, value] of Object.entries(values)) await fill(page, id, value);
    const held = await page.evaluate(
      (ids) => ids.map((id) => (document.querySelector(`#${id}`) as HTMLInputElement | null)?.value ?? ''),
      Object.keys(values),
    );
    if (held.every((v, i) => v === Object.values(values)[i])) return;
    if (attempt === 3) throw new Error(`the form did not keep its values: ${JSON.stringify(held)}`);
    await page.locator(`#${Object.keys(values)[0]}`).waitFor();
  }
}

export interface CardHolder {
  name: string;
  idNo: string;
  phone: string;
}

/**
 * From a page showing #add-card: the bind form (name, ID number) until the code step appears, then the code the
 * hospital texted to the phone it holds (the SMS platform mock keeps it). `onForm` runs once the form is filled
 * the first time (a screenshot); `onCode` once the code is typed. Ends after submitting the code.
 */
export async function bindCard(
  page: Page,
  stack: Stack,
  p: CardHolder,
  hooks: { onForm?: () => Promise<void>; onCode?: () => Promise<void> } = {},
): Promise<void> {
  await page.locator('#add-card').click();
  for (let attempt = 1; ; attempt++) {
    await fillForm(page, { 'bind-name': p.name, 'bind-idno': p.idNo });
    if (attempt === 1) await hooks.onForm?.();
    await page.locator('#bind-submit').click();
    const outcome = await (
      await page.waitForFunction(() =>
        document.querySelector('#bind-code')
          ? 'code'
          : document.querySelector('.field-error')
            ? 'field-error'
            : null,
      )
    ).jsonValue();
    if (outcome === 'code') break;
    if (attempt === 3) throw new Error('binding kept failing on the form');
  }
  await deliverTexts(stack);
  await fillForm(page, { 'bind-code': await lastCodeTo(stack, p.phone) });
  await hooks.onCode?.();
  await page.locator('#bind-code-submit').click();
}

/** A patient the browser tests bind and pay as: who it is, its bill at the HIS, its insurance authorization. */
export interface BillHolder extends CardHolder {
  billNo: string;
  authCode?: string;
  psnNo?: string;
}

/**
 * Through the mocks' admin APIs: a patient at the HIS (a fresh ID number and phone) with one bill of `items`
 * (at `dept`, when given), and, with `insured`, the same person at the insurance platform.
 */
export async function patientWithBill(
  stack: Stack,
  name: string,
  items: object[],
  options: { dept?: string; insured?: { insutype: '310' | '390'; balance: number; status?: string } } = {},
): Promise<BillHolder> {
  const idNo = newIdNo();
  const phone = newPhone();
  const { patientId } = await adminPost<{ patientId: string }>(stack.his.url, '/__admin/patients', {
    name,
    idNo,
    phone,
  });
  const bill = await adminPost<{ billNo: string }>(stack.his.url, '/__admin/bills', {
    patientId,
    items,
    dept: options.dept,
  });
  const auth = options.insured
    ? await adminPost<{ authCode: string; psnNo: string }>(stack.insurance.url, '/__admin/persons', {
        name,
        idNo,
        ...options.insured,
      })
    : undefined;
  return { name, idNo, phone, billNo: bill.billNo, authCode: auth?.authCode, psnNo: auth?.psnNo };
}

/**
 * The result page reaches 缴费成功 once the server has applied the payment. The callback is answered at once
 * and applied by the outbox (`confirm_payment`); the test stack runs no jobs by itself, so they are worked
 * here, after WeChat's callback has been delivered, while the page polls.
 */
export async function waitUntilPaid(page: Page, stack: Stack): Promise<void> {
  await page.locator('#result-status').waitFor();
  await stack.wechat.mock.deliverDue();
  await stack.runJobs();
  await page.waitForFunction(() =>
    /缴费成功|支付成功/.test(document.querySelector('#result-status')?.textContent ?? ''),
  );
}
