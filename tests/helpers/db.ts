/** Each test file gets its own PostgreSQL schema (migrated), so files run in parallel and in any order. */
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../server/db/dataSource';
import { testDatabaseUrl } from './services';

export interface TestDb {
  db: DataSource;
  schema: string;
  url: string;
  drop(): Promise<void>;
}

export async function freshDatabase(): Promise<TestDb> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const url = testDatabaseUrl();
  const db = await openDatabase(url, schema);
  return {
    db,
    schema,
    url,
    drop: async () => {
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await db.destroy();
    },
  };
}
