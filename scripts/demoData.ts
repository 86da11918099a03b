/**
 * Demo data for `npm start`: patients that exist at the HIS (with unpaid bills) and, for most, at the insurance
 * platform (same name and ID number), chosen to show every kind of payment. Seeded through the mocks' admin APIs.
 */
export interface DemoPatient {
  name: string;
  idNo: string;
  /** where the binding code is texted (read it: GET {HIS mock}/__admin/sms?phone=…) */
  phone: string;
  insurance: string;
  authCode?: string;
  bills: string[];
}

interface Item {
  code: string;
  name: string;
  price: number;
  qty: number;
  insuranceClass?: 'A' | 'B' | 'C';
}

const VISIT: Item[] = [
  { code: '110200002', name: '诊查费', price: 2000, qty: 1, insuranceClass: 'A' },
  { code: '250101001', name: '血常规', price: 3000, qty: 1, insuranceClass: 'A' },
];
const IMAGING: Item[] = [
  { code: '210103001', name: 'CT平扫', price: 35000, qty: 1, insuranceClass: 'B' },
  { code: 'XJ01DCA001', name: '头孢呋辛酯片', price: 4550, qty: 2, insuranceClass: 'B' },
];
const SUPPLEMENT: Item[] = [
  { code: 'ZZ9999001', name: '进口营养剂', price: 12000, qty: 1, insuranceClass: 'C' },
];

const PEOPLE: {
  name: string;
  idNo: string;
  insured?: { insutype: '310' | '390'; balance: number; status?: string; label: string };
  bills: Item[][];
}[] = [
  {
    name: '张伟',
    idNo: '360102198503152118',
    insured: { insutype: '310', balance: 30000, label: '职工医保 个账¥300 (混合支付)' },
    bills: [[...VISIT, ...IMAGING], SUPPLEMENT],
  },
  {
    name: '王芳',
    idNo: '36010219901208002X',
    insured: { insutype: '310', balance: 500000, label: '职工医保 个账¥5000 (纯医保)' },
    bills: [[...VISIT, ...IMAGING]],
  },
  {
    name: '李娜',
    idNo: '360103197707213324',
    insured: { insutype: '390', balance: 0, label: '居民医保 无个账 (统筹+自费)' },
    bills: [[...VISIT, ...IMAGING]],
  },
  {
    name: '赵强',
    idNo: '360104196602104414',
    insured: { insutype: '310', balance: 20000, status: 'SUSPENDED', label: '职工医保 暂停参保 (只能自费)' },
    bills: [VISIT],
  },
  { name: '陈静', idNo: '360105200101015523', bills: [[...VISIT, ...SUPPLEMENT]] },
];

async function post<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url} → ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

export async function seedDemo(urls: { his: string; insurance: string }): Promise<DemoPatient[]> {
  const out: DemoPatient[] = [];
  for (const [i, person] of PEOPLE.entries()) {
    // each its own phone: binding codes go there (and are limited per phone)
    const phone = `1380013800${i}`;
    const { patientId } = await post<{ patientId: string }>(`${urls.his}/__admin/patients`, {
      name: person.name,
      idNo: person.idNo,
      phone,
    });
    const bills: string[] = [];
    for (const items of person.bills) {
      const bill = await post<{ billNo: string }>(`${urls.his}/__admin/bills`, { patientId, items });
      bills.push(bill.billNo);
    }
    let authCode: string | undefined;
    if (person.insured) {
      const { label: _label, ...insured } = person.insured;
      ({ authCode } = await post<{ authCode: string }>(`${urls.insurance}/__admin/persons`, {
        name: person.name,
        idNo: person.idNo,
        ...insured,
      }));
    }
    out.push({
      name: person.name,
      idNo: person.idNo,
      insurance: person.insured?.label ?? '未参保 (全自费)',
      phone,
      authCode,
      bills,
    });
  }
  return out;
}
