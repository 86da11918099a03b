/**
 * `npm run bench:sm2 [-- --iterations 2000 --warmup 200]`: the cost of standard SM2 (shared/crypto/sm2.ts) on
 * this machine, for an envelope-sized message (~1 KB sign string): sign with the cached key, verify a known peer
 * (its point precomputed once, as the server holds the platform's key and the mock the hospital's), and verify
 * with no precomputation (the key parsed once, its point multiplied from scratch each time). Also the one-off cost
 * of a peer key's table. Targets: sign ≤ 2 ms, verify of a known peer ≤ 3 ms; the exit code is 1 when missed.
 */
import { generateKeyPairSync } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sm2PublicKey, sm2Sign, sm2Verify } from '../shared/crypto/sm2';
import { envelopeSignText } from '../shared/crypto/smEnvelope';

const TARGET_SIGN_MS = 2;
const TARGET_VERIFY_KNOWN_MS = 3;

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '200' },
  },
});
const iterations = Number(values.iterations);
const warmup = Number(values.warmup);
if (!Number.isInteger(iterations) || iterations < 1 || !Number.isInteger(warmup) || warmup < 0)
  throw new RangeError('--iterations must be a positive integer and --warmup a non-negative one');

/** A key pair as shared/crypto/keyring.ts makes it. */
function sm2Pair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

interface Result {
  name: string;
  msPerOp: number;
}

function measure(name: string, op: () => unknown): Result {
  for (let i = 0; i < warmup; i++) op();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) op();
  const msPerOp = Number(process.hrtime.bigint() - start) / 1e6 / iterations;
  return { name, msPerOp };
}

function main(): void {
  const peer = sm2Pair();
  const lines = Array.from({ length: 12 }, (_, i) => ({
    feedetlSn: `FD${String(i).padStart(6, '0')}`,
    medListCodg: 'XA01ABD075A002010100483',
    detItemFeeSumamt: '12.50',
    cnt: '1',
  }));
  const message = envelopeSignText(
    '1H0123456789ABCD',
    { medOrgOrd: 'MO2026120700000001', psnNo: '36010000000000000001', feedetailList: lines },
    '1795000000000',
    '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
  );

  let t = process.hrtime.bigint();
  const signature = sm2Sign(peer.privateKeyPem, message); // parses the PEM, caches d, P and ZA
  const firstSignMs = Number(process.hrtime.bigint() - t) / 1e6;
  t = process.hrtime.bigint();
  const known = sm2PublicKey(peer.publicKeyPem); // the window table, once per peer key
  const precomputeMs = Number(process.hrtime.bigint() - t) / 1e6;
  const bare = sm2PublicKey(peer.publicKeyPem, { precompute: false });
  if (!sm2Verify(known, message, signature) || !sm2Verify(bare, message, signature))
    throw new Error('the benchmark signature does not verify');

  const results = [
    measure('sign (cached key)', () => sm2Sign(peer.privateKeyPem, message)),
    measure('verify, known peer (precomputed)', () => sm2Verify(peer.publicKeyPem, message, signature)),
    measure('verify, no precomputation', () => sm2Verify(bare, message, signature)),
  ];

  console.log(
    `SM2 (sm-crypto-v2 on @noble/curves), ${Buffer.byteLength(message)}-byte message, ${iterations} iterations after ${warmup} warm-up, node ${process.version}`,
  );
  console.log(`  first sign (PEM parse + d·G + ZA)     ${firstSignMs.toFixed(1)} ms, once per private key`);
  console.log(`  peer key precompute (8-bit windows)   ${precomputeMs.toFixed(1)} ms, once per peer key`);
  for (const r of results)
    console.log(
      `  ${r.name.padEnd(36)}  ${(1000 / r.msPerOp).toFixed(0).padStart(6)} ops/s  ${r.msPerOp.toFixed(3)} ms/op`,
    );
  const [sign, verifyKnown] = results;
  const met = sign.msPerOp <= TARGET_SIGN_MS && verifyKnown.msPerOp <= TARGET_VERIFY_KNOWN_MS;
  console.log(
    `targets: sign ≤ ${TARGET_SIGN_MS} ms, verify of a known peer ≤ ${TARGET_VERIFY_KNOWN_MS} ms → ${met ? 'met' : 'MISSED'}`,
  );
  if (!met) process.exitCode = 1;
}

main();
