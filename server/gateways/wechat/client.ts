/**
 * The adapter of WeChat's mini-program server API (api.weixin.qq.com; the WeChat mock serves it too):
 * `GET /cgi-bin/token` for the access token and `POST /cgi-bin/message/subscribe/send`. Its own HTTP caller and
 * breaker (party `wechat`), so trouble here never opens the payment API's breaker.
 */
import { z } from 'zod';
import type { SubscribeSendBody } from '../../../shared/protocol/wechat/subscribe';
import { createHttpCaller, parseJson, type HttpCaller } from '../http';
import { GatewayError, type AccessToken, type MiniProgramGateway, type SendAnswer } from '../ports';

export interface HttpMiniProgramGatewayOptions {
  baseUrl: string;
  appId: string;
  appSecret: string;
  timeoutMs: number;
  http?: HttpCaller;
}

const tokenAnswer = z.object({ access_token: z.string().min(1), expires_in: z.number().int().positive() });
const errorAnswer = z.object({ errcode: z.number().int(), errmsg: z.string().default('') });
const sendAnswer = z.object({
  errcode: z.number().int(),
  errmsg: z.string().default(''),
  msgid: z.union([z.number(), z.string()]).optional(),
});

export class HttpMiniProgramGateway implements MiniProgramGateway {
  private readonly http: HttpCaller;
  private readonly baseUrl: string;

  constructor(private readonly options: HttpMiniProgramGatewayOptions) {
    this.http = options.http ?? createHttpCaller('wechat');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  async fetchAccessToken(): Promise<AccessToken> {
    const query = new URLSearchParams({
      grant_type: 'client_credential',
      appid: this.options.appId,
      secret: this.options.appSecret,
    });
    const response = await this.http({
      method: 'GET',
      url: `${this.baseUrl}/cgi-bin/token?${query}`,
      timeoutMs: this.options.timeoutMs,
      // each call makes a new token and retires the last: the caller decides, under its lock
      idempotent: false,
    });
    const body = parseJson('wechat', response);
    const ok = tokenAnswer.safeParse(body);
    if (ok.success) return { token: ok.data.access_token, expiresInS: ok.data.expires_in };
    const refused = errorAnswer.safeParse(body);
    if (refused.success)
      throw new GatewayError(
        'wechat',
        'rejected',
        `token: ${refused.data.errmsg}`,
        `ERRCODE_${refused.data.errcode}`,
      );
    throw new GatewayError('wechat', 'invalid_response', `token answered ${response.status} without a token`);
  }

  async sendSubscribeMessage(accessToken: string, body: SubscribeSendBody): Promise<SendAnswer> {
    const response = await this.http({
      method: 'POST',
      url: `${this.baseUrl}/cgi-bin/message/subscribe/send?access_token=${encodeURIComponent(accessToken)}`,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      timeoutMs: this.options.timeoutMs,
      idempotent: false,
    });
    const answer = sendAnswer.safeParse(parseJson('wechat', response));
    if (!answer.success)
      throw new GatewayError(
        'wechat',
        'invalid_response',
        `subscribe/send answered ${response.status} without errcode`,
      );
    const { errcode, errmsg, msgid } = answer.data;
    return errcode === 0
      ? { ok: true, msgid: msgid === undefined ? null : String(msgid) }
      : { ok: false, errcode, errmsg };
  }
}
