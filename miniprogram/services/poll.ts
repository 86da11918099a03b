/**
 * Bounded polling (TigerStyle: a limit on everything): calls `load` until `done` says the value is final or the
 * attempts run out. Errors count as attempts and do not stop the loop (a network blip must not end the wait).
 * `sleep` is injected so tests never wait for real.
 */
export interface PollOptions<T> {
  load: () => Promise<T>;
  done: (value: T) => boolean;
  /** every value seen, in order */
  onValue?: (value: T) => void;
  onError?: (error: unknown) => void;
  /** delay before attempt i (0-based); attempt 0 runs at once unless `waitFirst` */
  delayMs: (attempt: number) => number;
  waitFirst?: boolean;
  attemptsMax: number;
  sleep?: (ms: number) => Promise<void>;
  /** checked before each attempt: a closed page stops the loop */
  cancelled?: () => boolean;
}

export type PollOutcome<T> =
  { kind: 'done'; value: T } | { kind: 'gave-up'; last?: T; error?: unknown } | { kind: 'cancelled' };

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function pollUntil<T>(options: PollOptions<T>): Promise<PollOutcome<T>> {
  const sleep = options.sleep ?? realSleep;
  let last: T | undefined;
  let lastError: unknown;
  for (let attempt = 0; attempt < options.attemptsMax; attempt++) {
    if (attempt > 0 || options.waitFirst) await sleep(options.delayMs(attempt));
    if (options.cancelled?.()) return { kind: 'cancelled' };
    try {
      last = await options.load();
      lastError = undefined;
      if (options.cancelled?.()) return { kind: 'cancelled' };
      options.onValue?.(last);
      if (options.done(last)) return { kind: 'done', value: last };
    } catch (error) {
      lastError = error;
      options.onError?.(error);
    }
  }
  return { kind: 'gave-up', last, error: lastError };
}

/** 1 s, 1 s, 2 s, 2 s, then every 3 s. */
export const resultPollDelayMs = (attempt: number) => (attempt <= 2 ? 1000 : attempt <= 4 ? 2000 : 3000);
