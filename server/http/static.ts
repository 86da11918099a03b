/**
 * Serves the built H5 mini-program (DESIGN 4, 11) at `/`, after the API routers: GET and HEAD only, never under
 * /api, /healthz, /readyz or /metrics. A URL path is decoded once and must name something inside the folder
 * (no `..`, no NUL, no hidden files). A path without an extension that names no file is a client-side route:
 * it gets index.html (SPA fallback). Pages are revalidated on every load (`no-cache`, with ETag and
 * Last-Modified); assets whose name carries a content hash are cached for a year. The folder is looked at per
 * request, so a build made while the server runs is served without a restart; no folder → the usual 404.
 */
import type { Stats } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import { send } from '@koa/send';
import type Koa from 'koa';

const RESERVED_PREFIXES = ['/api', '/healthz', '/readyz', '/metrics'];
const INDEX = 'index.html';
const CACHE_IMMUTABLE = 'public, max-age=31536000, immutable';
const CACHE_REVALIDATE = 'no-cache';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export const contentTypeOf = (path: string): string =>
  CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';

/**
 * A bundler's content hash in the name (`app.5f3c2a1b.js`, `vendors-3e9d0c7a41.css`, `app.5f3c2a1b.js.map`):
 * 8–32 hex characters, at least one a digit, so that a plain word (`app-component.js`) never passes for one.
 */
export function isHashedAsset(path: string): boolean {
  return /[.-](?=[0-9a-f]*\d)[0-9a-f]{8,32}\.[a-z0-9]+(?:\.map)?$/i.test(path);
}

export const cacheControlOf = (path: string): string =>
  extname(path).toLowerCase() !== '.html' && isHashedAsset(path) ? CACHE_IMMUTABLE : CACHE_REVALIDATE;

const isReserved = (path: string): boolean =>
  RESERVED_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));

/** The file a URL path names inside root, or null when it cannot be decoded, is reserved or would leave root. */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null;
  if (isReserved(decoded)) return null;
  // '.', '..' and hidden files (.env, .git) are never served
  if (decoded.split('/').some((segment) => segment.startsWith('.'))) return null;
  const full = resolve(root, `.${decoded}`);
  return full === root || full.startsWith(root + sep) ? full : null;
}

/** A weak validator from what the file system says of the file: size and modification time. */
const weakEtag = (info: Stats): string =>
  `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;

/**
 * Sends the file `urlPath` names under root through @koa/send (which decodes the path once, as resolveInside
 * did, keeps it inside root and refuses hidden files); a directory gets its index.html. False when there is no
 * such file. Our headers: the content type with its charset, the cache policy by name, a weak ETag; a request
 * that already holds the file gets 304 (the opened stream is closed by Koa when the answer ends).
 */
async function sendFile(ctx: Koa.Context, root: string, urlPath: string): Promise<boolean> {
  let sent: string | undefined;
  try {
    sent = await send(ctx, urlPath, {
      root,
      index: INDEX,
      hidden: false,
      brotli: false, // koa-compress compresses; no precompressed siblings are looked for
      gzip: false,
      setHeaders: (res, path, info) => {
        res.setHeader('Content-Type', contentTypeOf(path));
        res.setHeader('Cache-Control', cacheControlOf(path));
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('ETag', weakEtag(info));
      },
    });
  } catch (err) {
    // http-errors from @koa/send: 404 missing, 400 undecodable, 403 outside root — nothing to serve
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status < 500) return false;
    throw err;
  }
  if (!sent) return false;
  ctx.status = 200;
  if (ctx.fresh) ctx.status = 304;
  return true;
}

/** The cashier console is a hash route of the same H5 build; `/console` is the address people type. */
export const CONSOLE_PATH = '/console';
export const CONSOLE_ENTRY = '/#/pages/console/login/index';

/** Koa middleware serving the folder `dir` (resolved against the working directory) at `/`. */
export function serveH5(dir: string): Koa.Middleware {
  const root = resolve(dir);
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || isReserved(ctx.path)) return next();
    if (ctx.path === CONSOLE_PATH || ctx.path === `${CONSOLE_PATH}/`) return ctx.redirect(CONSOLE_ENTRY);
    const path = resolveInside(root, ctx.path);
    if (path === null) return next();
    const dir = ctx.path.endsWith('/') ? ctx.path : `${ctx.path}/`;
    if (await sendFile(ctx, root, ctx.path)) return;
    // a folder named without its trailing slash: its index.html
    if (extname(path) === '' && (await sendFile(ctx, root, dir))) return;
    // a client-side route (/pages/home/index) of the single-page app: its index.html
    if (extname(path) === '' && (await sendFile(ctx, root, `/${INDEX}`))) return;
    return next();
  };
}
