/**
 * The client's address, the one function every per-IP limit, login limit and audit row goes through.
 *
 * `X-Forwarded-For` is believed only when the TCP peer is a trusted proxy (settings TRUSTED_PROXIES, CIDR list,
 * default none): then the header is walked right to left, skipping trusted hops, and the first untrusted address
 * is the client (proxy-addr, as Express does). Anyone else's header is ignored, so rotating it neither bypasses a
 * per-IP limit nor forges the audit log. X-Forwarded-Proto follows the same rule (for `ctx.secure`).
 */
import type { IncomingMessage } from 'node:http';
import type Koa from 'koa';
import proxyaddr from 'proxy-addr';

export type ClientAddressOf = (req: IncomingMessage) => string;

/** ::ffff:a.b.c.d (an IPv4 client on a dual-stack socket) is the IPv4 address a.b.c.d: one key per client. */
function plain(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped ? mapped[1] : address;
}

/** A trust test over the list; an empty list trusts no address. Throws on an entry proxy-addr cannot read. */
function compileTrust(trusted: readonly string[]): (address: string, hop: number) => boolean {
  if (trusted.length === 0) return () => false;
  return proxyaddr.compile([...trusted]);
}

/** The client address of a request, given the trusted proxies. */
export function clientAddressResolver(trusted: readonly string[]): ClientAddressOf {
  const trust = compileTrust(trusted);
  return (req) => plain(proxyaddr(req, trust));
}

const RESOLVED = Symbol('clientAddress');

type RequestWithCache = Koa.Request & { [RESOLVED]?: string };

/**
 * Makes `ctx.ip` (and `ctx.ips`, `ctx.protocol`) of `app` follow the trusted-proxy rule above. Koa's own
 * `app.proxy` believes the headers of any client; it is switched off and these getters decide instead.
 */
export function trustProxies(app: Koa, trusted: readonly string[]): ClientAddressOf {
  const trust = compileTrust(trusted);
  const addressOf = clientAddressResolver(trusted);
  const peerTrusted = (req: IncomingMessage) => {
    const peer = req.socket.remoteAddress;
    return peer !== undefined && trust(peer, 0);
  };
  app.proxy = false;
  Object.defineProperties(app.request, {
    ip: {
      configurable: true,
      get(this: RequestWithCache): string {
        this[RESOLVED] ??= addressOf(this.req);
        return this[RESOLVED];
      },
      set(this: RequestWithCache, value: string) {
        this[RESOLVED] = value;
      },
    },
    /** the forwarded chain that was believed, client first (Koa's order); [] when no proxy is trusted */
    ips: {
      configurable: true,
      get(this: RequestWithCache): string[] {
        return proxyaddr.all(this.req, trust).slice(1).reverse().map(plain);
      },
    },
    protocol: {
      configurable: true,
      get(this: RequestWithCache): string {
        if ((this.req.socket as { encrypted?: boolean }).encrypted) return 'https';
        if (!peerTrusted(this.req)) return 'http';
        const proto = this.get('X-Forwarded-Proto').split(',')[0].trim().toLowerCase();
        return proto === 'https' ? 'https' : 'http';
      },
    },
  });
  return addressOf;
}
