/**
 * What every WeChat Pay transformer leans on: our app and merchant ids (checked against every answer), parsing
 * with a schema where a mismatch is invalid_response, fen and RFC 3339 times, and the {code, message} of a refusal.
 */
import { z } from 'zod';
import { GatewayError } from '../../ports';

export interface MerchantIds {
  appId: string;
  mchId: string;
}

export const invalid = (message: string): never => {
  throw new GatewayError('wechatpay', 'invalid_response', message);
};

export function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    return invalid(`${what}: ${issue.path.join('.') || 'body'} ${issue.message}`);
  }
  return result.data;
}

export const fen = z.number().int().min(0);

export function timeMs(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? invalid(`${what} is not a time: ${value}`) : ms;
}

/** {code, message} of a 4xx answer; anything else is reported as it came. */
export function errorOf(body: unknown, status: number): { code: string; message: string } {
  const parsed = z.object({ code: z.string(), message: z.string().optional() }).safeParse(body);
  if (!parsed.success) return { code: `HTTP_${status}`, message: `WeChat Pay answered ${status}` };
  return { code: parsed.data.code, message: parsed.data.message ?? parsed.data.code };
}
