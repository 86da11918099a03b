/**
 * The platform's books by day (CST): every settlement on the day it was settled, every refund (6203 or
 * admin) on the day it was made, in the order they were recorded. Appended to, never rewritten, so the day's
 * list read up to a length is a stable snapshot, and 3201/3202 cost time in the day's records only.
 */
import { cstDate } from '../../shared/clock';
import type { Split } from '../../shared/money';
import type { Order, RefundRecord } from './records';

export type DayEvent =
  { kind: 'SETTLEMENT'; order: Order } | { kind: 'REFUND'; order: Order; refund: RefundRecord };

export class DayBook {
  private readonly byDate = new Map<string, DayEvent[]>();

  add(atMs: number, event: DayEvent): void {
    const date = cstDate(atMs);
    const events = this.byDate.get(date);
    if (events) events.push(event);
    else this.byDate.set(date, [event]);
  }

  /** The day's events, oldest recorded first (the caller must not change the array). */
  events(date: string): readonly DayEvent[] {
    return this.byDate.get(date) ?? [];
  }

  clear(): void {
    this.byDate.clear();
  }
}

/** The split the platform's books show for an event (a settlement may have been patched by the admin API). */
export function bookedSplit(event: DayEvent): Split {
  if (event.kind === 'REFUND') return event.refund.split;
  const settlement = event.order.settlement;
  if (!settlement) throw new Error(`order ${event.order.payOrdId} is in the books but not settled`);
  return settlement.reportedSplit ?? settlement.result.split;
}

export function bookedAtMs(event: DayEvent): number {
  if (event.kind === 'REFUND') return event.refund.atMs;
  return (event.order.settlement as NonNullable<Order['settlement']>).settledAtMs;
}

/** yyyy-MM-dd dates from begn to end inclusive (both valid calendar dates, begn ≤ end). */
export function datesBetween(begn: string, end: string): string[] {
  const out: string[] = [];
  const endMs = Date.parse(`${end}T00:00:00Z`);
  for (let ms = Date.parse(`${begn}T00:00:00Z`); ms <= endMs; ms += 86_400_000)
    out.push(new Date(ms).toISOString().slice(0, 10));
  return out;
}
