/**
 * checkCallbackUrl, the WeChat Pay mock's rule for notify_url / callback_url: HTTPS on a public host with no
 * query, as WeChat requires; the sandbox mode (the default) also takes http and internal hosts.
 */
import {
  checkCallbackUrl,
  checkCallbackUrlField,
  isSandboxMode,
  setSandboxMode,
} from '../../mocks/wechatpay/callbackUrl';
import type { WeChatPayMockContext } from '../../mocks/wechatpay/context';
import { WxError } from '../../mocks/wechatpay/signing';

/** The rule needs nothing of the context but its identity. */
const context = (sandbox?: boolean): WeChatPayMockContext => {
  const mc = {} as WeChatPayMockContext;
  if (sandbox !== undefined) setSandboxMode(mc, sandbox);
  return mc;
};

function refusal(mc: WeChatPayMockContext, url: string, field = 'callback_url'): WxError {
  try {
    checkCallbackUrl(mc, url, field);
  } catch (err) {
    if (err instanceof WxError) return err;
    throw err;
  }
  throw new Error(`${url} was accepted`);
}

const PUBLIC = 'https://pay.hospital.example.cn/api/v1/notify/wechatpay';
const INTERNAL = [
  'http://pay.hospital.example.cn/notify',
  'https://127.0.0.1/notify',
  'https://localhost:8443/notify',
  'https://10.8.0.1/notify',
  'https://172.16.5.4/notify',
  'https://192.168.0.10/notify',
  'https://169.254.0.1/notify',
  'https://0.0.0.0/notify',
  'https://[::1]/notify',
  'https://[fc00::5]/notify',
  'https://[fe80::5]/notify',
];
const NEVER = [
  'https://pay.hospital.example.cn/notify?x=1',
  'https://pay.hospital.example.cn/notify?',
  'https://pay.hospital.example.cn/notify#a',
  ' https://pay.hospital.example.cn/notify',
  'https://pay.hospital.example.cn/notify ',
  'https://pay.hospital.example.cn',
  'https://pay.hospital.example.cn/',
  'ftp://pay.hospital.example.cn/notify',
];

describe('checkCallbackUrl(mc, url, field)', () => {
  it('is in sandbox mode unless the mock was made strict', () => {
    expect(isSandboxMode(context())).toBe(true);
    expect(isSandboxMode(context(false))).toBe(false);
  });

  it('strict: takes https on a public host, refuses http and internal hosts with 400 PARAM_ERROR naming the field', () => {
    const mc = context(false);
    expect(() => checkCallbackUrl(mc, PUBLIC, 'callback_url')).not.toThrow();
    for (const url of INTERNAL) {
      const err = refusal(mc, url, 'notify_url');
      expect([url, err.status, err.code]).toEqual([url, 400, 'PARAM_ERROR']);
      expect(err.message).toMatch(/^notify_url /);
    }
    expect(refusal(mc, 'http://pay.hospital.example.cn/notify').message).toContain('HTTPS');
    expect(refusal(mc, 'https://192.168.1.1/notify').message).toContain('内网');
  });

  it('sandbox: takes http and internal hosts too', () => {
    const mc = context(true);
    for (const url of [PUBLIC, ...INTERNAL, 'http://127.0.0.1:3000/api/v1/notify/wechatpay'])
      expect(() => checkCallbackUrl(mc, url, 'notify_url')).not.toThrow();
  });

  it('refuses a query, a fragment, spaces, no path or another scheme in both modes', () => {
    for (const mc of [context(true), context(false)]) {
      for (const url of NEVER) {
        const err = refusal(mc, url);
        expect([url, err.status, err.code]).toEqual([url, 400, 'PARAM_ERROR']);
      }
    }
    expect(refusal(context(true), 'https://a.example/notify?x=1').message).toContain('不能携带参数');
  });

  it('checkCallbackUrlField reads the field as sent (spaces kept), and leaves absent or non-string fields to the schema', () => {
    const mc = context(true);
    expect(() =>
      checkCallbackUrlField(mc, { callback_url: ' https://a.example/notify' }, 'callback_url'),
    ).toThrow(WxError);
    expect(() =>
      checkCallbackUrlField(mc, { callback_url: 'https://a.example/notify' }, 'callback_url'),
    ).not.toThrow();
    for (const body of [{}, { callback_url: 42 }, null, 'text', undefined])
      expect(() => checkCallbackUrlField(mc, body, 'callback_url')).not.toThrow();
  });
});
