/**
 * Our API called from another loopback address: the client socket is bound to `localAddress` (127.0.0.2,
 * 127.0.0.3, … — Linux gives the whole 127.0.0.0/8 to loopback), so the server's TCP peer really is that address.
 * This is how a test is "another client" without trusting X-Forwarded-For. Same answer shape as stack.call.
 */
import { request } from 'node:http';
import type { Answer } from './stack';

export interface FromOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export function callFrom<T = Record<string, unknown>>(
  localAddress: string,
  base: string,
  method: string,
  path: string,
  options: FromOptions = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  if (body !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers, localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          // keep text
        }
        const answerHeaders = new Headers();
        for (const [k, v] of Object.entries(res.headers))
          if (v !== undefined) answerHeaders.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolve({ status: res.statusCode ?? 0, body: parsed as T, headers: answerHeaders });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
