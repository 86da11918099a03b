/** How the CLI writes the mocks' answers for people: one line per fault, journal entry, notification… */
import { cstText } from '../../mocks/common/admin-client/format';
import type { ClockView, Fault, JournalEntry } from '../../mocks/common/admin-client/types';

export const cst = (ms: number): string => `${cstText(ms)} CST`;

export function clockText(view: Pick<ClockView, 'nowMs' | 'frozen'>): string {
  return `${cst(view.nowMs)}${view.frozen ? ' (frozen)' : ''}`;
}

export function journalLine(e: Partial<JournalEntry> & { hints?: unknown }): string {
  const tags = Object.entries(e.tags ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return [
    `#${e.seq ?? '?'}`,
    e.atMs !== undefined ? cst(e.atMs) : '',
    e.method,
    `${e.path}${e.query ? `?${e.query}` : ''}`,
    `→ ${e.status ?? '?'}`,
    e.durationMs !== undefined ? `${e.durationMs}ms` : '',
    e.fault ? `[fault ${e.fault}]` : '',
    tags,
  ]
    .filter(Boolean)
    .join('  ');
}

export function faultLine(f: Fault): string {
  const extra = (['status', 'latencyMs', 'latency', 'rate', 'count', 'hits', 'passes'] as const)
    .filter((k) => f[k] !== undefined)
    .map((k) => `${k} ${typeof f[k] === 'object' ? JSON.stringify(f[k]) : String(f[k])}`);
  return `#${f.id} ${f.kind} on ${f.method ? `${f.method} ` : ''}${f.path}${extra.length ? ` (${extra.join(', ')})` : ''}${f.exhausted ? ' — exhausted (count used up)' : ''}`;
}
