/**
 * The floor's HTTP side on plain node:http: the body read whole, a route table of method + path pattern, the
 * patient's bearer token looked up in the session Map, JSON answers. The paths are our server's
 * (server/http/routes.ts), the callback's too (`/api/v1/notify/wechatpay`); GET /healthz answers 200.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Flow } from './state';
import {
  authorizeInsurance,
  createOrder,
  getOrder,
  HttpError,
  listBills,
  login,
  paymentCallback,
  startBinding,
  startPayment,
  verifyBinding,
  type FloorDeps,
  type Reply,
} from './flow';

type Body = Record<string, unknown>;

interface Call {
  params: string[];
  body: Body;
  raw: string;
  headers: Record<string, string | undefined>;
  flow: () => Flow;
}

interface Route {
  method: string;
  pattern: RegExp;
  handle(d: FloorDeps, call: Call): Reply | Promise<Reply>;
}

const ID = '([0-9a-f-]{36})';

const ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/healthz$/, handle: () => ({ status: 200, body: { status: 'ok' } }) },
  { method: 'POST', pattern: /^\/api\/v1\/session$/, handle: (d, c) => login(d, c.body) },
  { method: 'POST', pattern: /^\/api\/v1\/patients$/, handle: (d, c) => startBinding(d, c.flow(), c.body) },
  {
    method: 'POST',
    pattern: new RegExp(`^/api/v1/patients/verifications/${ID}$`),
    handle: (d, c) => verifyBinding(d, c.flow(), c.params[0], c.body),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/api/v1/patients/${ID}/insurance-authorizations$`),
    handle: (d, c) => authorizeInsurance(d, c.flow(), c.params[0], c.body),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/v1/patients/${ID}/bills$`),
    handle: (d, c) => listBills(d, c.flow(), c.params[0]),
  },
  { method: 'POST', pattern: /^\/api\/v1\/orders$/, handle: (d, c) => createOrder(d, c.flow(), c.body) },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/v1/orders/${ID}$`),
    handle: (d, c) => getOrder(d, c.flow(), c.params[0]),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/api/v1/orders/${ID}/payments$`),
    handle: (d, c) => startPayment(d, c.flow(), c.params[0]),
  },
  {
    method: 'POST',
    pattern: /^\/api\/v1\/notify\/wechatpay$/,
    handle: (d, c) => paymentCallback(d, c.headers, c.raw),
  },
];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.body === undefined) {
    res.writeHead(reply.status).end();
    return;
  }
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(reply.body));
}

async function route(d: FloorDeps, req: IncomingMessage): Promise<Reply> {
  const path = (req.url ?? '/').split('?')[0];
  for (const r of ROUTES) {
    if (r.method !== req.method) continue;
    const match = r.pattern.exec(path);
    if (!match) continue;
    const raw = await readBody(req);
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v[0] : v;
    const call: Call = {
      params: match.slice(1),
      raw,
      headers,
      body: raw && headers['content-type']?.includes('json') ? (JSON.parse(raw) as Body) : {},
      flow: () => {
        const token = /^Bearer (\S+)$/.exec(headers.authorization ?? '')?.[1];
        const flow = token === undefined ? undefined : d.state.sessions.get(token);
        if (!flow) throw new HttpError(401, 'UNAUTHENTICATED', 'log in first');
        return flow;
      },
    };
    return r.handle(d, call);
  }
  return { status: 404, body: { code: 'NOT_FOUND', message: `${req.method} ${path}` } };
}

export function createHandler(d: FloorDeps): RequestListener {
  return (req, res) => {
    route(d, req).then(
      (reply) => send(res, reply),
      (err: unknown) => {
        if (err instanceof HttpError)
          return send(res, { status: err.status, body: { code: err.code, message: err.message } });
        const message = err instanceof Error ? err.message : String(err);
        d.log(`${req.method} ${req.url}: ${message}`);
        send(res, { status: 502, body: { code: 'UPSTREAM_FAILED', message } });
      },
    );
  };
}
