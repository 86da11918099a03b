import { GatewayError } from '../gateways/ports';
import { AppError } from './errors';

/** A party's failure as our API says it: timeouts 504, unavailability 503, refusals by the caller's mapping. */
export function upstreamError(err: unknown, action: string): AppError {
  if (err instanceof GatewayError) {
    if (err.kind === 'timeout' || err.kind === 'invalid_response') {
      return new AppError(
        'UPSTREAM_TIMEOUT',
        `${action}: ${err.party} did not answer in time; please try again`,
      );
    }
    if (err.kind === 'unavailable')
      return new AppError(
        'UPSTREAM_UNAVAILABLE',
        `${action}: ${err.party} is unavailable; please try again later`,
      );
  }
  throw err;
}
