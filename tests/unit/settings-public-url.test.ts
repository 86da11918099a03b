/**
 * PUBLIC_BASE_URL, the base of the callback URLs WeChat Pay calls (接入质量检查 item 13; 回调处理 前提条件): in
 * production it must be set, https, without a query, on a host reachable from the internet. Outside production
 * http and loopback stay allowed (tests, `npm start`).
 */
import { loadSettings, nonPublicHostProblem, publicUrlProblems, SettingsError } from '../../config/settings';

const production = (url?: string) =>
  loadSettings({ NODE_ENV: 'production', ...(url === undefined ? {} : { PUBLIC_BASE_URL: url }) });

/** The message loadSettings refuses with (fails the test when it does not refuse). */
function refusal(url?: string): string {
  try {
    production(url);
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    return (err as Error).message;
  }
  throw new Error(`PUBLIC_BASE_URL ${url} was accepted in production`);
}

describe('PUBLIC_BASE_URL in production', () => {
  it('must be set', () => {
    expect(refusal()).toMatch(/PUBLIC_BASE_URL: must be set when NODE_ENV=production/);
  });

  it('accepts an https URL on a public host, with or without a path and a port', () => {
    for (const url of [
      'https://pay.hospital.example.cn',
      'https://pay.hospital.example.cn/medins',
      'https://pay.hospital.example.cn:8443',
      'https://203.0.113.10',
      'https://172.15.0.1',
      'https://172.32.0.1',
      'https://[2001:db8::1]',
    ])
      expect(production(url).PUBLIC_BASE_URL).toBe(url);
  });

  it('refuses http', () => {
    expect(refusal('http://pay.hospital.example.cn')).toMatch(/PUBLIC_BASE_URL: must be https/);
  });

  it('refuses a query (even an empty one) and a fragment', () => {
    expect(refusal('https://pay.hospital.example.cn/?from=wx')).toMatch(
      /PUBLIC_BASE_URL: must carry no query/,
    );
    expect(refusal('https://pay.hospital.example.cn/?')).toMatch(/PUBLIC_BASE_URL: must carry no query/);
    expect(refusal('https://pay.hospital.example.cn/#x')).toMatch(/PUBLIC_BASE_URL: must carry no fragment/);
  });

  it.each([
    ['https://localhost', 'localhost'],
    ['https://LOCALHOST.', 'localhost'],
    ['https://api.localhost', 'localhost'],
    ['https://127.0.0.1', 'loopback'],
    ['https://127.255.255.254:8443', 'loopback'],
    ['https://0x7f.1', 'loopback'],
    ['https://10.0.0.1', 'private address \\(10\\.0\\.0\\.0/8\\)'],
    ['https://172.16.0.1', 'private address \\(172\\.16\\.0\\.0/12\\)'],
    ['https://172.31.255.255', 'private address \\(172\\.16\\.0\\.0/12\\)'],
    ['https://192.168.1.20', 'private address \\(192\\.168\\.0\\.0/16\\)'],
    ['https://169.254.169.254', 'link-local address \\(169\\.254\\.0\\.0/16\\)'],
    ['https://0.0.0.0', 'unspecified'],
    ['https://[::1]', 'loopback address \\(::1\\)'],
    ['https://[0:0:0:0:0:0:0:1]', 'loopback address \\(::1\\)'],
    ['https://[::]', 'unspecified'],
    ['https://[::ffff:127.0.0.1]', 'loopback'],
    ['https://[::ffff:192.168.0.1]', 'private'],
    ['https://[fc00::1]', 'fc00::/7'],
    ['https://[fdff:ffff::1]', 'fc00::/7'],
    ['https://[fe80::1]', 'fe80::/10'],
    ['https://[febf::1]', 'fe80::/10'],
  ])('refuses %s: not reachable from the internet (%s)', (url, why) => {
    expect(refusal(url)).toMatch(
      new RegExp(`PUBLIC_BASE_URL: must name a host WeChat Pay can reach from the internet, not .*${why}`),
    );
  });

  it('names every problem of one URL, each on its own line naming the variable', () => {
    const message = refusal('http://192.168.1.2:3000/?a=1');
    expect(message.split('\n').filter((l) => l.startsWith('  PUBLIC_BASE_URL: '))).toHaveLength(3);
  });

  it('refuses what is not an http(s) URL, or has spaces around it', () => {
    expect(refusal('ftp://pay.hospital.example.cn')).toMatch(/PUBLIC_BASE_URL/);
    expect(publicUrlProblems(' https://pay.hospital.example.cn')).toEqual([
      { kind: 'invalid', message: 'has spaces around it' },
    ]);
  });
});

describe('PUBLIC_BASE_URL outside production', () => {
  it('may be absent, http or loopback (tests and npm start)', () => {
    expect(loadSettings({ NODE_ENV: 'development' }).PUBLIC_BASE_URL).toBeUndefined();
    expect(loadSettings({ NODE_ENV: 'test', PUBLIC_BASE_URL: 'http://127.0.0.1:3000' }).PUBLIC_BASE_URL).toBe(
      'http://127.0.0.1:3000',
    );
    expect(loadSettings({ PUBLIC_BASE_URL: 'http://localhost:3000' }).NODE_ENV).toBe('development');
  });
});

describe('nonPublicHostProblem(hostname)', () => {
  it('takes names other than localhost, and public addresses, as public', () => {
    for (const host of ['pay.example.com', '8.8.8.8', '[2400:3200::1]', 'fec0.example.com', '[fec0::1]'])
      expect(nonPublicHostProblem(host)).toBeUndefined();
  });
});
