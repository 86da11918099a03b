/** `status` (up/down and the clock of each mock) and `reset [mock]`. */
import { request } from '../../mocks/common/admin-client/client';
import { MOCKS, mocksOf, type Command } from './context';
import { clockText } from './text';

export const status: Command = async (ctx) => {
  let allOk = true;
  const rows = [];
  for (const mock of MOCKS) {
    const url = ctx.urls[mock];
    const health = await request(
      (u, init) => fetch(u, init),
      { mock, method: 'GET', path: '/healthz', url: `${url}/healthz`, base: url },
      undefined,
      { timeoutMs: 10_000 },
    );
    ctx.answers.push(health);
    const clock = health.ok ? await ctx.client.clock(mock) : undefined;
    const view = clock?.ok ? clock.body : undefined;
    allOk &&= health.ok;
    rows.push({ mock, url, up: health.ok, error: health.error, clock: view });
    if (!ctx.json)
      ctx.io.out(
        `${mock.padEnd(10)} ${url.padEnd(24)} ${health.ok ? 'up  ' : 'DOWN'} ${
          health.ok ? (view ? `clock ${clockText(view)}` : '') : health.error
        }`,
      );
  }
  return ctx.finish(allOk ? 0 : 1, rows);
};

export const reset: Command = async (ctx) => {
  let ok = true;
  for (const mock of mocksOf(ctx.args[0]))
    ok = ctx.show(await ctx.client.reset(mock), () => `${mock}: reset to the seed`) && ok;
  return ctx.finish(ok ? 0 : 1);
};
