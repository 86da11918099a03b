/**
 * Pure helpers shared by the admin client's two users (the CLI and the console): durations and China-time
 * instants as testers type them, money in yuan, and a scenario's description. No Node, no DOM.
 */
import type { ScenarioView } from './types';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const CST_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** "3h", "90m", "1h30m", "45s", "2d", "500ms" → milliseconds; null when it is not one. */
export function durationMs(text: string): number | null {
  let total = 0;
  let matched = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy)) {
    total += Number(m[1]) * UNITS[m[2]];
    matched += m[0].length;
  }
  return matched === 0 || matched !== text.length ? null : Math.round(total);
}

/** The next calendar day (China time) at HH:mm, as epoch ms; null when `hhmm` is not a time of day. */
export function nextDayAtMs(nowMs: number, hhmm: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return null;
  const startOfTomorrowCst = Math.floor((nowMs + CST_MS) / DAY_MS) * DAY_MS + DAY_MS;
  return startOfTomorrowCst + Number(m[1]) * 3_600_000 + Number(m[2]) * 60_000 - CST_MS;
}

/** "2026-12-01 10:00:00" (China time) */
export function cstText(ms: number): string {
  return new Date(ms + CST_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** 7560 → "¥75.60" */
export function yuan(fen: unknown): string {
  return typeof fen === 'number' ? `¥${(fen / 100).toFixed(2)}` : String(fen ?? '');
}

/** "中文 / English" */
export function describeScenario(description: ScenarioView['description'] | string | undefined): string {
  if (typeof description === 'string') return description;
  return description ? [description.zh, description.en].filter(Boolean).join(' / ') : '';
}

/** Does the scenario act on this mock? (the catalogue is shared: every mock lists every scenario) */
export function actsOn(s: Pick<ScenarioView, 'mocks' | 'appliesHere'>, mock: string): boolean {
  return Array.isArray(s.mocks)
    ? s.mocks.includes(mock as ScenarioView['mocks'][number])
    : s.appliesHere !== false;
}
