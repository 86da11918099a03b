/**
 * The chaos run's load balancer: a round-robin HTTP proxy in front of the server instances, the public base URL
 * (the driver and WeChat's callbacks come through it). A request is buffered, then sent to the next instance; an
 * instance that refuses the connection (dead, restarting) has processed nothing, so the request is retried on
 * the next one. Any other failure (the instance died mid-request: reset, hang-up) may have been processed, so it
 * is answered 502 and not retried — the client decides, as behind a real load balancer.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const UPSTREAM_TIMEOUT_MS = 30_000;

export interface Upstream {
  readonly url: string;
}

export interface Proxy {
  url: string;
  /** answers 502 given (no instance took the request, or one failed mid-request) */
  badGateway: number;
  /** requests retried on another instance after a refused connection */
  retried: number;
  close(): Promise<void>;
}

function forward(
  target: string,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ res: IncomingMessage } | { error: NodeJS.ErrnoException }> {
  const url = new URL(target);
  return new Promise((done) => {
    const upstream = request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: url.host, 'content-length': String(body.length) },
        timeout: UPSTREAM_TIMEOUT_MS,
      },
      (res) => done({ res }),
    );
    upstream.on('timeout', () =>
      upstream.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })),
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => done({ error }));
    upstream.end(body);
  });
}

export async function startProxy(upstreams: () => Upstream[]): Promise<Proxy> {
  let next = 0;
  const stats = { badGateway: 0, retried: 0 };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const pool = upstreams();
    for (let tried = 0; tried < pool.length; tried++) {
      const target = pool[next++ % pool.length];
      const answer = await forward(target.url, req, body);
      if ('res' in answer) {
        res.writeHead(answer.res.statusCode ?? 502, answer.res.headers);
        answer.res.pipe(res);
        answer.res.on('error', () => res.destroy());
        return;
      }
      if (answer.error.code !== 'ECONNREFUSED') break;
      stats.retried++;
    }
    stats.badGateway++;
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: 'BAD_GATEWAY', message: 'no instance answered' }));
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get badGateway() {
      return stats.badGateway;
    },
    get retried() {
      return stats.retried;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
