/**
 * WeChat's signature probes (PROTOCOLS 1.2): callbacks whose `Wechatpay-Signature` starts with
 * `WECHATPAY/SIGNTEST/`, which the merchant must answer with 4xx/5xx. `POST /__admin/probes/signtest {url}`
 * sends one (a well-formed, encrypted envelope carrying a probe signature) and says whether it was refused.
 */
import { z } from 'zod';
import { parseBody } from '../common/app';
import type { WeChatPayMockContext } from './context';
import { buildEnvelope, postCallback, type Exchange } from './notifications';
import { signedHeaders } from './signing';

const probeSchema = z
  .object({
    url: z.url(),
    eventType: z.string().min(1).optional(),
    resource: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** Sends a probe callback to url → the receiver's answer and whether it refused the probe as it must. */
export async function sendSignTestProbe(
  mc: WeChatPayMockContext,
  url: string,
  eventType = 'TRANSACTION.SUCCESS',
  resource: Record<string, unknown> = { out_trade_no: 'SIGNTEST', trade_state: 'SUCCESS' },
): Promise<Exchange & { refused: boolean; sent: { body: string; headers: Record<string, string> } }> {
  const nowMs = mc.frame.clock.now();
  const body = JSON.stringify(buildEnvelope(mc.keyring.apiV3Key, nowMs, eventType, resource));
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': 'Mozilla/4.0 (WeChatPay mock)',
    ...signedHeaders(mc.keyring, mc.state.signingMode, nowMs, body, 'signtest'),
  };
  const answer = await postCallback(url, body, headers);
  return { ...answer, refused: answer.status !== undefined && answer.status >= 400, sent: { body, headers } };
}

export function mountProbes(mc: WeChatPayMockContext): void {
  mc.frame.admin.post('/probes/signtest', async (ctx) => {
    const body = parseBody(probeSchema, ctx.request.body);
    ctx.body = await sendSignTestProbe(mc, body.url, body.eventType, body.resource);
  });
  Object.assign(mc.frame.openapi, {
    '/__admin/probes/signtest': {
      post: {
        summary:
          'Send WeChat\'s signature probe (Wechatpay-Signature "WECHATPAY/SIGNTEST/…") to {url, eventType?, ' +
          'resource?} → {status, body, headers, refused (4xx/5xx, as the merchant must answer), sent}',
      },
    },
  });
}
