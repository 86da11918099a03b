/**
 * The risk console (issue 13): the decisions the risk rules took (events), orders held for a cashier's review,
 * blocked WeChat users and how often each rule fired. Supervisors block and unblock; cashiers decide reviews.
 */
import { z } from 'zod';
import { bigintIdSchema, trimmed } from './common';

export const RISK_DECISION_NAMES = ['allow', 'step_up', 'review', 'block'] as const;
export type RiskDecisionName = (typeof RISK_DECISION_NAMES)[number];

export const RISK_ACTION_NAMES = ['bind', 'checkout', 'pay', 'refund'] as const;
export type RiskActionName = (typeof RISK_ACTION_NAMES)[number];

/** A WeChat openid as WeChat gives it (28 characters of letters, digits, _ and -), as the console shows it. */
export const openidSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{28}$/, '微信用户标识应为 28 位字母、数字、_ 或 -');

/** The X-Device-Id header: the mini-program's random id of the install, printable ASCII, at most 64 characters. */
export const deviceIdSchema = z.string().regex(/^[\x21-\x7e]{1,64}$/, '设备标识须为 1–64 个可打印字符');

const isoInstant = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), '时间格式不正确（ISO 8601）')
  .transform((s) => new Date(s));

export const riskEventsQuery = z
  .object({
    /** the WeChat user (openid) */
    userId: openidSchema.optional(),
    decision: z.enum(RISK_DECISION_NAMES).optional(),
    action: z.enum(RISK_ACTION_NAMES).optional(),
    from: isoInstant.optional(),
    to: isoInstant.optional(),
    /** the id of the last event of the previous page (from the X-Next-Cursor header); newest first */
    cursor: bigintIdSchema.optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .strict();
export type RiskEventsQuery = z.infer<typeof riskEventsQuery>;

export const riskBlockRequest = z.object({ openid: openidSchema, reason: trimmed(500) }).strict();
export type RiskBlockRequest = z.infer<typeof riskBlockRequest>;

export const riskRejectRequest = z.object({ reason: trimmed(500) }).strict();
export type RiskRejectRequest = z.infer<typeof riskRejectRequest>;

export interface RiskHitView {
  rule: string;
  decision: Exclude<RiskDecisionName, 'allow'>;
  inputs: Record<string, number | string | boolean>;
}

export interface RiskEventView {
  id: string;
  at: string;
  action: RiskActionName;
  openid: string | null;
  cashier: string | null;
  patientId: string | null;
  orderId: string | null;
  deviceId: string | null;
  decision: RiskDecisionName;
  /** the ids of the rules that fired */
  rules: string[];
  /** per rule: its decision and what it counted */
  inputs: Record<string, unknown>;
}

export interface RiskReviewView {
  orderId: string;
  orderNo: string;
  openid: string;
  patientNameMasked: string;
  status: string;
  totalFen: number;
  createdAt: string;
  expiresAt: string;
  /** the rules that held it (from the checkout's event) */
  rules: string[];
}

export interface RiskReviewDecisionView {
  orderId: string;
  decision: 'APPROVED' | 'REJECTED';
  status: string;
}

export interface RiskBlockView {
  openid: string;
  blockedBy: string;
  reason: string;
  at: string;
}

export interface RiskRuleStatView {
  rule: string;
  /** how many events it fired in, in all and in the last 24 h */
  hits: number;
  hitsLastDay: number;
}
