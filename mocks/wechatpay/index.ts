/**
 * The WeChat Pay APIv3 mock (basic payment + medical-insurance payment 2.0): signed /v3 API, callbacks on
 * WeChat's retry schedule, login codes, bills, the sandbox login and cashier pages of the H5 build, and an admin
 * API for testers. See README.md.
 */
import Router from '@koa/router';
import type Koa from 'koa';
import { ManualClock } from '../../shared/clock';
import type { MockKeys } from '../../shared/crypto/keyring';
import { createMockFrame, type MockFrame } from '../common/app';
import { mountAdminRoutes } from './admin';
import { mountBillRoutes } from './bills';
import { mountCallbackTools } from './callbackTools';
import { setSandboxMode } from './callbackUrl';
import { mountCertificateRoutes } from './certificates';
import type { WeChatPayMockContext } from './context';
import { mountLoginRoutes } from './login';
import { mountMedInsRoutes } from './medins';
import { Notifier } from './notifications';
import { mountProbes } from './probes';
import { completeDueRefunds, mountRefundRoutes } from './refunds';
import { mountSandboxRoutes } from './sandbox';
import { mountWeChatPayScenarios, ScenarioNotifier } from './scenarios';
import { loadMockKeyring, v3Security } from './signing';
import { WeChatPayState } from './state';
import { mountSubscribeRoutes } from './subscribe';
import { SubscribeState } from './subscribeState';
import { mountTransactionRoutes } from './transactions';

const DELIVERY_TICK_MS = 1_000;

export interface WeChatPayMockOptions {
  keys: MockKeys['wechat'];
  clock?: ManualClock;
  /** the insurance mock, called to settle the insurance share when the patient confirms */
  insuranceBaseUrl?: string;
  /**
   * Sandbox mode (default true: everything on one machine, as `npm start` and the tests run) accepts http and
   * internal callback URLs; false refuses them as WeChat does (callbackUrl.ts).
   */
  sandbox?: boolean;
}

export interface WeChatPayMock {
  frame: MockFrame;
  app: Koa;
  state: WeChatPayState;
  notifier: Notifier;
  subscribe: SubscribeState;
  /** completes due PROCESSING refunds and sends every callback due on the mock clock; resolves when sent */
  deliverDue(): Promise<void>;
  /** stops the background delivery timer */
  stop(): void;
}

export function createWeChatPayMock(opts: WeChatPayMockOptions): WeChatPayMock {
  const frame = createMockFrame('wechatpay', opts.clock ?? new ManualClock());
  const keyring = loadMockKeyring(opts.keys);
  const state = new WeChatPayState();
  const notifier = new ScenarioNotifier(frame, frame.clock, keyring, state);
  const subscribe = new SubscribeState();
  const mc: WeChatPayMockContext = {
    frame,
    state,
    keyring,
    notifier,
    subscribe,
    insuranceBaseUrl: opts.insuranceBaseUrl,
  };
  setSandboxMode(mc, opts.sandbox ?? true);
  frame.onReset(() => {
    state.reset();
    notifier.clear();
    subscribe.reset();
  });

  const deliverDue = async (): Promise<void> => {
    completeDueRefunds(mc);
    await notifier.deliverDue();
  };

  const v3 = new Router({ prefix: '/v3' });
  v3.use(v3Security(frame, state, keyring));
  mountTransactionRoutes(v3, mc);
  mountMedInsRoutes(v3, mc);
  mountRefundRoutes(v3, mc);
  mountCertificateRoutes(v3, mc);
  mountBillRoutes(v3, mc);
  frame.router.use(v3.routes());
  mountLoginRoutes(mc);
  mountSubscribeRoutes(mc, subscribe);
  mountSandboxRoutes(mc);
  mountAdminRoutes(mc);
  mountProbes(mc);
  mountCallbackTools(mc, deliverDue);
  mountWeChatPayScenarios(frame);

  // moving the mock clock delivers what became due at once; the frame owns /__admin/clock, so observe it
  // from the front of the middleware stack
  frame.app.middleware.unshift(async (ctx, next) => {
    await next();
    if (ctx.method === 'POST' && ctx.path === '/__admin/clock' && ctx.status === 200) await deliverDue();
  });

  const timer = setInterval(() => void deliverDue().catch(() => undefined), DELIVERY_TICK_MS);
  timer.unref();
  return { frame, app: frame.app, state, notifier, subscribe, deliverDue, stop: () => clearInterval(timer) };
}
