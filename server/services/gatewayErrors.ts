import { GatewayError, type Party } from '../gateways/ports';
import { AppError } from './errors';

const PARTY_NAMES: Record<Party, string> = {
  wechatpay: 'WeChat Pay',
  insurance: 'the medical-insurance platform',
  his: 'the hospital system',
  sms: 'the hospital SMS platform',
};

/** What happens after an answer we could not use: the party may have acted, so nothing is assumed from it. */
const SETTLED_BY_QUERY = 'anything it did will be confirmed by a query; please check again shortly';

/**
 * A party's failure as our API says it. The status and code stay as the contract has them (a timeout or an
 * unusable answer 504 UPSTREAM_TIMEOUT, unavailability 503); the message says what actually happened: no answer
 * in time (or the connection cut midway), or an answer that came but could not be verified or read.
 */
export function upstreamError(err: unknown, action: string): AppError {
  if (err instanceof GatewayError) {
    const party = PARTY_NAMES[err.party];
    if (err.kind === 'timeout') {
      return new AppError(
        'UPSTREAM_TIMEOUT',
        `${action}: ${party} did not answer in time or the connection was cut; ${SETTLED_BY_QUERY}`,
      );
    }
    if (err.kind === 'invalid_response') {
      return new AppError(
        'UPSTREAM_TIMEOUT',
        `${action}: ${party} answered, but its answer could not be verified or read; ${SETTLED_BY_QUERY}`,
      );
    }
    if (err.kind === 'unavailable')
      return new AppError(
        'UPSTREAM_UNAVAILABLE',
        `${action}: ${party} is unavailable; please try again later`,
      );
  }
  throw err;
}
