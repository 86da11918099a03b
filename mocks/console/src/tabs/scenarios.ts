/**
 * 场景 Scenarios: the shared scenario catalogue in one table, each used on the mocks it acts on, globally or for
 * one session; cleared on all three; each mock's global scenario and its sessions.
 */
import { actsOn, describeScenario } from '../../../common/admin-client/format';
import type { MockName, ScenarioView } from '../../../common/admin-client/types';
import { admin, MOCKS, quiet } from '../api';
import { bi, field, h, MOCK_LABEL, table, type Child } from '../dom';
import { render } from '../shell';

type Row = ScenarioView & { on: MockName[] };

export async function scenarios(): Promise<Child[]> {
  const lists = await Promise.all(MOCKS.map((m) => quiet.scenarios(m)));
  const globals = await Promise.all(MOCKS.map((m) => quiet.globalScenario(m)));
  const sessions = await Promise.all(MOCKS.map((m) => quiet.sessions(m)));
  // the catalogue is shared: one table, each scenario set on the mocks it acts on
  const byName = new Map<string, Row>();
  MOCKS.forEach((m, i) => {
    const list = lists[i];
    for (const s of list.ok ? list.body : []) {
      const row = byName.get(s.name) ?? { ...s, on: [] };
      if (actsOn(s, m)) row.on.push(m);
      byName.set(s.name, row);
    }
  });
  const activeOn = (name: string) =>
    MOCKS.filter((_m, i) => {
      const g = globals[i];
      return g.ok && g.body.name === name;
    });
  const sessionInput = h('input', {
    id: 'scenario-session',
    placeholder: '空 = 全局 blank = global',
    size: 22,
  });
  const set = async (name: string | null, targets: readonly MockName[]) => {
    const session = sessionInput.value.trim() || undefined;
    let allOk = true;
    for (const m of targets) allOk = (await admin.setScenario(m, name, session)).ok && allOk;
    if (allOk) await render();
  };
  const rows = [...byName.values()].map((s) => {
    const targets = s.on.length ? s.on : MOCKS;
    const active = activeOn(s.name);
    return h(
      'tr',
      { 'data-scenario': s.name },
      h(
        'td',
        { class: 'nowrap' },
        h('b', {}, s.name),
        active.length ? h('div', { class: 'ok' }, `● 全局启用 active on ${active.join(', ')}`) : null,
      ),
      h('td', {}, describeScenario(s.description)),
      h(
        'td',
        {},
        targets.map((m) => h('span', { class: 'tag' }, m)),
      ),
      h(
        'td',
        {},
        h('button', { class: 'btn small use-scenario', onclick: () => set(s.name, targets) }, '启用 Use'),
      ),
    );
  });
  const failed = MOCKS.map((m, i) => {
    const list = lists[i];
    return list.ok
      ? null
      : h(
          'div',
          { class: 'error scenarios-error' },
          `${MOCK_LABEL[m]} GET /__admin/scenarios: ${list.error}`,
        );
  });
  const status = MOCKS.map((m, i) => {
    const g = globals[i];
    const s = sessions[i];
    return h(
      'div',
      { class: 'card', id: `scenario-status-${m}` },
      h('h3', {}, MOCK_LABEL[m]),
      h(
        'div',
        {},
        '全局 Global: ',
        g.ok
          ? h('b', { class: 'global-scenario' }, g.body.name ?? '（无 none）')
          : h('span', { class: 'bad' }, g.error),
      ),
      s.ok
        ? table(
            [
              ['会话', 'Session'],
              ['场景', 'Scenario'],
              ['绑定', 'Identities'],
            ],
            s.body.sessions.map((x) =>
              h(
                'tr',
                {},
                h('td', {}, x.session),
                h('td', {}, x.scenario ?? ''),
                h('td', {}, JSON.stringify(x.identities ?? {})),
              ),
            ),
          )
        : h('div', { class: 'error' }, `GET /__admin/sessions: ${s.error}`),
    );
  });
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
}
