/**
 * Mobile-payment routes 6201/6202/6203/6301/6401: the request is an SM envelope verified with the hospital's
 * public key and SM2 user id; the answer is `{code: 0, message, success: true, ...envelope}` sealed and signed
 * with the platform's private key under the platform's user id, or `{code: <non-zero>, message, success: false}`
 * unsealed.
 */
import type { Context } from 'koa';
import type { z } from 'zod';
import { openEnvelope, sealEnvelope, SmEnvelopeError, type Sm2UserIds } from '../../shared/crypto/smEnvelope';
import {
  INFNO,
  INSURANCE_PATHS,
  MOBILE_ERROR,
  payOrderInputSchema,
  queryOrderInputSchema,
  refundInputSchema,
  revokeInputSchema,
  uploadFeesInputSchema,
  type MobileErrorName,
} from '../../shared/protocol/insurance';
import type { MockKeys } from '../../shared/crypto/keyring';
import type { MockFrame } from '../common/app';
import { InsuranceBizError, type InsuranceState, type Person } from './state';
import { payOrderOutput, queryOrderOutput, refundOutput } from './wire';

export function journalTags(ctx: Context): Record<string, string> {
  return ctx.state.journalTags as Record<string, string>;
}

export function mobileFailure(code: MobileErrorName, message: string): Record<string, unknown> {
  return { code: MOBILE_ERROR[code], message, success: false };
}

function parseData<T>(schema: z.ZodType<T>, data: unknown): T {
  const result = schema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InsuranceBizError(
      'PARAM_ERROR',
      `入参校验失败 ${issue.path.join('.') || 'data'}: ${issue.message}`,
    );
  }
  return result.data;
}

export function mountMobileRoutes(
  frame: MockFrame,
  state: InsuranceState,
  keys: MockKeys['insurance'],
  sm2UserIds: Sm2UserIds,
): void {
  const seal = (data: object) =>
    sealEnvelope(data, {
      appId: keys.appId,
      appSecret: keys.appSecret,
      signingKeyPem: keys.platformPrivateKeyPem,
      timestampMs: frame.clock.now(),
      sm2UserId: sm2UserIds.platform,
    });

  function route<T>(
    infno: string,
    path: string,
    schema: z.ZodType<T>,
    handle: (input: T, tags: Record<string, string>) => object,
  ): void {
    frame.router.post(path, (ctx) => {
      const tags = journalTags(ctx);
      tags.infno = infno;
      try {
        const data = openEnvelope(ctx.request.body, {
          appSecret: keys.appSecret,
          verifyKeyPem: keys.orgPublicKeyPem,
          expectedAppId: keys.appId,
          sm2UserId: sm2UserIds.org,
        });
        const envelope = seal(handle(parseData(schema, data), tags));
        // a badSignature fault: a genuine signature, but over something else
        if (frame.wantsBadSignature(ctx)) envelope.signData = seal({ tampered: true }).signData;
        ctx.body = { code: 0, message: '成功', success: true, ...envelope };
      } catch (err) {
        if (err instanceof SmEnvelopeError || err instanceof InsuranceBizError) {
          tags.error = err.code;
          ctx.body = mobileFailure(err.code, err.message);
          return;
        }
        throw err;
      }
    });
  }

  const personOf = (psnNo: string) => state.person(psnNo) as Person;

  route(INFNO.uploadFees, INSURANCE_PATHS.uploadFees, uploadFeesInputSchema, (input, tags) => {
    Object.assign(tags, { medOrgOrd: input.medOrgOrd, psnNo: input.psnNo });
    const order = state.uploadFees(input);
    tags.payOrdId = order.payOrdId;
    return { payOrdId: order.payOrdId, payToken: order.payToken, extData: {} };
  });

  route(INFNO.payOrder, INSURANCE_PATHS.payOrder, payOrderInputSchema, (input, tags) => {
    Object.assign(tags, { payOrdId: input.payOrdId, medOrgOrd: input.orgBizSer });
    const order = state.preSettle(input);
    tags.psnNo = order.psnNo;
    return payOrderOutput(order, state.view(personOf(order.psnNo)), frame.clock.now());
  });

  route(INFNO.refundOrder, INSURANCE_PATHS.refundOrder, refundInputSchema, (input, tags) => {
    Object.assign(tags, { payOrdId: input.payOrdId, appRefdSn: input.appRefdSn });
    const { order, record } = state.refund(input);
    tags.medOrgOrd = order.medOrgOrd;
    return refundOutput(order, record);
  });

  route(INFNO.queryOrder, INSURANCE_PATHS.queryOrder, queryOrderInputSchema, (input, tags) => {
    tags.payOrdId = input.payOrdId;
    const order = state.ownedOrder(input.payOrdId, input.payToken, input.idNo);
    tags.medOrgOrd = order.medOrgOrd;
    return queryOrderOutput(order, state.view(personOf(order.psnNo)), keys.orgCodg, frame.clock.now());
  });

  route(INFNO.revokeOrder, INSURANCE_PATHS.revokeOrder, revokeInputSchema, (input, tags) => {
    tags.payOrdId = input.payOrdId;
    const order = state.revoke(input.payOrdId, input.payToken, input.idNo);
    tags.medOrgOrd = order.medOrgOrd;
    return { success: true, message: '撤销成功' };
  });
}
