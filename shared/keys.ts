/**
 * Shapes of key material: what a hospital holds (ServerKeys, DATA_DIR/keys/server-keys.json) and what the mocks
 * hold as WeChat Pay and the insurance platform would (MockKeys). Types only; the keys themselves are never
 * committed (shared/crypto/keyring.ts makes demo ones).
 */
export interface RsaIdentity {
  privateKeyPem: string;
  certPem: string;
  /** certificate serial number, upper-case hex as WeChat prints it */
  serialNo: string;
}

export interface ServerKeys {
  wechat: {
    appId: string;
    appSecret: string;
    mchId: string;
    apiV3Key: string;
    merchant: RsaIdentity;
    /** platform certificates we trust, by serial (several live during rotation) */
    platformCerts: { serialNo: string; certPem: string }[];
    /** WeChat Pay public key mode */
    payPublicKey: { id: string; publicKeyPem: string };
  };
  insurance: {
    appId: string;
    appSecret: string;
    orgCodg: string;
    orgPrivateKeyPem: string;
    platformPublicKeyPem: string;
    paasId: string;
    paasToken: string;
  };
}

export interface MockKeys {
  wechat: {
    appId: string;
    appSecret: string;
    mchId: string;
    apiV3Key: string;
    merchantCertPem: string;
    merchantSerialNo: string;
    platform: RsaIdentity;
    payPublicKey: { id: string; privateKeyPem: string; publicKeyPem: string };
  };
  insurance: {
    appId: string;
    appSecret: string;
    orgCodg: string;
    orgPublicKeyPem: string;
    platformPrivateKeyPem: string;
    platformPublicKeyPem: string;
    paasId: string;
    paasToken: string;
  };
}
