/**
 * Subscribe-message consent (订阅消息), both builds: what WeChat's sheet answers per template — `accept`,
 * `reject`, `ban` (拒绝且不再询问) or `filter` (WeChat hid it: a template of the wrong kind) — turned into the
 * accepted / rejected lists the server records; the H5 sandbox sheet's `subscribeResult` (base64url JSON
 * `{templateId: decision}`); and the sheet's error codes in the patient's words.
 */
import type { SubscribeAnswer } from './types';

/** Only the templates asked for count; anything else in the answer (errMsg, an unasked id) is left out. */
export function answerOfDecisions(
  decisions: Record<string, unknown>,
  templateIds: string[],
): SubscribeAnswer {
  const accepted: string[] = [];
  const rejected: string[] = [];
  for (const id of templateIds) {
    const decision = decisions[id];
    if (decision === 'accept') accepted.push(id);
    else if (decision === 'reject' || decision === 'ban' || decision === 'filter') rejected.push(id);
  }
  return { accepted, rejected };
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url (or base64) to UTF-8 text, without atob (the weapp has none); undefined when it is not base64. */
export function decodeBase64Url(text: string): string | undefined {
  const clean = text.trim().replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  if (!/^[A-Za-z0-9_-]*$/.test(clean) || clean.length % 4 === 1) return undefined;
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of clean) {
    buffer = (buffer << 6) | BASE64URL.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
      buffer &= (1 << bits) - 1;
    }
  }
  try {
    return decodeURIComponent(bytes.map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''));
  } catch {
    return undefined;
  }
}

/**
 * The sandbox sheet's `subscribeResult`: every template it showed with the user's decision. Undefined when the
 * parameter is not what the sheet sends (the page then says it could not read the answer).
 */
export function decodeSubscribeResult(param: string): SubscribeAnswer | undefined {
  const json = decodeBase64Url(param);
  if (json === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const decisions = value as Record<string, unknown>;
  const ids = Object.keys(decisions).filter((id) => /^[A-Za-z0-9_-]{1,128}$/.test(id));
  if (ids.length === 0) return undefined;
  return answerOfDecisions(decisions, ids);
}

/** wx.requestSubscribeMessage's fail errCode, said plainly. */
export function subscribeFailureMessage(errCode: number | undefined): string {
  switch (errCode) {
    case 20004:
      return '您已在微信中关闭了订阅消息。请点右上角「···」→「设置」，打开「订阅消息」后再试。';
    case 10005:
    case 20005:
      return '当前无法开启微信提醒（小程序的订阅消息功能暂不可用），请稍后再试。';
    case 20003:
      return '一次申请的提醒太多，请稍后再试。';
    default:
      return '微信提醒暂时无法开启，请稍后再试。';
  }
}
