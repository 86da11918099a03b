/** 参保人 Insured persons: the insurance platform's persons; change status or balance; add one. */
import { yuan } from '../../../common/admin-client/format';
import { PERSON_STATUSES, type PersonStatus, type PersonView } from '../../../common/admin-client/types';
import { admin, quiet } from '../api';
import { bi, errorBox, field, form, h, table, val, type Child } from '../dom';
import { render } from '../shell';

function personRow(p: PersonView): HTMLTableRowElement {
  const statusSel = h(
    'select',
    {},
    PERSON_STATUSES.map((s) => h('option', { value: s, selected: s === p.status }, s)),
  );
  const balance = h('input', { type: 'number', value: p.balance, style: 'width:100px' });
  const save = async () => {
    const r = await admin.updatePerson(p.psnNo, {
      status: statusSel.value as PersonStatus,
      balance: Number(balance.value),
    });
    if (r.ok) await render();
  };
  return h(
    'tr',
    { 'data-psn': p.psnNo },
    h('td', {}, p.psnNo),
    h('td', {}, p.name),
    h('td', {}, p.idNo),
    h('td', {}, p.insutype),
    h('td', {}, statusSel),
    h('td', {}, balance, h('div', { class: 'muted' }, yuan(p.balance))),
    h('td', {}, p.authCode),
    h(
      'td',
      {},
      `起付 ${yuan(p.usageThisYear?.deductibleUsedFen)} / 封顶 ${yuan(p.usageThisYear?.capUsedFen)}`,
    ),
    h('td', {}, h('button', { class: 'btn small', onclick: save }, '保存 Save')),
  );
}

function addForm(): HTMLFormElement {
  const submit = async () => {
    const r = await admin.addPerson({
      name: val('person-name'),
      idNo: val('person-idno'),
      insutype: val('person-insutype'),
      balance: Number(val('person-balance')),
      status: val('person-status') as PersonStatus,
    });
    if (r.ok) await render();
  };
  return form(
    { id: 'person-form' },
    submit,
    field('姓名', 'Name', h('input', { id: 'person-name', required: true, size: 8 })),
    field('身份证号', 'ID number (18)', h('input', { id: 'person-idno', required: true, size: 20 })),
    field(
      '险种',
      'Insutype',
      h(
        'select',
        { id: 'person-insutype' },
        h('option', { value: '310' }, '310 职工 employee'),
        h('option', { value: '390' }, '390 居民 resident'),
      ),
    ),
    field(
      '账户余额（分）',
      'Balance (fen)',
      h('input', { id: 'person-balance', type: 'number', value: '300000', style: 'width:110px' }),
    ),
    field(
      '状态',
      'Status',
      h(
        'select',
        { id: 'person-status' },
        PERSON_STATUSES.map((s) => h('option', { value: s }, s)),
      ),
    ),
    h('button', { class: 'btn' }, '新增 Add'),
  );
}

export async function persons(): Promise<Child[]> {
  const a = await quiet.persons();
  const rows = (a.ok ? a.body : []).map(personRow);
  return [
    h('h2', {}, bi('参保人', 'Insured persons (insurance mock)')),
    h('div', { class: 'card' }, h('h3', {}, bi('新增参保人', 'Add a person')), addForm()),
    h(
      'div',
      { class: 'card' },
      a.ok ? null : errorBox(a),
      table(
        [
          'psnNo',
          ['姓名', 'Name'],
          ['身份证号', 'ID'],
          ['险种', 'Type'],
          ['状态', 'Status'],
          ['余额（分）', 'Balance (fen)'],
          'authCode',
          ['本年已用', 'Used this year'],
          '',
        ],
        rows,
        { id: 'persons-table' },
      ),
    ),
  ];
}
