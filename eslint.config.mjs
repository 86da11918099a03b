import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', '.data/**', 'coverage/**', '.swc/**', '*.js'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // CommonJS config files read by tools (dependency-cruiser)
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': 'off',
    },
  },
  // dependency direction (DESIGN 3): the server never imports mocks or scripts; the domain is pure (and, being
  // under server/, its block comes after the server's: the last matching block's option wins)
  {
    files: ['server/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/mocks/**', '**/scripts/**'] }] },
  },
  {
    files: ['server/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '**/mocks/**',
            '**/scripts/**',
            '**/services/**',
            '**/gateways/**',
            '**/http/**',
            '**/db/**',
            '**/jobs/**',
            'typeorm',
            'ioredis',
            'koa',
            'pg',
            'node:*',
          ],
        },
      ],
    },
  },
  // the mini-program imports only shared/ (and Taro/React): DESIGN 3
  {
    files: ['miniprogram/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '**/server/**',
            '**/mocks/**',
            '**/scripts/**',
            '**/config/**',
            '**/tests/**',
            'node:*',
            'zod',
          ],
        },
      ],
    },
  },
  { files: ['mocks/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: ['**/server/**'] }] } },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['**/server/**', '**/mocks/**', 'typeorm', 'ioredis', 'koa'] },
      ],
    },
  },
);
