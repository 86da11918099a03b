/**
 * The console's operations page (supervisor only, DESIGN 12): `GET /api/v1/console/ops` → payments per minute and
 * success rate per channel over the last hour, the outside parties as this instance sees them (latency p50/p99,
 * errors, breaker), the DEAD outbox jobs; `POST /api/v1/console/ops/dead-jobs/:id/retry` puts one back in the
 * queue. Thin: the parties come from this instance's metrics, the rest from services/console/ops.ts.
 */
import Router from '@koa/router';
import type Koa from 'koa';
import { bigintIdSchema } from '../../shared/api';
import { opsSummary, retryDeadJob } from '../services/console/ops';
import type { Deps } from '../services/deps';
import { consoleActorOf, requireConsole } from './consoleRoutes';
import { partyViews, type Metrics } from './metrics';
import { pathId } from './params';

export function opsConsoleRoutes(deps: Deps, metrics: Metrics, rateLimit: Koa.Middleware): Router {
  const r = new Router({ prefix: '/api/v1/console/ops' });
  const supervisor = requireConsole(deps)('supervisor');

  r.get('/', supervisor, rateLimit, async (ctx) => {
    ctx.body = await opsSummary(deps, await partyViews(metrics));
  });
  r.post('/dead-jobs/:id/retry', supervisor, rateLimit, async (ctx) => {
    const id = pathId(ctx, 'id', bigintIdSchema);
    ctx.body = await retryDeadJob(deps, String(id), consoleActorOf(ctx));
  });
  return r;
}
