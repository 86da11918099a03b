/**
 * The load's patients: made at the mocks (a HIS patient with bills), logged in and bound through the API as the
 * mini-program does, then a request mix of what patients do most — their orders, their bills, their cards — and
 * now and then a checkout and its cancel (writes at the HIS and in our database).
 */
import { randomUUID } from 'node:crypto';
import { freshIdNo } from '../../scripts/journey';
import type { Shot } from './openLoop';

export interface Urls {
  api: string;
  his: string;
  wechat: string;
}

export interface LoadPatient {
  token: string;
  patientId: string;
  billNos: string[];
}

async function json<T>(method: string, url: string, body?: unknown, token?: string): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 200)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

const ITEMS = [{ code: '110200002', name: '诊查费', price: 2000, qty: 1 }];

export async function makePatient(u: Urls, n: number): Promise<LoadPatient> {
  const name = `压测${String(n).padStart(4, '0')}`;
  const idNo = freshIdNo();
  const phone = `139${String(10_000_000 + n).slice(-8)}`;
  const { patientId: hisPatientId } = await json<{ patientId: string }>('POST', `${u.his}/__admin/patients`, {
    name,
    idNo,
    phone,
  });
  const billNos: string[] = [];
  for (let i = 0; i < 3; i++)
    billNos.push(
      (
        await json<{ billNo: string }>('POST', `${u.his}/__admin/bills`, {
          patientId: hisPatientId,
          items: ITEMS,
        })
      ).billNo,
    );
  const { code } = await json<{ code: string }>('POST', `${u.wechat}/__admin/login-codes`, {});
  const { token } = await json<{ token: string }>('POST', `${u.api}/api/v1/session`, { code });
  const started = await json<{ verificationId: string }>(
    'POST',
    `${u.api}/api/v1/patients`,
    { name, idNo },
    token,
  );
  let texted: string | undefined;
  for (let i = 0; i < 200 && !texted; i++) {
    texted = (await json<{ code?: string }[]>('GET', `${u.his}/__admin/sms?phone=${phone}`))[0]?.code;
    if (!texted) await new Promise((r) => setTimeout(r, 50));
  }
  if (!texted) throw new Error(`no code texted to ${phone}`);
  const card = await json<{ id: string }>(
    'POST',
    `${u.api}/api/v1/patients/verifications/${started.verificationId}`,
    { code: texted },
    token,
  );
  return { token, patientId: card.id, billNos };
}

async function hit(method: string, url: string, token: string, body?: unknown, key?: string) {
  const res = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key ? { 'idempotency-key': key } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, retryAfter: res.headers.has('retry-after'), text };
}

/** A request of the mix for a random patient: 40 % orders, 30 % bills, 20 % cards, 10 % checkout + cancel. */
export function mix(api: string, patients: LoadPatient[], random: () => number = Math.random): () => Shot {
  return () => {
    const p = patients[Math.floor(random() * patients.length)];
    const r = random();
    if (r < 0.4) return () => hit('GET', `${api}/api/v1/orders`, p.token);
    if (r < 0.7) return () => hit('GET', `${api}/api/v1/patients/${p.patientId}/bills`, p.token);
    if (r < 0.9) return () => hit('GET', `${api}/api/v1/patients`, p.token);
    return async () => {
      const billNo = p.billNos[Math.floor(random() * p.billNos.length)];
      const created = await hit(
        'POST',
        `${api}/api/v1/orders`,
        p.token,
        { patientId: p.patientId, billNos: [billNo], useInsurance: false },
        randomUUID(),
      );
      if (created.status !== 201) return created;
      const { id } = JSON.parse(created.text) as { id: string };
      return hit('POST', `${api}/api/v1/orders/${id}/cancel`, p.token);
    };
  };
}
