/** The hospital's business day is China time (UTC+8, no daylight saving), whatever the browser's zone is. */

const CST_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;

/** yyyy-MM-dd of the instant, China time. */
export function cstDate(ms: number): string {
  return new Date(ms + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** The day `days` after (negative: before) a yyyy-MM-dd day. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export const isDate = (value: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);

/** '2026-03-01 17:05:09' China time; '—' for a missing or bad instant. */
export function formatCst(iso: string | undefined, withSeconds = true): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '—';
  const s = new Date(ms + CST_OFFSET_MS).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, withSeconds ? 19 : 16)}`;
}
