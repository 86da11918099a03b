/**
 * The JSON columns of reconciliation (recon_runs.summary / totals, recon_rows.sides / resolution), checked
 * against their shapes as they are read: we wrote them, but a row that does not fit fails here, not in a view.
 */
import { z } from 'zod';
import {
  RECON_ROW_ACTIONS,
  type ReconRowAction,
  type ReconSummary,
  type ReconTotals,
} from '../../../shared/api';
import type { ReconSide, ReconSourceName } from '../../domain/reconciliation';

const count = z.number();
const summaryShape = z.object({
  matched: count,
  over: count,
  short: count,
  amountMismatch: count,
  statusMismatch: count,
  cutoff: count,
});

/** A run's summary as stored: every count once the run is done, some or none before. */
export const partialSummaryOf = (value: unknown): Partial<ReconSummary> =>
  summaryShape.partial().parse(value);

export const summaryOf = (value: unknown): ReconSummary => summaryShape.parse(value);

const channel = z.object({ count: z.number(), paidFen: z.number(), refundedFen: z.number() });
const totalsShape = z.object({
  ours: z.object({ cash: channel, fund: channel, account: channel, total: channel }),
  wechat: z.object({ cash: channel, feeFen: z.number() }),
  insurance: z.object({ fund: channel, account: channel, total: channel }),
  his: z.object({ cash: channel, fund: channel, account: channel, total: channel }),
  insuranceCheck: z.object({ balanced: z.boolean(), message: z.string() }).optional(),
  hourly: z.array(
    z.object({ hour: z.number(), wechatFen: z.number(), insuranceFen: z.number(), hisFen: z.number() }),
  ),
});

export const totalsOf = (value: unknown): ReconTotals => totalsShape.parse(value);

const side = z.object({
  total: z.number(),
  fund: z.number(),
  account: z.number(),
  cash: z.number(),
  ref: z.string().optional(),
  atMs: z.number().optional(),
});

/** What a row keeps of each side (JSON in recon_rows.sides). */
export type StoredSides = Partial<Record<ReconSourceName, ReconSide>>;

const sidesShape = z.object({
  ours: side.optional(),
  wechat: side.optional(),
  insurance: side.optional(),
  his: side.optional(),
});

export const sidesOf = (value: unknown): StoredSides => sidesShape.parse(value);

/** What was done about a row, by whom, why and when (JSON in recon_rows.resolution). */
export interface StoredResolution {
  action: ReconRowAction;
  by: string;
  reason: string;
  at: string;
}

const resolutionShape = z.object({
  action: z.enum(RECON_ROW_ACTIONS),
  by: z.string(),
  reason: z.string(),
  at: z.string(),
});

export const resolutionOf = (value: unknown): StoredResolution => resolutionShape.parse(value);
