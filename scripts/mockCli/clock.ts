/**
 * `clock [show | freeze | unfreeze | advance 3h | next-day 10:00 | set ISO]`: the clock of all three mocks, kept
 * in step. `npm run mocks` gives them one clock (moving one moves all); mocks in separate processes each have
 * their own, so the others are set to where the first one went. The move goes to the WeChat Pay mock first
 * (its clock call also sends the callbacks that became due).
 */
import type { ClockMove, ClockView } from '../../mocks/common/admin-client/types';
import { nextDayAt, parseDuration, UsageError, type Command, type Ctx, type MockName } from './context';
import { clockText } from './text';

const ORDER: MockName[] = ['wechatpay', 'insurance', 'his'];

async function show(ctx: Ctx): Promise<number> {
  const result: Record<string, unknown> = {};
  let ok = true;
  for (const mock of ORDER) {
    const a = await ctx.client.clock(mock);
    result[mock] = a.ok ? a.body : { error: a.error };
    ok = ctx.show(a, () => (a.ok ? `${mock.padEnd(10)} ${clockText(a.body)}` : undefined)) && ok;
  }
  return ctx.finish(ok ? 0 : 1, result);
}

/** The move the words ask for; throws a UsageError before anything is sent. */
function moveOf(sub: string, arg: string | undefined): ClockMove {
  switch (sub) {
    case 'freeze':
    case 'unfreeze':
      return { freeze: sub === 'freeze' };
    case 'advance':
      if (!arg) throw new UsageError('clock advance <duration, e.g. 3h>');
      parseDuration(arg); // validates
      return { advance: arg };
    case 'next-day': {
      const hhmm = arg ?? '00:00';
      nextDayAt(0, hhmm); // validates
      return { nextDay: hhmm.padStart(5, '0') };
    }
    case 'set':
      if (!arg || Number.isNaN(Date.parse(arg)))
        throw new UsageError('clock set <ISO 8601, e.g. 2026-12-01T09:00:00+08:00>');
      return { set: arg };
    default:
      throw new UsageError('clock show | freeze | unfreeze | advance 3h | next-day 10:00 | set ISO');
  }
}

export const clock: Command = async (ctx) => {
  const [sub = 'show', arg] = ctx.args;
  if (sub === 'show') return show(ctx);
  const move = moveOf(sub, arg);
  // the first reachable mock leads
  let lead: MockName | undefined;
  for (const mock of ORDER) {
    const a = await ctx.quiet.clock(mock);
    if (a.ok) {
      lead = mock;
      break;
    }
    ctx.show(a, () => undefined);
  }
  if (!lead) return ctx.finish(1, { error: 'no mock clock reachable' });
  const moved = await ctx.client.moveClock(lead, move);
  if (!ctx.show(moved, () => undefined) || !moved.ok) return ctx.finish(1);
  const after = moved.body;
  const result: Record<string, unknown> = {};
  for (const mock of ORDER) {
    let view: ClockView = after;
    if (mock !== lead) {
      const other = await ctx.client.clock(mock);
      if (!other.ok) {
        ctx.show(other, () => undefined);
        result[mock] = { error: other.error };
        continue;
      }
      view = other.body;
      // a separate clock: bring it to the lead's instant and state
      if (Math.abs(view.nowMs - after.nowMs) > 2000 || view.frozen !== after.frozen) {
        const synced = await ctx.client.moveClock(mock, { setMs: after.nowMs, freeze: after.frozen });
        if (synced.ok) view = synced.body;
      }
    }
    result[mock] = view;
    if (!ctx.json) ctx.io.out(`${mock.padEnd(10)} ${clockText(view)}`);
  }
  return ctx.finish(0, result);
};
