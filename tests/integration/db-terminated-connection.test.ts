/**
 * A connection the server ends while nobody is listening (lent out of the pool, between queries) must not take
 * the process down with an unhandled 'error' — the chaos run's pg_terminate_backend found that it did.
 */
import type { Pool } from 'pg';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { freshDatabase, type TestDb } from '../helpers/db';

let t: TestDb;
beforeAll(async () => {
  t = await freshDatabase();
});
afterAll(async () => {
  await t.drop();
});

it('survives the server ending a connection that is lent out and idle, and serves the next query', async () => {
  const pool = (t.db.driver as PostgresDriver).master as Pool;
  const client = await pool.connect();
  const [{ pid }] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  await t.db.query('SELECT pg_terminate_backend($1)', [pid]);
  await ended;
  client.release(true);
  const [row] = (await t.db.query('SELECT 1 AS one')) as { one: number }[];
  expect(row.one).toBe(1);
});
