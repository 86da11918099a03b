/**
 * 患者与账单 HIS patients & bills: patients and bills; a bill added from catalogue codes (`code:qty`, or
 * `code:qty:priceFen` for a code outside the catalogue); a bill paid "at the window".
 */
import { yuan } from '../../../common/admin-client/format';
import type { BillInput, BillView, CatalogueItemView, PatientView } from '../../../common/admin-client/types';
import { admin, quiet, showProblem, type Answer } from '../api';
import { bi, errorBox, field, form, h, table, val, type Child } from '../dom';
import { render } from '../shell';

function billRow(b: BillView): HTMLTableRowElement {
  const pay = async () => {
    const r = await admin.payAtWindow(b.billNo);
    if (r.ok) await render();
  };
  return h(
    'tr',
    { 'data-bill': b.billNo },
    h('td', {}, b.billNo),
    h('td', {}, b.patientId),
    h('td', {}, b.status, b.paidBy ? h('span', { class: 'en' }, b.paidBy) : null),
    h('td', {}, yuan(b.amount)),
    h('td', {}, b.dept ?? ''),
    h(
      'td',
      {},
      (b.items ?? []).map((i) => h('span', { class: 'tag' }, `${i.name}×${i.qty}`)),
    ),
    h(
      'td',
      {},
      b.status === 'UNPAID' || b.status === 'LOCKED'
        ? h('button', { class: 'btn small secondary', onclick: pay }, '窗口缴费 Pay at window')
        : null,
    ),
  );
}

/** The bill's items from the textarea, priced from the catalogue; undefined (and said) when one has no price. */
function itemsOf(text: string, byCode: Map<string, CatalogueItemView>): BillInput['items'] | undefined {
  const items: BillInput['items'] = [];
  for (const line of text
    .split(/\n|,/)
    .map((x) => x.trim())
    .filter(Boolean)) {
    const [code, qty, price] = line.split(':').map((x) => x.trim());
    const c = byCode.get(code);
    const priceFen = price !== undefined ? Number(price) : c?.priceFen;
    if (priceFen === undefined) {
      showProblem(
        'his',
        'POST',
        'bills',
        `${code} 不在医保目录 is not in the insurance catalogue: write code:qty:priceFen`,
      );
      return undefined;
    }
    const item: BillInput['items'][number] = {
      code,
      name: c ? c.name : code,
      price: priceFen,
      qty: Number(qty || 1),
    };
    if (c?.class) item.insuranceClass = c.class;
    items.push(item);
  }
  return items;
}

function addBillForm(patients: PatientView[], byCode: Map<string, CatalogueItemView>): HTMLFormElement {
  const submit = async () => {
    const items = itemsOf(val('bill-items'), byCode);
    if (!items) return;
    const bill: BillInput = { patientId: val('bill-patient'), items };
    if (val('bill-dept')) bill.dept = val('bill-dept');
    const r = await admin.addBill(bill);
    if (r.ok) await render();
  };
  return form(
    { id: 'bill-form' },
    submit,
    field(
      '患者',
      'Patient',
      h(
        'select',
        { id: 'bill-patient' },
        patients.map((p) => h('option', { value: p.patientId }, `${p.patientId} ${p.name}`)),
      ),
    ),
    field(
      '项目（编码:数量[:单价分]，每行一项）',
      'Items (code:qty[:priceFen], one a line)',
      h('textarea', { id: 'bill-items', rows: 3, cols: 34, list: 'catalogue' }, '110100001:1\n250101015:1'),
    ),
    field('科室', 'Dept', h('input', { id: 'bill-dept', size: 10, placeholder: '内科' })),
    h('button', { class: 'btn' }, '开单 Add bill'),
  );
}

function catalogueTable(catalogue: Answer<CatalogueItemView[]>): Node {
  if (!catalogue.ok) return errorBox(catalogue);
  return table(
    ['code', ['名称', 'Name'], ['类别', 'Class'], ['参考价', 'Price']],
    catalogue.body.map((c) =>
      h(
        'tr',
        {},
        h('td', {}, c.code),
        h('td', {}, c.name),
        h('td', {}, c.class),
        h('td', {}, yuan(c.priceFen)),
      ),
    ),
  );
}

export async function his(): Promise<Child[]> {
  const [patients, bills, catalogue] = await Promise.all([
    quiet.patients(),
    quiet.bills(),
    quiet.catalogue(),
  ]);
  const patientList = patients.ok ? patients.body : [];
  const byCode = new Map((catalogue.ok ? catalogue.body : []).map((c) => [c.code, c]));
  const patientRows = patientList.map((p) =>
    h(
      'tr',
      {},
      h('td', {}, p.patientId),
      h('td', {}, p.name),
      h('td', {}, p.idNo),
      h('td', {}, p.phone ?? '—'),
      h('td', {}, (p.billNos ?? []).join(', ')),
    ),
  );
  return [
    h('h2', {}, bi('患者与账单', 'HIS patients & bills')),
    h(
      'div',
      { class: 'card' },
      h('h3', {}, bi('新增账单', 'Add a bill')),
      addBillForm(patientList, byCode),
      h('details', {}, h('summary', {}, '医保目录 Catalogue (codes, prices)'), catalogueTable(catalogue)),
    ),
    h(
      'div',
      { class: 'card' },
      h('h3', {}, bi('账单', 'Bills')),
      bills.ok ? null : errorBox(bills),
      table(
        [
          'billNo',
          ['患者', 'Patient'],
          ['状态', 'Status'],
          ['金额', 'Amount'],
          ['科室', 'Dept'],
          ['明细', 'Items'],
          '',
        ],
        (bills.ok ? bills.body : []).map(billRow),
        { id: 'bills-table' },
      ),
    ),
    h(
      'div',
      { class: 'card' },
      h('h3', {}, bi('患者', 'Patients')),
      patients.ok ? null : errorBox(patients),
      table(
        ['patientId', ['姓名', 'Name'], ['身份证号', 'ID'], ['电话', 'Phone'], ['账单', 'Bills']],
        patientRows,
      ),
    ),
  ];
}
