/**
 * Insurance authorization (医保授权, PROTOCOLS 2.6): a tiny H5 authorization page that hands an authCode to
 * the hospital's redirectUrl, and the authCode → payAuthNo user query (Tencent's; path and shape unverified,
 * authenticated here with the same x-tif headers as the standard envelope).
 */
import { z } from 'zod';
import { checkTifHeaders } from '../../shared/crypto/smEnvelope';
import { authUserQueryInputSchema, INSURANCE_PATHS } from '../../shared/protocol/insurance';
import type { MockKeys } from '../../shared/crypto/keyring';
import { MockHttpError, parseBody, type MockFrame } from '../common/app';
import { journalTags, mobileFailure } from './mobile';
import { bindAuthCode, bindPerson } from './scenarios';
import { HOME_ADMDVS } from './seed';
import { InsuranceBizError, type InsuranceState, type Person } from './state';

/** Where the demo patient stands (Nanchang); strings so no digit is lost. */
const DEMO_LOCATION = { longitude: '115.858198', latitude: '28.682892' };

const STATUS_LABEL: Record<Person['status'], string> = {
  ACTIVE: '正常参保',
  SUSPENDED: '暂停参保',
  ARREARS: '欠费',
  OUT_OF_AREA: '异地未备案',
};

const redirectUrlSchema = z
  .string()
  .max(2000)
  .refine(
    (value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol),
    'redirectUrl must be an http(s) URL',
  );

const confirmSchema = z.object({
  authCode: z.string().max(128).optional(),
  redirectUrl: redirectUrlSchema,
  state: z.string().max(200).optional(),
  action: z.enum(['confirm', 'cancel']).default('confirm'),
});

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const maskIdNo = (idNo: string) => `${idNo.slice(0, 4)}**********${idNo.slice(-4)}`;

function authPage(persons: Iterable<Person>, redirectUrl: string, state: string | undefined): string {
  const rows = [...persons]
    .map(
      (p) =>
        `<label class="row"><input type="radio" name="authCode" required value="${escapeHtml(p.authCode)}">` +
        `<span>${escapeHtml(p.name)}</span><span>${maskIdNo(p.idNo)}</span><span>${p.insutype === '310' ? '职工' : '居民'}</span>` +
        `<span>${STATUS_LABEL[p.status]}</span><code>${escapeHtml(p.authCode)}</code></label>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>医保电子凭证授权（模拟）</title>
<style>body{font-family:sans-serif;max-width:560px;margin:24px auto;padding:0 12px;box-sizing:border-box}
.row{display:flex;flex-wrap:wrap;gap:4px 10px;padding:8px;border-bottom:1px solid #eee;align-items:center}
button{padding:10px 24px;margin:16px 8px 0 0}code{color:#888;word-break:break-all;flex-basis:100%;font-size:12px}</style></head>
<body><h2>医保电子凭证授权</h2><p>模拟平台：请选择要授权的参保人（不会替您预先选择），确认后将返回医院小程序。</p>
<form method="post" action="${INSURANCE_PATHS.authConfirm}">
${rows}
<input type="hidden" name="redirectUrl" value="${escapeHtml(redirectUrl)}">
${state === undefined ? '' : `<input type="hidden" name="state" value="${escapeHtml(state)}">`}
<button type="submit" name="action" value="confirm">确认授权</button><button type="submit" name="action" value="cancel" formnovalidate>取消</button>
</form></body></html>`;
}

function withParams(url: string, params: Record<string, string | undefined>): string {
  const target = new URL(url);
  for (const [key, value] of Object.entries(params))
    if (value !== undefined) target.searchParams.set(key, value);
  return target.toString();
}

export function mountAuthRoutes(frame: MockFrame, state: InsuranceState, keys: MockKeys['insurance']): void {
  frame.router.get(INSURANCE_PATHS.authPage, (ctx) => {
    const redirectUrl = redirectUrlSchema.safeParse(ctx.query.redirectUrl);
    if (!redirectUrl.success)
      throw new MockHttpError(400, 'PARAM_ERROR', 'redirectUrl must be an http(s) URL');
    const stateParam = typeof ctx.query.state === 'string' ? ctx.query.state : undefined;
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = authPage(state.persons.values(), redirectUrl.data, stateParam);
  });

  frame.router.post(INSURANCE_PATHS.authConfirm, (ctx) => {
    const form = parseBody(confirmSchema, ctx.request.body);
    if (form.action === 'cancel') {
      ctx.redirect(withParams(form.redirectUrl, { error: 'user_cancelled', state: form.state }));
      return;
    }
    if (!form.authCode) throw new MockHttpError(400, 'PARAM_ERROR', 'choose a person');
    bindAuthCode(frame, state, form.authCode);
    ctx.redirect(withParams(form.redirectUrl, { authCode: form.authCode, state: form.state }));
  });

  frame.router.post(INSURANCE_PATHS.authUserQuery, (ctx) => {
    const tags = journalTags(ctx);
    tags.op = 'auth-user-query';
    const authProblem = checkTifHeaders(ctx.headers, keys.paasId, keys.paasToken);
    if (authProblem) {
      ctx.status = 401;
      ctx.body = mobileFailure('AUTH_FAILED', authProblem);
      return;
    }
    const input = authUserQueryInputSchema.safeParse(ctx.request.body);
    if (!input.success) {
      ctx.body = mobileFailure('PARAM_ERROR', `authCode and openid are required`);
      return;
    }
    try {
      const { person, payAuthNo } = state.issuePayAuth(input.data.authCode);
      tags.psnNo = person.psnNo;
      bindPerson(frame, person, { payAuthNo });
      ctx.body = {
        code: 0,
        message: '成功',
        payAuthNo,
        userName: person.name,
        userCardNo: person.idNo,
        // 代亲属 (mock's reading; the real user query is unverified): the e-voucher holder who authorized
        ...(person.holder ? { holderName: person.holder.name, holderCardNo: person.holder.idNo } : {}),
        cityId: HOME_ADMDVS,
        userLongitudeLatitude: DEMO_LOCATION,
      };
    } catch (err) {
      if (!(err instanceof InsuranceBizError)) throw err;
      ctx.body = mobileFailure(err.code, err.message);
    }
  });
}
