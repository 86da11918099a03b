/**
 * The daily list a page at a time: the day's charges, then its refunds, each in recording order (ascending
 * seq, so a page is found by binary search, never by scanning what came before: paging a day of n records
 * costs O(n + pages × log n)). The cursor names the last record handed out, so a charge the admin API
 * deletes meanwhile does not shift the pages; records recorded behind a cursor are not seen by that walk.
 */
import { HIS_DAILY_PAGE_SIZE_DEFAULT } from '../../shared/protocol/his';
import { MockHttpError } from '../common/app';
import type { Charge, HisState, Refund } from './state';

interface Position {
  /** C: within the charges, R: within the refunds */
  section: 'C' | 'R';
  /** seq of the last record handed out */
  seq: number;
}

export interface DailyPage {
  charges: Charge[];
  refunds: Refund[];
  nextCursor?: string;
}

export function encodeCursor(date: string, position: Position): string {
  return Buffer.from(`${date}|${position.section}|${position.seq}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, date: string): Position {
  const match = /^(\d{4}-\d{2}-\d{2})\|([CR])\|(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw new MockHttpError(400, 'PARAM_ERROR', 'cursor: not a cursor of this list');
  if (match[1] !== date) throw new MockHttpError(400, 'PARAM_ERROR', `cursor: a cursor of ${match[1]}`);
  return { section: match[2] as 'C' | 'R', seq: Number(match[3]) };
}

/** Index of the first record whose seq is greater than `seq` (the list is in ascending seq). */
function firstAfter(list: readonly { seq: number }[], seq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].seq <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function dailyPage(
  state: HisState,
  date: string,
  pageSize = HIS_DAILY_PAGE_SIZE_DEFAULT,
  cursor?: string,
): DailyPage {
  const day = state.dayLists(date);
  const after = cursor === undefined ? undefined : decodeCursor(cursor, date);
  const chargeAt =
    after === undefined ? 0 : after.section === 'C' ? firstAfter(day.charges, after.seq) : day.charges.length;
  const refundAt = after?.section === 'R' ? firstAfter(day.refunds, after.seq) : 0;
  const charges = day.charges.slice(chargeAt, chargeAt + pageSize);
  const room = pageSize - charges.length;
  const refunds = room > 0 ? day.refunds.slice(refundAt, refundAt + room) : [];
  const more =
    chargeAt + charges.length < day.charges.length || refundAt + refunds.length < day.refunds.length;
  if (!more) return { charges, refunds };
  const next: Position =
    refunds.length > 0
      ? { section: 'R', seq: refunds[refunds.length - 1].seq }
      : { section: 'C', seq: charges[charges.length - 1].seq };
  return { charges, refunds, nextCursor: encodeCursor(date, next) };
}
