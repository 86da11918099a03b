/**
 * The cashier's refund router (server/http/refundRoutes) on a small Koa app of its own, in front of a file's stack,
 * with a stub for the console's authentication: every caller is the cashier "zhang". For the refund tests that
 * drive the refunds directly, without a console login.
 */
import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import { errorMiddleware } from '../../server/http/errors';
import { refundRoutes } from '../../server/http/refundRoutes';
import type { RefundCreatedView, RefundView } from '../../shared/api';
import { RETRY_ATTEMPTS_MAX } from '../../server/gateways/http';
import { useServed } from './served';
import { adminPost, call, type Stack } from './stack';

/**
 * Settings under which no refund of a test waits for a supervisor: the four-eyes line above any test order, and
 * the risk rule on one cashier's refunds per hour out of reach (these tests refund many orders as one cashier).
 */
export const NO_APPROVAL_ENV = {
  REFUND_APPROVAL_THRESHOLD_FEN: String(100_000_000_000),
  RISK_REFUNDS_PER_CASHIER_PER_HOUR: '10000',
};

export interface RefundApi {
  /** POST /api/v1/console/orders/:id/refunds, as the cashier */
  refund(
    orderId: string,
    body: { amount?: number; reason: string },
  ): ReturnType<typeof call<RefundCreatedView & { code?: string }>>;
  /** GET /api/v1/console/refunds/:id */
  refundView(id: string): ReturnType<typeof call<RefundView>>;
}

/** Starts the app before the file's tests (after `stack`'s beforeAll: call it after useStack) and stops it after. */
export function useRefundApi(stack: Stack): RefundApi {
  const served = useServed(() => {
    const app = new Koa();
    app.use(errorMiddleware());
    app.use(bodyParser({ enableTypes: ['json'] }));
    // the console's requireConsole stands in: every caller is the cashier "zhang"
    const router = refundRoutes(stack.server.deps, () => async (ctx, next) => {
      ctx.state.console = { username: 'zhang', role: 'cashier' };
      await next();
    });
    app.use(router.routes());
    app.use(router.allowedMethods());
    return app;
  });
  return {
    refund: (orderId, body) =>
      call<RefundCreatedView & { code?: string }>(
        served.url,
        'POST',
        `/api/v1/console/orders/${orderId}/refunds`,
        { body },
      ),
    refundView: (id) => call<RefundView>(served.url, 'GET', `/api/v1/console/refunds/${id}`),
  };
}

/**
 * WeChat answers POSTs to `path` with 5xx, `times` over, or always. The default is one more time than the
 * adapter's own bounded retry: that attempt fails, and the outbox sees the failure.
 */
export async function failAtWeChat(
  stack: Stack,
  path: string,
  times: number | 'always' = RETRY_ATTEMPTS_MAX + 1,
): Promise<void> {
  await adminPost(stack.wechat.url, '/__admin/faults', {
    path,
    method: 'POST',
    kind: 'error5xx',
    count: times === 'always' ? undefined : times,
  });
}
