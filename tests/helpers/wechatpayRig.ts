/**
 * The WeChat Pay mock on its own, for its contract and sandbox tests: the mock, the server's real adapter
 * pointed at it, a tiny fake insurance platform answering the mock's settle call, and a tiny receiver that
 * records the callbacks (and can be told to fail). One controllable clock for all.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../../shared/clock';
import { mixPayTypeOf, type Split } from '../../shared/money';
import type { MedInsOrder } from '../../server/gateways/ports';
import { HttpWeChatPayGateway } from '../../server/gateways/wechatpay/client';
import { createWeChatPayMock, type WeChatPayMock } from '../../mocks/wechatpay';
import { testKeys } from '../../shared/crypto/keyring';

export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Records every callback; answers 204, or 500 {"code":"FAIL"} while failing is on. */
function createReceiver() {
  const receiver = {
    received: [] as Received[],
    failing: false,
    server: createServer((req, res) => {
      void readBody(req).then((body) => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        receiver.received.push({ path: req.url ?? '', headers, body });
        if (receiver.failing) {
          res.writeHead(500, { 'Content-Type': 'application/json' }).end('{"code":"FAIL","message":"失败"}');
        } else {
          res.writeHead(204).end();
        }
      });
    }),
    last(path: string): Received {
      const hits = receiver.received.filter((r) => r.path === path);
      if (hits.length === 0) throw new Error(`no callback on ${path}`);
      return hits[hits.length - 1];
    },
  };
  return receiver;
}

/** The insurance platform's settle call: SETTLED with the split registered for pay_order_id, or 503 while down. */
function createFakeInsurance() {
  const insurance = {
    splits: new Map<string, Split>(),
    calls: [] as string[],
    down: false,
    server: createServer((req, res) => {
      void readBody(req).then(() => {
        const match = /^\/__admin\/settlements\/([^/]+)\/settle$/.exec(req.url ?? '');
        const payOrdId = decodeURIComponent(match?.[1] ?? '');
        insurance.calls.push(payOrdId);
        const split = insurance.splits.get(payOrdId);
        if (insurance.down || !match || !split) {
          res
            .writeHead(503, { 'Content-Type': 'application/json' })
            .end('{"code":"SYSTEM_ERROR","message":"down"}');
          return;
        }
        res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ status: 'SETTLED', setlId: `SETL-${payOrdId}`, split }));
      });
    }),
  };
  return insurance;
}

export interface WeChatPayRig {
  keys: ReturnType<typeof testKeys>;
  clock: ManualClock;
  receiver: ReturnType<typeof createReceiver>;
  insurance: ReturnType<typeof createFakeInsurance>;
  mock: WeChatPayMock;
  mockUrl: string;
  receiverUrl: string;
  gateway: HttpWeChatPayGateway;
  /** a med-ins order for the adapter; its split is registered with the fake insurance so the settle call succeeds */
  medInsOrder(outTradeNo: string, openid: string, split: Split, prepayId?: string): MedInsOrder;
  stop(): Promise<void>;
}

export async function startWeChatPayRig(startMs: number): Promise<WeChatPayRig> {
  const keys = testKeys();
  const clock = new ManualClock(startMs);
  const receiver = createReceiver();
  const insurance = createFakeInsurance();
  const receiverUrl = await listen(receiver.server);
  const insuranceUrl = await listen(insurance.server);
  const mock = createWeChatPayMock({ keys: keys.mocks.wechat, clock, insuranceBaseUrl: insuranceUrl });
  const mockServer = createServer(mock.app.callback());
  const mockUrl = await listen(mockServer);
  const gateway = new HttpWeChatPayGateway({
    baseUrl: mockUrl,
    keys: keys.server.wechat,
    timeoutMs: 5000,
    clock,
    notifyUrl: `${receiverUrl}/notify`,
    medInsCallbackUrl: `${receiverUrl}/medins`,
  });
  return {
    keys,
    clock,
    receiver,
    insurance,
    mock,
    mockUrl,
    receiverUrl,
    gateway,
    medInsOrder: (outTradeNo, openid, split, prepayId) => {
      const payOrderId = `PAYORD-${outTradeNo}`;
      insurance.splits.set(payOrderId, split);
      return {
        outTradeNo,
        mixPayType: mixPayTypeOf(split),
        orderType: 'DIAG_PAY',
        openid,
        payer: { name: '张三', idNo: '36010219800101001X' },
        serialNo: outTradeNo,
        payOrderId,
        payAuthNo: 'AUTH-1',
        geoLocation: '115.892151,28.676493',
        cityId: '360100',
        medInstName: '演示市第一人民医院',
        medInstNo: 'H36010200001',
        createdAtMs: clock.now(),
        split,
        fundOther: 0,
        prepayId,
      };
    },
    stop: async () => {
      mock.stop();
      for (const server of [mockServer, receiver.server, insurance.server]) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  };
}
