/** Jest projects: unit (pure, no I/O) and integration (real PostgreSQL + Redis, mocks over HTTP). */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' } }];
const common = { testEnvironment: 'node', transform: { '^.+\\.tsx?$': swc }, moduleFileExtensions: ['ts', 'tsx', 'js', 'json'] };
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/helpers/globalSetup.ts',
      globalTeardown: '<rootDir>/tests/helpers/globalTeardown.ts',
      testTimeout: 60000,
    },
  ],
};
