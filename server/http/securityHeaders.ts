/**
 * Security headers on every answer of the public port (DESIGN 8): pages, the H5 build's files, API JSON, 404s and
 * errors alike. helmet (through koa-helmet) writes them before anything else runs, so an error answer keeps them.
 *
 * The Content-Security-Policy is the one the H5 patient app and the cashier console run under with no violation
 * (the browser tests count `securitypolicyviolation` events and expect 0):
 * - scripts from our own origin only: the build has no inline script (the rem base is part of the bundle) and
 *   no eval; `script-src-attr 'none'` forbids inline event handlers;
 * - styles from our own origin, and `'unsafe-inline'` for style only: Taro's H5 router (`.taro_router`, the
 *   navigation bar) and its Stencil components (`taro-view-core`, `.weui-loading`…) insert `<style>` elements at
 *   run time, from inside the bundle, with no way to give them a nonce. Injected CSS cannot run code, and with
 *   images, fonts and connections limited to our origin it cannot send what it reads anywhere else;
 * - images from our own origin and `data:` (the console's TOTP QR code is a `data:image/svg+xml` image);
 * - the API is on the same origin (`connect-src 'self'`); the insurance authorization page and WeChat's sandbox
 *   pages live on other origins but are navigated to (window.location), never framed, fetched or posted to,
 *   so no other origin appears in the policy; `form-action 'self'`;
 * - nothing may frame our pages (`frame-ancestors 'none'`, and X-Frame-Options DENY for older browsers), and we
 *   frame nothing, embed no plugin and never change the base URL.
 * HSTS and `upgrade-insecure-requests` only for a request that came over HTTPS (`ctx.secure`, which follows Koa's
 * proxy setting: X-Forwarded-Proto counts only from a trusted proxy). Over plain http (tests, `npm start`) they
 * would pin or upgrade a site that has no TLS.
 */
import type Koa from 'koa';
import helmet from 'koa-helmet';

/** one year, with subdomains: what browsers' preload lists ask for; `preload` is the operator's decision */
export const HSTS_MAX_AGE_S = 365 * 24 * 3600;

export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'manifest-src': ["'self'"],
  'worker-src': ["'self'"],
  'frame-src': ["'none'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

function helmetFor(secure: boolean): Koa.Middleware {
  const directives: Record<string, string[] | null> = {};
  for (const [name, values] of Object.entries(CSP_DIRECTIVES)) directives[name] = [...values];
  if (secure) directives['upgrade-insecure-requests'] = [];
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives },
    // a cross-origin page must not hold a reference to ours (the sandbox pages are reached by navigation)
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    // the order and patient pages carry ids in their URLs: no Referer to anyone
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: secure ? { maxAge: HSTS_MAX_AGE_S, includeSubDomains: true } : false,
    xFrameOptions: { action: 'deny' },
    xContentTypeOptions: true,
  });
}

/**
 * API answers carry patients' data and orders' states: never stored by a browser or a proxy. A browser going
 * back to a page (back-forward navigation) otherwise serves the page's API calls from its cache — the confirm
 * page showed an order as 待支付 after the patient had opened the cashier. A route that may be cached (the
 * client config) sets its own Cache-Control after this.
 */
const API_PREFIX = '/api/';

export function securityHeaders(): Koa.Middleware {
  const overHttps = helmetFor(true);
  const overHttp = helmetFor(false);
  return (ctx, next) => {
    if (ctx.path.startsWith(API_PREFIX)) ctx.set('Cache-Control', 'no-store');
    return ctx.secure ? overHttps(ctx, next) : overHttp(ctx, next);
  };
}
