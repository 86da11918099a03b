// Per-project timeouts: jest reads `testTimeout` only globally, so the slow projects set theirs here.
jest.setTimeout(Number(process.env.TEST_TIMEOUT_MS ?? 120_000));
