/** `npm run mocks`: the three mock gateways alone (ports 3101/3102/3103), for testing another system against them. */
import { join, resolve } from 'node:path';
import { loadSettings } from '../config/settings';
import { loadOrCreateKeys } from '../shared/crypto/keyring';
import { runMocks } from './runMocks';

async function main(): Promise<void> {
  const settings = loadSettings();
  const keys = loadOrCreateKeys(join(resolve(settings.DATA_DIR), 'keys'));
  const mocks = await runMocks(settings, keys.mocks);
  console.log(`mock gateways running (keys in ${settings.DATA_DIR}/keys/mock-keys.json; the hospital's side in server-keys.json)
  insurance platform ${mocks.insuranceUrl}   admin ${mocks.insuranceUrl}/__admin/openapi.json
  HIS                ${mocks.hisUrl}   admin ${mocks.hisUrl}/__admin/openapi.json
  WeChat Pay         ${mocks.wechatUrl}   admin ${mocks.wechatUrl}/__admin/openapi.json
  tester console     ${mocks.consoleUrl ?? '(not started: port taken, set MOCK_CONSOLE_PORT)'}
  CLI                npm run mock -- status   (npm run mock -- --help)
Stop with Ctrl-C.`);
  const stop = () => void mocks.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
