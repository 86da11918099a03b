/**
 * The chaos run's mocks: the three mocks in this one child process on free ports, one clock, keys from
 * CHAOS_KEY_DIR. Also a small control listener for the runner: `POST /reopen {orderNo}` puts WeChat's records of
 * an order it closed back to payable — WeChat's own race (a payment under way in the sheet while our close is
 * answered), which the mock never makes by itself (see tests/integration/late-payments.test.ts). Prints one line
 * of JSON with the URLs when listening.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../../shared/clock';
import { loadOrCreateKeys } from '../../shared/crypto/keyring';
import { createInsuranceMock } from '../../mocks/insurance';
import { createHisMock } from '../../mocks/his';
import { createWeChatPayMock } from '../../mocks/wechatpay';

type Handler = Parameters<typeof createServer>[1];

async function listen(handler: Handler): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function main(): Promise<void> {
  const keyDir = process.env.CHAOS_KEY_DIR;
  if (!keyDir) throw new Error('CHAOS_KEY_DIR is not set');
  const keys = loadOrCreateKeys(keyDir);
  const clock = new ManualClock();
  const insurance = await listen(createInsuranceMock({ keys: keys.mocks.insurance, clock }).app.callback());
  const his = await listen(createHisMock({ clock }).app.callback());
  const wechatMock = createWeChatPayMock({ keys: keys.mocks.wechat, clock, insuranceBaseUrl: insurance.url });
  const wechat = await listen(wechatMock.app.callback());

  const reopen = (orderNo: string): boolean => {
    const state = wechatMock.state;
    const trade = state.trades.get(orderNo);
    if (trade && trade.state === 'CLOSED') {
      trade.state = 'NOTPAY';
      trade.timeExpireMs = undefined;
    }
    const medIns = state.medInsByTradeNo(orderNo);
    if (medIns && (medIns.mixPayStatus === 'MIX_PAY_FAIL' || medIns.mixPayStatus === 'MIX_PAY_CREATED')) {
      medIns.mixPayStatus = 'MIX_PAY_CREATED';
      medIns.selfPayStatus = medIns.fees.wechatCash > 0 ? 'SELF_PAY_CREATED' : 'NO_SELF_PAY';
      medIns.medInsPayStatus = 'MED_INS_PAY_CREATED';
      medIns.medInsFailReason = undefined;
    }
    return trade !== undefined || medIns !== undefined;
  };
  const control = await listen((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/reopen') {
        const { orderNo } = JSON.parse(body || '{}') as { orderNo?: string };
        const found = typeof orderNo === 'string' && reopen(orderNo);
        res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ reopened: found }));
        return;
      }
      res.writeHead(404).end();
    });
  });
  process.stdout.write(
    `${JSON.stringify({ insuranceUrl: insurance.url, hisUrl: his.url, wechatUrl: wechat.url, controlUrl: control.url })}\n`,
  );
  const stop = () => {
    wechatMock.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
