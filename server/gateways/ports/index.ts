/**
 * Ports to the outside parties. Services depend on these interfaces only; adapters in
 * server/gateways/{insurance,his,wechatpay} implement them over HTTP (signing, timeouts, retries live there).
 * One module per party (common.ts holds GatewayError, thrown by every adapter); this index re-exports them all
 * so every `from '.../gateways/ports'` import resolves here.
 */
export * from './common';
export * from './insurance';
export * from './his';
export * from './sms';
export * from './wechatpay';
export * from './miniProgram';
