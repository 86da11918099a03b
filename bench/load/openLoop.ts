/**
 * An open-loop load: requests arrive at a set rate whatever the server does (as patients do), so an overloaded
 * server shows as refusals or slow answers rather than as a politely slowed-down client. Each answer is sorted
 * into admitted (any status but 503/429), shed (503/429, with or without Retry-After), failed (another 5xx) or
 * timed out (no answer within the client's timeout).
 */
export interface Outcome {
  kind: 'admitted' | 'shed' | 'failed' | 'timeout';
  ms: number;
  retryAfter: boolean;
}

export interface LoadStats {
  offeredPerS: number;
  seconds: number;
  admitted: number;
  shed: number;
  shedWithoutRetryAfter: number;
  failed: number;
  timeouts: number;
  /** admitted answers' latency */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  admittedPerS: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function summarize(outcomes: Outcome[], offeredPerS: number, seconds: number): LoadStats {
  const admittedMs = outcomes
    .filter((o) => o.kind === 'admitted')
    .map((o) => o.ms)
    .sort((a, b) => a - b);
  const count = (k: Outcome['kind']) => outcomes.filter((o) => o.kind === k).length;
  return {
    offeredPerS,
    seconds,
    admitted: admittedMs.length,
    shed: count('shed'),
    shedWithoutRetryAfter: outcomes.filter((o) => o.kind === 'shed' && !o.retryAfter).length,
    failed: count('failed'),
    timeouts: count('timeout'),
    p50Ms: Math.round(percentile(admittedMs, 50)),
    p95Ms: Math.round(percentile(admittedMs, 95)),
    p99Ms: Math.round(percentile(admittedMs, 99)),
    admittedPerS: Math.round((admittedMs.length / seconds) * 10) / 10,
  };
}

/** One request of the mix: its answer's status and whether it carried Retry-After. */
export type Shot = () => Promise<{ status: number; retryAfter: boolean }>;

/** Fires `pick()` at `ratePerS` for `seconds`; resolves when every request has answered or timed out. */
export async function openLoop(
  ratePerS: number,
  seconds: number,
  pick: () => Shot,
  timeoutMs: number,
  onTick?: (sent: number) => void,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const pending: Promise<void>[] = [];
  const started = performance.now();
  const total = Math.round(ratePerS * seconds);
  let sent = 0;
  const fire = () => {
    const shot = pick();
    const t = performance.now();
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    pending.push(
      Promise.race([shot().catch(() => ({ status: 599, retryAfter: false })), timeout]).then((answer) => {
        const ms = performance.now() - t;
        if (answer === 'timeout') outcomes.push({ kind: 'timeout', ms, retryAfter: false });
        else if (answer.status === 503 || answer.status === 429)
          outcomes.push({ kind: 'shed', ms, retryAfter: answer.retryAfter });
        else if (answer.status >= 500) outcomes.push({ kind: 'failed', ms, retryAfter: false });
        else outcomes.push({ kind: 'admitted', ms, retryAfter: false });
      }),
    );
  };
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * ratePerS) + 1);
    while (sent < due) {
      fire();
      sent++;
    }
    onTick?.(sent);
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(pending);
  return outcomes;
}
