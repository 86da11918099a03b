/**
 * Console users (supervisor only): `GET /api/v1/console/users`, `POST /api/v1/console/users` → the TOTP
 * enrolment, shown once; and for one user (`:id` from the list): `POST …/users/:id/disable`, `…/enable`,
 * `…/password-reset` (a temporary password, shown once), `…/totp` (a new enrolment, shown once), `…/unlock`.
 * Thin: parse with the schema from shared/, call one service, shape the answer.
 */
import Router from '@koa/router';
import type Koa from 'koa';
import { createConsoleUserRequest, uuidParam } from '../../shared/api';
import {
  disableConsoleUser,
  enableConsoleUser,
  enrolConsoleUser,
  listConsoleUsers,
  reenrolConsoleTotp,
  resetConsolePassword,
  unlockConsoleUser,
} from '../services/console/users';
import type { Actor } from '../services/console/auth';
import { AppError } from '../services/errors';
import { consoleActorOf, requireConsole } from './consoleRoutes';
import type { Deps } from '../services/deps';

type UserAction = (deps: Deps, userId: string, by: Actor) => Promise<unknown>;

/** Answers that hold a secret (a TOTP secret, a temporary password): no cache may keep them. */
const ACTIONS: Record<string, { run: UserAction; secret: boolean }> = {
  disable: { run: disableConsoleUser, secret: false },
  enable: { run: enableConsoleUser, secret: false },
  'password-reset': { run: resetConsolePassword, secret: true },
  totp: { run: reenrolConsoleTotp, secret: true },
  unlock: { run: unlockConsoleUser, secret: false },
};

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
  for (const [name, action] of Object.entries(ACTIONS))
    r.post(`/users/:id/${name}`, supervisor, rateLimit, async (ctx) => {
      const id = uuidParam.safeParse(ctx.params.id);
      if (!id.success) throw new AppError('CONSOLE_USER_NOT_FOUND', '没有这个后台用户');
      const answer = await action.run(deps, id.data, consoleActorOf(ctx));
      if (action.secret) ctx.set('Cache-Control', 'no-store');
      ctx.body = answer;
    });
  return r;
}
