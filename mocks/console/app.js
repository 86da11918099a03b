/* global window, document, fetch, URLSearchParams */
/**
 * The testers' console: vanilla JS, no build. Every call goes through the console server's proxy,
 * /__console/api/<mock>/<path> = the mock's /__admin/<path>, and every answer (or error) is shown on the right.
 */
const MOCKS = ['insurance', 'his', 'wechatpay'];
const LABEL = { insurance: '医保平台 Insurance', his: 'HIS 医院信息系统', wechatpay: '微信支付 WeChat Pay' };
const CONFIG = window.MOCK_CONSOLE || { mocks: {} };
const main = document.getElementById('main');

// ───────────────────────── helpers ─────────────────────────

/** h('div', {class: 'x', onclick}, child, 'text') — text is always set as text, never as HTML. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof window.Node ? c : String(c));
  }
  return el;
}

const bi = (zh, en) => [zh, h('span', { class: 'en' }, en)];
const yuan = (fen) => (typeof fen === 'number' ? `¥${(fen / 100).toFixed(2)}` : String(fen ?? ''));
const cst = (ms) =>
  typeof ms === 'number' ? new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ') : '';
const pretty = (v) => (typeof v === 'string' ? v : JSON.stringify(v, null, 2));
function prettyText(text) {
  if (!text) return '(empty)';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
const asArray = (body, key) =>
  Array.isArray(body) ? body : body && Array.isArray(body[key]) ? body[key] : [];
const val = (id) => document.getElementById(id).value.trim();

function reason(status, body) {
  if (status === 0) return String(body);
  if (body && typeof body === 'object' && (body.code || body.message))
    return `HTTP ${status} ${[body.code, body.message].filter(Boolean).join(': ')}`;
  if (status === 404 && body === 'Not Found')
    return 'HTTP 404 Not Found — 该模拟网关尚无此接口 (this mock has no such admin endpoint yet)';
  return `HTTP ${status} ${typeof body === 'string' ? body.slice(0, 300) : JSON.stringify(body)}`;
}

/** One admin call through the proxy. Never throws: {ok, status, body, error}. `quiet` keeps it off the answer panel. */
async function api(mock, method, path, body, quiet) {
  let answer;
  try {
    const res = await fetch(`/__console/api/${mock}/${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    const ok = res.status >= 200 && res.status < 300;
    answer = { ok, status: res.status, body: parsed, error: ok ? undefined : reason(res.status, parsed) };
  } catch (err) {
    answer = { ok: false, status: 0, body: null, error: `console server unreachable: ${err}` };
  }
  if (!quiet) showAnswer(mock, method, path, body, answer);
  return answer;
}

function showAnswer(mock, method, path, sent, a) {
  const box = document.getElementById('answer');
  box.className = `answer ${a.ok ? 'ok' : 'fail'}`;
  box.replaceChildren(
    ...[
      h(
        'div',
        { class: 'head' },
        `${a.ok ? '✓' : '✗'} ${mock}: ${method} /__admin/${path} → ${a.status || 'no answer'}` +
          (a.merchant ? ` · 商户应答 merchant answered ${a.merchant.status ?? '—'}` : ''),
      ),
      a.ok ? null : h('div', { class: 'error' }, a.error),
      sent !== undefined
        ? h('details', {}, h('summary', {}, '发出的内容 What was sent'), h('pre', {}, pretty(sent)))
        : null,
      h('div', { class: 'muted' }, '应答 Response body'),
      h('pre', { id: 'answer-body' }, a.body === null || a.body === '' ? '(no body)' : pretty(a.body)),
    ].filter(Boolean),
  );
  const log = document.getElementById('log');
  log.prepend(
    h(
      'li',
      { class: a.ok ? 'ok-line' : 'fail' },
      `${new Date().toLocaleTimeString()} ${mock} ${method} ${path.split('?')[0]} → ${a.status || a.error}` +
        (a.merchant ? ` · 商户 merchant ${a.merchant.status ?? '—'}` : ''),
    ),
  );
  while (log.children.length > 30) log.lastChild.remove();
}

/**
 * A replay or a custom callback: the admin call itself succeeds (200) whatever the merchant's server said; what
 * counts is the merchant's answer (`status`, `error` in the body). Only a 2xx without error is a ✓; a 4xx/5xx, a
 * refused or hung connection is a ✗ with the status, so a 401 never reads as "delivered".
 */
function merchantOutcome(x) {
  if (!x.ok || !x.body || typeof x.body !== 'object') return x;
  const status = x.body.status;
  const accepted = typeof status === 'number' && status >= 200 && status < 300 && !x.body.error;
  return {
    ...x,
    ok: accepted,
    merchant: { status, error: x.body.error },
    error: accepted
      ? undefined
      : `商户未接受 not accepted by the merchant: ${status === undefined ? 'no answer' : `HTTP ${status}`}` +
        (x.body.error ? ` (${x.body.error})` : ''),
  };
}

/** Calls the mock, then shows the merchant's answer (see merchantOutcome) in the answer panel. */
async function deliver(path, body) {
  const x = merchantOutcome(await api('wechatpay', 'POST', path, body, true));
  showAnswer('wechatpay', 'POST', path, body, x);
  return x;
}

/** An id or URL on one line, cut with an ellipsis; the whole value in its title. */
const clip = (text, extra) => h('div', { class: `clip ${extra ?? ''}`, title: text }, text);

/** The card's inline error (in addition to the answer panel). */
const errorBox = (a) => h('div', { class: 'error' }, a.error);

function table(headers, rows, opts = {}) {
  return h(
    'table',
    { id: opts.id },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((x) => h('th', {}, Array.isArray(x) ? bi(...x) : x)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.length ? rows : h('tr', {}, h('td', { colspan: headers.length, class: 'muted' }, '— 无 none —')),
    ),
  );
}

function mockSelect(id, selected, list = MOCKS) {
  return h(
    'select',
    { id },
    list.map((m) => h('option', { value: m, selected: m === selected }, LABEL[m])),
  );
}

function field(zh, en, input) {
  return h('label', {}, h('span', {}, zh, h('span', { class: 'en' }, en)), input);
}

// ───────────────────────── health ─────────────────────────

async function refreshHealth() {
  const box = document.getElementById('health');
  try {
    const res = await fetch('/__console/health');
    const health = await res.json();
    box.replaceChildren(
      ...MOCKS.map((m) =>
        h(
          'span',
          { class: `pill ${health[m]?.up ? 'up' : 'down'}`, title: health[m]?.url },
          `${LABEL[m]} ${health[m]?.up ? '●' : '✗'}`,
        ),
      ),
    );
    return health;
  } catch (err) {
    box.replaceChildren(h('span', { class: 'pill down' }, `console server: ${err}`));
    return {};
  }
}

// ───────────────────────── clock ─────────────────────────

function parseDuration(text) {
  const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let total = 0;
  let matched = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy)) {
    total += Number(m[1]) * units[m[2]];
    matched += m[0].length;
  }
  if (!matched || matched !== text.length)
    throw new Error(`时长格式 a duration like 3h, 90m, 1h30m (got "${text}")`);
  return Math.round(total);
}

function nextDayAt(nowMs, hhmm) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new Error(`时间格式 HH:mm (got "${hhmm}")`);
  const day = 86_400_000;
  const tz = 8 * 3_600_000;
  return Math.floor((nowMs + tz) / day) * day + day + Number(m[1]) * 3_600_000 + Number(m[2]) * 60_000 - tz;
}

/**
 * Moves the clock through the WeChat Pay mock (its clock call also sends callbacks that became due), trying the
 * new body shape first and the numeric one ({advanceMs}/{setMs}) when the mock ignores or refuses it; then
 * brings any mock with a clock of its own to the same instant (`npm run mocks` shares one clock).
 */
async function moveClock(kind, arg) {
  const lead = 'wechatpay';
  const before = await api(lead, 'GET', 'clock', undefined, true);
  if (!before.ok) return showAnswer(lead, 'GET', 'clock', undefined, before);
  const now = before.body.nowMs;
  let body;
  let legacy;
  let expected;
  try {
    if (kind === 'freeze') body = legacy = { freeze: arg };
    else if (kind === 'advance') {
      const ms = parseDuration(arg);
      body = { advance: arg };
      legacy = { advanceMs: ms };
      expected = now + ms;
    } else if (kind === 'nextDay') {
      expected = nextDayAt(now, arg);
      body = { nextDay: arg };
      legacy = { setMs: expected };
    } else if (kind === 'set') {
      expected = Date.parse(arg);
      if (Number.isNaN(expected)) throw new Error(`ISO 8601 时间 (got "${arg}")`);
      body = { set: arg };
      legacy = { setMs: expected };
    }
  } catch (err) {
    return showAnswer(lead, 'POST', 'clock', undefined, {
      ok: false,
      status: 0,
      body: null,
      error: err.message,
    });
  }
  let a = await api(lead, 'POST', 'clock', body, true);
  const honoured = a.ok && (expected === undefined || Math.abs((a.body?.nowMs ?? 0) - expected) < 5000);
  if (!honoured && (a.ok || a.status === 400 || a.status === 422))
    a = await api(lead, 'POST', 'clock', legacy, true);
  showAnswer(lead, 'POST', 'clock', body, a);
  if (a.ok && typeof a.body?.nowMs === 'number') {
    for (const m of MOCKS.filter((x) => x !== lead)) {
      const c = await api(m, 'GET', 'clock', undefined, true);
      if (c.ok && (Math.abs(c.body.nowMs - a.body.nowMs) > 2000 || c.body.frozen !== a.body.frozen))
        await api(m, 'POST', 'clock', { setMs: a.body.nowMs, freeze: a.body.frozen });
    }
  }
  await render();
}

// ───────────────────────── tabs ─────────────────────────

const TABS = {
  async overview() {
    const health = await refreshHealth();
    const cards = [];
    for (const m of MOCKS) {
      const c = await api(m, 'GET', 'clock', undefined, true);
      const base = CONFIG.mocks[m] || health[m]?.url || '';
      cards.push(
        h(
          'div',
          { class: 'card', id: `overview-${m}` },
          h(
            'h3',
            {},
            LABEL[m],
            ' ',
            h('span', { class: health[m]?.up ? 'ok' : 'bad' }, health[m]?.up ? '运行中 up' : '不可用 down'),
          ),
          h('div', { class: 'muted' }, base),
          h(
            'div',
            {},
            h(
              'a',
              { href: `${base}/__admin/openapi.json`, target: '_blank' },
              'OpenAPI (/__admin/openapi.json)',
            ),
          ),
          c.ok
            ? h(
                'div',
                {},
                h('div', { class: 'clock' }, cst(c.body.nowMs)),
                h('div', { class: 'muted' }, c.body.frozen ? '已冻结 frozen' : '运行中 running'),
              )
            : errorBox(c),
          h(
            'div',
            { class: 'row' },
            h(
              'button',
              {
                class: 'btn danger small',
                onclick: async () => {
                  await api(m, 'POST', 'reset', {});
                  await render();
                },
              },
              '重置 Reset to seed',
            ),
          ),
        ),
      );
    }
    return [
      h('h2', {}, bi('概览', 'Overview')),
      h('div', { class: 'grid3' }, cards),
      h(
        'div',
        { class: 'card', id: 'clock-card' },
        h('h3', {}, bi('模拟时钟（北京时间）', 'Mock clock (China time), all three mocks')),
        h(
          'div',
          { class: 'row' },
          h(
            'button',
            { class: 'btn', id: 'clock-freeze', onclick: () => moveClock('freeze', true) },
            '冻结 Freeze',
          ),
          h(
            'button',
            { class: 'btn secondary', id: 'clock-unfreeze', onclick: () => moveClock('freeze', false) },
            '解冻 Unfreeze',
          ),
          ...['15s', '5m', '1h', '3h', '1d'].map((d) =>
            h('button', { class: 'btn secondary', onclick: () => moveClock('advance', d) }, `+${d}`),
          ),
        ),
        h(
          'form',
          {
            class: 'inline',
            onsubmit: (e) => {
              e.preventDefault();
              moveClock('advance', val('clock-advance'));
            },
          },
          field('前进', 'Advance by', h('input', { id: 'clock-advance', value: '3h', size: 8 })),
          h('button', { class: 'btn' }, '前进 Advance'),
        ),
        h(
          'form',
          {
            class: 'inline',
            onsubmit: (e) => {
              e.preventDefault();
              moveClock('nextDay', val('clock-nextday'));
            },
          },
          field(
            '次日时刻',
            'Next day at (HH:mm)',
            h('input', { id: 'clock-nextday', value: '10:00', size: 8 }),
          ),
          h('button', { class: 'btn', id: 'clock-nextday-go' }, '到次日 Next day'),
        ),
        h(
          'form',
          {
            class: 'inline',
            onsubmit: (e) => {
              e.preventDefault();
              moveClock('set', val('clock-set'));
            },
          },
          field(
            '设为',
            'Set to (ISO 8601)',
            h('input', { id: 'clock-set', placeholder: '2026-12-01T09:00:00+08:00', size: 28 }),
          ),
          h('button', { class: 'btn' }, '设置 Set'),
        ),
      ),
    ];
  },

  async persons() {
    const a = await api('insurance', 'GET', 'persons', undefined, true);
    const rows = asArray(a.body, 'persons').map((p) => {
      const statusSel = h(
        'select',
        {},
        ['ACTIVE', 'SUSPENDED', 'ARREARS', 'OUT_OF_AREA'].map((s) =>
          h('option', { value: s, selected: s === p.status }, s),
        ),
      );
      const balance = h('input', { type: 'number', value: p.balance, style: 'width:100px' });
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
        h(
          'td',
          {},
          h(
            'button',
            {
              class: 'btn small',
              onclick: async () => {
                const r = await api('insurance', 'PATCH', `persons/${encodeURIComponent(p.psnNo)}`, {
                  status: statusSel.value,
                  balance: Number(balance.value),
                });
                if (r.ok) await render();
              },
            },
            '保存 Save',
          ),
        ),
      );
    });
    const add = h(
      'form',
      {
        class: 'inline',
        id: 'person-form',
        onsubmit: async (e) => {
          e.preventDefault();
          const r = await api('insurance', 'POST', 'persons', {
            name: val('person-name'),
            idNo: val('person-idno'),
            insutype: val('person-insutype'),
            balance: Number(val('person-balance')),
            status: val('person-status'),
          });
          if (r.ok) await render();
        },
      },
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
          ['ACTIVE', 'SUSPENDED', 'ARREARS', 'OUT_OF_AREA'].map((s) => h('option', { value: s }, s)),
        ),
      ),
      h('button', { class: 'btn' }, '新增 Add'),
    );
    return [
      h('h2', {}, bi('参保人', 'Insured persons (insurance mock)')),
      h('div', { class: 'card' }, h('h3', {}, bi('新增参保人', 'Add a person')), add),
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
  },

  async his() {
    const [patients, bills, catalogue] = await Promise.all([
      api('his', 'GET', 'patients', undefined, true),
      api('his', 'GET', 'bills', undefined, true),
      api('insurance', 'GET', 'catalogue', undefined, true),
    ]);
    const items = asArray(catalogue.body, 'items');
    const byCode = new Map(items.map((c) => [String(c.code), c]));
    const patientRows = asArray(patients.body, 'patients').map((p) =>
      h(
        'tr',
        {},
        h('td', {}, p.patientId),
        h('td', {}, p.name),
        h('td', {}, p.idNo),
        h('td', {}, p.phone ?? '—'),
        h('td', {}, (p.billNos || []).join(', ')),
      ),
    );
    const billRows = asArray(bills.body, 'bills').map((b) =>
      h(
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
          (b.items || []).map((i) => h('span', { class: 'tag' }, `${i.name}×${i.qty}`)),
        ),
        h(
          'td',
          {},
          b.status === 'UNPAID' || b.status === 'LOCKED'
            ? h(
                'button',
                {
                  class: 'btn small secondary',
                  onclick: async () => {
                    const r = await api(
                      'his',
                      'POST',
                      `bills/${encodeURIComponent(b.billNo)}/pay-at-window`,
                      {},
                    );
                    if (r.ok) await render();
                  },
                },
                '窗口缴费 Pay at window',
              )
            : null,
        ),
      ),
    );
    const addBill = h(
      'form',
      {
        class: 'inline',
        id: 'bill-form',
        onsubmit: async (e) => {
          e.preventDefault();
          const lines = val('bill-items')
            .split(/\n|,/)
            .map((x) => x.trim())
            .filter(Boolean);
          const billItems = [];
          for (const line of lines) {
            const [code, qty, price] = line.split(':').map((x) => x.trim());
            const c = byCode.get(code);
            const priceFen = price !== undefined ? Number(price) : c?.priceFen;
            if (priceFen === undefined) {
              showAnswer('his', 'POST', 'bills', undefined, {
                ok: false,
                status: 0,
                body: null,
                error: `${code} 不在医保目录 is not in the insurance catalogue: write code:qty:priceFen`,
              });
              return;
            }
            const item = { code, name: c ? c.name : code, price: priceFen, qty: Number(qty || 1) };
            if (c?.class) item.insuranceClass = c.class;
            billItems.push(item);
          }
          const body = { patientId: val('bill-patient'), items: billItems };
          if (val('bill-dept')) body.dept = val('bill-dept');
          const r = await api('his', 'POST', 'bills', body);
          if (r.ok) await render();
        },
      },
      field(
        '患者',
        'Patient',
        h(
          'select',
          { id: 'bill-patient' },
          asArray(patients.body, 'patients').map((p) =>
            h('option', { value: p.patientId }, `${p.patientId} ${p.name}`),
          ),
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
    return [
      h('h2', {}, bi('患者与账单', 'HIS patients & bills')),
      h(
        'div',
        { class: 'card' },
        h('h3', {}, bi('新增账单', 'Add a bill')),
        addBill,
        h(
          'details',
          {},
          h('summary', {}, '医保目录 Catalogue (codes, prices)'),
          catalogue.ok
            ? table(
                ['code', ['名称', 'Name'], ['类别', 'Class'], ['参考价', 'Price']],
                items.map((c) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, c.code),
                    h('td', {}, c.name),
                    h('td', {}, c.class),
                    h('td', {}, yuan(c.priceFen)),
                  ),
                ),
              )
            : errorBox(catalogue),
        ),
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
          billRows,
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
  },

  async scenarios() {
    const describe = (d) =>
      d && typeof d === 'object' ? [d.zh, d.en].filter(Boolean).join(' / ') : (d ?? '');
    const lists = await Promise.all(MOCKS.map((m) => api(m, 'GET', 'scenarios', undefined, true)));
    const globals = await Promise.all(MOCKS.map((m) => api(m, 'GET', 'scenario', undefined, true)));
    const sessions = await Promise.all(MOCKS.map((m) => api(m, 'GET', 'sessions', undefined, true)));
    // the catalogue is shared: one table, each scenario set on the mocks it acts on
    const byName = new Map();
    MOCKS.forEach((m, i) => {
      for (const s of asArray(lists[i].body, 'scenarios')) {
        const sc = typeof s === 'string' ? { name: s } : s;
        const prev = byName.get(sc.name) || { ...sc, on: [] };
        if (Array.isArray(sc.mocks) ? sc.mocks.includes(m) : sc.appliesHere !== false) prev.on.push(m);
        byName.set(sc.name, prev);
      }
    });
    const activeOn = (name) => MOCKS.filter((m, i) => globals[i].ok && globals[i].body?.name === name);
    const sessionInput = h('input', {
      id: 'scenario-session',
      placeholder: '空 = 全局 blank = global',
      size: 22,
    });
    const set = async (name, targets) => {
      const session = sessionInput.value.trim();
      const path = session ? `sessions/${encodeURIComponent(session)}/scenario` : 'scenario';
      let allOk = true;
      for (const m of targets) allOk = (await api(m, 'PUT', path, { name })).ok && allOk;
      if (allOk) await render();
    };
    const rows = [...byName.values()].map((s) =>
      h(
        'tr',
        { 'data-scenario': s.name },
        h(
          'td',
          { class: 'nowrap' },
          h('b', {}, s.name),
          activeOn(s.name).length
            ? h('div', { class: 'ok' }, `● 全局启用 active on ${activeOn(s.name).join(', ')}`)
            : null,
        ),
        h('td', {}, describe(s.description)),
        h(
          'td',
          {},
          (s.on.length ? s.on : MOCKS).map((m) => h('span', { class: 'tag' }, m)),
        ),
        h(
          'td',
          {},
          h(
            'button',
            { class: 'btn small use-scenario', onclick: () => set(s.name, s.on.length ? s.on : MOCKS) },
            '启用 Use',
          ),
        ),
      ),
    );
    const failed = MOCKS.map((m, i) =>
      lists[i].ok
        ? null
        : h(
            'div',
            { class: 'error scenarios-error' },
            `${LABEL[m]} GET /__admin/scenarios: ${lists[i].error}`,
          ),
    );
    const status = MOCKS.map((m, i) =>
      h(
        'div',
        { class: 'card', id: `scenario-status-${m}` },
        h('h3', {}, LABEL[m]),
        h(
          'div',
          {},
          '全局 Global: ',
          globals[i].ok
            ? h('b', { class: 'global-scenario' }, globals[i].body?.name ?? '（无 none）')
            : h('span', { class: 'bad' }, globals[i].error),
        ),
        sessions[i].ok
          ? table(
              [
                ['会话', 'Session'],
                ['场景', 'Scenario'],
                ['绑定', 'Identities'],
              ],
              asArray(sessions[i].body, 'sessions').map((x) =>
                h(
                  'tr',
                  {},
                  h('td', {}, x.session),
                  h('td', {}, x.scenario ?? ''),
                  h('td', {}, JSON.stringify(x.identities ?? {})),
                ),
              ),
            )
          : h('div', { class: 'error' }, `GET /__admin/sessions: ${sessions[i].error}`),
      ),
    );
    return [
      h('h2', {}, bi('场景', 'Scenarios: global or per session')),
      h(
        'div',
        { class: 'card' },
        h(
          'div',
          { class: 'row' },
          field('会话', 'Session (X-Mock-Session / cookie mock_session)', sessionInput),
          h(
            'button',
            { class: 'btn danger', id: 'scenario-clear', onclick: () => set(null, MOCKS) },
            '清除 Clear (all mocks)',
          ),
        ),
        failed,
        table([['场景', 'Scenario'], ['说明', 'Description'], ['作用于', 'Acts on'], ''], rows, {
          id: 'scenarios-table',
        }),
      ),
      h('div', { class: 'grid3' }, status),
    ];
  },

  async faults() {
    const latencyMode = h(
      'select',
      { id: 'fault-latency-mode' },
      h('option', { value: 'fixed' }, '固定 fixed'),
      h('option', { value: 'uniform' }, '均匀 uniform (min–max)'),
      h('option', { value: 'longTail' }, '长尾 long tail (p50, p99)'),
    );
    const form = h(
      'form',
      {
        class: 'inline',
        id: 'fault-form',
        onsubmit: async (e) => {
          e.preventDefault();
          const body = { path: val('fault-path'), kind: val('fault-kind') };
          if (val('fault-method')) body.method = val('fault-method');
          if (val('fault-status')) body.status = Number(val('fault-status'));
          const a = val('fault-latency-a');
          const b = val('fault-latency-b');
          if (a) {
            if (latencyMode.value === 'fixed') body.latencyMs = Number(a);
            else if (latencyMode.value === 'uniform')
              body.latency = { uniform: { minMs: Number(a), maxMs: Number(b || a) } };
            else body.latency = { longTail: { p50Ms: Number(a), p99Ms: Number(b || a) } };
          }
          if (val('fault-rate')) body.rate = Number(val('fault-rate'));
          if (val('fault-count')) body.count = Number(val('fault-count'));
          const r = await api(val('fault-mock'), 'POST', 'faults', body);
          if (r.ok) await render();
        },
      },
      field('网关', 'Mock', mockSelect('fault-mock', 'his')),
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
          [
            ['error5xx', '5xx 错误'],
            ['timeout', '超时 timeout'],
            ['latency', '延迟 latency'],
            ['malformed', '报文损坏 malformed'],
            ['reset', '连接重置 reset'],
            ['badSignature', '签名错误 bad signature'],
          ].map(([v, t]) => h('option', { value: v }, t)),
        ),
      ),
      field(
        '状态码',
        'Status',
        h('input', { id: 'fault-status', type: 'number', placeholder: '503', style: 'width:70px' }),
      ),
      field('延迟分布', 'Latency', latencyMode),
      field(
        '毫秒',
        'ms (or min / p50)',
        h('input', { id: 'fault-latency-a', type: 'number', style: 'width:80px' }),
      ),
      field('至', 'max / p99 ms', h('input', { id: 'fault-latency-b', type: 'number', style: 'width:80px' })),
      field(
        '比例',
        'Rate 0–1',
        h('input', { id: 'fault-rate', type: 'number', step: '0.05', min: 0, max: 1, style: 'width:70px' }),
      ),
      field('次数', 'Count', h('input', { id: 'fault-count', type: 'number', min: 1, style: 'width:60px' })),
      h('button', { class: 'btn', id: 'fault-add' }, '注入 Add fault'),
    );
    const lists = [];
    for (const m of MOCKS) {
      const r = await api(m, 'GET', 'faults', undefined, true);
      const rows = asArray(r.body, 'faults').map((f) =>
        h(
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
            ['status', 'latencyMs', 'latency', 'rate', 'count', 'passes']
              .filter((k) => f[k] !== undefined)
              .map((k) =>
                h('span', { class: 'tag' }, `${k} ${typeof f[k] === 'object' ? JSON.stringify(f[k]) : f[k]}`),
              ),
          ),
          h('td', { class: 'hits' }, f.hits ?? ''),
          h(
            'td',
            {},
            h(
              'button',
              {
                class: 'btn small danger',
                onclick: async () => {
                  const x = await api(m, 'DELETE', `faults/${f.id}`);
                  if (x.ok) await render();
                },
              },
              '删除 Remove',
            ),
          ),
        ),
      );
      lists.push(
        h(
          'div',
          { class: 'card', id: `faults-${m}` },
          h(
            'h3',
            {},
            LABEL[m],
            ' ',
            h(
              'button',
              {
                class: 'btn small danger',
                onclick: async () => {
                  const x = await api(m, 'DELETE', 'faults');
                  if (x.ok) await render();
                },
              },
              '全部清除 Clear all',
            ),
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
            rows,
          ),
        ),
      );
    }
    return [
      h('h2', {}, bi('故障注入', 'Faults')),
      h('div', { class: 'card' }, h('h3', {}, bi('注入故障', 'Add a fault')), form),
      h('div', { id: 'faults-list' }, lists),
    ];
  },

  async journal() {
    const s = state.journal;
    const q = new URLSearchParams();
    for (const k of ['path', 'method', 'status', 'from', 'to', 'limit']) if (s[k]) q.set(k, s[k]);
    if (s.text) q.set('q', s.text);
    if (s.tag) q.set('tag', s.tag);
    const r = await api(s.mock, 'GET', `journal${q.size ? `?${q}` : ''}`, undefined, true);
    const entries = asArray(r.body, 'entries');
    const detail = h(
      'div',
      { id: 'journal-detail' },
      h('div', { class: 'muted' }, '点击一行查看请求与应答 · Click a row for its request and response'),
    );
    const rows = entries.map((e) => {
      const tr = h(
        'tr',
        {
          class: 'clickable',
          onclick: () => {
            for (const x of tr.parentNode.children) x.classList.remove('selected');
            tr.classList.add('selected');
            detail.replaceChildren(
              h('h3', {}, `#${e.seq} ${e.method} ${e.path}${e.query ? `?${e.query}` : ''} → ${e.status}`),
              h(
                'div',
                { class: 'muted' },
                `${cst(e.atMs)} CST · ${e.durationMs} ms${e.fault ? ` · fault ${e.fault}` : ''}`,
              ),
              h(
                'div',
                {},
                Object.entries(e.tags || {}).map(([k, v]) => h('span', { class: 'tag' }, `${k}=${v}`)),
              ),
              h('h3', {}, bi('请求', 'Request')),
              h('pre', {}, prettyText(e.requestBody)),
              h('h3', {}, bi('应答', 'Response')),
              h('pre', {}, prettyText(e.responseBody)),
            );
          },
        },
        h('td', {}, e.seq),
        h('td', {}, cst(e.atMs).slice(5)),
        h('td', {}, e.method),
        h('td', {}, e.path),
        h('td', { class: e.status >= 400 ? 'bad' : '' }, e.status),
        h('td', {}, e.durationMs),
        h('td', {}, e.fault ?? ''),
        // the tags (long ids) are in the detail pane; here only how many, to keep the table inside its card
        h('td', { class: 'muted' }, String(Object.keys(e.tags || {}).length)),
      );
      return tr;
    });
    const input = (k, zh, en, size = 12, placeholder = '') =>
      field(zh, en, h('input', { id: `journal-${k}`, value: s[k] || '', size, placeholder }));
    const search = h(
      'form',
      {
        class: 'inline',
        id: 'journal-form',
        onsubmit: async (ev) => {
          ev.preventDefault();
          state.journal = { mock: val('journal-mock') };
          for (const k of ['path', 'method', 'status', 'tag', 'text', 'from', 'to', 'limit'])
            state.journal[k] = val(`journal-${k}`);
          await render();
        },
      },
      field('网关', 'Mock', mockSelect('journal-mock', s.mock)),
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
    const verifyOut = h('div', { id: 'verify-result' });
    const verify = h(
      'form',
      {
        class: 'inline',
        id: 'verify-form',
        onsubmit: async (ev) => {
          ev.preventDefault();
          const body = { path: val('verify-path') };
          if (val('verify-method')) body.method = val('verify-method').toUpperCase();
          if (val('verify-body')) body.bodyContains = val('verify-body');
          if (val('verify-tag')) {
            const [k, ...v] = val('verify-tag').split('=');
            body.tags = { [k]: v.join('=') };
          }
          if (val('verify-times')) body.times = Number(val('verify-times'));
          if (val('verify-status'))
            body.status = /^\d+$/.test(val('verify-status'))
              ? Number(val('verify-status'))
              : val('verify-status');
          const x = await api(val('journal-mock'), 'POST', 'journal/verify', body);
          verifyOut.replaceChildren(
            x.ok
              ? h(
                  'div',
                  {},
                  h(
                    'div',
                    { class: x.body.ok ? 'ok' : 'bad' },
                    `${x.body.ok ? '✓ 符合 as expected' : '✗ 不符 not as expected'} — ${x.body.count} 次 request(s); 期望 expected ${typeof x.body.expected === 'object' ? JSON.stringify(x.body.expected) : (x.body.expected ?? '')}`,
                  ),
                  x.body.byStatus && Object.keys(x.body.byStatus).length
                    ? h(
                        'div',
                        { id: 'verify-by-status' },
                        '按应答状态 by status answered: ',
                        Object.entries(x.body.byStatus).map(([status, n]) =>
                          h(
                            'span',
                            { class: `tag ${Number(status) >= 400 ? 'bad' : ''}` },
                            `HTTP ${status} × ${n}`,
                          ),
                        ),
                      )
                    : null,
                  x.body.nearMisses?.length
                    ? h(
                        'details',
                        {},
                        h('summary', {}, `相近请求 near misses (${x.body.nearMisses.length})`),
                        h('pre', {}, pretty(x.body.nearMisses)),
                      )
                    : null,
                )
              : errorBox(x),
          );
        },
      },
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
    return [
      h('h2', {}, bi('请求日志', 'Journal')),
      h('div', { class: 'card' }, search, verify, verifyOut),
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
  },

  async notifications() {
    /** the newest attempt failed (4xx/5xx, no answer, not acknowledged): a delivered one may still fail on replay */
    const lastAttempt = (n) => (n.history || [])[(n.history || []).length - 1];
    const lastAttemptFailed = (n) => {
      const at = lastAttempt(n);
      return Boolean(at && (at.error || (typeof at.status === 'number' && at.status >= 300)));
    };
    const lastAttemptText = (n) => {
      const at = lastAttempt(n);
      return [
        at.status === undefined ? null : `HTTP ${at.status}`,
        at.error,
        at.replay ? '(重放 replay)' : null,
      ]
        .filter(Boolean)
        .join(' ');
    };
    const r = await api('wechatpay', 'GET', 'notifications', undefined, true);
    const detail = h(
      'div',
      { id: 'notification-detail', class: 'card' },
      h(
        'div',
        { class: 'muted' },
        '点击“详情”查看尝试记录与报文 · Detail shows the attempts and the message',
      ),
    );
    const rows = asArray(r.body, 'notifications').map((n) =>
      h(
        'tr',
        { 'data-id': n.id },
        h('td', { class: 'mono' }, clip(n.id), h('div', { class: 'muted event' }, n.eventType)),
        h(
          'td',
          { class: 'mono' },
          clip(n.outTradeNo ?? ''),
          n.outRefundNo ? clip(n.outRefundNo) : null,
          clip(n.url, 'muted'),
        ),
        h('td', { class: 'attempts' }, n.attempts),
        h('td', { class: 'history' }, (n.history || []).length),
        h(
          'td',
          {},
          n.delivered
            ? h('span', { class: 'ok' }, '已送达 delivered')
            : h('span', { class: 'bad' }, '未送达 not delivered'),
          lastAttemptFailed(n)
            ? h(
                'div',
                { class: 'bad last-failed', title: lastAttemptText(n) },
                `最近 last ✗ ${lastAttempt(n).status ?? '—'}`,
              )
            : n.lastStatus !== undefined
              ? h('div', { class: 'muted' }, `HTTP ${n.lastStatus}`)
              : null,
        ),
        h('td', { class: 'nowrap' }, n.nextAttemptAtMs ? cst(n.nextAttemptAtMs).slice(5, 16) : '—'),
        h(
          'td',
          { class: 'actions' },
          h(
            'button',
            {
              class: 'btn small replay',
              onclick: async () => {
                const x = await deliver(`notifications/${encodeURIComponent(n.id)}/replay`, {});
                // the history grows whatever the merchant answered
                if (x.status >= 200 && x.status < 300) await render();
              },
            },
            '重放 Replay',
          ),
          h(
            'button',
            {
              class: 'btn small secondary',
              onclick: async () => {
                const x = await api('wechatpay', 'GET', `notifications/${encodeURIComponent(n.id)}`);
                detail.replaceChildren(
                  x.ok
                    ? h(
                        'div',
                        {},
                        h('h3', {}, `${n.id} ${n.eventType}`),
                        h('h3', {}, bi('尝试记录', 'Attempts')),
                        table(
                          ['#', ['时间', 'At'], ['状态', 'Status'], ['错误', 'Error'], ['重放', 'Replay']],
                          (x.body.history || []).map((at, i) =>
                            h(
                              'tr',
                              {},
                              h('td', {}, i + 1),
                              h('td', {}, cst(at.atMs)),
                              h('td', {}, at.status ?? ''),
                              h('td', {}, at.error ?? ''),
                              h('td', {}, at.replay ? '是 yes' : ''),
                            ),
                          ),
                        ),
                        h('h3', {}, bi('明文', 'Plaintext')),
                        h('pre', {}, pretty(x.body.plaintext)),
                        h('h3', {}, bi('最后一次请求头', 'Last headers')),
                        h('pre', {}, pretty(x.body.lastHeaders)),
                      )
                    : errorBox(x),
                );
              },
            },
            '详情 Detail',
          ),
        ),
      ),
    );
    const send = h(
      'form',
      {
        class: 'inline',
        id: 'callback-form',
        onsubmit: async (ev) => {
          ev.preventDefault();
          let resource;
          try {
            resource = JSON.parse(val('cb-resource') || '{}');
          } catch (err) {
            showAnswer('wechatpay', 'POST', 'callbacks/send', undefined, {
              ok: false,
              status: 0,
              body: null,
              error: `resource 不是 JSON is not JSON: ${err.message}`,
            });
            return;
          }
          const r2 = await deliver('callbacks/send', {
            url: val('cb-url'),
            eventType: val('cb-event'),
            resource,
            signature: val('cb-signature'),
          });
          if (r2.status >= 200 && r2.status < 300) await render();
        },
      },
      field(
        '回调地址',
        'URL',
        h('input', {
          id: 'cb-url',
          size: 34,
          required: true,
          placeholder: 'http://127.0.0.1:3000/api/v1/notify/wechatpay',
        }),
      ),
      field(
        '事件',
        'Event type',
        h(
          'select',
          { id: 'cb-event' },
          [
            'TRANSACTION.SUCCESS',
            'MEDICAL_INSURANCE.SUCCESS',
            'REFUND.SUCCESS',
            'REFUND.ABNORMAL',
            'REFUND.CLOSED',
          ].map((x) => h('option', { value: x }, x)),
        ),
      ),
      field(
        '签名',
        'Signature',
        h(
          'select',
          { id: 'cb-signature' },
          h('option', { value: 'valid' }, '有效 valid'),
          h('option', { value: 'invalid' }, '无效 invalid'),
          h('option', { value: 'signtest' }, '签名探测 signtest'),
        ),
      ),
      field(
        '明文资源（JSON）',
        'Resource plaintext (JSON)',
        h(
          'textarea',
          { id: 'cb-resource', rows: 3, cols: 40 },
          '{"out_trade_no": "T1", "trade_state": "SUCCESS"}',
        ),
      ),
      h('button', { class: 'btn' }, '发送 Send'),
    );
    return [
      h('h2', {}, bi('微信支付通知', 'WeChat Pay notifications (callbacks)')),
      h(
        'div',
        { class: 'card' },
        h(
          'h3',
          {},
          bi('通知', 'Notifications, newest first'),
          ' ',
          h(
            'button',
            { class: 'btn small secondary', id: 'notifications-refresh', onclick: () => render() },
            '刷新 Refresh',
          ),
        ),
        r.ok ? null : errorBox(r),
        table(
          [
            ['通知 id · 事件', 'Event'],
            ['商户单号 · 回调地址', 'outTradeNo · URL'],
            ['尝试', 'Tries'],
            ['记录', 'Hist.'],
            ['送达', 'Delivered'],
            ['下次', 'Next'],
            '',
          ],
          rows,
          { id: 'notifications-table' },
        ),
      ),
      detail,
      h('div', { class: 'card' }, h('h3', {}, bi('发送自定义通知', 'Send a custom callback')), send),
      h(
        'div',
        { class: 'card' },
        h('h3', {}, bi('平台证书', 'Platform certificates')),
        h(
          'button',
          {
            class: 'btn secondary',
            id: 'cert-rotate',
            onclick: () => api('wechatpay', 'POST', 'certificates/rotate', {}),
          },
          '轮换证书 Rotate certificates',
        ),
      ),
    ];
  },
};

// ───────────────────────── shell ─────────────────────────

const state = { tab: 'overview', journal: { mock: 'his', limit: '100' } };

let rendering = 0;
async function render() {
  const mine = ++rendering;
  for (const b of document.querySelectorAll('#tabs button'))
    b.classList.toggle('active', b.dataset.tab === state.tab);
  main.setAttribute('aria-busy', 'true');
  let content;
  try {
    content = await TABS[state.tab]();
  } catch (err) {
    content = [
      h(
        'div',
        { class: 'error' },
        `页面出错 The console hit an error: ${err && err.stack ? err.stack : err}`,
      ),
    ];
  }
  if (mine !== rendering) return; // a newer render won
  main.replaceChildren(...content.flat().filter(Boolean));
  main.setAttribute('aria-busy', 'false');
  main.dataset.tab = state.tab;
}

for (const b of document.querySelectorAll('#tabs button')) {
  b.addEventListener('click', () => {
    state.tab = b.dataset.tab;
    window.location.hash = state.tab;
    void render();
  });
}
const initial = window.location.hash.slice(1);
if (TABS[initial]) state.tab = initial;
void refreshHealth();
void render();
