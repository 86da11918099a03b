/**
 * The patient's notifications (issue 13): subscribe-message consent (`/api/v1/subscriptions`), preferences
 * (`/api/v1/preferences`) and the message history (`/api/v1/messages`). Thin: parse with a schema from shared/,
 * call one service.
 */
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import { preferencesRequest, subscriptionsRequest } from '../../shared/api';
import { listMessages } from '../services/notify/inbox';
import {
  getPreferences,
  getSubscriptions,
  putPreferences,
  putSubscriptions,
} from '../services/notify/preferences';
import type { Deps } from '../services/deps';
import { openidOf, requirePatient } from './routes';

const messagesQuery = z
  .object({
    before: z
      .string()
      .regex(/^[1-9]\d{0,17}$/, 'must be a message id')
      .optional(),
  })
  .strict();

export function notificationRoutes(deps: Deps, rateLimit: Koa.Middleware): Router {
  const r = new Router({ prefix: '/api/v1' });
  const auth = requirePatient(deps);

  r.get('/subscriptions', auth, rateLimit, async (ctx) => {
    ctx.body = await getSubscriptions(deps, openidOf(ctx));
  });
  r.post('/subscriptions', auth, rateLimit, async (ctx) => {
    ctx.body = await putSubscriptions(
      deps,
      openidOf(ctx),
      subscriptionsRequest.parse(ctx.request.body ?? {}),
    );
  });
  r.get('/preferences', auth, rateLimit, async (ctx) => {
    ctx.body = await getPreferences(deps, openidOf(ctx));
  });
  r.put('/preferences', auth, rateLimit, async (ctx) => {
    ctx.body = await putPreferences(deps, openidOf(ctx), preferencesRequest.parse(ctx.request.body));
  });
  r.get('/messages', auth, rateLimit, async (ctx) => {
    const { before } = messagesQuery.parse(ctx.query);
    ctx.body = await listMessages(deps, openidOf(ctx), before ?? null);
  });
  return r;
}
