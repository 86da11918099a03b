/**
 * 概览 Overview: each mock up or down with a link to its OpenAPI, reset; the mock clock read, frozen or
 * unfrozen, moved forward, to the next day at a time of day, or set. Also the health pills in the header.
 */
import { durationMs, nextDayAtMs, cstText } from '../../../common/admin-client/format';
import type { ClockMove, MockName } from '../../../common/admin-client/types';
import { admin, MOCKS, quiet, showAnswer, showProblem } from '../api';
import { bi, errorBox, field, form, h, MOCK_LABEL, val, type Child } from '../dom';
import { mockBaseUrl, render } from '../shell';

interface Health {
  up: boolean;
  status: number;
  url: string;
  error?: string;
}

export async function refreshHealth(): Promise<Partial<Record<MockName, Health>>> {
  const box = document.getElementById('health')!;
  try {
    const res = await window.fetch('/__console/health');
    const health = (await res.json()) as Partial<Record<MockName, Health>>;
    box.replaceChildren(
      ...MOCKS.map((m) =>
        h(
          'span',
          { class: `pill ${health[m]?.up ? 'up' : 'down'}`, title: health[m]?.url },
          `${MOCK_LABEL[m]} ${health[m]?.up ? '●' : '✗'}`,
        ),
      ),
    );
    return health;
  } catch (err) {
    box.replaceChildren(h('span', { class: 'pill down' }, `console server: ${String(err)}`));
    return {};
  }
}

/** The move the tester typed, or why it is not one. */
function moveOf(
  kind: 'freeze' | 'advance' | 'nextDay' | 'set',
  arg: string | boolean,
  nowMs: number,
): ClockMove {
  if (kind === 'freeze') return { freeze: arg === true };
  const text = String(arg);
  if (kind === 'advance') {
    if (durationMs(text) === null) throw new Error(`时长格式 a duration like 3h, 90m, 1h30m (got "${text}")`);
    return { advance: text };
  }
  if (kind === 'nextDay') {
    if (nextDayAtMs(nowMs, text) === null) throw new Error(`时间格式 HH:mm (got "${text}")`);
    return { nextDay: text.padStart(5, '0') };
  }
  if (Number.isNaN(Date.parse(text))) throw new Error(`ISO 8601 时间 (got "${text}")`);
  return { set: text };
}

/**
 * Moves the clock through the WeChat Pay mock (its clock call also sends the callbacks that became due), then
 * brings any mock with a clock of its own to the same instant (`npm run mocks` shares one clock).
 */
async function moveClock(
  kind: 'freeze' | 'advance' | 'nextDay' | 'set',
  arg: string | boolean,
): Promise<void> {
  const lead: MockName = 'wechatpay';
  const before = await quiet.clock(lead);
  if (!before.ok) return showAnswer(before);
  let move: ClockMove;
  try {
    move = moveOf(kind, arg, before.body.nowMs);
  } catch (err) {
    return showProblem(lead, 'POST', 'clock', err instanceof Error ? err.message : String(err));
  }
  const moved = await admin.moveClock(lead, move);
  if (moved.ok) {
    for (const m of MOCKS.filter((x) => x !== lead)) {
      const c = await quiet.clock(m);
      if (c.ok && (Math.abs(c.body.nowMs - moved.body.nowMs) > 2000 || c.body.frozen !== moved.body.frozen))
        await admin.moveClock(m, { setMs: moved.body.nowMs, freeze: moved.body.frozen });
    }
  }
  await render();
}

function clockCard(): HTMLElement {
  return h(
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
      ['15s', '5m', '1h', '3h', '1d'].map((d) =>
        h('button', { class: 'btn secondary', onclick: () => moveClock('advance', d) }, `+${d}`),
      ),
    ),
    form(
      {},
      () => moveClock('advance', val('clock-advance')),
      field('前进', 'Advance by', h('input', { id: 'clock-advance', value: '3h', size: 8 })),
      h('button', { class: 'btn' }, '前进 Advance'),
    ),
    form(
      {},
      () => moveClock('nextDay', val('clock-nextday')),
      field('次日时刻', 'Next day at (HH:mm)', h('input', { id: 'clock-nextday', value: '10:00', size: 8 })),
      h('button', { class: 'btn', id: 'clock-nextday-go' }, '到次日 Next day'),
    ),
    form(
      {},
      () => moveClock('set', val('clock-set')),
      field(
        '设为',
        'Set to (ISO 8601)',
        h('input', { id: 'clock-set', placeholder: '2026-12-01T09:00:00+08:00', size: 28 }),
      ),
      h('button', { class: 'btn' }, '设置 Set'),
    ),
  );
}

export async function overview(): Promise<Child[]> {
  const health = await refreshHealth();
  const cards: HTMLElement[] = [];
  for (const m of MOCKS) {
    const c = await quiet.clock(m);
    const base = mockBaseUrl(m) || health[m]?.url || '';
    const up = health[m]?.up;
    cards.push(
      h(
        'div',
        { class: 'card', id: `overview-${m}` },
        h(
          'h3',
          {},
          MOCK_LABEL[m],
          ' ',
          h('span', { class: up ? 'ok' : 'bad' }, up ? '运行中 up' : '不可用 down'),
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
              h('div', { class: 'clock' }, cstText(c.body.nowMs)),
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
                await admin.reset(m);
                await render();
              },
            },
            '重置 Reset to seed',
          ),
        ),
      ),
    );
  }
  return [h('h2', {}, bi('概览', 'Overview')), h('div', { class: 'grid3' }, cards), clockCard()];
}
