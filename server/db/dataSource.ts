import 'reflect-metadata';
import { Client, type ClientConfig } from 'pg';
import { DataSource } from 'typeorm';
import { StatementCountingLogger } from './statementCount';
import { ENTITIES } from './entities';
import { CONSOLE_ENTITIES } from './consoleEntities';
import { REFUND_ENTITIES } from './refundEntities';
import { Initial1763900000000 } from './migrations/1763900000000-Initial';
import { Console1763900000001 } from './migrations/1763900000001-Console';
import { Refunds1763900000002 } from './migrations/1763900000002-Refunds';
import { Reconciliation1763900000003 } from './migrations/1763900000003-Reconciliation';
import { LatePayments1763900000004 } from './migrations/1763900000004-LatePayments';
import { RefundRequestLink1763900000005 } from './migrations/1763900000005-RefundRequestLink';
import { MedInsPayerAndFunds1763900000007 } from './migrations/1763900000007-MedInsPayerAndFunds';
import { PatientVerifications1763900000008 } from './migrations/1763900000008-PatientVerifications';
import { ConsoleUserStates1763900000009 } from './migrations/1763900000009-ConsoleUserStates';
import { OrderDept1763900000010 } from './migrations/1763900000010-OrderDept';
import { Risk1763900000013 } from './migrations/1763900000013-Risk';
import { RefundApproval1763900000011 } from './migrations/1763900000011-RefundApproval';
import { InsuranceBalance1763900000012 } from './migrations/1763900000012-InsuranceBalance';
import { Notifications1763900000014 } from './migrations/1763900000014-Notifications';
import { StepUp1763900000015 } from './migrations/1763900000015-StepUp';
import { ReconSessionStaging1763900000016 } from './migrations/1763900000016-ReconSessionStaging';
import { ReconRowSidesJson1763900000017 } from './migrations/1763900000017-ReconRowSidesJson';

export const MIGRATIONS = [
  Initial1763900000000,
  Console1763900000001,
  Refunds1763900000002,
  Reconciliation1763900000003,
  LatePayments1763900000004,
  RefundRequestLink1763900000005,
  MedInsPayerAndFunds1763900000007,
  PatientVerifications1763900000008,
  ConsoleUserStates1763900000009,
  OrderDept1763900000010,
  RefundApproval1763900000011,
  InsuranceBalance1763900000012,
  Risk1763900000013,
  Notifications1763900000014,
  StepUp1763900000015,
  ReconSessionStaging1763900000016,
  ReconRowSidesJson1763900000017,
];
export const POOL_SIZE_MAX = 20;

/**
 * A pool connection that always has an 'error' listener. The pool and TypeORM listen while a connection is idle
 * or lent out, but not in every gap between (e.g. just after TypeORM gave back a broken one): a connection ended
 * by the server then (pg_terminate_backend, a failover) raised an unhandled 'error' and took the process down —
 * found by the chaos run. The pool still learns of the error and drops the connection.
 */
class ListenedClient extends Client {
  constructor(config?: string | ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}

/** A data source on one schema; migrations are run explicitly (never `synchronize`). */
export function createDataSource(url: string, schema = 'public'): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    schema,
    entities: [...ENTITIES, ...CONSOLE_ENTITIES, ...REFUND_ENTITIES],
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false,
    logger: new StatementCountingLogger(),
    extra: { max: POOL_SIZE_MAX, options: `-c search_path=${schema}`, Client: ListenedClient },
  });
}

export async function openDatabase(url: string, schema = 'public'): Promise<DataSource> {
  const ds = createDataSource(url, schema);
  await ds.initialize();
  if (schema !== 'public') await ds.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await ds.runMigrations({ transaction: 'each' });
  return ds;
}
