/**
 * The monitoring files of ops/ as the tests read them: the PromQL expressions of the alert rules and of the
 * dashboard's panels, and the metric names those expressions use; and promtool, found or skipped loudly (with
 * CI=true a missing promtool fails, as a missing chromium does for the browser tests).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const OPS_DIR = join(__dirname, '..', '..', 'ops');

/** The `expr:` of every rule of ops/alerts.yml (inline, or a `|` / `>-` block). */
export function alertExpressions(file = join(OPS_DIR, 'alerts.yml')): string[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const exprs: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)(?:- )?expr:\s*(.*)$/.exec(lines[i]);
    if (!m) continue;
    const inline = m[2].trim();
    if (inline !== '' && !/^[|>][-+]?$/.test(inline)) {
      exprs.push(inline);
      continue;
    }
    const block: string[] = [];
    while (i + 1 < lines.length && (lines[i + 1].trim() === '' || indent(lines[i + 1]) > m[1].length)) {
      block.push(lines[++i].trim());
    }
    exprs.push(block.join(' ').trim());
  }
  return exprs;
}

const indent = (line: string) => line.length - line.trimStart().length;

interface Panel {
  title?: string;
  type?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

export interface Dashboard {
  title: string;
  uid?: string;
  panels: Panel[];
}

export function readDashboard(file = join(OPS_DIR, 'grafana-dashboard.json')): Dashboard {
  return JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
}

/** Every panel's targets' expressions, rows' nested panels included. */
export function dashboardExpressions(dashboard: Dashboard = readDashboard()): string[] {
  const walk = (panels: Panel[]): string[] =>
    panels.flatMap((p) => [
      ...(p.targets ?? []).flatMap((t) => (t.expr ? [t.expr] : [])),
      ...walk(p.panels ?? []),
    ]);
  return walk(dashboard.panels);
}

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
]);

/**
 * The metric names an expression reads: identifiers that are not functions (followed by `(`), keywords, label
 * lists (`by (…)`, `{…}`), ranges (`[5m]`) or strings. Histogram series keep their suffix (`_bucket`).
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\w+/g, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const name = m[0];
    const next = stripped.slice((m.index ?? 0) + name.length).trimStart();
    if (next.startsWith('(') || KEYWORDS.has(name)) continue;
    names.add(name);
  }
  return [...names];
}

export const PROMTOOL = process.env.PROMTOOL_PATH ?? 'promtool';

/** Whether promtool runs here; without it the rule tests are skipped loudly, and fail with CI=true. */
export function promtoolAvailable(): boolean {
  try {
    execFileSync(PROMTOOL, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI === 'true')
      throw new Error(`CI=true and no ${PROMTOOL} (apt-get install -y prometheus)`);
    console.warn(
      `\n⚠️  SKIPPED: alert rule checks — no ${PROMTOOL}. Install it with: apt-get install -y prometheus\n`,
    );
    return false;
  }
}
