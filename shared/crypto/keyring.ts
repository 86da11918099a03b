/**
 * Demo key material for a whole stack: the merchant's and WeChat Pay's RSA keys and X.509 certificates
 * (made with node-forge), the WeChat Pay public key (PUB_KEY_ID_ mode), the APIv3 key, and the SM2 key pairs
 * of the hospital and the insurance platform. Generated on first start into the data folder, never committed.
 *
 * The two halves are written to separate files: the server gets only what a hospital holds
 * (server-keys.json), the mocks only what WeChat and the insurance platform hold (mock-keys.json).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

import type { MockKeys, RsaIdentity, ServerKeys } from '../keys';

export type { RsaIdentity, ServerKeys, MockKeys };

export interface KeyPair {
  server: ServerKeys;
  mocks: MockKeys;
}

/** A positive 20-byte certificate serial: 40 hex digits, like WeChat's. */
function newSerialHex(): string {
  const bytes = randomBytes(20);
  bytes[0] = 0x40 | (bytes[0] & 0x3f);
  return bytes.toString('hex').toUpperCase();
}

/**
 * A new RSA-2048 key pair and its self-signed X.509 certificate (node-forge): the one place the sandbox makes a
 * certificate — the keyring's first ones, and the WeChat mock's rotated platform certificates.
 */
export function newRsaIdentity(commonName: string, nowMs = Date.now()): RsaIdentity {
  const serialHex = newSerialHex();
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = serialHex;
  cert.validity.notBefore = new Date(nowMs - 24 * 3600_000);
  cert.validity.notAfter = new Date(nowMs + 5 * 365 * 24 * 3600_000);
  const attrs = [
    { name: 'commonName', value: commonName },
    { name: 'countryName', value: 'CN' },
    { name: 'organizationName', value: 'Demo (not a real party)' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  return { privateKeyPem, certPem: forge.pki.certificateToPem(cert), serialNo: serialHex };
}

function sm2Pair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function generateKeys(): KeyPair {
  const merchant = newRsaIdentity('1900000109 demo merchant');
  const platform = newRsaIdentity('WeChat Pay demo platform');
  const payKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const payPublicKey = {
    id: `PUB_KEY_ID_0119000001092026${randomBytes(4).toString('hex').toUpperCase()}`,
    privateKeyPem: payKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: payKey.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
  const org = sm2Pair();
  const insPlatform = sm2Pair();
  const shared = {
    appId: 'wxd930ea5d5a258f4f',
    appSecret: randomBytes(16).toString('hex'),
    mchId: '1900000109',
    apiV3Key: randomBytes(16).toString('hex'), // 32 ASCII characters, as WeChat's APIv3 key
  };
  const ins = {
    appId: `1H${randomBytes(7).toString('hex').toUpperCase()}`.slice(0, 16).padEnd(16, '0'),
    appSecret: randomBytes(16).toString('hex'),
    orgCodg: 'H36010200001',
    paasId: 'demo-hospital',
    paasToken: randomBytes(16).toString('hex'),
  };
  return {
    server: {
      wechat: {
        ...shared,
        merchant,
        platformCerts: [{ serialNo: platform.serialNo, certPem: platform.certPem }],
        payPublicKey: { id: payPublicKey.id, publicKeyPem: payPublicKey.publicKeyPem },
      },
      insurance: {
        ...ins,
        orgPrivateKeyPem: org.privateKeyPem,
        platformPublicKeyPem: insPlatform.publicKeyPem,
      },
    },
    mocks: {
      wechat: {
        ...shared,
        merchantCertPem: merchant.certPem,
        merchantSerialNo: merchant.serialNo,
        platform,
        payPublicKey,
      },
      insurance: {
        ...ins,
        orgPublicKeyPem: org.publicKeyPem,
        platformPrivateKeyPem: insPlatform.privateKeyPem,
        platformPublicKeyPem: insPlatform.publicKeyPem,
      },
    },
  };
}

/** Loads the key files from dir, generating them on first use. */
export function loadOrCreateKeys(dir: string): KeyPair {
  const serverFile = join(dir, 'server-keys.json');
  const mockFile = join(dir, 'mock-keys.json');
  if (existsSync(serverFile) && existsSync(mockFile)) {
    return {
      server: JSON.parse(readFileSync(serverFile, 'utf8')) as ServerKeys,
      mocks: JSON.parse(readFileSync(mockFile, 'utf8')) as MockKeys,
    };
  }
  const keys = generateKeys();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(serverFile, JSON.stringify(keys.server, null, 2), { mode: 0o600 });
  writeFileSync(mockFile, JSON.stringify(keys.mocks, null, 2), { mode: 0o600 });
  return keys;
}

let cached: KeyPair | undefined;
/** One key set per process, for tests (key generation costs ~0.3 s). */
export function testKeys(): KeyPair {
  cached ??= generateKeys();
  return cached;
}
