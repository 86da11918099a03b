/**
 * Card ownership (DESIGN flow 11, issue 10 item 1): name + ID number prove nothing; a card is bound only when the
 * code texted to the phone the HIS holds comes back, and nothing tells a stranger whether somebody is a patient.
 */
import { randomUUID } from 'node:crypto';
import {
  adminGet,
  adminPost,
  call,
  deliverTexts,
  lastCodeTo,
  newIdNo,
  newPhone,
  seedPatient,
  useStack,
} from '../helpers/stack';
import { VERIFICATION_TTL_MS } from '../../server/services/patient/binding';

const stack = useStack();

interface Started {
  status: string;
  verificationId: string;
  channel: string;
  phoneMasked: string;
}

async function login(): Promise<string> {
  const { code } = await adminPost<{ code: string }>(stack.wechat.url, '/__admin/login-codes', {});
  return (await call<{ token: string }>(stack.url, 'POST', '/api/v1/session', { body: { code } })).body.token;
}

async function hisPatient(phone = newPhone()) {
  const name = `患者${randomUUID().slice(0, 4)}`;
  const idNo = newIdNo();
  const { patientId } = await adminPost<{ patientId: string }>(stack.his.url, '/__admin/patients', {
    name,
    idNo,
    phone,
  });
  const { billNo } = await adminPost<{ billNo: string }>(stack.his.url, '/__admin/bills', {
    patientId,
    items: [{ code: '110200002', name: '诊查费', price: 2000, qty: 1 }],
  });
  return { name, idNo, phone, billNo };
}

const start = (token: string, body: object) =>
  call<Started>(stack.url, 'POST', '/api/v1/patients', { token, body });
const verify = (token: string, id: string, code: string) =>
  call<{ id: string; code?: string; message?: string }>(
    stack.url,
    'POST',
    `/api/v1/patients/verifications/${id}`,
    {
      token,
      body: { code },
    },
  );

/** A new WeChat user starts binding a HIS patient's card; the code is texted: the user, the patient, the code. */
async function codeTexted() {
  const token = await login();
  const p = await hisPatient();
  const started = await start(token, { name: p.name, idNo: p.idNo });
  await deliverTexts(stack);
  return { token, p, verificationId: started.body.verificationId, code: await lastCodeTo(stack, p.phone) };
}

describe('binding a card needs the code texted to the HIS phone', () => {
  // before: POST /api/v1/patients answered 201 with the card to anyone who knew a name and an ID number
  it('202 and a text to the HIS phone; the right code binds the card (201), then its bills are readable', async () => {
    const token = await login();
    const p = await hisPatient();
    const started = await start(token, { name: p.name, idNo: p.idNo });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: 'VERIFICATION_REQUIRED', channel: 'sms' });
    expect(started.body.phoneMasked).toBe(`${p.phone.slice(0, 3)}****${p.phone.slice(-4)}`);
    // nothing of the card exists yet
    expect((await call<unknown[]>(stack.url, 'GET', '/api/v1/patients', { token })).body).toEqual([]);
    await deliverTexts(stack);
    const texts = await adminGet<{ phone: string; text: string; code: string; sentAt: string }[]>(
      stack.his.url,
      `/__admin/sms?phone=${p.phone}`,
    );
    expect(texts).toHaveLength(1);
    expect(texts[0].text).toContain(texts[0].code);
    expect(texts[0].sentAt).toMatch(/\+08:00$/);
    const card = await verify(token, started.body.verificationId, texts[0].code);
    expect(card.status).toBe(201);
    const bills = await call<{ billNo: string }[]>(
      stack.url,
      'GET',
      `/api/v1/patients/${card.body.id}/bills`,
      {
        token,
      },
    );
    expect(bills.body.map((b) => b.billNo)).toEqual([p.billNo]);
    // the same code again answers the same card
    expect((await verify(token, started.body.verificationId, texts[0].code)).body.id).toBe(card.body.id);
  });

  it('answers a stranger exactly like a patient: 202 with a masked number, no text, and no code ever works', async () => {
    const token = await login();
    const idNo = newIdNo();
    const first = await start(token, { name: '陌生人', idNo });
    const again = await start(token, { name: '陌生人', idNo });
    expect(first.status).toBe(202);
    expect(Object.keys(first.body).sort()).toEqual(
      ['channel', 'expiresAt', 'phoneMasked', 'resendAfterS', 'status', 'verificationId'].sort(),
    );
    expect(first.body.phoneMasked).toMatch(/^1\d{2}\*{4}\d{4}$/);
    // the stand-in number is stable, as a real one would be
    expect(again.body.phoneMasked).toBe(first.body.phoneMasked);
    await deliverTexts(stack);
    const wrong = await verify(token, first.body.verificationId, '123456');
    expect([wrong.status, wrong.body.code]).toEqual([422, 'VERIFICATION_CODE_INVALID']);
  });

  it('a wrong code is 422 with the tries left; after 5 tries the verification is dead', async () => {
    const { token, verificationId, code: right } = await codeTexted();
    const wrongCode = right === '000000' ? '111111' : '000000';
    for (let i = 4; i >= 1; i--) {
      const wrong = await verify(token, verificationId, wrongCode);
      expect([wrong.status, wrong.body.code]).toEqual([422, 'VERIFICATION_CODE_INVALID']);
      expect(wrong.body.message).toContain(`${i} 次`);
    }
    expect((await verify(token, verificationId, wrongCode)).body.code).toBe('VERIFICATION_EXPIRED');
    // the right code is no use any more
    expect((await verify(token, verificationId, right)).body.code).toBe('VERIFICATION_EXPIRED');
  });

  it('a code lives 5 minutes', async () => {
    const { token, verificationId, code } = await codeTexted();
    stack.clock.advance(VERIFICATION_TTL_MS + 1000);
    expect((await verify(token, verificationId, code)).body.code).toBe('VERIFICATION_EXPIRED');
  });

  it('another user’s verification is 404, and its code does not bind the card for them', async () => {
    const owner = await login();
    const thief = await login();
    const p = await hisPatient();
    const started = await start(owner, { name: p.name, idNo: p.idNo });
    await deliverTexts(stack);
    const code = await lastCodeTo(stack, p.phone);
    const stolen = await verify(thief, started.body.verificationId, code);
    expect([stolen.status, stolen.body.code]).toEqual([404, 'NOT_FOUND']);
    expect((await call<unknown[]>(stack.url, 'GET', '/api/v1/patients', { token: thief })).body).toEqual([]);
  });

  it('limits codes per WeChat user and per ID number (5 an hour), in Chinese', async () => {
    const token = await login();
    const p = await hisPatient();
    for (let i = 0; i < 5; i++) expect((await start(token, { name: p.name, idNo: p.idNo })).status).toBe(202);
    const sixth = await start(token, { name: p.name, idNo: p.idNo });
    expect([sixth.status, (sixth.body as unknown as { code: string }).code]).toEqual([
      429,
      'VERIFICATION_RATE_LIMITED',
    ]);
    expect((sixth.body as unknown as { message: string }).message).toMatch(/验证码/);
    // another user asking for the same ID number is limited too
    const other = await login();
    const byOther = await start(other, { name: p.name, idNo: p.idNo });
    expect(byOther.status).toBe(429);
  });

  it('limits texts per phone silently: the answer stays 202, no sixth text is sent', async () => {
    const phone = newPhone();
    for (let i = 0; i < 6; i++) {
      const p = await hisPatient(phone);
      expect((await start(await login(), { name: p.name, idNo: p.idNo })).status).toBe(202);
    }
    await deliverTexts(stack);
    expect(await adminGet<unknown[]>(stack.his.url, `/__admin/sms?phone=${phone}`)).toHaveLength(5);
  });

  it('unbinds a card: gone from the lists (its orders too), 404 on its routes; binding again brings it back', async () => {
    const p = await seedPatient(stack);
    const order = await call<{ id: string }>(stack.url, 'POST', '/api/v1/orders', {
      token: p.token,
      headers: { 'idempotency-key': randomUUID() },
      body: { patientId: p.patientId, billNos: [p.billNo], useInsurance: false },
    });
    expect(order.status).toBe(201);
    const gone = await call(stack.url, 'DELETE', `/api/v1/patients/${p.patientId}`, { token: p.token });
    expect(gone.status).toBe(204);
    expect((await call<unknown[]>(stack.url, 'GET', '/api/v1/patients', { token: p.token })).body).toEqual(
      [],
    );
    expect((await call<unknown[]>(stack.url, 'GET', '/api/v1/orders', { token: p.token })).body).toEqual([]);
    expect(
      (await call(stack.url, 'GET', `/api/v1/patients/${p.patientId}/bills`, { token: p.token })).status,
    ).toBe(404);
    expect(
      (await call(stack.url, 'DELETE', `/api/v1/patients/${p.patientId}`, { token: p.token })).status,
    ).toBe(404);
    // kept for the hospital
    const rows = (await stack.db.db.query(`SELECT unbound_at FROM patients WHERE id = $1`, [
      p.patientId,
    ])) as {
      unbound_at: Date | null;
    }[];
    expect(rows[0].unbound_at).not.toBeNull();
    // bound again (with a new code): the same card, with its history
    const again = await start(p.token, { name: p.name, idNo: p.idNo });
    await deliverTexts(stack);
    const card = await verify(p.token, again.body.verificationId, await lastCodeTo(stack, p.phone));
    expect(card.body.id).toBe(p.patientId);
    expect((await call<unknown[]>(stack.url, 'GET', '/api/v1/orders', { token: p.token })).body).toHaveLength(
      1,
    );
  });
});
