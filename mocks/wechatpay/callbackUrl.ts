/**
 * The callback URLs merchants give WeChat Pay — `notify_url` of a JSAPI order or a refund, `callback_url` of a
 * med-ins order — checked as WeChat does (回调处理 前提条件; 开发参数与业务规则 2.9; 接入质量检查 item 13): HTTPS,
 * a host reachable from the internet (not 127.0.0.1, 192.168.x.x, localhost or another internal address), no
 * query, no spaces around it. The same rule as the server's PUBLIC_BASE_URL in production (config/settings.ts).
 *
 * Sandbox mode (the default: `npm start`, the tests and the testers' tools run everything on one machine) also
 * accepts http and internal hosts, since that is where the merchant's server is; a query, a fragment, spaces or
 * a scheme other than http(s) are refused in every mode. Strict mode (`createWeChatPayMock({ sandbox: false })`,
 * `tsx mocks/wechatpay/main.ts --strict`) refuses them as WeChat would, to try a deployment's configuration.
 *
 * Unverified: WeChat's exact codes and wording for these refusals; PARAM_ERROR with a message naming the field.
 */
import { publicUrlProblems, type PublicUrlProblem } from '../../config/settings';
import type { WeChatPayMockContext } from './context';
import { WxError } from './signing';

const sandboxMode = new WeakMap<WeChatPayMockContext, boolean>();

/** Sets the mode of one mock (index.ts, at creation). */
export function setSandboxMode(mc: WeChatPayMockContext, sandbox: boolean): void {
  sandboxMode.set(mc, sandbox);
}

/** Sandbox unless the mock was created strict. */
export function isSandboxMode(mc: WeChatPayMockContext): boolean {
  return sandboxMode.get(mc) ?? true;
}

const WORDING: Record<PublicUrlProblem['kind'], string> = {
  invalid: '格式错误，须为 https 地址且前后不能有空格',
  scheme: '必须使用 HTTPS',
  query: '不能携带参数（query 或 #）',
  host: '不能使用内网地址（127.0.0.1 / 192.168.x.x / localhost 等），须公网可达',
};

/**
 * Throws 400 PARAM_ERROR unless `url` may receive WeChat's callbacks in this mode; `field` names the request
 * field in the message. Call it after the body's schema has parsed, for every callback URL a request carries,
 * with the URL as the request sent it: z.url() trims, and spaces around a URL are one of WeChat's refusals.
 * A URL with only a host and no path is refused too (回调处理: "URL 中只有域名，缺少具体路径").
 */
export function checkCallbackUrl(mc: WeChatPayMockContext, url: string, field: string): void {
  const sandbox = isSandboxMode(mc);
  const problem = publicUrlProblems(url).find(
    (p) => !(sandbox && (p.kind === 'scheme' || p.kind === 'host')),
  );
  if (problem) throw new WxError(400, 'PARAM_ERROR', `${field} ${WORDING[problem.kind]}: ${url}`);
  if (new URL(url).pathname === '/')
    throw new WxError(400, 'PARAM_ERROR', `${field} 缺少具体路径，不能只有域名: ${url}`);
}

/**
 * checkCallbackUrl on `field` of a request body as it was sent (before zod: z.url() trims), when the field is a
 * string; absent or of another type it is left to the body's schema. Call it after the schema has parsed.
 */
export function checkCallbackUrlField(mc: WeChatPayMockContext, rawBody: unknown, field: string): void {
  const value =
    rawBody !== null && typeof rawBody === 'object' ? (rawBody as Record<string, unknown>)[field] : undefined;
  if (typeof value === 'string') checkCallbackUrl(mc, value, field);
}
