/**
 * `npm run mock -- <command>`: the three mock gateways' admin APIs from a terminal or a CI script, through the
 * typed admin client (mocks/common/admin-client). Human text by default, `--json` for machines; exit code 0 =
 * done / verified, 1 = a mock refused or the check failed, 2 = bad usage. One module per noun under
 * scripts/mockCli/. Tests call `runCli(argv, io)` directly.
 */
import { parseArgs } from 'node:util';
import { bill } from './mockCli/bill';
import { callbacks } from './mockCli/callbacks';
import { clock } from './mockCli/clock';
import { createCtx, UsageError, type CliIo, type Command } from './mockCli/context';
import { fault } from './mockCli/fault';
import { journal, verify } from './mockCli/journal';
import { messages } from './mockCli/messages';
import { person } from './mockCli/person';
import { scenario, scenarios, sessions } from './mockCli/scenario';
import { reset, status } from './mockCli/status';
import { OPTIONS, USAGE } from './mockCli/usage';

export { nextDayAt, parseDuration, resolveUrls, type CliIo } from './mockCli/context';

const COMMANDS: Record<string, Command> = {
  status,
  reset,
  scenarios,
  scenario,
  sessions,
  fault,
  journal,
  verify,
  clock,
  callbacks,
  person,
  bill,
  messages,
};

const defaultIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
};

/** The whole CLI; returns the exit code. */
export async function runCli(argv: string[], io: CliIo = defaultIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    io.err(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    (values.help ? io.out : io.err)(USAGE);
    return values.help ? 0 : 2;
  }
  const [command, ...args] = positionals;
  try {
    const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!run) throw new UsageError(`unknown command: ${command}`);
    return await run(createCtx(io, values, args));
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.stack : err);
      process.exit(1);
    },
  );
}
