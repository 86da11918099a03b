/**
 * A run's session: one connection of the pool, one transaction, for the whole of a run's staging, matching and
 * rows. Its temporary tables (the staged items, the groups, the verdicts: ./items.ts, ./match.ts) are dropped
 * when it commits or rolls back, and vanish with the connection if the process dies — nothing to clean up. The
 * run's rows become visible at once, when it commits; a run that fails leaves none.
 */
import type { PoolClient } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { createStage } from './items';

/**
 * Memory PostgreSQL may give each sort or hash of the run (the grouping of a day's records, the join with our
 * orders) before it spills to disk: the server's, not this process's. Grouping a day of a million orders by hash
 * takes about 800 MB (hash_mem_multiplier 2 lets it have twice this); a larger day spills, more slowly.
 */
const RUN_WORK_MEM = '512MB';

export interface ReconSession {
  /** queries on the session's connection, inside its transaction */
  m: EntityManager;
  /** the same connection, for COPY (./copy.ts) */
  client: PoolClient;
}

/** Runs `work` in a run's session; commits what it wrote when it resolves, drops everything when it throws. */
export async function inReconSession<T>(db: DataSource, work: (s: ReconSession) => Promise<T>): Promise<T> {
  const runner = db.createQueryRunner();
  const client = (await runner.connect()) as PoolClient;
  try {
    await runner.startTransaction();
    await runner.query(`SET LOCAL work_mem = '${RUN_WORK_MEM}'`);
    // compiling the run's few large statements costs more than it saves
    await runner.query(`SET LOCAL jit = off`);
    await createStage(runner.manager);
    const result = await work({ m: runner.manager, client });
    await runner.commitTransaction();
    return result;
  } finally {
    // after a failed COPY or statement the transaction can only roll back; a broken connection not even that
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    await runner.release();
  }
}
