import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.data/**', 'coverage/**', 'miniprogram/**', 'config/index.ts', 'config/dev.ts', 'config/prod.ts', '*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': 'off',
    },
  },
  // dependency direction (DESIGN 3): the domain is pure; the server never imports mocks; mocks never import the server
  {
    files: ['server/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/services/**', '**/gateways/**', '**/http/**', '**/db/**', '**/jobs/**', 'typeorm', 'ioredis', 'koa', 'pg'] }],
    },
  },
  { files: ['server/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: ['**/mocks/**', '**/scripts/**'] }] } },
  { files: ['mocks/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: ['**/server/**'] }] } },
  { files: ['shared/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: ['**/server/**', '**/mocks/**', 'typeorm', 'ioredis', 'koa'] }] } },
);
