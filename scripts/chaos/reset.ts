/** A run's own corner of the shared PostgreSQL and Redis, made empty: for the chaos run and the overload bench. */
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { openDatabase } from '../../server/db/dataSource';

/** Drops the schema, then creates it with its migrations once (before any instance starts, so none race). */
export async function resetSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
  const db = await openDatabase(databaseUrl, schema); // creates it and runs the migrations once
  await db.destroy();
}

export async function resetRedis(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 }))
    if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
  redis.disconnect();
}
