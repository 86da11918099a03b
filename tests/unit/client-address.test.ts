/**
 * The client address: TRUSTED_PROXIES as settings read it (CIDR list, IPv4 and IPv6, default none), and the one
 * function that turns a request into its client's address — X-Forwarded-For walked right to left only when the
 * TCP peer is trusted. The stack-level proof (limits, audit) is tests/integration/trusted-proxies.test.ts.
 */
import type { IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { SettingsError, cidrProblem, loadSettings } from '../../config/settings';
import { clientAddressResolver, trustProxies } from '../../server/http/clientAddress';
import { callFrom } from '../helpers/fromAddress';

const req = (peer: string, forwardedFor?: string, extra: Record<string, string> = {}) =>
  ({
    socket: { remoteAddress: peer },
    headers: { ...(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }), ...extra },
  }) as unknown as IncomingMessage;

describe('loadSettings(env).TRUSTED_PROXIES', () => {
  it('trusts no proxy by default', () => {
    expect(loadSettings({}).TRUSTED_PROXIES).toEqual([]);
    expect(loadSettings({ TRUSTED_PROXIES: '' }).TRUSTED_PROXIES).toEqual([]);
  });

  it('reads a comma-separated list of IPv4 and IPv6 addresses and CIDR ranges', () => {
    expect(
      loadSettings({ TRUSTED_PROXIES: ' 10.0.0.0/8, 127.0.0.1 ,2001:db8::/32,::1, 0.0.0.0/0' })
        .TRUSTED_PROXIES,
    ).toEqual(['10.0.0.0/8', '127.0.0.1', '2001:db8::/32', '::1', '0.0.0.0/0']);
  });

  it.each([
    ['10.0.0.0/33', 'the prefix length must be 0–32'],
    ['2001:db8::/129', 'the prefix length must be 0–128'],
    ['10.0.0.0/', 'the prefix length'],
    ['10.0.0.0/8x', 'the prefix length'],
    ['proxy.example.com', 'not an IPv4 or IPv6 address'],
    ['loopback', 'not an IPv4 or IPv6 address'],
    ['256.1.1.1', 'not an IPv4 or IPv6 address'],
    ['fe80::1%eth0', 'zone ids'],
  ])('refuses %p, naming the variable', (value, problem) => {
    expect(() => loadSettings({ TRUSTED_PROXIES: `127.0.0.1,${value}` })).toThrow(SettingsError);
    expect(() => loadSettings({ TRUSTED_PROXIES: value })).toThrow(/TRUSTED_PROXIES: .*/);
    expect(cidrProblem(value)).toContain(problem);
  });

  it('refuses more than 64 entries', () => {
    const many = Array.from({ length: 65 }, (_, i) => `10.0.${i}.0/24`).join(',');
    expect(() => loadSettings({ TRUSTED_PROXIES: many })).toThrow(/at most 64/);
  });
});

describe('clientAddressResolver(trusted)(req)', () => {
  it('is the socket address when no proxy is trusted, whatever X-Forwarded-For says', () => {
    const addressOf = clientAddressResolver([]);
    expect(addressOf(req('127.0.0.1', '203.0.113.9'))).toBe('127.0.0.1');
    expect(addressOf(req('198.51.100.4', '203.0.113.9, 10.0.0.1'))).toBe('198.51.100.4');
  });

  it('walks X-Forwarded-For right to left from a trusted peer, skipping trusted hops', () => {
    const addressOf = clientAddressResolver(['10.0.0.0/8', '127.0.0.1']);
    expect(addressOf(req('127.0.0.1', '203.0.113.9'))).toBe('203.0.113.9');
    expect(addressOf(req('127.0.0.1', '203.0.113.9, 10.1.2.3'))).toBe('203.0.113.9');
    // the left part is whatever the client wrote: the first untrusted hop from the right is the client
    expect(addressOf(req('127.0.0.1', '1.1.1.1, 203.0.113.9, 10.1.2.3'))).toBe('203.0.113.9');
    // a peer outside the list: its header is not read at all
    expect(addressOf(req('192.0.2.1', '203.0.113.9'))).toBe('192.0.2.1');
    // a trusted peer that forwarded nothing: the peer itself
    expect(addressOf(req('10.9.9.9'))).toBe('10.9.9.9');
  });

  it('handles IPv6 ranges, and reports an IPv4 client on a dual-stack socket as plain IPv4', () => {
    const addressOf = clientAddressResolver(['2001:db8::/32', '127.0.0.0/8']);
    expect(addressOf(req('2001:db8::10', '2400:cb00::1'))).toBe('2400:cb00::1');
    expect(addressOf(req('2400:cb00::2', '2400:cb00::1'))).toBe('2400:cb00::2');
    expect(addressOf(req('::ffff:127.0.0.1', '203.0.113.9'))).toBe('203.0.113.9');
    expect(clientAddressResolver([])(req('::ffff:198.51.100.4'))).toBe('198.51.100.4');
  });
});

describe('trustProxies(app, trusted): ctx.ip, ctx.ips and ctx.protocol of a Koa app', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const app = new Koa();
    trustProxies(app, ['127.0.0.1/32']);
    app.use((ctx) => {
      ctx.body = {
        ip: ctx.ip,
        ips: ctx.ips,
        protocol: ctx.protocol,
        secure: ctx.secure,
        proxy: ctx.app.proxy,
      };
    });
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const seen = (from: string, headers: Record<string, string>) =>
    callFrom(from, url, 'GET', '/', { headers }).then((a) => a.body);

  it('believes X-Forwarded-For and -Proto from the trusted peer', async () => {
    expect(
      await seen('127.0.0.1', { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' }),
    ).toEqual({ ip: '203.0.113.9', ips: ['203.0.113.9'], protocol: 'https', secure: true, proxy: false });
  });

  it('ignores both from any other peer', async () => {
    expect(
      await seen('127.0.0.2', { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' }),
    ).toEqual({ ip: '127.0.0.2', ips: [], protocol: 'http', secure: false, proxy: false });
  });
});
