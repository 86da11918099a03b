/**
 * The testers' web console (`/__console`): static HTML and CSS, the page script bundled from src/ (bundle.ts), and a proxy so the page talks to one origin:
 * `/__console/api/<mock>/<path>` → `<mock base URL>/__admin/<path>` (method, query and body passed through, the
 * mock's status and body passed back), `/__console/health` → each mock's `/healthz`. No CORS needed, and the
 * mocks are left as they are.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Koa from 'koa';
import Router from '@koa/router';
import { consoleScript } from './bundle';

export interface ConsoleTargets {
  insurance: string;
  his: string;
  wechatpay: string;
}

const STATIC: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

const PROXY_TIMEOUT_MS = 35_000;

function readRaw(req: Koa.Request['req']): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function createConsoleApp(targets: ConsoleTargets): Koa {
  const app = new Koa();
  const router = new Router();
  // build the page script now, in the background (a failure is reported when the page asks for it)
  consoleScript().catch(() => undefined);
  const dir = __dirname;
  const bases = Object.fromEntries(
    Object.entries(targets).map(([k, v]) => [k, v.replace(/\/+$/, '')]),
  ) as Record<string, string>;

  async function serve(ctx: Koa.Context, file: string | undefined): Promise<void> {
    const type = file ? STATIC[file] : undefined;
    if (!file || !type) {
      ctx.status = 404;
      ctx.body = 'Not Found';
      return;
    }
    let text: string;
    try {
      text = file === 'app.js' ? await consoleScript() : readFileSync(join(dir, file), 'utf8');
    } catch (err) {
      ctx.status = 500;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = `the console script did not build: ${err instanceof Error ? err.message : String(err)}`;
      return;
    }
    if (file === 'index.html') {
      // the mocks' own base URLs, for links (the page itself calls them through the proxy)
      const config = JSON.stringify({ mocks: bases }).replace(/</g, '\\u003c');
      text = text.replace('<!--CONFIG-->', `<script>window.MOCK_CONSOLE = ${config};</script>`);
    }
    ctx.type = type;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = text;
  }

  router.get('/__console/config.json', (ctx) => {
    ctx.body = { mocks: bases };
  });

  router.get('/__console/health', async (ctx) => {
    const entries = await Promise.all(
      Object.entries(bases).map(async ([mock, base]) => {
        try {
          const r = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(3000) });
          return [mock, { up: r.ok, status: r.status, url: base, body: await r.text() }] as const;
        } catch (err) {
          const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
          return [mock, { up: false, status: 0, url: base, error: cause }] as const;
        }
      }),
    );
    ctx.body = Object.fromEntries(entries);
  });

  router.all('/__console/api/:mock/{*path}', async (ctx) => {
    const base = bases[ctx.params.mock];
    if (!base) {
      ctx.status = 404;
      ctx.body = { code: 'UNKNOWN_MOCK', message: `no mock named ${ctx.params.mock}` };
      return;
    }
    // the rest of the raw (still percent-encoded) path, as the page sent it
    const path = ctx.path.slice(`/__console/api/${ctx.params.mock}/`.length);
    const url = `${base}/__admin/${path}${ctx.querystring ? `?${ctx.querystring}` : ''}`;
    const hasBody = !['GET', 'HEAD'].includes(ctx.method);
    const body = hasBody ? await readRaw(ctx.req) : undefined;
    try {
      const response = await fetch(url, {
        method: ctx.method,
        headers: ctx.get('content-type') ? { 'Content-Type': ctx.get('content-type') } : {},
        body: body && body.length > 0 ? new Uint8Array(body) : undefined,
        signal: AbortSignal.timeout(PROXY_TIMEOUT_MS),
        redirect: 'manual',
      });
      ctx.status = response.status;
      const type = response.headers.get('content-type');
      if (type) ctx.type = type;
      ctx.body = Buffer.from(await response.arrayBuffer());
      if (response.status === 204) ctx.body = null;
      ctx.status = response.status;
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
      ctx.status = 502;
      ctx.body = { code: 'MOCK_UNREACHABLE', message: `${base} unreachable: ${cause}` };
    }
  });

  router.get('/__console/', (ctx) => serve(ctx, 'index.html'));
  router.get('/__console/:file', (ctx) => serve(ctx, ctx.params.file));

  // the router is not strict about a trailing slash: the bare paths are redirected here, exactly
  app.use(async (ctx, next) => {
    if (ctx.method === 'GET' && (ctx.path === '/' || ctx.path === '/__console'))
      return ctx.redirect('/__console/');
    return next();
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
