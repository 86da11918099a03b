/**
 * Where the tests find PostgreSQL and Redis. Defaults: the machine's own on localhost; DATABASE_URL / REDIS_URL
 * override. globalSetup decides (and starts embedded PostgreSQL when needed) and hands the answer to the test
 * workers through these environment variables.
 */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
}

/** The Redis URL, or null when Redis is not reachable here (never null when CI=true: globalSetup fails first). */
export function testRedisUrl(): string | null {
  if (process.env.TEST_REDIS_AVAILABLE === '0') return null;
  return process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
}
