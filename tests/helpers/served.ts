/** A Koa app on a port of its own for a test file: the mocks under contract test, a router in front of a stack. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';

export interface Served {
  /** http://127.0.0.1:port, set by the beforeAll */
  url: string;
}

/**
 * Listens with `app` (or the app `make` builds then: it may need what earlier beforeAll hooks set up) on
 * 127.0.0.1 before the file's tests, and closes it after them.
 */
export function useServed(app: Koa | (() => Koa)): Served {
  const served: Served = { url: '' };
  let server: Server | undefined;
  beforeAll(async () => {
    const listening = (typeof app === 'function' ? app() : app).listen(0, '127.0.0.1');
    server = listening;
    await new Promise<void>((resolve) => listening.once('listening', () => resolve()));
    served.url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    const closing = server;
    if (!closing) return;
    closing.closeAllConnections();
    await new Promise<void>((resolve) => closing.close(() => resolve()));
  });
  return served;
}
