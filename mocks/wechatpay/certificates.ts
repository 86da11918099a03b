/** GET /v3/certificates: the platform certificates, each encrypted with the APIv3 key (AAD "certificate"). */
import type Router from '@koa/router';
import { X509Certificate } from 'node:crypto';
import { rfc3339Cst } from '../../shared/clock';
import { aesGcmEncrypt, AES_GCM_NONCE_LENGTH, randomNonce } from '../../shared/crypto/wechatpay';
import type { WeChatPayMockContext } from './context';

export function registerCertificateRoutes(v3: Router, mc: WeChatPayMockContext): void {
  const { platform, apiV3Key } = mc.keyring;
  const cert = new X509Certificate(platform.certPem);
  v3.get('/certificates', (ctx) => {
    const nonce = randomNonce(AES_GCM_NONCE_LENGTH);
    ctx.body = {
      data: [
        {
          serial_no: platform.serialNo,
          effective_time: rfc3339Cst(Date.parse(cert.validFrom)),
          expire_time: rfc3339Cst(Date.parse(cert.validTo)),
          encrypt_certificate: {
            algorithm: 'AEAD_AES_256_GCM',
            nonce,
            associated_data: 'certificate',
            ciphertext: aesGcmEncrypt(apiV3Key, nonce, 'certificate', platform.certPem),
          },
        },
      ],
    };
  });
}
