/**
 * Port to the hospital's SMS platform (短信平台): one text to one mainland mobile number (the card-binding
 * verification code). Implemented by server/gateways/sms.
 */

export interface SmsGateway {
  /** Sends; a refusal is GatewayError rejected, an outage unavailable / timeout. */
  send(phone: string, text: string): Promise<void>;
}
