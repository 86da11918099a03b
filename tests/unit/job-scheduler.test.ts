import pino from 'pino';
import { JobScheduler } from '../../server/jobs/scheduler';

const logger = pino({ level: 'silent' });

/** A task whose runs the test finishes by hand. */
function gatedTask() {
  const releases: (() => void)[] = [];
  let runs = 0;
  const task = () => {
    runs += 1;
    return new Promise<void>((resolve) => releases.push(resolve));
  };
  return {
    task,
    runs: () => runs,
    finishOne: async () => {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe('JobScheduler', () => {
  afterEach(() => jest.useRealTimers());

  it('a kick before start does nothing; after start it runs at once', async () => {
    const s = new JobScheduler(logger);
    const g = gatedTask();
    const kick = s.kickable('outbox', g.task);
    kick();
    expect(g.runs()).toBe(0);
    s.every('tick', 60_000, async () => undefined);
    kick();
    expect(g.runs()).toBe(1);
    await g.finishOne();
    await s.stop();
  });

  it('kicks during a run ask for exactly one more pass', async () => {
    const s = new JobScheduler(logger);
    s.every('tick', 60_000, async () => undefined);
    const g = gatedTask();
    const kick = s.kickable('outbox', g.task);
    kick();
    kick();
    kick();
    expect(g.runs()).toBe(1);
    await g.finishOne();
    expect(g.runs()).toBe(2);
    await g.finishOne();
    expect(g.runs()).toBe(2);
    await s.stop();
  });

  it('a periodic task never overlaps itself, and stop waits for the run under way', async () => {
    jest.useFakeTimers();
    const s = new JobScheduler(logger);
    const g = gatedTask();
    s.every('tick', 1_000, g.task);
    jest.advanceTimersByTime(1_000);
    expect(g.runs()).toBe(1);
    jest.advanceTimersByTime(5_000);
    expect(g.runs()).toBe(1);
    let stopped = false;
    const stopping = s.stop().then(() => {
      stopped = true;
    });
    await Promise.resolve();
    expect(stopped).toBe(false);
    jest.useRealTimers();
    await g.finishOne();
    await stopping;
    expect(stopped).toBe(true);
  });

  it('logs a failing run and keeps going', async () => {
    const errors: unknown[] = [];
    const s = new JobScheduler({ error: (o: unknown) => errors.push(o) } as unknown as pino.Logger);
    s.every('tick', 60_000, async () => undefined);
    let calls = 0;
    const kick = s.kickable('outbox', async () => {
      calls += 1;
      throw new Error('boom');
    });
    kick();
    await new Promise((r) => setImmediate(r));
    kick();
    await new Promise((r) => setImmediate(r));
    expect(calls).toBe(2);
    expect(errors).toHaveLength(2);
    await s.stop();
  });
});
