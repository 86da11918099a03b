/**
 * What every port shares: the parties we talk to and the one error every adapter throws. `outcomeUnknown`
 * says whether the party may have acted (timeout, 5xx, unreadable or unverifiable answer): a create whose
 * outcome is unknown is never re-sent with a new key; the order goes UNKNOWN and the janitor settles it by
 * query. A business refusal is `kind: 'rejected'` with the party's own code.
 */
/** wechat: the mini-program server API (api.weixin.qq.com: access token, subscribe messages) */
export type Party = 'insurance' | 'his' | 'wechatpay' | 'sms' | 'wechat';

export type GatewayErrorKind = 'timeout' | 'unavailable' | 'rejected' | 'invalid_response';

export class GatewayError extends Error {
  constructor(
    readonly party: Party,
    readonly kind: GatewayErrorKind,
    message: string,
    /** The party's own error code when it gave one (e.g. RULE_LIMIT, SIGN_ERROR, BILL_NOT_PAYABLE). */
    readonly partyCode?: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'GatewayError';
  }

  /** True when the party may have carried the request out: never retry a create with a new key. */
  get outcomeUnknown(): boolean {
    return (
      this.kind === 'timeout' ||
      this.kind === 'invalid_response' ||
      (this.kind === 'unavailable' && this.httpStatus !== undefined)
    );
  }
}
