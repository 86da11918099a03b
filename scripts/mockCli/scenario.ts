/** `scenarios`, `scenario set|clear` and `sessions`: which scenario each mock plays, globally or per session. */
import { actsOn, describeScenario } from '../../mocks/common/admin-client/format';
import { MOCKS, mockName, mocksOf, UsageError, type Command, type MockName } from './context';

export const scenarios: Command = async (ctx) => {
  let ok = true;
  const result: Record<string, unknown> = {};
  for (const mock of mocksOf(ctx.values.mock)) {
    const a = await ctx.client.scenarios(mock);
    const current = a.ok ? await ctx.quiet.globalScenario(mock) : undefined;
    const active = current?.ok ? current.body.name : null;
    result[mock] = a.ok ? { global: active, scenarios: a.body } : { error: a.error };
    ok =
      ctx.show(a, () => {
        if (!a.ok) return undefined;
        // a shared catalogue lists every scenario everywhere: show here the ones that act on this mock
        const list = a.body.filter((s) => s.appliesHere !== false);
        const head = `${mock}: global scenario ${active ?? '(none)'}`;
        if (list.length === 0) return `${head}; no scenarios act on this mock`;
        return [
          head,
          ...list.map((s) => {
            const text = describeScenario(s.description);
            return `  ${s.name === active ? '*' : ' '} ${s.name}${text ? `  — ${text}` : ''}`;
          }),
        ].join('\n');
      }) && ok;
  }
  return ctx.finish(ok ? 0 : 1, result);
};

export const scenario: Command = async (ctx) => {
  const [sub, name] = ctx.args;
  const { values, io } = ctx;
  if (sub !== 'set' && sub !== 'clear') throw new UsageError('scenario set <name> | scenario clear');
  if (sub === 'set' && !name) throw new UsageError('scenario set <name>');
  let targets: MockName[];
  if (values.mock) targets = [mockName(values.mock)];
  else if (sub === 'clear') targets = [...MOCKS];
  else {
    // the mocks that offer this scenario; if none can tell, ask all three (their errors are shown)
    targets = [];
    const listed: MockName[] = [];
    for (const mock of MOCKS) {
      const a = await ctx.quiet.scenarios(mock);
      if (!a.ok) continue;
      listed.push(mock);
      const found = a.body.find((s) => s.name === name);
      if (found && actsOn(found, mock)) targets.push(mock);
    }
    if (targets.length === 0 && listed.length > 0) {
      io.err(`no mock offers the scenario "${name}" (see: npm run mock -- scenarios)`);
      return ctx.finish(1, { error: `unknown scenario ${name}` });
    }
    if (targets.length === 0) targets = [...MOCKS];
  }
  const session = values.session;
  let ok = true;
  for (const mock of targets)
    ok =
      ctx.show(await ctx.client.setScenario(mock, sub === 'set' ? name : null, session), () =>
        sub === 'set'
          ? `${mock}: scenario ${name}${session ? ` for session ${session}` : ' (global)'}`
          : `${mock}: scenario cleared${session ? ` for session ${session}` : ''}`,
      ) && ok;
  return ctx.finish(ok ? 0 : 1);
};

export const sessions: Command = async (ctx) => {
  let ok = true;
  const result: Record<string, unknown> = {};
  for (const mock of mocksOf(ctx.args[0] ?? ctx.values.mock)) {
    const a = await ctx.client.sessions(mock);
    result[mock] = a.ok ? a.body : { error: a.error };
    ok =
      ctx.show(a, () => {
        if (!a.ok) return undefined;
        const head = `${mock}: global scenario ${a.body.global ?? '(none)'}`;
        if (a.body.sessions.length === 0) return `${head}; no sessions`;
        return [
          head,
          ...a.body.sessions.map(
            (s) =>
              `  ${s.session}  scenario ${s.scenario ?? '(none)'}  ${JSON.stringify(s.identities ?? {})}`,
          ),
        ].join('\n');
      }) && ok;
  }
  return ctx.finish(ok ? 0 : 1, result);
};
