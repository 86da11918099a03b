/**
 * Runs the WeChat Pay mock alone: `tsx mocks/wechatpay/main.ts [--strict]` (port WECHATPAY_MOCK_PORT, default
 * 3103). Sandbox mode unless `--strict` is given: strict refuses http and internal callback URLs as WeChat
 * does (callbackUrl.ts).
 */
import { join } from 'node:path';
import { loadSettings } from '../../config/settings';
import { loadOrCreateKeys } from '../../shared/crypto/keyring';
import { createWeChatPayMock } from './index';

const settings = loadSettings();
const keys = loadOrCreateKeys(join(settings.DATA_DIR, 'keys'));
const sandbox = !process.argv.includes('--strict');
const mock = createWeChatPayMock({
  keys: keys.mocks.wechat,
  insuranceBaseUrl: settings.INSURANCE_BASE_URL ?? `http://localhost:${settings.INSURANCE_MOCK_PORT}`,
  sandbox,
});
const port = settings.WECHATPAY_MOCK_PORT;
const server = mock.app.listen(port, () => {
  const mode = sandbox ? 'sandbox mode' : 'strict mode';
  console.log(
    `WeChat Pay mock listening on http://localhost:${port}, ${mode} (admin API: /__admin/openapi.json)`,
  );
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    mock.stop();
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
