import type { EmbeddedDb } from '../../scripts/embeddedPostgres';

export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as { __embeddedPg?: EmbeddedDb }).__embeddedPg;
  if (embedded) await embedded.stop();
}
