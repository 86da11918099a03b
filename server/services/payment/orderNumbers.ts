/**
 * Our order number is used as the HIS order number, the insurance medOrgOrd, WeChat's out_trade_no and the
 * med-ins order's serial_no: one key follows the payment everywhere. serial_no is WeChat's tightest field
 * (string(20); out_trade_no allows 6–32 of [A-Za-z0-9_-|*]), so an order number is exactly 20 characters:
 * `M` + the China-time second (yyMMddHHmmss) + 7 random base-36 characters (36^7 ≈ 7.8e10 a second).
 */
import { randomInt } from 'node:crypto';
import { cstCompact } from '../../../shared/clock';

const RANDOM_CHARS = 7;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function randomBase36(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(0, ALPHABET.length)];
  return out;
}

export function newOrderNo(nowMs: number): string {
  return `M${cstCompact(nowMs).slice(2)}${randomBase36(RANDOM_CHARS)}`;
}
