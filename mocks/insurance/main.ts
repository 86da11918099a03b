/** Runs the insurance mock alone: `tsx mocks/insurance/main.ts` (port INSURANCE_MOCK_PORT, default 3101). */
import { loadSettings } from '../../config/settings';
import { loadOrCreateKeys } from '../../shared/crypto/keyring';
import { createInsuranceMock } from './index';

const DEFAULT_PORT = 3101;

function portFromEnv(): number {
  const raw = process.env.INSURANCE_MOCK_PORT;
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`INSURANCE_MOCK_PORT must be a port number, got ${raw}`);
  return port;
}

const keys = loadOrCreateKeys('.data/keys');
const settings = loadSettings();
const { app, state } = createInsuranceMock({
  keys: keys.mocks.insurance,
  sm2UserIds: { org: settings.INSURANCE_ORG_SM2_USER_ID, platform: settings.INSURANCE_SM2_USER_ID },
});
const server = app.listen(portFromEnv(), () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : portFromEnv();
  console.log(
    `insurance mock on http://localhost:${port}  (admin: /__admin/openapi.json, authorization page: /oauth/code?redirectUrl=…)`,
  );
  for (const p of state.persons.values())
    console.log(`  ${p.authCode.padEnd(18)} ${p.name} ${p.insutype} ${p.status} balance ${p.balanceFen} fen`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
