/**
 * What both sandbox pages share: the app's redirect URL (http or https only) and how the outcome is added to it
 * (query, or the fragment's query under hash routing), the confirm|cancel action of their forms, and sending an
 * HTML page with the headers that keep it inert (no script, forms posting only here and back to the app).
 */
import type Koa from 'koa';
import { z } from 'zod';
import { messagePage } from './sandbox-pages';

const REDIRECT_CHARS_MAX = 2000;

export const BACK = '返回商户';

const isHttpUrl = (value: string) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
export const redirectSchema = z.string().max(REDIRECT_CHARS_MAX).refine(isHttpUrl);

export const actionSchema = z.enum(['confirm', 'cancel']).default('confirm');

/**
 * The redirect URL with `params` added to its query. When the fragment has a query of its own (hash routing:
 * `#/pages/login/index?from=x`) they go there instead, so the app's router sees them. An earlier parameter of
 * the same name is dropped, so a reused URL never carries two codes; everything else is kept as it was.
 */
export function withReturnParams(url: string, params: Record<string, string>): string {
  const href = new URL(url).href;
  const hashAt = href.indexOf('#');
  const main = hashAt < 0 ? href : href.slice(0, hashAt);
  const hash = hashAt < 0 ? '' : href.slice(hashAt);
  if (hash.includes('?')) return main + withQuery(hash, params);
  return withQuery(main, params) + hash;
}

function withQuery(target: string, params: Record<string, string>): string {
  const queryAt = target.indexOf('?');
  const head = queryAt < 0 ? target : target.slice(0, queryAt);
  const kept = queryAt < 0 ? [] : target.slice(queryAt + 1).split('&');
  const pairs = kept.filter((pair) => pair !== '' && !Object.hasOwn(params, paramName(pair)));
  for (const [name, value] of Object.entries(params))
    pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  return `${head}?${pairs.join('&')}`;
}

function paramName(pair: string): string {
  const raw = pair.split('=', 1)[0].replace(/\+/g, ' ');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export function sendPage(ctx: Koa.Context, status: number, html: string): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  // no script runs on these pages; forms post here and are then redirected to the app (http or https)
  ctx.set(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:; base-uri 'none'",
  );
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.body = html;
}

export function badRequest(ctx: Koa.Context, header: string, problem: z.ZodError | string): void {
  const field = typeof problem === 'string' ? '' : String(problem.issues[0]?.path[0] ?? '');
  const message =
    typeof problem === 'string'
      ? problem
      : field === 'redirect'
        ? `redirect 必须是 http 或 https 地址（最长 ${REDIRECT_CHARS_MAX} 个字符）`
        : `参数 ${field || '表单'} 无效`;
  sendPage(ctx, 400, messagePage({ header, title: '请求参数错误', message, kind: 'fail' }));
}
