/**
 * The console's page script: mocks/console/src (TypeScript) bundled by esbuild into one ES module, in memory,
 * once per process (the first request for /__console/app.js builds it; later ones get the same text).
 */
import { join } from 'node:path';
import { build } from 'esbuild';

const ENTRY = join(__dirname, 'src', 'main.ts');

let bundled: Promise<string> | undefined;

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

/** The bundled app.js; a failed build is not kept, so the next request tries again. */
export function consoleScript(): Promise<string> {
  bundled ??= bundle().catch((err: unknown) => {
    bundled = undefined;
    throw err;
  });
  return bundled;
}
