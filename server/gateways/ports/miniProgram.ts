/**
 * Port to WeChat's mini-program server API (api.weixin.qq.com): the access token and subscribe messages.
 * Implemented by server/gateways/wechat. WeChat answers errors as HTTP 200 {errcode, errmsg}; the adapter hands
 * the errcode back rather than throwing, because each one means something different to the caller (43101: the
 * user said no; 40001/42001: fetch a new token; 47003: our data broke a rule).
 */
import type { SubscribeSendBody } from '../../../shared/protocol/wechat/subscribe';

export interface AccessToken {
  token: string;
  expiresInS: number;
}

export type SendAnswer = { ok: true; msgid: string | null } | { ok: false; errcode: number; errmsg: string };

export interface MiniProgramGateway {
  /** A new access token (GatewayError on an outage or a refused credential). */
  fetchAccessToken(): Promise<AccessToken>;
  /** One subscribe message; not idempotent at WeChat, so never retried here. */
  sendSubscribeMessage(accessToken: string, body: SubscribeSendBody): Promise<SendAnswer>;
}
