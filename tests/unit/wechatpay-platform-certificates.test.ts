import { newPlatformIdentity, type PlatformIdentity } from '../../mocks/wechatpay/certificates';
import { testKeys } from '../../shared/crypto/keyring';
import { ManualClock } from '../../shared/clock';
import {
  aesGcmEncrypt,
  privateKeyFromPem,
  publicKeyFromPem,
  randomNonce,
  responseMessage,
  signSha256Rsa,
} from '../../shared/crypto/wechatpay';
import type { HttpCaller, HttpResponse } from '../../server/gateways/http';
import { GatewayError } from '../../server/gateways/ports';
import { HttpWeChatPayGateway, SIGNATURE_SKEW_MAX_MS } from '../../server/gateways/wechatpay/client';
import {
  openPlatformCertificate,
  PLATFORM_CERTIFICATE_REFRESH_INTERVAL_MS,
  PlatformCertificateStore,
  readCertificatesAnswer,
} from '../../server/gateways/wechatpay/platformCertificates';
import { fromCertificatesAnswer } from '../../server/gateways/wechatpay/transformers';

const keys = testKeys();
const wechat = keys.server.wechat;
const apiV3Key = wechat.apiV3Key;
const original: PlatformIdentity = {
  serialNo: keys.mocks.wechat.platform.serialNo,
  certPem: keys.mocks.wechat.platform.certPem,
  privateKeyPem: keys.mocks.wechat.platform.privateKeyPem,
};
/** the certificate WeChat rotates to: valid from a day before T0 to five years after */
const T0 = Date.now();
const rotated = newPlatformIdentity(T0);
const stranger = newPlatformIdentity(T0);
const DAY_MS = 86_400_000;

interface Listed {
  serialNo?: string;
  certPem: string;
  aad?: string;
  key?: string;
  tamper?: boolean;
}

function entry(c: Listed) {
  const nonce = randomNonce(12);
  let ciphertext = aesGcmEncrypt(c.key ?? apiV3Key, nonce, c.aad ?? 'certificate', c.certPem);
  if (c.tamper) {
    const bytes = Buffer.from(ciphertext, 'base64');
    bytes[10] ^= 0x01;
    ciphertext = bytes.toString('base64');
  }
  return {
    serial_no: c.serialNo,
    effective_time: '2026-01-01T00:00:00+08:00',
    expire_time: '2031-01-01T00:00:00+08:00',
    encrypt_certificate: {
      algorithm: 'AEAD_AES_256_GCM',
      nonce,
      associated_data: c.aad ?? 'certificate',
      ciphertext,
    },
  };
}

/** A /v3/certificates answer listing `certs`, signed now by `signer` (serial sent as Wechatpay-Serial). */
function answer(
  certs: (PlatformIdentity | Listed)[],
  signer: PlatformIdentity,
  nowMs: number,
  opts: { serial?: string; status?: number } = {},
): HttpResponse {
  const body = JSON.stringify({
    data: certs.map((c) => entry({ ...c, serialNo: c.serialNo ?? (c as PlatformIdentity).serialNo })),
  });
  const timestamp = String(Math.floor(nowMs / 1000));
  const nonce = randomNonce();
  return {
    status: opts.status ?? 200,
    headers: {
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': nonce,
      'wechatpay-serial': opts.serial ?? signer.serialNo,
      'wechatpay-signature': signSha256Rsa(
        responseMessage(timestamp, nonce, body),
        privateKeyFromPem(signer.privateKeyPem),
      ),
    },
    body,
  };
}

/** What the adapter trusted before the answer: the keyring's certificate only. */
const trustOriginal = (serial: string) =>
  serial === original.serialNo ? publicKeyFromPem(original.certPem) : undefined;

function read(response: HttpResponse, nowMs = T0) {
  return readCertificatesAnswer(response, {
    apiV3Key,
    nowMs,
    skewMaxMs: SIGNATURE_SKEW_MAX_MS,
    trusted: trustOriginal,
  });
}

function refusal(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return err as GatewayError;
  }
  throw new Error('expected a GatewayError');
}

describe('openPlatformCertificate(entry, apiV3Key)', () => {
  const [listed] = fromCertificatesAnswer(JSON.parse(answer([rotated], original, T0).body) as unknown, 8);

  it('decrypts with the APIv3 key (AAD "certificate") and parses the X.509 certificate and its validity', () => {
    const cert = openPlatformCertificate(listed, apiV3Key);
    expect(cert.serialNo).toBe(rotated.serialNo);
    expect(cert.publicKey.asymmetricKeyType).toBe('rsa');
    expect(cert.notBeforeMs).toBeLessThanOrEqual(T0 - DAY_MS + 1000);
    expect(cert.notAfterMs).toBeGreaterThan(T0 + 4 * 365 * DAY_MS);
  });

  it('refuses a tampered ciphertext, another APIv3 key, and another AAD', () => {
    const [tampered] = fromCertificatesAnswer(
      JSON.parse(answer([{ ...rotated, tamper: true }], original, T0).body) as unknown,
      8,
    );
    expect(refusal(() => openPlatformCertificate(tampered, apiV3Key)).message).toMatch(/does not decrypt/);
    expect(refusal(() => openPlatformCertificate(listed, 'x'.repeat(32))).message).toMatch(
      /does not decrypt/,
    );
    const [otherAad] = fromCertificatesAnswer(
      JSON.parse(answer([{ ...rotated, aad: 'transaction' }], original, T0).body) as unknown,
      8,
    );
    expect(refusal(() => openPlatformCertificate(otherAad, apiV3Key)).message).toMatch(/associated_data/);
  });

  it('refuses a certificate whose serial is not serial_no, and a text that is not a certificate', () => {
    const [mislabelled] = fromCertificatesAnswer(
      JSON.parse(answer([{ ...rotated, serialNo: stranger.serialNo }], original, T0).body) as unknown,
      8,
    );
    expect(refusal(() => openPlatformCertificate(mislabelled, apiV3Key)).message).toMatch(
      /lists a certificate whose serial is/,
    );
    const [garbage] = fromCertificatesAnswer(
      JSON.parse(answer([{ serialNo: 'AB', certPem: 'not a certificate' }], original, T0).body) as unknown,
      8,
    );
    expect(refusal(() => openPlatformCertificate(garbage, apiV3Key)).message).toMatch(/not an X.509/);
  });
});

describe('readCertificatesAnswer(response, context): the trust rule', () => {
  it('signed with a certificate already trusted: the listed certificates are kept', () => {
    const got = read(answer([original, rotated], original, T0));
    expect(got.signedBy).toBe(original.serialNo);
    expect(got.certificates.map((c) => c.serialNo)).toEqual([original.serialNo, rotated.serialNo]);
  });

  it('signed with the new certificate itself: trusted because it decrypts with our APIv3 key and verifies', () => {
    const got = read(answer([original, rotated], rotated, T0));
    expect(got.signedBy).toBe(rotated.serialNo);
    expect(got.certificates.map((c) => c.serialNo)).toContain(rotated.serialNo);
  });

  it('refuses an answer signed by a serial neither trusted nor listed, or not signed by the listed key', () => {
    expect(refusal(() => read(answer([original, rotated], stranger, T0))).message).toMatch(
      /neither trusted nor a live certificate/,
    );
    // an attacker's certificate cannot be listed: without our APIv3 key it does not decrypt
    expect(refusal(() => read(answer([{ ...stranger, key: 'k'.repeat(32) }], stranger, T0))).message).toMatch(
      /does not decrypt/,
    );
    // listed and decrypting, but the answer is signed by someone else under its serial
    expect(
      refusal(() => read(answer([original, rotated], stranger, T0, { serial: rotated.serialNo }))).message,
    ).toMatch(/does not verify with the listed certificate/);
    // a trusted serial whose key does not verify the answer
    expect(
      refusal(() => read(answer([original, rotated], rotated, T0, { serial: original.serialNo }))).message,
    ).toMatch(/does not verify with/);
  });

  it('refuses the whole answer when one entry is tampered with or mislabelled', () => {
    expect(refusal(() => read(answer([original, { ...rotated, tamper: true }], original, T0))).kind).toBe(
      'invalid_response',
    );
    expect(
      refusal(() => read(answer([original, { ...rotated, serialNo: stranger.serialNo }], original, T0)))
        .message,
    ).toMatch(/whose serial is/);
  });

  it('skips certificates outside their validity window (injected clock), and an expired signer is not trusted', () => {
    const later = T0 + 6 * 365 * DAY_MS; // the rotated certificate expired, the keyring's one is trusted as given
    const got = read(answer([original, rotated], original, later), later);
    expect(got.certificates.map((c) => c.serialNo)).not.toContain(rotated.serialNo);
    expect(got.skipped).toContain(rotated.serialNo);
    const early = T0 - 2 * DAY_MS; // not yet valid
    expect(read(answer([rotated], original, early), early).certificates).toEqual([]);
    expect(refusal(() => read(answer([rotated], rotated, later), later)).message).toMatch(
      /neither trusted nor a live certificate/,
    );
  });

  it('refuses a stale timestamp, missing headers, too many entries; a 4xx is rejected with its code', () => {
    const stale = answer([rotated], original, T0 - SIGNATURE_SKEW_MAX_MS - 2000);
    expect(refusal(() => read(stale)).message).toMatch(/Wechatpay-Timestamp/);
    expect(refusal(() => read({ ...answer([rotated], original, T0), headers: {} })).message).toMatch(
      /no Wechatpay-\* signature headers/,
    );
    const many = Array.from({ length: 9 }, () => rotated);
    expect(refusal(() => read(answer(many, original, T0))).message).toMatch(/at most 8 are read/);
    const refused = answer([], original, T0, { status: 401 });
    const err = refusal(() =>
      read({
        ...refused,
        ...resign(refused, '{"code":"SIGN_ERROR","message":"签名错误"}'),
      }),
    );
    expect(err).toMatchObject({ kind: 'rejected', partyCode: 'SIGN_ERROR', httpStatus: 401 });
  });
});

/** The same answer with another body, signed again by the original certificate. */
function resign(response: HttpResponse, body: string): HttpResponse {
  const timestamp = response.headers['wechatpay-timestamp'];
  const nonce = response.headers['wechatpay-nonce'];
  return {
    ...response,
    body,
    headers: {
      ...response.headers,
      'wechatpay-signature': signSha256Rsa(
        responseMessage(timestamp, nonce, body),
        privateKeyFromPem(original.privateKeyPem),
      ),
    },
  };
}

describe('PlatformCertificateStore', () => {
  function storeWith(serve: (nowMs: number) => HttpResponse | Promise<HttpResponse>) {
    const clock = new ManualClock(T0);
    const downloads: number[] = [];
    const store = new PlatformCertificateStore({
      apiV3Key,
      clock,
      configured: [{ serialNo: original.serialNo, certPem: original.certPem }],
      payPublicKey: wechat.payPublicKey,
      skewMaxMs: SIGNATURE_SKEW_MAX_MS,
      download: async () => {
        downloads.push(clock.now());
        return serve(clock.now());
      },
    });
    return { clock, downloads, store };
  }

  it('starts with the keyring: its certificates and the PUB_KEY_ID_ public key, without downloading', async () => {
    const { store, downloads } = storeWith((now) => answer([original], original, now));
    expect(store.key(original.serialNo)).toBeDefined();
    expect(store.key(wechat.payPublicKey.id)).toBeDefined();
    expect((await store.keyFollowingRotation(wechat.payPublicKey.id)).key).toBeDefined();
    expect(await store.keyFollowingRotation('PUB_KEY_ID_0114232134912410000000000000')).toMatchObject({
      outcome: { kind: 'not-downloadable' },
    });
    expect(downloads).toEqual([]);
  });

  it('an unknown serial downloads the list once; concurrent misses share the download; then it verifies', async () => {
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { store, downloads } = storeWith(async (now) => {
      await gate;
      return answer([original, rotated], rotated, now);
    });
    expect(store.key(rotated.serialNo)).toBeUndefined();
    const misses = [1, 2, 3].map(() => store.keyFollowingRotation(rotated.serialNo));
    release();
    const keys = await Promise.all(misses);
    expect(keys.every((k) => k.key !== undefined)).toBe(true);
    expect(downloads).toHaveLength(1);
    expect(store.serials()).toEqual(
      expect.arrayContaining([original.serialNo, rotated.serialNo, wechat.payPublicKey.id]),
    );
  });

  it('at most one download a minute: a serial still unknown after it is refused, without asking again', async () => {
    const { store, downloads, clock } = storeWith((now) => answer([original], original, now));
    expect(await store.keyFollowingRotation(stranger.serialNo)).toMatchObject({
      outcome: { kind: 'refreshed', serials: [original.serialNo] },
    });
    clock.advance(PLATFORM_CERTIFICATE_REFRESH_INTERVAL_MS - 1);
    expect(await store.keyFollowingRotation(rotated.serialNo)).toMatchObject({
      outcome: { kind: 'throttled' },
    });
    expect(downloads).toHaveLength(1);
    clock.advance(1);
    expect((await store.keyFollowingRotation(rotated.serialNo)).key).toBeUndefined();
    expect(downloads).toHaveLength(2);
  });

  it('an untrusted or failed download changes nothing and counts against the minute', async () => {
    let serve: (now: number) => HttpResponse = (now) =>
      answer([original, { ...rotated, tamper: true }], rotated, now);
    const { store, downloads, clock } = storeWith((now) => serve(now));
    expect(await store.keyFollowingRotation(rotated.serialNo)).toMatchObject({
      outcome: { kind: 'failed', message: expect.stringMatching(/does not decrypt/) },
    });
    serve = () => {
      throw new GatewayError('wechatpay', 'unavailable', 'connection refused');
    };
    clock.advance(PLATFORM_CERTIFICATE_REFRESH_INTERVAL_MS);
    expect(await store.keyFollowingRotation(rotated.serialNo)).toMatchObject({
      outcome: { kind: 'failed', message: 'connection refused' },
    });
    expect(store.key(rotated.serialNo)).toBeUndefined();
    expect(downloads).toHaveLength(2);
  });

  it('keeps what the last download listed (bounded), and a downloaded certificate only within its validity', async () => {
    let listed: PlatformIdentity[] = [original, rotated];
    const { store, clock } = storeWith((now) => answer(listed, original, now));
    expect((await store.keyFollowingRotation(rotated.serialNo)).key).toBeDefined();
    // retired by WeChat: the next download no longer lists it
    listed = [original, stranger];
    clock.advance(PLATFORM_CERTIFICATE_REFRESH_INTERVAL_MS);
    expect((await store.keyFollowingRotation(stranger.serialNo)).key).toBeDefined();
    expect(store.key(rotated.serialNo)).toBeUndefined();
    // past its notAfter the downloaded certificate is no longer used; the keyring's is kept as given
    expect(store.key(stranger.serialNo, T0 + 6 * 365 * DAY_MS)).toBeUndefined();
    expect(store.key(original.serialNo, T0 + 6 * 365 * DAY_MS)).toBeDefined();
  });
});

describe('HttpWeChatPayGateway follows a rotation', () => {
  const nowMs = T0;
  const notification = (signer: PlatformIdentity, serial = signer.serialNo) => {
    const resourceNonce = randomNonce(12);
    const body = JSON.stringify({
      id: 'EV-ROTATED-1',
      create_time: '2026-11-23T10:00:00+08:00',
      resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      resource: {
        original_type: 'transaction',
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: aesGcmEncrypt(
          apiV3Key,
          resourceNonce,
          'transaction',
          JSON.stringify({
            appid: wechat.appId,
            mchid: wechat.mchId,
            out_trade_no: 'ORD202611230009',
            transaction_id: '4200000123202611231234567899',
            trade_type: 'JSAPI',
            trade_state: 'SUCCESS',
            success_time: '2026-11-23T09:59:58+08:00',
            payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
            amount: { total: 100, payer_total: 100, currency: 'CNY', payer_currency: 'CNY' },
          }),
        ),
        associated_data: 'transaction',
        nonce: resourceNonce,
      },
    });
    const timestamp = String(Math.floor(nowMs / 1000));
    const nonce = randomNonce();
    const signature = signSha256Rsa(
      responseMessage(timestamp, nonce, body),
      privateKeyFromPem(signer.privateKeyPem),
    );
    return {
      body,
      headers: {
        'wechatpay-timestamp': timestamp,
        'wechatpay-nonce': nonce,
        'wechatpay-signature': signature,
        'wechatpay-serial': serial,
      },
    };
  };
  const gatewayServing = (served: PlatformIdentity[]) => {
    const requests: string[] = [];
    const http: HttpCaller = async (request) => {
      requests.push(`${request.method} ${new URL(request.url).pathname}`);
      return answer(served, served[served.length - 1], nowMs);
    };
    const gateway = new HttpWeChatPayGateway({
      baseUrl: 'http://wechatpay.invalid',
      keys: wechat,
      timeoutMs: 1000,
      clock: { now: () => nowMs },
      notifyUrl: 'http://hospital.invalid/notify',
      medInsCallbackUrl: 'http://hospital.invalid/notify',
      http,
    });
    return { gateway, requests };
  };

  it('a known serial is verified without any request', async () => {
    const { gateway, requests } = gatewayServing([original, rotated]);
    const cb = notification(original);
    await expect(gateway.verifyNotification(cb.headers, cb.body, nowMs)).resolves.toMatchObject({
      id: 'EV-ROTATED-1',
    });
    expect(requests).toEqual([]);
  });

  it('following rotations, a callback signed with the new certificate is accepted after one download', async () => {
    const { gateway, requests } = gatewayServing([original, rotated]);
    const cb = notification(rotated);
    const n = await gateway.verifyNotification(cb.headers, cb.body, nowMs);
    expect(n).toMatchObject({ id: 'EV-ROTATED-1', eventType: 'TRANSACTION.SUCCESS' });
    expect(requests).toEqual(['GET /v3/certificates']);
    // the old serial keeps working, and the new one now does without another download
    const old = notification(original);
    expect((await gateway.verifyNotification(old.headers, old.body, nowMs)).id).toBe('EV-ROTATED-1');
    expect((await gateway.verifyNotification(cb.headers, cb.body, nowMs)).id).toBe('EV-ROTATED-1');
    expect(requests).toEqual(['GET /v3/certificates']);
  });

  it('a serial unknown even after the download is UNKNOWN_SERIAL, and a forged signature is BAD_SIGNATURE', async () => {
    const { gateway } = gatewayServing([original, rotated]);
    const unknown = notification(stranger);
    await expect(gateway.verifyNotification(unknown.headers, unknown.body, nowMs)).rejects.toMatchObject({
      reason: 'UNKNOWN_SERIAL',
      message: expect.stringMatching(/WeChat Pay lists now/),
    });
    const forged = notification(stranger, rotated.serialNo);
    await expect(gateway.verifyNotification(forged.headers, forged.body, nowMs)).rejects.toMatchObject({
      reason: 'BAD_SIGNATURE',
    });
  });
});
