/**
 * The floor (`npm run bench -- --floor`): a minimal server making the same hops to the same mocks as ours for one
 * patient flow — the same signatures and verifications, the same number of SQL statements and Redis commands —
 * with no logic, so ours/floor of CPU per flow says what our logic costs. Started as a child process from
 * FLOOR_ENTRY with the environment of our server (scripts/chaos/settings.ts runSettings) plus floorEnv(...).
 */

/** The child-process entry, relative to the repository root (as Instance spawns scripts/chaos/serverProcess.ts). */
export const FLOOR_ENTRY = 'bench/floor/serverProcess.ts';

/** What the bench measured on our server per flow, handed to the floor. */
export interface FloorCounts {
  sqlPerFlow: number;
  redisPerFlow: number;
}

export function floorEnv(counts: FloorCounts): Record<string, string> {
  return {
    FLOOR_SQL_PER_FLOW: String(counts.sqlPerFlow),
    FLOOR_REDIS_PER_FLOW: String(counts.redisPerFlow),
  };
}

/**
 * The outgoing calls of one flow (ours and the floor's), in order, as the mocks' journals name them: what
 * bench/floor/prove.ts checks the floor against.
 */
export function expectedHops(insured: boolean): string[] {
  return [
    'wechat GET /sns/jscode2session',
    'his POST /his/patients/query',
    'his POST /sms/send',
    ...(insured
      ? ['insurance POST /wecity/api/auth/user-query', 'insurance POST /fsi/api/rsfComIfsService/callService']
      : []),
    'his GET /his/patients/:id/unpaid-bills',
    'his GET /his/patients/:id/unpaid-bills',
    'his POST /his/bills/lock',
    ...(insured
      ? ['insurance POST /org/local/api/hos/uldFeeInfo', 'insurance POST /org/local/api/hos/pay_order']
      : []),
    'wechat POST /v3/pay/transactions/jsapi',
    ...(insured
      ? [
          'wechat POST /v3/med-ins/orders',
          'insurance POST /org/local/api/hos/query_order_info',
          'wechat GET /v3/pay/transactions/out-trade-no/:no',
        ]
      : []),
    'his POST /his/charges/confirm',
  ];
}
