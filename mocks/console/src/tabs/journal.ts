/**
 * 请求日志 Journal: search a mock's request journal (path, method, status, tag, text, from/to, limit); a row
 * opens its request and response; verify "was it called N times", counted per status answered.
 */
import { cstText } from '../../../common/admin-client/format';
import type { JournalEntry, MockName, Verification, VerifyInput } from '../../../common/admin-client/types';
import { admin, MOCKS, quiet } from '../api';
import {
  bi,
  errorBox,
  field,
  fill,
  form,
  h,
  mockSelect,
  pretty,
  prettyText,
  table,
  val,
  type Child,
} from '../dom';
import { render, state, type JournalForm } from '../shell';

const SEARCH_KEYS = ['path', 'method', 'status', 'tag', 'text', 'from', 'to', 'limit'] as const;

function entryDetail(e: JournalEntry): Child[] {
  return [
    h('h3', {}, `#${e.seq} ${e.method} ${e.path}${e.query ? `?${e.query}` : ''} → ${e.status}`),
    h(
      'div',
      { class: 'muted' },
      `${cstText(e.atMs)} CST · ${e.durationMs} ms${e.fault ? ` · fault ${e.fault}` : ''}`,
    ),
    h(
      'div',
      {},
      Object.entries(e.tags ?? {}).map(([k, v]) => h('span', { class: 'tag' }, `${k}=${v}`)),
    ),
    h('h3', {}, bi('请求', 'Request')),
    h('pre', {}, prettyText(e.requestBody)),
    h('h3', {}, bi('应答', 'Response')),
    h('pre', {}, prettyText(e.responseBody)),
  ];
}

function entryRow(e: JournalEntry, detail: HTMLElement): HTMLTableRowElement {
  const tr: HTMLTableRowElement = h(
    'tr',
    {
      class: 'clickable',
      onclick: () => {
        for (const x of Array.from(tr.parentElement?.children ?? [])) x.classList.remove('selected');
        tr.classList.add('selected');
        fill(detail, entryDetail(e));
      },
    },
    h('td', {}, e.seq),
    h('td', {}, cstText(e.atMs).slice(5)),
    h('td', {}, e.method),
    h('td', {}, e.path),
    h('td', { class: e.status >= 400 ? 'bad' : '' }, e.status),
    h('td', {}, e.durationMs),
    h('td', {}, e.fault ?? ''),
    // the tags (long ids) are in the detail pane; here only how many, to keep the table inside its card
    h('td', { class: 'muted' }, String(Object.keys(e.tags ?? {}).length)),
  );
  return tr;
}

function searchForm(s: JournalForm): HTMLFormElement {
  const input = (k: (typeof SEARCH_KEYS)[number], zh: string, en: string, size = 12, placeholder = '') =>
    field(zh, en, h('input', { id: `journal-${k}`, value: s[k] ?? '', size, placeholder }));
  const submit = async () => {
    const next: JournalForm = { mock: val('journal-mock') as MockName };
    for (const k of SEARCH_KEYS) next[k] = val(`journal-${k}`);
    state.journal = next;
    await render();
  };
  return form(
    { id: 'journal-form' },
    submit,
    field('网关', 'Mock', mockSelect('journal-mock', s.mock, MOCKS)),
    input('path', '路径', 'Path contains', 18),
    input('method', '方法', 'Method', 5),
    input('status', '状态', 'Status', 4, '5xx'),
    input('tag', '标签', 'Tag k=v', 16, 'orderNo=…'),
    input('text', '文本', 'Text', 12),
    input('from', '起', 'From', 14, 'ISO / ms'),
    input('to', '止', 'To', 14, 'ISO / ms'),
    input('limit', '条数', 'Limit', 4, '100'),
    h('button', { class: 'btn' }, '查询 Search'),
  );
}

function expectationOf(): VerifyInput {
  const body: VerifyInput = { path: val('verify-path') };
  if (val('verify-method')) body.method = val('verify-method').toUpperCase();
  if (val('verify-body')) body.bodyContains = val('verify-body');
  if (val('verify-tag')) {
    const [k, ...v] = val('verify-tag').split('=');
    body.tags = { [k]: v.join('=') };
  }
  if (val('verify-times')) body.times = Number(val('verify-times'));
  const status = val('verify-status');
  if (status) body.status = /^\d+$/.test(status) ? Number(status) : status;
  return body;
}

function verification(v: Verification): HTMLElement {
  return h(
    'div',
    {},
    h(
      'div',
      { class: v.ok ? 'ok' : 'bad' },
      `${v.ok ? '✓ 符合 as expected' : '✗ 不符 not as expected'} — ${v.count} 次 request(s); 期望 expected ${v.expected ?? ''}`,
    ),
    v.byStatus && Object.keys(v.byStatus).length
      ? h(
          'div',
          { id: 'verify-by-status' },
          '按应答状态 by status answered: ',
          Object.entries(v.byStatus).map(([status, n]) =>
            h('span', { class: `tag ${Number(status) >= 400 ? 'bad' : ''}` }, `HTTP ${status} × ${n}`),
          ),
        )
      : null,
    v.nearMisses?.length
      ? h(
          'details',
          {},
          h('summary', {}, `相近请求 near misses (${v.nearMisses.length})`),
          h('pre', {}, pretty(v.nearMisses)),
        )
      : null,
  );
}

function verifyForm(out: HTMLElement): HTMLFormElement {
  const submit = async () => {
    const x = await admin.verify(val('journal-mock') as MockName, expectationOf());
    fill(out, x.ok ? verification(x.body) : errorBox(x));
  };
  return form(
    { id: 'verify-form' },
    submit,
    field('路径', 'Path', h('input', { id: 'verify-path', size: 18, required: true })),
    field('方法', 'Method', h('input', { id: 'verify-method', size: 5 })),
    field('报文包含', 'Body contains', h('input', { id: 'verify-body', size: 12 })),
    field('标签', 'Tag k=v', h('input', { id: 'verify-tag', size: 12 })),
    field('次数', 'Times', h('input', { id: 'verify-times', type: 'number', style: 'width:60px' })),
    field(
      '只计应答',
      'Only answered',
      h('input', {
        id: 'verify-status',
        size: 5,
        placeholder: '2xx',
        title: '200, 2xx, 5xx… 空 = 任何 blank = any',
      }),
    ),
    h('button', { class: 'btn secondary' }, '校验 Verify'),
  );
}

export async function journal(): Promise<Child[]> {
  const s = state.journal;
  const r = await quiet.journal(s.mock, {
    path: s.path,
    method: s.method,
    status: s.status,
    from: s.from,
    to: s.to,
    limit: s.limit,
    q: s.text,
    tag: s.tag,
  });
  const detail = h(
    'div',
    { id: 'journal-detail' },
    h('div', { class: 'muted' }, '点击一行查看请求与应答 · Click a row for its request and response'),
  );
  const rows = (r.ok ? r.body : []).map((e) => entryRow(e, detail));
  const verifyOut = h('div', { id: 'verify-result' });
  return [
    h('h2', {}, bi('请求日志', 'Journal')),
    h('div', { class: 'card' }, searchForm(s), verifyForm(verifyOut), verifyOut),
    h(
      'div',
      { class: 'split' },
      h(
        'div',
        { class: 'card' },
        r.ok ? null : errorBox(r),
        table(
          [
            '#',
            ['时间', 'Time'],
            ['方法', 'Method'],
            ['路径', 'Path'],
            ['状态', 'Status'],
            'ms',
            ['故障', 'Fault'],
            ['标签数', 'Tags'],
          ],
          rows,
          { id: 'journal-table' },
        ),
      ),
      h('div', { class: 'card' }, detail),
    ),
  ];
}
