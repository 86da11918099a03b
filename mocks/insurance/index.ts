/**
 * The national insurance platform mock: 1101 over the standard infno envelope, 6201–6401 over the SM
 * envelope, the authorization page and authCode exchange, and an admin API — on the shared mock frame.
 * See README.md beside this file for routes, rules and magic data.
 */
import type Koa from 'koa';
import type { ManualClock } from '../../shared/clock';
import type { MockKeys } from '../../scripts/keyring';
import { createMockFrame, type MockFrame } from '../common/app';
import { mountAdminRoutes } from './admin';
import { mountAuthRoutes } from './auth';
import { mountMobileRoutes } from './mobile';
import { mountStandardRoutes } from './standard';
import { InsuranceState } from './state';

export interface InsuranceMockOptions {
  keys: MockKeys['insurance'];
  clock?: ManualClock;
}

export interface InsuranceMock {
  frame: MockFrame;
  app: Koa;
  state: InsuranceState;
}

export function createInsuranceMock(opts: InsuranceMockOptions): InsuranceMock {
  const frame = createMockFrame('insurance', opts.clock);
  const state = new InsuranceState(frame.clock, opts.keys.appSecret);
  frame.onReset(() => state.reset());
  mountStandardRoutes(frame, state, opts.keys);
  mountMobileRoutes(frame, state, opts.keys);
  mountAuthRoutes(frame, state, opts.keys);
  mountAdminRoutes(frame, state);
  return { frame, app: frame.app, state };
}
