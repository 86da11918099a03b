/**
 * A bench server's environment: the chaos run's wiring (database, schema, Redis prefix, mocks, keys) with the
 * production defaults for everything that paces the work — jobs every second, the real payment window and
 * callback grace, the outbox's backoff, info logging (to a file) — so the CPU per flow is what production pays.
 * Rate limits and risk rules stay out of the way: the bench's patients are many and fast.
 */
import { runSettings, type RunSettingsInput } from '../../scripts/chaos/settings';

const CHAOS_PACING = [
  'ORDER_PAYMENT_WINDOW_MS',
  'CALLBACK_GRACE_MS',
  'CALLBACK_CLOCK_SKEW_MS',
  'JOBS_INTERVAL_MS',
  'OUTBOX_BACKOFF_BASE_MS',
  'OUTBOX_BACKOFF_MAX_MS',
  'OUTBOX_ATTEMPTS_MAX',
  'OUTSIDE_CALL_TIMEOUT_MS',
];

export function benchSettings(input: Omit<RunSettingsInput, 'paymentWindowMs'>): Record<string, string> {
  const env = runSettings({ ...input, paymentWindowMs: 15 * 60_000 });
  for (const name of CHAOS_PACING) delete env[name];
  return { ...env, LOG_LEVEL: 'info' };
}
