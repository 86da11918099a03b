/**
 * The hospital HIS mock: patients, unpaid outpatient bills, bill locks, charge confirm (缴费确认), refunds
 * and the daily charge list, over the JSON vendor protocol of shared/protocol/his.ts. See README.md.
 */
import type Koa from 'koa';
import type { ManualClock } from '../../shared/clock';
import { createMockFrame, type MockFrame } from '../common/app';
import { mountHisAdmin } from './admin';
import { mountHisRoutes } from './routes';
import { mountHisScenarios } from './scenarios';
import { mountSms } from './sms';
import { HisState } from './state';

export interface HisMock {
  frame: MockFrame;
  app: Koa;
  state: HisState;
}

export function createHisMock(opts: { clock?: ManualClock } = {}): HisMock {
  const frame = createMockFrame('his', opts.clock);
  const state = new HisState(frame.clock);
  frame.onReset(() => state.reset());
  mountHisRoutes(frame, state);
  mountHisAdmin(frame, state);
  mountHisScenarios(frame);
  mountSms(frame);
  return { frame, app: frame.app, state };
}

export { HisState } from './state';
