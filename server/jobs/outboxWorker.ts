/**
 * Works the outbox: claims due rows (SKIP LOCKED, so any number of instances may run this), calls the handler
 * outside any transaction, and records success or the next attempt with exponential backoff. A row that keeps
 * failing ends DEAD, visible to the cashier with its last error.
 */
import { claimDue, markDone, markFailed, type ClaimedJob } from '../db/outbox';
import { confirmAtHis } from '../services/payment/hisConfirm';
import { sendVerificationText } from '../services/patient/binding';
import { returnLatePayment } from '../services/payment/late';
import { releaseOrder } from '../services/payment/close';
import { confirmQueuedPayment } from '../services/payment/confirm';
import { runRefundLeg } from '../services/refund/refunds';
import { sendPatientMessage } from '../services/notify/send';
import { sendStepUpText } from '../services/risk/stepUp';
import type { Deps } from '../services/deps';

/** How long a claimed row stays with its worker before another may take it (longer than any outside call). */
export const OUTBOX_LEASE_MS = 60_000;

async function runJob(deps: Deps, job: ClaimedJob): Promise<void> {
  // the one kind that belongs to no order: a card-binding code (services/patient/binding.ts)
  if (job.kind === 'sms_send')
    return typeof job.payload.stepUpId === 'string'
      ? sendStepUpText(deps, job.payload.stepUpId)
      : sendVerificationText(deps, job.payload);
  // a patient message may be about no order (a bill reminder)
  if (job.kind === 'notify') return void (await sendPatientMessage(deps, job.payload));
  if (!job.orderId) throw new Error(`outbox job ${job.id} has no order`);
  switch (job.kind) {
    case 'confirm_payment':
      // a payment callback answered at once; 6301 and the cash leg are asked here, retried while they cannot say
      return confirmQueuedPayment(deps, job.orderId, job.payload);
    case 'his_confirm':
      return confirmAtHis(deps, job.orderId);
    case 'release':
      return releaseOrder(deps, job.orderId);
    case 'refund_leg':
      // the last attempt may record a leg the party refused for good as FAILED; before that it is retried
      return runRefundLeg(deps, job.payload, job.attempts >= deps.settings.OUTBOX_ATTEMPTS_MAX);
    case 'late_payment_return':
      // a payment for a closed order goes back whole; a refusal ends the job DEAD, for a person to see
      return returnLatePayment(deps, job.orderId);
    default:
      throw new Error(`unknown outbox kind ${job.kind}`);
  }
}

export function backoffMs(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

/** Runs one batch; returns how many jobs it handled. */
export async function runOutboxOnce(deps: Deps): Promise<number> {
  const now = new Date(deps.clock.now());
  const jobs = await claimDue(deps.db, now, OUTBOX_LEASE_MS, deps.settings.OUTBOX_BATCH_MAX);
  // jobs are independent and idempotent (two instances may work two jobs of one order at once anyway): a few at a
  // time, so one slow party does not hold back every other order's job
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await workJob(deps, jobs[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(deps.settings.OUTBOX_CONCURRENCY, jobs.length) }, worker));
  return jobs.length;
}

/** Runs one claimed job outside any transaction; records it done, or its next attempt (DEAD after the last). */
export async function workJob(deps: Deps, job: ClaimedJob): Promise<void> {
  try {
    await runJob(deps, job);
    await markDone(deps.db, job.id, new Date(deps.clock.now()));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const at = deps.clock.now();
    const next =
      job.attempts >= deps.settings.OUTBOX_ATTEMPTS_MAX
        ? null
        : new Date(
            at +
              backoffMs(
                job.attempts,
                deps.settings.OUTBOX_BACKOFF_BASE_MS,
                deps.settings.OUTBOX_BACKOFF_MAX_MS,
              ),
          );
    deps.logger.warn(
      { job: job.id, kind: job.kind, attempts: job.attempts, err: message, dead: next === null },
      'outbox job failed',
    );
    await markFailed(deps.db, job.id, message, next, new Date(at));
  }
}
