/** `fault add <mock> <path> <kind> …`, `fault list [mock]`, `fault clear [mock]`. */
import type { FaultInput, FaultKind } from '../../mocks/common/admin-client/types';
import { int, mockName, mocksOf, UsageError, type Command, type Ctx, type Values } from './context';
import { faultLine } from './text';

/** The fault the options describe; the mock checks the rest (and says why it refuses). */
function faultOf(path: string, kindArg: string, values: Values): FaultInput {
  const kind = (/^5(xx|\d\d)$/.test(kindArg) ? 'error5xx' : kindArg) as FaultKind;
  const body: FaultInput = { path, kind };
  if (values.method) body.method = values.method.toUpperCase();
  if (values.status !== undefined) body.status = int(values.status, '--status');
  else if (/^5\d\d$/.test(kindArg)) body.status = Number(kindArg);
  if (values.latency !== undefined) {
    const range = /^(\d+)(?:-|\.\.)(\d+)$/.exec(values.latency);
    if (range) body.latency = { uniform: { minMs: Number(range[1]), maxMs: Number(range[2]) } };
    else body.latencyMs = int(values.latency, '--latency');
  }
  if (values['long-tail'] !== undefined) {
    const [p50, p99] = values['long-tail'].split(',').map((x) => int(x, '--long-tail p50,p99'));
    if (p50 === undefined || p99 === undefined) throw new UsageError('--long-tail p50Ms,p99Ms');
    body.latency = { longTail: { p50Ms: p50, p99Ms: p99 } };
  }
  if (values.count !== undefined) body.count = int(values.count, '--count');
  if (values.rate !== undefined) body.rate = Number(values.rate);
  return body;
}

async function add(ctx: Ctx, [m, path, kindArg]: string[]): Promise<number> {
  const mock = mockName(m);
  if (!path?.startsWith('/') || !kindArg)
    throw new UsageError('fault add <mock> <path starting with /> <kind>');
  const a = await ctx.client.addFault(mock, faultOf(path, kindArg, ctx.values));
  return ctx.finish(ctx.show(a, () => (a.ok ? `${mock}: fault ${faultLine(a.body)}` : undefined)) ? 0 : 1);
}

async function listOrClear(ctx: Ctx, sub: 'list' | 'clear', mockArg: string | undefined): Promise<number> {
  let ok = true;
  const result: Record<string, unknown> = {};
  for (const mock of mocksOf(mockArg)) {
    if (sub === 'clear') {
      const a = await ctx.client.clearFaults(mock);
      result[mock] = a.ok ? (a.body ?? 'cleared') : { error: a.error };
      ok = ctx.show(a, () => `${mock}: faults cleared`) && ok;
      continue;
    }
    const a = await ctx.client.faults(mock);
    result[mock] = a.ok ? a.body : { error: a.error };
    ok =
      ctx.show(a, () => {
        const list = a.ok ? a.body : [];
        return list.length === 0
          ? `${mock}: no faults`
          : [`${mock}:`, ...list.map((f) => `  ${faultLine(f)}`)].join('\n');
      }) && ok;
  }
  return ctx.finish(ok ? 0 : 1, result);
}

export const fault: Command = async (ctx) => {
  const [sub, ...args] = ctx.args;
  if (sub === 'add') return add(ctx, args);
  if (sub === 'list' || sub === 'clear') return listOrClear(ctx, sub, args[0]);
  throw new UsageError('fault add|list|clear');
};
