/**
 * What the bench counts around a measured stretch: each server process's and the mocks' CPU, the SQL
 * statements each server sent (its `db_statements_total`) and the commands Redis processed (the bench has the
 * Redis server to itself while it measures).
 */
import { Redis } from 'ioredis';
import { cpuMs } from './processCpu';

export interface Snapshot {
  serverCpuMs: number;
  mocksCpuMs: number;
  statements: number;
  redisCommands: number;
}

export async function metricValue(opsUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${opsUrl}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

export async function redisCommandsProcessed(redisUrl: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  try {
    const info = await redis.info('stats');
    const m = /total_commands_processed:(\d+)/.exec(info);
    return m ? Number(m[1]) : NaN;
  } finally {
    redis.disconnect();
  }
}

export interface Counted {
  serverPids: number[];
  mocksPid: number;
  /** the ops listener of each server that reports db_statements_total (none for a floor that counts itself) */
  opsUrls: string[];
  redisUrl: string;
}

export async function snapshot(c: Counted): Promise<Snapshot> {
  const statements = await Promise.all(c.opsUrls.map((u) => metricValue(u, 'db_statements_total')));
  return {
    serverCpuMs: c.serverPids.reduce((sum, pid) => sum + cpuMs(pid), 0),
    mocksCpuMs: cpuMs(c.mocksPid),
    statements: statements.reduce((a, b) => a + b, 0),
    redisCommands: await redisCommandsProcessed(c.redisUrl),
  };
}

export function difference(after: Snapshot, before: Snapshot): Snapshot {
  return {
    serverCpuMs: after.serverCpuMs - before.serverCpuMs,
    mocksCpuMs: after.mocksCpuMs - before.mocksCpuMs,
    statements: after.statements - before.statements,
    redisCommands: after.redisCommands - before.redisCommands,
  };
}
