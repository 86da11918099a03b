/**
 * The floor's database and Redis work: FLOOR_SQL_PER_FLOW trivial statements (an INSERT into a floor table, then
 * a SELECT of that row by primary key, alternately) and FLOOR_REDIS_PER_FLOW simple commands (SET, GET, INCR in
 * turn) per flow, spread over the flow's steps: each step takes an even share, the last step (the order becomes
 * COMPLETED) takes whatever is left, so a flow always makes exactly the totals — also a cash-only flow, which has
 * one step (the insurance authorization) fewer. Statements and commands run one after another, as a request's do.
 */
import { escapeIdentifier, Pool } from 'pg';
import Redis from 'ioredis';

/** The steps of an insured flow: login, bind, verify, authorize, bills, checkout, pay, callback, completion. */
export const STEPS_PER_FLOW = 9;

/** What one step of a flow spends of what the flow still has; the last step spends the rest. */
export function shareOf(total: number, left: number, last: boolean): number {
  if (last) return left;
  return Math.min(left, Math.round(total / STEPS_PER_FLOW));
}

export interface Budget {
  sqlLeft: number;
  redisLeft: number;
  /** the flow's own key and row, so a SELECT reads what its INSERT wrote */
  key: string;
  rowId?: string;
  statements: number;
  commands: number;
}

export interface FillerOptions {
  databaseUrl: string;
  schema: string;
  redisUrl: string;
  prefix: string;
  sqlPerFlow: number;
  redisPerFlow: number;
}

export class Filler {
  private constructor(
    private readonly pool: Pool,
    private readonly redis: Redis,
    private readonly table: string,
    private readonly opts: FillerOptions,
  ) {}

  static async open(opts: FillerOptions): Promise<Filler> {
    const pool = new Pool({ connectionString: opts.databaseUrl, max: 20 });
    const schema = escapeIdentifier(opts.schema);
    const table = `${schema}.floor_rows`;
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await pool.query(
      `CREATE TABLE IF NOT EXISTS ${table} (id bigserial PRIMARY KEY, flow text NOT NULL, n int NOT NULL)`,
    );
    const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 2 });
    redis.on('error', () => undefined);
    return new Filler(pool, redis, table, opts);
  }

  budget(key: string): Budget {
    return {
      sqlLeft: this.opts.sqlPerFlow,
      redisLeft: this.opts.redisPerFlow,
      key,
      statements: 0,
      commands: 0,
    };
  }

  /** One step's share of the flow's statements and commands. */
  async step(b: Budget, last = false): Promise<void> {
    const sql = shareOf(this.opts.sqlPerFlow, b.sqlLeft, last);
    const commands = shareOf(this.opts.redisPerFlow, b.redisLeft, last);
    b.sqlLeft -= sql;
    b.redisLeft -= commands;
    for (let i = 0; i < sql; i++) await this.statement(b);
    for (let i = 0; i < commands; i++) await this.command(b);
  }

  private async statement(b: Budget): Promise<void> {
    if (b.statements++ % 2 === 0 || b.rowId === undefined) {
      const r = await this.pool.query<{ id: string }>(
        `INSERT INTO ${this.table} (flow, n) VALUES ($1, $2) RETURNING id`,
        [b.key, b.statements],
      );
      b.rowId = r.rows[0].id;
    } else {
      await this.pool.query(`SELECT flow, n FROM ${this.table} WHERE id = $1`, [b.rowId]);
    }
  }

  private async command(b: Budget): Promise<void> {
    const key = `${this.opts.prefix}floor:${b.key}`;
    switch (b.commands++ % 3) {
      case 0:
        await this.redis.set(key, String(b.commands), 'PX', 600_000);
        return;
      case 1:
        await this.redis.get(key);
        return;
      default:
        await this.redis.incr(key);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
    this.redis.disconnect();
  }
}
