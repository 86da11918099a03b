/**
 * Jest projects: unit (pure, no I/O), integration (real PostgreSQL + Redis, mocks over HTTP), e2e (a browser)
 * and web (the
 * mini-program's components in jsdom, with small stubs for @tarojs/taro and @tarojs/components).
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
  },
];
// cockatiel 4 and otplib 13's default plugins (@scure/base, @noble/hashes) ship ESM only: let swc turn them into
// CommonJS like our own code
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(cockatiel|@scure|@noble)/)'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
};
const swcWeb = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', tsx: true },
      transform: { react: { runtime: 'automatic' } },
      target: 'es2022',
    },
  },
];
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/helpers/globalSetup.ts',
      globalTeardown: '<rootDir>/tests/helpers/globalTeardown.ts',
      setupFilesAfterEnv: ['<rootDir>/tests/helpers/timeouts.ts'],
    },
    {
      // a real browser (Debian chromium via playwright-core) against the whole stack serving the H5 build
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/helpers/globalSetup.ts',
      globalTeardown: '<rootDir>/tests/helpers/globalTeardown.ts',
      setupFilesAfterEnv: ['<rootDir>/tests/helpers/timeouts.ts'],
    },
    {
      displayName: 'web',
      testEnvironment: 'jsdom',
      testMatch: ['<rootDir>/tests/web/**/*.test.ts', '<rootDir>/tests/web/**/*.test.tsx'],
      transform: { '^.+\\.(t|j)sx?$': swcWeb },
      moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
      moduleNameMapper: {
        '^@tarojs/taro$': '<rootDir>/tests/web/stubs/taro.ts',
        '^@tarojs/components$': '<rootDir>/tests/web/stubs/components.tsx',
        '\\.css$': '<rootDir>/tests/web/stubs/style.ts',
      },
    },
  ],
};
