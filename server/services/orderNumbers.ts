/**
 * Our order number is used as the HIS order number, the insurance medOrgOrd and WeChat's out_trade_no:
 * one key follows the payment everywhere. WeChat allows 6–32 characters of [A-Za-z0-9_-|*].
 */
import { randomInt } from 'node:crypto';
import { cstCompact } from '../../shared/clock';

export function newOrderNo(nowMs: number): string {
  return `MO${cstCompact(nowMs)}${String(randomInt(0, 1e10)).padStart(10, '0')}`;
}

export function newRefundNo(nowMs: number): string {
  return `RF${cstCompact(nowMs)}${String(randomInt(0, 1e10)).padStart(10, '0')}`;
}
