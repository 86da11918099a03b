/**
 * What several audiences of the API share: trimmed strings, resident ID and bill numbers, ids (UUIDs, bigint
 * ids as text), the console's order cursor, the Idempotency-Key, business dates within CST_DATE_YEARS, and the
 * names of every order status. Kept apart so the patient, console and reconciliation modules validate them alike.
 */
import { z } from 'zod';

export const trimmed = (max: number) => z.string().trim().min(1).max(max);

/** Mainland resident ID: 18 characters (17 digits + digit or X) or the old 15 digits. */
export const idNoSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^(\d{17}[\dX]|\d{15})$/, 'must be an 18-character resident ID number (or 15 digits)');

export const billNoSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, 'bill numbers are 1–32 letters, digits, _ or -');

/** The id of a patient card, order, refund, refund request or reconciliation run (path parameters). */
export const uuidParam = z.string().uuid('不是有效的编号（UUID）');

/** PostgreSQL's bigint: ids (bigserial) and keyset cursors over them are at most 2^63 − 1. */
export const BIGINT_MAX_DIGITS = '9223372036854775807';

/**
 * A bigint id as decimal digits, no sign, no leading zero, within PostgreSQL's bigint: what the server gives
 * out (reconciliation rows, their cursor). Compared as text, so it works without BigInt.
 */
export const bigintIdSchema = z
  .string()
  .regex(/^(0|[1-9]\d{0,18})$/, '不是有效的编号（正整数）')
  .refine(
    (s) => s.length < BIGINT_MAX_DIGITS.length || s <= BIGINT_MAX_DIGITS,
    `编号超出范围（最大 ${BIGINT_MAX_DIGITS}）`,
  );

/** The opaque cursor of GET /api/v1/console/orders: base64url of `<created_at ISO>|<uuid>`, as the server made it. */
const ORDERS_CURSOR =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function decodesToOrdersCursor(cursor: string): boolean {
  try {
    const text = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    return ORDERS_CURSOR.test(text) && !Number.isNaN(Date.parse(text.slice(0, 24)));
  } catch {
    return false;
  }
}

export const ordersCursorSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,200}$/, '游标无效：请使用上一页答复的 X-Next-Cursor')
  .refine(decodesToOrdersCursor, '游标无效：请使用上一页答复的 X-Next-Cursor');

export const idempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{8,128}$/, 'Idempotency-Key must be 8–128 characters of [A-Za-z0-9_.:-]');

/** Every state an order can be in; the transitions are decided in server/domain/orderStateMachine.ts. */
export const ORDER_STATUS_NAMES = [
  'CREATED',
  'PRESETTLED',
  'AWAITING_PAYMENT',
  'UNKNOWN',
  'PAID',
  'COMPLETED',
  'CANCELLED',
  'EXPIRED',
  'PAYMENT_FAILED',
  'REFUNDING',
  'REFUNDED',
  'PARTIALLY_REFUNDED',
] as const;

export type OrderStatusName = (typeof ORDER_STATUS_NAMES)[number];

/** Business days the system knows of: a bound on every date in a request (PostgreSQL has no year 0, say). */
export const CST_DATE_YEARS = { min: 2000, max: 2099 } as const;

/** yyyy-MM-dd that names a real calendar day (a business day in China time) within CST_DATE_YEARS. */
export const cstDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as yyyy-MM-dd')
  .refine(
    (d) =>
      !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    {
      message: 'must be a real calendar day',
    },
  )
  .refine(
    (d) => Number(d.slice(0, 4)) >= CST_DATE_YEARS.min && Number(d.slice(0, 4)) <= CST_DATE_YEARS.max,
    `日期须在 ${CST_DATE_YEARS.min}-01-01 至 ${CST_DATE_YEARS.max}-12-31 之间`,
  );
