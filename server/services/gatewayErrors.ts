import { GatewayError, type Party } from '../gateways/ports';
import { AppError } from './errors';

/** Each party as a patient or cashier knows it. */
export const PARTY_NAMES_ZH: Record<Party, string> = {
  wechatpay: '微信支付',
  insurance: '医保平台',
  his: '医院系统',
  sms: '医院短信平台',
  wechat: '微信消息服务',
};

/** What happens after an answer we could not use: the party may have acted, so nothing is assumed from it. */
const SETTLED_BY_QUERY = '结果会自动核实，请稍后刷新查看';

/**
 * A party's failure as our API says it. The status and code stay as the contract has them (a timeout or an
 * unusable answer 504 UPSTREAM_TIMEOUT, unavailability 503); the message says in Chinese what happened (no
 * answer in time, an answer we could not read, or unavailable). The English detail (`action`, the party's own
 * message) rides along as `cause` for the error middleware's log line, never in the answer.
 */
export function upstreamError(err: unknown, action: string): AppError {
  if (err instanceof GatewayError) {
    const party = PARTY_NAMES_ZH[err.party];
    const cause = `${action}: ${err.party} ${err.kind}: ${err.message}`;
    if (err.kind === 'timeout')
      return new AppError('UPSTREAM_TIMEOUT', `${party}响应超时，${SETTLED_BY_QUERY}。`, undefined, {
        cause,
      });
    if (err.kind === 'invalid_response')
      return new AppError('UPSTREAM_TIMEOUT', `${party}的应答无法核验，${SETTLED_BY_QUERY}。`, undefined, {
        cause,
      });
    if (err.kind === 'unavailable')
      return new AppError('UPSTREAM_UNAVAILABLE', `${party}暂时无法访问，请稍后再试。`, undefined, { cause });
  }
  throw err;
}
