/**
 * The national insurance platform mock: 1101 and 3201/3202/9102 over the standard infno envelope, 6201–6401 over the SM
 * envelope, the authorization page and authCode exchange, and an admin API — on the shared mock frame.
 * See README.md beside this file for routes, rules and magic data.
 */
import type Koa from 'koa';
import type { ManualClock } from '../../shared/clock';
import { DEFAULT_SM2_USER_IDS, type Sm2UserIds } from '../../shared/crypto/smEnvelope';
import type { MockKeys } from '../../shared/crypto/keyring';
import { createMockFrame, type MockFrame } from '../common/app';
import { mountAdminRoutes } from './admin';
import { mountAuthRoutes } from './auth';
import { mountMobileRoutes } from './mobile';
import { Reconciliation } from './recon';
import { mountInsuranceScenarios } from './scenarios';
import { mountStandardRoutes } from './standard';
import { DEFAULT_LIMITS, InsuranceState, type InsuranceLimits } from './state';

export interface InsuranceMockOptions {
  keys: MockKeys['insurance'];
  clock?: ManualClock;
  /** capacity (orders, persons); defaults hold a day of 100 000 settlements with room to spare */
  limits?: Partial<InsuranceLimits>;
  /** SM2 user ids: the hospital's (to verify requests) and the platform's own (to sign answers); default both
   * 1234567812345678 */
  sm2UserIds?: Sm2UserIds;
}

export interface InsuranceMock {
  frame: MockFrame;
  app: Koa;
  state: InsuranceState;
}

export function createInsuranceMock(opts: InsuranceMockOptions): InsuranceMock {
  const frame = createMockFrame('insurance', opts.clock);
  const state = new InsuranceState(frame.clock, opts.keys.appSecret, { ...DEFAULT_LIMITS, ...opts.limits });
  const recon = new Reconciliation(state.days, frame.clock);
  frame.onReset(() => {
    state.reset();
    recon.reset();
  });
  mountStandardRoutes(frame, state, opts.keys, recon);
  mountMobileRoutes(frame, state, opts.keys, opts.sm2UserIds ?? DEFAULT_SM2_USER_IDS);
  mountAuthRoutes(frame, state, opts.keys);
  mountAdminRoutes(frame, state);
  mountInsuranceScenarios(frame, state);
  return { frame, app: frame.app, state };
}
