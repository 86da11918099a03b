/**
 * SQL of the 个人账户 balance kept on a card's insurance authorizations (services/patient/insuranceBalances.ts):
 * a newer reading replaces an older one, never the other way round, whatever order the readings arrive in.
 */
import { returnedRows, type Db } from './rows';

export interface BalanceReading {
  patientId: string;
  /** the insured person the balance is of (1101 psn_no) */
  psnNo: string;
  balanceFen: number;
  /** when the balance was true: the settlement's time for a 6301 reading, the query's for a 1101 */
  asOf: Date;
}

/**
 * Writes the reading on the card's authorizations of that person whose balance is not newer. Compared to the
 * second (the platform's times have no milliseconds): a reading of the same second wins, and balance_as_of never
 * goes back. Answers how many authorizations took it.
 */
export async function recordBalance(db: Db, reading: BalanceReading): Promise<number> {
  if (!Number.isSafeInteger(reading.balanceFen) || reading.balanceFen < 0)
    throw new RangeError(`not a balance in fen: ${reading.balanceFen}`);
  const result: unknown = await db.query(
    `UPDATE insurance_authorizations
        SET balance_fen = $3, balance_as_of = GREATEST(COALESCE(balance_as_of, $4), $4)
      WHERE patient_id = $1 AND psn_no = $2
        AND (balance_as_of IS NULL OR date_trunc('second', balance_as_of) <= $4)
      RETURNING id`,
    [reading.patientId, reading.psnNo, reading.balanceFen, reading.asOf],
  );
  return returnedRows(result).length;
}
