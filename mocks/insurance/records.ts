/** What the insurance mock keeps of an order, its settlement and refunds (state.ts owns them; daybook.ts reads them). */
import type { Split } from '../../shared/money';
import type { OrdStasName } from '../../shared/protocol/insurance';
import type { Insutype, SettlementResult } from './rules';

export interface OrderLine {
  feedetlSn: string;
  code: string;
  name: string;
  amountFen: number;
}

export interface RefundRecord {
  appRefdSn: string;
  split: Split;
  atMs: number;
  /** API: a 6203; ADMIN: recorded at the platform only (POST /__admin/settlements/:payOrdId/refunds) */
  origin: 'API' | 'ADMIN';
}

export interface Settlement {
  setlId: string;
  settledAtMs: number;
  year: string;
  result: SettlementResult;
  /** the person's 个人账户 balance right after this settlement took the account leg (setlinfo balc) */
  balanceAfterFen: number;
  /** what the platform's books (3201, the 3202 file) show instead of result.split; set by the admin API */
  reportedSplit?: Split;
}

export interface Order {
  payOrdId: string;
  payToken: string;
  medOrgOrd: string;
  psnNo: string;
  payAuthNo: string;
  insutype: Insutype;
  totalFen: number;
  accountUsed: boolean;
  lines: OrderLine[];
  /** what makes a 6201 replay the same upload */
  fingerprint: string;
  status: OrdStasName;
  createdAtMs: number;
  preSettlement?: SettlementResult;
  settlement?: Settlement;
  refunds: RefundRecord[];
  refunded: Split;
  failureReason?: string;
}
