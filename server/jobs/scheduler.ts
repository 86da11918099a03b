/**
 * The background jobs' timing, apart from what the jobs do: periodic tasks that never overlap themselves, a task
 * that can be kicked to run at once (and once more if kicked while running), and one stop that waits for all of
 * them. Timers are unref'd: they never keep a process alive on their own. Errors are logged, never thrown.
 */
import type { Logger } from 'pino';

type Task = () => Promise<unknown>;

export class JobScheduler {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private started = false;

  constructor(private readonly logger: Logger) {}

  get isStarted(): boolean {
    return this.started;
  }

  /** Runs `task` every `intervalMs` from now on; a tick that finds the previous run still going is skipped. */
  every(name: string, intervalMs: number, task: Task): void {
    this.started = true;
    let current: Promise<unknown> | undefined;
    const timer = setInterval(() => {
      if (current) return;
      current = this.track(name, task).finally(() => {
        current = undefined;
      });
    }, intervalMs);
    timer.unref();
    this.timers.push(timer);
  }

  /**
   * A kick runs `task` at once, unless it is running: then one more pass follows the current one. Kicks before
   * start() or after stop() do nothing (the periodic runs will see the work).
   */
  kickable(name: string, task: Task): () => void {
    let again = false;
    let current: Promise<unknown> | undefined;
    return () => {
      if (!this.started) return;
      if (current) {
        again = true;
        return;
      }
      current = this.track(name, async () => {
        do {
          again = false;
          await task();
        } while (again && this.started);
      }).finally(() => {
        current = undefined;
      });
    };
  }

  /** Stops the timers and waits for every run under way. */
  async stop(): Promise<void> {
    this.started = false;
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await Promise.all([...this.running]);
  }

  private track(name: string, task: Task): Promise<unknown> {
    const run = task().catch((err: unknown) => this.logger.error({ err, job: name }, `${name} failed`));
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return run;
  }
}
