/**
 * How many SQL statements this process has sent to PostgreSQL (transaction control included), for the
 * `db_statements_total` metric and the bench's statements per flow. TypeORM hands every statement to its
 * logger whatever the `logging` option says, so counting there costs one increment and no string work.
 */
import type { Logger } from 'typeorm';

let sent = 0;

export const statementsSent = (): number => sent;

export class StatementCountingLogger implements Logger {
  logQuery(): void {
    sent++;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
