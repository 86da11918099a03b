/**
 * `npm run chaos -- --flows N --seed S [--instances 1|2] [--kill-every 15s] [--concurrency 10] [--json]`: the
 * chaos run of issue 14 (scripts/chaos/main.ts). Prints the report; exits 1 on any violation or a failed quiesce.
 */
import { parseArgs } from 'node:util';
import { runChaos } from './chaos/main';
import { renderReport } from './chaos/report';

/** "15s", "2m", "500ms" or a number of ms; "0" or "never" for none. */
function duration(text: string): number {
  if (text === 'never') return 0;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text} (e.g. 15s, 2m, 500ms)`);
  const n = Number(m[1]);
  return Math.round(m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n);
}

function positiveInt(name: string, text: string, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`--${name} must be an integer 0–${max}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      flows: { type: 'string', default: '200' },
      seed: { type: 'string', default: '1' },
      instances: { type: 'string', default: '1' },
      'kill-every': { type: 'string', default: 'never' },
      concurrency: { type: 'string', default: '10' },
      'payment-window': { type: 'string', default: '20s' },
      json: { type: 'boolean', default: false },
    },
  });
  const instances = positiveInt('instances', values.instances, 2);
  if (instances < 1) throw new Error('--instances must be 1 or 2');
  const report = await runChaos({
    flows: positiveInt('flows', values.flows, 100_000),
    seed: positiveInt('seed', values.seed, 2 ** 31 - 1),
    instances,
    killEveryMs: duration(values['kill-every']),
    concurrency: positiveInt('concurrency', values.concurrency, 200) || 1,
    paymentWindowMs: duration(values['payment-window']),
    log: (line) => process.stderr.write(`chaos: ${line}\n`),
  });
  console.log(values.json ? JSON.stringify(report, null, 2) : renderReport(report));
  process.exitCode = report.passed ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
