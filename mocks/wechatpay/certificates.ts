/**
 * GET /v3/certificates: the live platform certificates, each encrypted with the APIv3 key (AAD "certificate").
 * And their rotation, for testers: POST /__admin/certificates/rotate makes a new platform key and certificate
 * (node-forge, at runtime; or the one given) that signs from then on, while the old serial stays live and
 * listed; DELETE /__admin/certificates/:serialNo retires one; /__admin/reset goes back to the keyring's.
 */
import type Router from '@koa/router';
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { rfc3339Cst } from '../../shared/clock';
import {
  aesGcmEncrypt,
  AES_GCM_NONCE_LENGTH,
  privateKeyFromPem,
  randomNonce,
} from '../../shared/crypto/wechatpay';
import { newRsaIdentity } from '../../shared/crypto/keyring';
import { MockHttpError, parseBody } from '../common/app';
import type { WeChatPayMockContext } from './context';
import type { PlatformKey } from './signing';

export interface PlatformIdentity {
  serialNo: string;
  certPem: string;
  privateKeyPem: string;
}

/** A new WeChat Pay platform key pair and self-signed certificate (made as the keyring makes the first). */
export function newPlatformIdentity(nowMs = Date.now()): PlatformIdentity {
  return newRsaIdentity('WeChat Pay demo platform (rotated)', nowMs);
}

const rotateSchema = z
  .object({
    /** a key and certificate made beforehand (e.g. one the server under test already trusts) */
    certPem: z.string().includes('BEGIN CERTIFICATE').optional(),
    privateKeyPem: z.string().includes('PRIVATE KEY').optional(),
  })
  .strict()
  .refine((b) => (b.certPem === undefined) === (b.privateKeyPem === undefined), {
    message: 'certPem and privateKeyPem come together',
  });

function certificateView(p: PlatformKey, current: boolean) {
  const cert = new X509Certificate(p.certPem);
  return {
    serialNo: p.serialNo,
    current,
    effectiveTime: rfc3339Cst(Date.parse(cert.validFrom)),
    expireTime: rfc3339Cst(Date.parse(cert.validTo)),
    certPem: p.certPem,
  };
}

export function mountCertificateRoutes(v3: Router, mc: WeChatPayMockContext): void {
  const { keyring } = mc;
  const original = keyring.platform;

  v3.get('/certificates', (ctx) => {
    ctx.body = {
      data: keyring.platforms.map((platform) => {
        const cert = new X509Certificate(platform.certPem);
        const nonce = randomNonce(AES_GCM_NONCE_LENGTH);
        return {
          serial_no: platform.serialNo,
          effective_time: rfc3339Cst(Date.parse(cert.validFrom)),
          expire_time: rfc3339Cst(Date.parse(cert.validTo)),
          encrypt_certificate: {
            algorithm: 'AEAD_AES_256_GCM',
            nonce,
            associated_data: 'certificate',
            ciphertext: aesGcmEncrypt(keyring.apiV3Key, nonce, 'certificate', platform.certPem),
          },
        };
      }),
    };
  });

  mc.frame.onReset(() => {
    keyring.platforms.splice(0, keyring.platforms.length, original);
    keyring.platform = original;
  });

  const { admin } = mc.frame;
  const list = () => keyring.platforms.map((p) => certificateView(p, p === keyring.platform));

  admin.get('/certificates', (ctx) => {
    ctx.body = list();
  });

  admin.post('/certificates/rotate', (ctx) => {
    const body = parseBody(rotateSchema, ctx.request.body ?? {});
    let platform: PlatformKey;
    if (body.certPem !== undefined && body.privateKeyPem !== undefined) {
      let serialNo: string;
      try {
        serialNo = new X509Certificate(body.certPem).serialNumber.toUpperCase();
      } catch {
        throw new MockHttpError(400, 'PARAM_ERROR', 'certPem: not an X.509 certificate');
      }
      if (keyring.platforms.some((p) => p.serialNo === serialNo))
        throw new MockHttpError(409, 'CERTIFICATE_EXISTS', `serial ${serialNo} is live already`);
      platform = { serialNo, certPem: body.certPem, privateKey: privateKeyFromPem(body.privateKeyPem) };
    } else {
      const made = newPlatformIdentity(mc.frame.clock.now());
      platform = {
        serialNo: made.serialNo,
        certPem: made.certPem,
        privateKey: privateKeyFromPem(made.privateKeyPem),
      };
    }
    const previousSerialNo = keyring.platform.serialNo;
    keyring.platforms.push(platform);
    keyring.platform = platform;
    ctx.status = 201;
    ctx.body = { serialNo: platform.serialNo, previousSerialNo, certificates: list() };
  });

  admin.delete('/certificates/:serialNo', (ctx) => {
    const serialNo = ctx.params.serialNo.toUpperCase();
    const at = keyring.platforms.findIndex((p) => p.serialNo === serialNo);
    if (at < 0) throw new MockHttpError(404, 'NOT_FOUND', `no live certificate ${serialNo}`);
    if (keyring.platforms.length === 1)
      throw new MockHttpError(409, 'LAST_CERTIFICATE', 'the last live certificate cannot be retired');
    const [retired] = keyring.platforms.splice(at, 1);
    if (retired === keyring.platform) keyring.platform = keyring.platforms[keyring.platforms.length - 1];
    ctx.body = { retired: serialNo, certificates: list() };
  });

  Object.assign(mc.frame.openapi, {
    '/__admin/certificates': {
      get: {
        summary: 'Live platform certificates [{serialNo, current, effectiveTime, expireTime, certPem}]',
      },
    },
    '/__admin/certificates/rotate': {
      post: {
        summary:
          'A new platform key + certificate signs answers and callbacks from now on; the old serial stays live ' +
          'and listed by GET /v3/certificates. {certPem?, privateKeyPem?} (default: made now) → 201 {serialNo, ' +
          'previousSerialNo, certificates}',
      },
    },
    '/__admin/certificates/{serialNo}': {
      delete: { summary: 'Retire a live certificate (not the last) → {retired, certificates}' },
    },
  });
}
