/** The PII vault the services use: AES-256-GCM at rest and a keyed lookup hash, keys loaded once. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from '../../config/settings';
import { decryptPii, encryptPii, loadPiiKeys, lookupHash } from './pii';

/** Encrypts and looks up personal data (ID numbers, names, phones); implemented in server/security. */
export interface PiiVault {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
  lookupHash(plain: string): string;
}

export function createPiiVault(encryptionKey: string, hashKey: string): PiiVault {
  const keys = loadPiiKeys(encryptionKey, hashKey);
  return {
    encrypt: (plain) => encryptPii(keys.encryptionKey, plain),
    decrypt: (sealed) => decryptPii(keys.encryptionKey, sealed),
    lookupHash: (plain) => lookupHash(keys.hashKey, plain),
  };
}

/** Keys from settings, or generated once into the key folder (embedded/demo mode). */
export function loadOrCreatePiiVault(settings: Settings, keyDir: string): PiiVault {
  if (settings.PII_ENCRYPTION_KEY && settings.PII_HASH_KEY)
    return createPiiVault(settings.PII_ENCRYPTION_KEY, settings.PII_HASH_KEY);
  const file = join(keyDir, 'pii-keys.json');
  if (!existsSync(file)) {
    mkdirSync(keyDir, { recursive: true, mode: 0o700 });
    const generated = {
      encryptionKey: randomBytes(32).toString('base64'),
      hashKey: randomBytes(32).toString('base64'),
    };
    writeFileSync(file, JSON.stringify(generated), { mode: 0o600 });
  }
  const stored = JSON.parse(readFileSync(file, 'utf8')) as { encryptionKey: string; hashKey: string };
  return createPiiVault(stored.encryptionKey, stored.hashKey);
}
