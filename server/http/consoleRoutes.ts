/**
 * The cashier console's API (DESIGN 13, Cashier API). Thin like the patient routes: parse with a schema from
 * shared/, call one service, shape the answer. `requireConsole` is exported for the other console routers
 * (refunds, reconciliation) to mount with the same authentication and roles.
 */
import Router from '@koa/router';
import type Koa from 'koa';
import {
  changeConsolePasswordRequest,
  consoleAuditQuery,
  consoleOrdersQuery,
  consoleSessionRequest,
  uuidParam,
  type ConsoleRole,
  type ConsoleUserView,
} from '../../shared/api';
import {
  authenticateConsole,
  changeConsolePassword,
  consoleLogin,
  consoleLogout,
  type ConsoleCaller,
} from '../services/console/auth';
import { listAudit } from '../services/console/audit';
import { getConsoleOrder, listDayOrders } from '../services/console/orders';
import { AppError } from '../services/errors';
import type { Deps } from '../services/deps';
import { pathId } from './params';

export interface ConsoleState {
  console: ConsoleUserView;
  /** the caller with its id and flags, for the session's own routes */
  consoleCaller: ConsoleCaller;
  /** the bearer token, for logout */
  consoleToken: string;
  requestId?: string;
}

/** What each role may do: a supervisor may do everything a cashier may. */
const ROLE_RANK: Record<ConsoleRole, number> = { cashier: 1, supervisor: 2 };

export interface RequireConsoleOptions {
  /** open to a session whose password must be changed first (the session's own routes); default false */
  duringPasswordChange?: boolean;
}

/** `requireConsole(deps)(role?)`: the middleware for console routes; `role` is the least role required. */
export type RequireConsole = (
  deps: Deps,
) => (role?: ConsoleRole, options?: RequireConsoleOptions) => Koa.Middleware;

/**
 * Bearer token → console session → `ctx.state.console = {username, role}`. Missing, unknown, expired, ended
 * (user disabled, password reset, TOTP re-enrolled) or a patient's token → 401 UNAUTHENTICATED; a role below the
 * one required → 403 FORBIDDEN; a password a supervisor reset and the user has not changed yet → 403
 * PASSWORD_CHANGE_REQUIRED, except on the session's own routes.
 */
export const requireConsole: RequireConsole = (deps) => (role, options) => async (ctx, next) => {
  const match = /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(ctx.get('Authorization'));
  if (!match) throw new AppError('UNAUTHENTICATED', '请先登录后台。');
  const caller = await authenticateConsole(deps, match[1]);
  if (caller.mustChangePassword && !options?.duringPasswordChange)
    throw new AppError('PASSWORD_CHANGE_REQUIRED', '密码已被主管重置，请先修改密码');
  if (role && ROLE_RANK[caller.role] < ROLE_RANK[role])
    throw new AppError('FORBIDDEN', `此操作需要${role === 'supervisor' ? '主管' : '收费员'}权限。`);
  const state = ctx.state as ConsoleState;
  state.console = { username: caller.username, role: caller.role };
  state.consoleCaller = caller;
  state.consoleToken = match[1];
  await next();
};

/** Who is calling, for services that audit. */
export function consoleActorOf(ctx: Koa.Context): {
  username: string;
  role: ConsoleRole;
  requestId?: string;
} {
  const state = ctx.state as ConsoleState;
  return { ...state.console, requestId: state.requestId };
}

export function consoleRouter(deps: Deps, rateLimit: Koa.Middleware): Router {
  const r = new Router({ prefix: '/api/v1/console' });
  const auth = requireConsole(deps);
  const origin = (ctx: Koa.Context) => ({ ip: ctx.ip, requestId: (ctx.state as ConsoleState).requestId });

  r.post('/session', rateLimit, async (ctx) => {
    const req = consoleSessionRequest.parse(ctx.request.body);
    ctx.body = await consoleLogin(deps, req, origin(ctx));
  });
  const own = auth(undefined, { duringPasswordChange: true });
  r.get('/session', own, rateLimit, (ctx) => {
    const state = ctx.state as ConsoleState;
    ctx.body = state.consoleCaller.mustChangePassword
      ? { ...state.console, mustChangePassword: true }
      : state.console;
  });
  r.delete('/session', own, rateLimit, async (ctx) => {
    const state = ctx.state as ConsoleState;
    await consoleLogout(deps, state.consoleToken, state.console, origin(ctx));
    ctx.status = 204;
  });
  r.post('/session/password', own, rateLimit, async (ctx) => {
    const req = changeConsolePasswordRequest.parse(ctx.request.body ?? {});
    const state = ctx.state as ConsoleState;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await changeConsolePassword(deps, state.consoleCaller, req, origin(ctx));
  });
  r.get('/orders', auth('cashier'), rateLimit, async (ctx) => {
    const query = consoleOrdersQuery.parse(ctx.query);
    const page = await listDayOrders(deps, query);
    if (page.nextCursor) ctx.set('X-Next-Cursor', page.nextCursor);
    ctx.body = page.orders;
  });
  r.get('/orders/:id', auth('cashier'), rateLimit, async (ctx) => {
    ctx.body = await getConsoleOrder(deps, pathId(ctx, 'id', uuidParam));
  });
  r.get('/audit', auth('supervisor'), rateLimit, async (ctx) => {
    const { limit } = consoleAuditQuery.parse(ctx.query);
    ctx.body = await listAudit(deps, limit);
  });
  return r;
}
