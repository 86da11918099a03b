/** `journal <mock> …` (search the requests a mock received) and `verify <mock> --path …` (was it called?). */
import type { JournalSearch, VerifyInput } from '../../mocks/common/admin-client/types';
import { int, mockName, tagsOf, UsageError, type Command } from './context';
import { journalLine } from './text';

export const journal: Command = async (ctx) => {
  const mock = mockName(ctx.args[0]);
  const { values } = ctx;
  const search: JournalSearch = {
    path: values.path,
    method: values.method,
    from: values.from,
    to: values.to,
    limit: values.limit,
    status: values.status,
    q: values.text,
    tag: values.tag,
  };
  const a = await ctx.client.journal(mock, search);
  return ctx.finish(
    ctx.show(a, () => {
      const list = a.ok ? a.body : [];
      return list.length === 0 ? `${mock}: no requests match` : list.map(journalLine).join('\n');
    })
      ? 0
      : 1,
    a.ok ? a.body : a,
  );
};

export const verify: Command = async (ctx) => {
  const { values, io } = ctx;
  const mock = mockName(ctx.args[0]);
  if (!values.path) throw new UsageError('verify <mock> --path p');
  const body: VerifyInput = { path: values.path };
  if (values.method) body.method = values.method.toUpperCase();
  if (values['body-contains'] !== undefined) body.bodyContains = values['body-contains'];
  const tags = tagsOf(values);
  if (tags) body.tags = tags;
  const times = int(values.times, '--times');
  if (times !== undefined) body.times = times;
  const a = await ctx.client.verify(mock, body);
  if (!a.ok) return ctx.finish(ctx.show(a, () => undefined) ? 0 : 1);
  const result = a.body;
  if (!ctx.json) {
    const expected = result.expected ?? (times === undefined ? 'at least 1' : String(times));
    const what = `${body.method ?? '*'} ${values.path}${values['body-contains'] ? ` containing "${values['body-contains']}"` : ''}${tags ? ` tagged ${JSON.stringify(tags)}` : ''}`;
    (result.ok ? io.out : io.err)(
      `${result.ok ? '✓' : '✗'} ${mock}: ${what}: ${result.count} request(s), expected ${expected}`,
    );
    if (!result.ok && result.nearMisses?.length) {
      io.err('  near misses:');
      for (const n of result.nearMisses.slice(0, 5))
        io.err(`    ${journalLine(n)}${n.hints?.length ? `  ← ${n.hints.join('; ')}` : ''}`);
    }
  }
  return ctx.finish(result.ok ? 0 : 1, result);
};
