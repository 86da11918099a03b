/**
 * 故障注入 Faults: add a fault (mock, path prefix, method, kind, status, fixed/uniform/long-tail latency, rate,
 * count); each mock's faults with their hits (a used-up one stays, greyed); remove one or all.
 */
import type { Fault, FaultInput, FaultKind, MockName } from '../../../common/admin-client/types';
import { admin, MOCKS, quiet } from '../api';
import { bi, errorBox, field, form, h, MOCK_LABEL, mockSelect, table, val, type Child } from '../dom';
import { render } from '../shell';

const KINDS: [FaultKind, string][] = [
  ['error5xx', '5xx 错误'],
  ['timeout', '超时 timeout'],
  ['latency', '延迟 latency'],
  ['malformed', '报文损坏 malformed'],
  ['reset', '连接重置 reset'],
  ['badSignature', '签名错误 bad signature'],
];

/** The fault the form describes; the mock checks it (and says why it refuses). */
function faultOf(latencyMode: string): FaultInput {
  const body: FaultInput = { path: val('fault-path'), kind: val('fault-kind') as FaultKind };
  if (val('fault-method')) body.method = val('fault-method');
  if (val('fault-status')) body.status = Number(val('fault-status'));
  const a = val('fault-latency-a');
  const b = val('fault-latency-b');
  if (a) {
    if (latencyMode === 'fixed') body.latencyMs = Number(a);
    else if (latencyMode === 'uniform')
      body.latency = { uniform: { minMs: Number(a), maxMs: Number(b || a) } };
    else body.latency = { longTail: { p50Ms: Number(a), p99Ms: Number(b || a) } };
  }
  if (val('fault-rate')) body.rate = Number(val('fault-rate'));
  if (val('fault-count')) body.count = Number(val('fault-count'));
  return body;
}

function addForm(): HTMLFormElement {
  const latencyMode = h(
    'select',
    { id: 'fault-latency-mode' },
    h('option', { value: 'fixed' }, '固定 fixed'),
    h('option', { value: 'uniform' }, '均匀 uniform (min–max)'),
    h('option', { value: 'longTail' }, '长尾 long tail (p50, p99)'),
  );
  const submit = async () => {
    const r = await admin.addFault(val('fault-mock') as MockName, faultOf(latencyMode.value));
    if (r.ok) await render();
  };
  const num = (id: string, width: number, more: Record<string, string | number> = {}) =>
    h('input', { id, type: 'number', style: `width:${width}px`, ...more });
  return form(
    { id: 'fault-form' },
    submit,
    field('网关', 'Mock', mockSelect('fault-mock', 'his', MOCKS)),
    field(
      '路径前缀',
      'Path prefix',
      h('input', { id: 'fault-path', value: '/his/charges/confirm', size: 24, required: true }),
    ),
    field(
      '方法',
      'Method',
      h(
        'select',
        { id: 'fault-method' },
        ['', 'GET', 'POST', 'PUT', 'DELETE'].map((x) => h('option', { value: x }, x || '任意 any')),
      ),
    ),
    field(
      '类型',
      'Kind',
      h(
        'select',
        { id: 'fault-kind' },
        KINDS.map(([v, t]) => h('option', { value: v }, t)),
      ),
    ),
    field('状态码', 'Status', num('fault-status', 70, { placeholder: '503' })),
    field('延迟分布', 'Latency', latencyMode),
    field('毫秒', 'ms (or min / p50)', num('fault-latency-a', 80)),
    field('至', 'max / p99 ms', num('fault-latency-b', 80)),
    field('比例', 'Rate 0–1', num('fault-rate', 70, { step: '0.05', min: 0, max: 1 })),
    field('次数', 'Count', num('fault-count', 60, { min: 1 })),
    h('button', { class: 'btn', id: 'fault-add' }, '注入 Add fault'),
  );
}

const OPTION_KEYS = ['status', 'latencyMs', 'latency', 'rate', 'count', 'passes'] as const;

function faultRow(m: MockName, f: Fault): HTMLTableRowElement {
  const remove = async () => {
    if ((await admin.removeFault(m, f.id)).ok) await render();
  };
  return h(
    'tr',
    {
      'data-fault': f.id,
      class: f.exhausted ? 'exhausted' : undefined,
      title: f.exhausted ? '次数已用完，不再生效 count used up: no longer acts' : undefined,
    },
    h('td', {}, `#${f.id}`),
    h('td', {}, f.kind, f.exhausted ? h('div', { class: 'tag' }, '已用完 exhausted') : null),
    h('td', {}, f.method ?? '*'),
    h('td', {}, f.path),
    h(
      'td',
      {},
      OPTION_KEYS.filter((k) => f[k] !== undefined).map((k) =>
        h('span', { class: 'tag' }, `${k} ${typeof f[k] === 'object' ? JSON.stringify(f[k]) : String(f[k])}`),
      ),
    ),
    h('td', { class: 'hits' }, f.hits ?? ''),
    h('td', {}, h('button', { class: 'btn small danger', onclick: remove }, '删除 Remove')),
  );
}

async function faultList(m: MockName): Promise<HTMLElement> {
  const r = await quiet.faults(m);
  const clear = async () => {
    if ((await admin.clearFaults(m)).ok) await render();
  };
  return h(
    'div',
    { class: 'card', id: `faults-${m}` },
    h(
      'h3',
      {},
      MOCK_LABEL[m],
      ' ',
      h('button', { class: 'btn small danger', onclick: clear }, '全部清除 Clear all'),
    ),
    r.ok ? null : errorBox(r),
    table(
      [
        'id',
        ['类型', 'Kind'],
        ['方法', 'Method'],
        ['路径', 'Path'],
        ['参数', 'Options'],
        ['命中', 'Hits'],
        '',
      ],
      (r.ok ? r.body : []).map((f) => faultRow(m, f)),
    ),
  );
}

export async function faults(): Promise<Child[]> {
  const lists: HTMLElement[] = [];
  for (const m of MOCKS) lists.push(await faultList(m));
  return [
    h('h2', {}, bi('故障注入', 'Faults')),
    h('div', { class: 'card' }, h('h3', {}, bi('注入故障', 'Add a fault')), addForm()),
    h('div', { id: 'faults-list' }, lists),
  ];
}
