/**
 * The adapter of the hospital's SMS platform (shared/protocol/sms.ts): one POST per text, with a timeout. A send
 * is not idempotent (a retry could text the patient twice), so it is never retried here: the caller decides.
 */
import { SMS_PATHS, smsSendAnswerSchema } from '../../../shared/protocol/sms';
import { createHttpCaller, parseJson, type HttpCaller } from '../http';
import { GatewayError, type SmsGateway } from '../ports';

export interface HttpSmsGatewayOptions {
  baseUrl: string;
  timeoutMs: number;
  http?: HttpCaller;
}

export class HttpSmsGateway implements SmsGateway {
  private readonly http: HttpCaller;
  private readonly baseUrl: string;

  constructor(private readonly options: HttpSmsGatewayOptions) {
    this.http = options.http ?? createHttpCaller('sms');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  async send(phone: string, text: string): Promise<void> {
    const response = await this.http({
      method: 'POST',
      url: `${this.baseUrl}${SMS_PATHS.send}`,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ phone, text }),
      timeoutMs: this.options.timeoutMs,
      idempotent: false,
    });
    const body = parseJson('sms', response);
    if (response.status >= 200 && response.status < 300 && smsSendAnswerSchema.safeParse(body).success)
      return;
    if (response.status >= 400 && response.status < 500) {
      throw new GatewayError(
        'sms',
        'rejected',
        `SMS platform refused the text (${response.status})`,
        undefined,
        response.status,
      );
    }
    throw new GatewayError('sms', 'invalid_response', `SMS platform answered ${response.status} without OK`);
  }
}
