/**
 * The cashier console API (DESIGN 13, Cashier API): console sessions and roles, the day's orders and their
 * detail (events, outbox, ledger), refunds and their preview, the audit trail, console users (TOTP enrolment,
 * password reset, unlock), and deciding patients' refund requests.
 */
import { z } from 'zod';
import type { Split } from '../money';
import {
  trimmed,
  ordersCursorSchema,
  ORDER_STATUS_NAMES,
  type OrderStatusName,
  cstDateSchema,
} from './common';
import type { RefundStatusName, RefundLegView, RefundView, RefundRequestView } from './patient';

export interface OrderEventView {
  from: string | null;
  to: string;
  actor: string;
  reason: string;
  at: string;
}

/** What a cashier may do with an order now; the server checks role and state again when it is done. */
export const CONSOLE_ORDER_ACTIONS = [
  'refund',
  'approve-request',
  'reject-request',
  'approve-refund',
  'reject-refund',
] as const;
export type ConsoleOrderAction = (typeof CONSOLE_ORDER_ACTIONS)[number];

/** POST /api/v1/console/orders/:id/refunds: no amount = everything left of the order. */
export const refundRequest = z
  .object({
    amount: z.number().int().positive().max(100_000_000_000).optional(),
    reason: trimmed(200),
  })
  .strict();

export type RefundRequest = z.infer<typeof refundRequest>;

/** The answer to a refund request. */
export interface RefundCreatedView {
  id: string;
  status: RefundStatusName;
  legs: RefundLegView[];
}

export const CONSOLE_ROLES = ['cashier', 'supervisor'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

/** Lengths are generous bounds, not policy: a wrong value of any length is one failed login, like the others. */
export const consoleSessionRequest = z
  .object({
    username: trimmed(64),
    password: z.string().min(1).max(256),
    otp: z.string().trim().min(1).max(16),
  })
  .strict();

export const consoleOrdersQuery = z
  .object({
    date: cstDateSchema,
    status: z.enum(ORDER_STATUS_NAMES).optional(),
    /** opaque; from the X-Next-Cursor header of the previous page */
    cursor: ordersCursorSchema.optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .strict();

export const consoleAuditQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(1000).optional() })
  .strict();

export type ConsoleSessionRequest = z.infer<typeof consoleSessionRequest>;
export type ConsoleOrdersQuery = z.infer<typeof consoleOrdersQuery>;

export interface ConsoleSessionView {
  token: string;
  role: ConsoleRole;
  expiresInS: number;
  /**
   * true after a supervisor reset the password: until the user changes it (POST /api/v1/console/session/password)
   * this token opens nothing else. The server always sends it.
   */
  mustChangePassword?: boolean;
}

export interface ConsoleUserView {
  username: string;
  role: ConsoleRole;
}

/** One order as the cashier sees it: amounts in fen, the patient masked. */
export interface ConsoleOrderSummary {
  id: string;
  orderNo: string;
  status: OrderStatusName;
  split: Split;
  refunded: number;
  billNos: string[];
  patientName: string;
  idNoMasked: string;
  createdAt: string;
  paidAt?: string;
  receiptNo?: string;
}

export interface ConsoleOutboxView {
  kind: string;
  status: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string;
}

export interface ConsoleLedgerEntryView {
  postingId: string;
  kind: string;
  account: string;
  direction: 'D' | 'C';
  amount: number;
  at: string;
}

export interface ConsoleOrderDetail extends ConsoleOrderSummary {
  useInsurance: boolean;
  mixTradeNo?: string;
  transactionId?: string;
  lastError?: string;
  events: OrderEventView[];
  outbox: ConsoleOutboxView[];
  ledger: ConsoleLedgerEntryView[];
  /** the order's refunds, split by fund, with their legs */
  refunds: RefundView[];
  /** patients' refund requests of this order, newest first (pending ones wait for a cashier) */
  refundRequests: RefundRequestView[];
  /** what the cashier may do now, decided by the server (server/domain/orderPolicy.ts) */
  allowedActions: ConsoleOrderAction[];
}

/** POST /api/v1/console/orders/:id/refunds/preview (same body as the refund): what 确认 would give back, in fen. */
export interface RefundPreviewView {
  /** by leg, as the refund would be allocated (server/domain/refunds.ts allocateRefund) */
  split: Split;
  /** what would be left to refund of the order after it */
  leftAfter: number;
}

export interface AuditEntryView {
  id: string;
  at: string;
  actor: string;
  role: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  requestId: string | null;
  /** what was done, as one plain Chinese sentence with amounts in yuan and order numbers (the console shows this) */
  description: string;
}

export const createConsoleUserRequest = z
  .object({
    username: z
      .string()
      .trim()
      .regex(/^[a-z][a-z0-9_.-]{2,31}$/, 'usernames are 3–32 of a–z, 0–9, _ . - starting with a letter'),
    password: z.string().min(10, 'at least 10 characters').max(256),
    role: z.enum(CONSOLE_ROLES),
  })
  .strict();
export type CreateConsoleUserRequest = z.infer<typeof createConsoleUserRequest>;

/** One console user as a supervisor manages it (GET /api/v1/console/users). */
export interface ConsoleUserListItem extends ConsoleUserView {
  id: string;
  /** a disabled user cannot log in; its sessions ended when it was disabled */
  disabled: boolean;
  /** the password was reset by a supervisor and not yet changed */
  mustChangePassword: boolean;
  /** source addresses locked out of this account right now (too many failures from each) */
  lockedAddresses: number;
  createdAt: string;
}

/** POST /api/v1/console/session/password: the current password always, even right after a reset. */
export const changeConsolePasswordRequest = z
  .object({
    currentPassword: z.string().min(1).max(256),
    newPassword: z.string().min(10, 'at least 10 characters').max(256),
  })
  .strict();
export type ChangeConsolePasswordRequest = z.infer<typeof changeConsolePasswordRequest>;

/** POST /api/v1/console/users/:id/password-reset: a temporary password, shown once; changed at next login. */
export interface ConsolePasswordResetView {
  username: string;
  temporaryPassword: string;
}

/** POST /api/v1/console/users/:id/unlock: how many source addresses were locked out and are no longer. */
export interface ConsoleUnlockView {
  username: string;
  unlockedAddresses: number;
}

/** The answer to creating a console user: the TOTP enrolment, shown once (QR code of otpauthUri). */
export interface ConsoleEnrolmentView {
  username: string;
  role: ConsoleRole;
  /** base32 secret, for typing into an authenticator by hand */
  secret: string;
  otpauthUri: string;
}

export const rejectRefundRequest = z.object({ reason: trimmed(200) }).strict();
export const refundRequestsQuery = z
  .object({ status: z.enum(['PENDING', 'APPROVED', 'REJECTED']).optional() })
  .strict();

/** POST /api/v1/console/refunds/:id/reject: why a supervisor turns a cashier's large refund down. */
export const refundDecisionRequest = z.object({ reason: trimmed(200) }).strict();
