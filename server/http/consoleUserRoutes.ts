/**
 * Console users (supervisor only): `GET /api/v1/console/users`, `POST /api/v1/console/users` → the TOTP
 * enrolment, shown once. Thin: parse with the schema from shared/, call one service, shape the answer.
 */
import Router from '@koa/router';
import type Koa from 'koa';
import { createConsoleUserRequest } from '../../shared/api';
import { enrolConsoleUser, listConsoleUsers } from '../services/console/users';
import { consoleActorOf, requireConsole } from './consoleRoutes';
import type { Deps } from '../services/deps';

export function consoleUserRoutes(deps: Deps, rateLimit: Koa.Middleware): Router {
  const r = new Router({ prefix: '/api/v1/console' });
  const supervisor = requireConsole(deps)('supervisor');

  r.get('/users', supervisor, rateLimit, async (ctx) => {
    ctx.body = await listConsoleUsers(deps);
  });
  r.post('/users', supervisor, rateLimit, async (ctx) => {
    const req = createConsoleUserRequest.parse(ctx.request.body ?? {});
    const enrolment = await enrolConsoleUser(deps, req, consoleActorOf(ctx));
    // the answer holds the TOTP secret: no cache may keep it
    ctx.set('Cache-Control', 'no-store');
    ctx.status = 201;
    ctx.body = enrolment;
  });
  return r;
}
