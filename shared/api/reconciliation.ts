/**
 * Reconciliation (DESIGN 6.10) and the daily close, as the cashier console runs and reads them: the kinds of
 * reconciled record, runs with their per-source totals, discrepancy rows and the actions on them, the 补单
 * preview, and the closed day.
 */
import { z } from 'zod';
import type { Split } from '../money';
import { trimmed, bigintIdSchema, type OrderStatusName, cstDateSchema } from './common';

/** How a reconciled record came out. MATCHED is the only clean kind; the others are discrepancies. */
export const RECON_KINDS = [
  'MATCHED',
  /** 长款: a channel (WeChat Pay / insurance) has money the HIS has not charged */
  'OVER',
  /** 短款: the HIS charged (or a party expects) money a channel does not have */
  'SHORT',
  'AMOUNT_MISMATCH',
  /** present on every side but the states disagree, or a refund seen on one side only */
  'STATUS_MISMATCH',
  /** the sides fall on different days around midnight: expected to match on the adjacent day */
  'CUTOFF',
] as const;
export type ReconKind = (typeof RECON_KINDS)[number];

export const RECON_ROW_ACTIONS = ['retry-his-confirm', 'post-missing', 'refund', 'resolve'] as const;
export type ReconRowAction = (typeof RECON_ROW_ACTIONS)[number];

export const reconciliationRequest = z.object({ date: cstDateSchema }).strict();
export const reconciliationListQuery = z
  .object({ date: cstDateSchema.optional(), limit: z.coerce.number().int().min(1).max(200).optional() })
  .strict();
export const reconRowsQuery = z
  .object({
    kind: z.enum(RECON_KINDS).optional(),
    /** discrepancies only (everything but MATCHED) */
    discrepancies: z.enum(['true', 'false']).optional(),
    resolved: z.enum(['true', 'false']).optional(),
    /** the id of the last row of the previous page (X-Next-Cursor) */
    cursor: bigintIdSchema.optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .strict();
export const resolveRowRequest = z.object({ reason: trimmed(500) }).strict();
export const dailyCloseRequest = z.object({ date: cstDateSchema }).strict();

export type ReconciliationRequest = z.infer<typeof reconciliationRequest>;
export type ReconRowsQuery = z.infer<typeof reconRowsQuery>;

export type ReconSummary = Record<
  'matched' | 'over' | 'short' | 'amountMismatch' | 'statusMismatch' | 'cutoff',
  number
>;

/** One channel's money for the day as one source saw it (fen). */
export interface ReconChannelTotals {
  count: number;
  paidFen: number;
  refundedFen: number;
}

/** Per source: ours (our database), wechat (trade bill, cash), insurance (3202, fund + account), his. */
export interface ReconTotals {
  ours: {
    cash: ReconChannelTotals;
    fund: ReconChannelTotals;
    account: ReconChannelTotals;
    total: ReconChannelTotals;
  };
  wechat: { cash: ReconChannelTotals; feeFen: number };
  insurance: { fund: ReconChannelTotals; account: ReconChannelTotals; total: ReconChannelTotals };
  his: {
    cash: ReconChannelTotals;
    fund: ReconChannelTotals;
    account: ReconChannelTotals;
    total: ReconChannelTotals;
  };
  /** 3201 对总账: the platform's verdict on our insurance totals */
  insuranceCheck?: { balanced: boolean; message: string };
  /** the day by hour (China time, 0–23) per channel, net of refunds, as the parties report it: the console's chart */
  hourly: { hour: number; wechatFen: number; insuranceFen: number; hisFen: number }[];
}

export type ReconRunStatus = 'RUNNING' | 'DONE' | 'FAILED';

export interface ReconRunView {
  id: string;
  date: string;
  status: ReconRunStatus;
  actor: string;
  startedAt: string;
  finishedAt?: string;
  error?: string;
  summary: ReconSummary;
  totals?: ReconTotals;
  /** discrepancy rows not yet resolved */
  open: number;
  /** the day has been closed (日结): nothing of it changes any more */
  closed: boolean;
}

/** What one source says of one record. Absent source = it has no such record for the day. */
export interface ReconSideView {
  total: number;
  fund: number;
  account: number;
  cash: number;
  /** the source's reference: transaction id, setl_id, receipt number, our status */
  ref?: string;
  at?: string;
}

export interface ReconRowView {
  id: string;
  runId: string;
  kind: ReconKind;
  record: 'PAYMENT' | 'REFUND';
  orderNo: string;
  refundNo?: string;
  /** our order's id when we know the order */
  orderId?: string;
  ours?: ReconSideView & { status: string };
  wechat?: ReconSideView;
  insurance?: ReconSideView;
  his?: ReconSideView;
  /** why it was classified so, in plain words */
  note: string;
  /** actions that make sense for this row (the server checks role and state again) */
  actions: ReconRowAction[];
  resolution?: { action: ReconRowAction; by: string; reason: string; at: string };
}

/** 补单 preview: what posting the missing order to the HIS would record. */
export interface PostMissingPreview {
  rowId: string;
  orderId: string;
  orderNo: string;
  orderStatus: OrderStatusName;
  billNos: string[];
  split: Split;
  transactionId?: string;
  setlId?: string;
  /** what the HIS will be told, in plain words */
  effect: string;
}

export interface DailyCloseView {
  date: string;
  runId: string;
  closedBy: string;
  closedAt: string;
  summary: ReconSummary;
  totals: ReconTotals;
}
