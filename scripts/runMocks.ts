/** Starts the three mocks in this process (those whose base URL is not configured elsewhere). */
import { createServer, type Server } from 'node:http';
import type { Settings } from '../config/settings';
import { ManualClock } from '../shared/clock';
import type { MockKeys } from '../shared/keys';
import { createInsuranceMock } from '../mocks/insurance';
import { createHisMock } from '../mocks/his';
import { createWeChatPayMock } from '../mocks/wechatpay';
import { createConsoleApp } from '../mocks/console/server';

export interface RunningMocks {
  insuranceUrl: string;
  hisUrl: string;
  wechatUrl: string;
  /** the testers' web console (`/__console`), unless its port was taken */
  consoleUrl?: string;
  stop(): Promise<void>;
}

function listen(handler: Parameters<typeof createServer>[1], port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(handler);
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const close = (s: Server) =>
  new Promise<void>((resolve) => {
    s.closeAllConnections();
    s.close(() => resolve());
  });

/** The console's port: MOCK_CONSOLE_PORT, default 3100 (0 = any free port). */
export function consolePort(env: NodeJS.ProcessEnv = process.env): number {
  const port = Number(env.MOCK_CONSOLE_PORT ?? 3100);
  return Number.isInteger(port) && port >= 0 && port < 65536 ? port : 3100;
}

export async function runMocks(
  settings: Settings,
  keys: MockKeys,
  clock = new ManualClock(),
  consoleOn: number | null = consolePort(),
): Promise<RunningMocks> {
  const base = (port: number) => `http://127.0.0.1:${port}`;
  const servers: Server[] = [];
  const stops: (() => void)[] = [];
  const insuranceUrl = settings.INSURANCE_BASE_URL ?? base(settings.INSURANCE_MOCK_PORT);
  const hisUrl = settings.HIS_BASE_URL ?? base(settings.HIS_MOCK_PORT);
  const wechatUrl = settings.WECHATPAY_BASE_URL ?? base(settings.WECHATPAY_MOCK_PORT);
  if (!settings.INSURANCE_BASE_URL) {
    servers.push(
      await listen(
        createInsuranceMock({
          keys: keys.insurance,
          clock,
          sm2UserIds: { org: settings.INSURANCE_ORG_SM2_USER_ID, platform: settings.INSURANCE_SM2_USER_ID },
        }).app.callback(),
        settings.INSURANCE_MOCK_PORT,
      ),
    );
  }
  if (!settings.HIS_BASE_URL)
    servers.push(await listen(createHisMock({ clock }).app.callback(), settings.HIS_MOCK_PORT));
  if (!settings.WECHATPAY_BASE_URL) {
    const mock = createWeChatPayMock({ keys: keys.wechat, clock, insuranceBaseUrl: insuranceUrl });
    stops.push(() => mock.stop());
    servers.push(await listen(mock.app.callback(), settings.WECHATPAY_MOCK_PORT));
  }
  // the testers' console proxies to the three mocks wherever they run; a taken port costs only the console
  let consoleUrl: string | undefined;
  if (consoleOn !== null) {
    try {
      const server = await listen(
        createConsoleApp({ insurance: insuranceUrl, his: hisUrl, wechatpay: wechatUrl }).callback(),
        consoleOn,
      );
      servers.push(server);
      const address = server.address();
      consoleUrl = `${base(typeof address === 'object' && address ? address.port : consoleOn)}/__console/`;
    } catch (err) {
      console.warn(
        `mock console not started on port ${consoleOn} (${err instanceof Error ? err.message : String(err)}); set MOCK_CONSOLE_PORT`,
      );
    }
  }
  return {
    insuranceUrl,
    hisUrl,
    wechatUrl,
    consoleUrl,
    stop: async () => {
      for (const stop of stops) stop();
      await Promise.all(servers.map(close));
    },
  };
}
