/** Runs the WeChat Pay mock alone: `tsx mocks/wechatpay/main.ts` (port WECHATPAY_MOCK_PORT, default 3103). */
import { join } from 'node:path';
import { loadSettings } from '../../config/settings';
import { loadOrCreateKeys } from '../../scripts/keyring';
import { createWeChatPayMock } from './index';

const settings = loadSettings();
const keys = loadOrCreateKeys(join(settings.DATA_DIR, 'keys'));
const mock = createWeChatPayMock({
  keys: keys.mocks.wechat,
  insuranceBaseUrl: settings.INSURANCE_BASE_URL ?? `http://localhost:${settings.INSURANCE_MOCK_PORT}`,
});
const port = settings.WECHATPAY_MOCK_PORT;
const server = mock.app.listen(port, () => {
  console.log(`WeChat Pay mock listening on http://localhost:${port} (admin API: /__admin/openapi.json)`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    mock.stop();
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
