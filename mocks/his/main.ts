/** Runs the HIS mock alone: `tsx mocks/his/main.ts` (port HIS_MOCK_PORT, default 3102). */
import { loadSettings } from '../../config/settings';
import { createHisMock } from './index';

const { HIS_MOCK_PORT } = loadSettings();
const { app } = createHisMock();
const server = app.listen(HIS_MOCK_PORT, () => {
  console.log(`HIS mock listening on http://localhost:${HIS_MOCK_PORT} (admin API: /__admin/openapi.json)`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
